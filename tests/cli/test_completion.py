"""Shell completion of `mkgen explain TARGET`, through click's real completion protocol."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.support import REPO


def test_shell_completion_offers_the_targets(tmp_path: Path) -> None:
    """Real run: click's completion protocol, as the bash script it prints would call it."""
    shutil.copy(REPO / "stages.yaml", tmp_path / "stages.yaml")
    env = {"PATH": "/usr/bin:/bin:" + str(Path(shutil.which("mkgen") or "mkgen").parent),
           "_MKGEN_COMPLETE": "bash_complete", "COMP_WORDS": "mkgen explain rel",
           "COMP_CWORD": "2"}
    out = subprocess.run(["mkgen"], cwd=tmp_path, env=env, capture_output=True, text=True).stdout
    assert out.splitlines() == [f"plain,{t}" for t in
                                ("release_build", "release_push", "release_run", "release_pull",
                                 "release_user", "release_bake")]
    env.update(_MKGEN_COMPLETE="bash_source")
    script = subprocess.run(["mkgen"], env=env, capture_output=True, text=True).stdout
    assert "complete -o nosort -F _mkgen_completion mkgen" in script
