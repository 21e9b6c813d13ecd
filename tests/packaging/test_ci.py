"""The README's two commands and .ci/run, run literally in a copy of this checkout with no
virtual environment on PATH (python3 is the system's: Debian's, with PEP 668, on CI).

.ci/run is run for real except for two things: the BuildKit installer in ../shared is a
stand-in that records its call, and PYTEST_ADDOPTS points pytest at one probe test, so that
its exit status can be checked both ways without running the whole suite inside itself.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.packaging.conftest import clean_env, copy_checkout, needs_index
from tests.support import REPO

README = REPO / "README.md"
CI_RUN = REPO / ".ci" / "run"


def readme_commands() -> tuple[str, str]:
    """The README's first code block: the set-up line and the test line, comments removed."""
    block = re.search(r"```bash\n(.*?)```", README.read_text(), re.S)
    assert block is not None and README.read_text().startswith("# mkgen\n\n```bash\n")
    lines = block.group(1).splitlines()
    assert len(lines) == 2, "two commands: set up, and test"
    setup, test = (line.split("  # ")[0].rstrip() for line in lines)
    return setup, test


def test_the_readme_commands_use_a_venv_and_ci_runs_the_test_command_verbatim() -> None:
    setup, test = readme_commands()
    assert setup.startswith("python3 -m venv .venv && . .venv/bin/activate && ")
    assert setup.endswith(" && mkgen render")
    assert test.startswith("python3 -m venv .venv && . .venv/bin/activate && ")
    assert test.endswith(" && python -m pytest")
    assert "pip install" in setup and "pip install -e '.[test]'" in test
    # The last line of .ci/run, so that its exit status is the script's.
    lines = [line for line in CI_RUN.read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines[-1] == test
    assert "bash .ci/packages.sh" in lines and "bash ../shared/tools/buildkit/install.sh" in lines
    assert 'export CI="${CI:-true}"' in lines
    assert not [line for line in lines if "pip install" in line and line != test]


@pytest.mark.slow
@pytest.mark.network
def test_the_readme_setup_command_installs_into_a_venv_and_renders(tmp_path: Path) -> None:
    project = copy_checkout(tmp_path / "mkgen")
    shutil.rmtree(project / "docker")  # committed; the command writes it again
    setup, _ = readme_commands()
    result = subprocess.run(["bash", "-c", setup], cwd=project, env=clean_env(),
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=600)
    needs_index(result, "the README's set-up command")
    assert "wrote docker/Makefile\n" in result.stdout
    for name in ("Makefile", "Dockerfile.multi", "Dockerfile.user", "docker-bake.hcl"):
        assert (project / "docker" / name).read_text() == (REPO / "docker" / name).read_text()
    where = subprocess.run([str(project / ".venv" / "bin" / "python"), "-c",
                            "import mkgen; print(mkgen.__file__)"], cwd=tmp_path,
                           env=clean_env(), capture_output=True, text=True, check=True)
    assert "/.venv/lib/" in where.stdout and "site-packages/mkgen/" in where.stdout


PROBE = '''\
import os, shutil, sys
from pathlib import Path

def test_probe():
    checkout = Path(__file__).resolve().parents[1]
    assert os.environ["CI"] == "true"
    assert Path(sys.prefix) == checkout / ".venv"
    assert Path(shutil.which("mkgen")) == checkout / ".venv" / "bin" / "mkgen"
    assert os.environ.get("PROBE_FAIL") != "1", "failing on purpose"
'''

STAND_IN = '''\
#!/usr/bin/env bash
echo "buildkit stand-in ran as $(id -u)" >> "$(dirname "$0")/calls"
'''


@pytest.mark.slow
@pytest.mark.network
def test_ci_run_makes_the_venv_runs_the_tests_and_fails_when_they_fail(tmp_path: Path) -> None:
    if not shutil.which("dpkg-query"):
        pytest.skip(".ci/run installs Debian packages; this is not Debian")
    wanted = re.search(r"^packages=\((.*)\)$", (REPO / ".ci" / "packages.sh").read_text(), re.M)
    assert wanted is not None
    missing = [name for name in wanted.group(1).split() if subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", name], capture_output=True,
        text=True).stdout != "install ok installed"]
    if missing:  # .ci/run would install them; a test does not
        pytest.skip(f"run .ci/packages.sh first: {' '.join(missing)} missing")
    checkout = copy_checkout(tmp_path / "checkout")
    (checkout / "tests" / "test_zz_ci_probe.py").write_text(PROBE)
    installer = tmp_path / "shared" / "tools" / "buildkit" / "install.sh"
    installer.parent.mkdir(parents=True)
    installer.write_text(STAND_IN)

    def ci(**extra: str) -> subprocess.CompletedProcess[str]:
        env = clean_env(PYTEST_ADDOPTS="-p no:cacheprovider tests/test_zz_ci_probe.py",
                        **extra)
        env.pop("CI", None)
        return subprocess.run([str(checkout / ".ci" / "run")], cwd=tmp_path, env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=900)

    passed = ci()
    needs_index(passed, ".ci/run")
    assert "1 passed" in passed.stdout, passed.stdout[-3000:]
    assert (checkout / ".venv" / "bin" / "python").exists()
    assert (installer.parent / "calls").read_text() == f"buildkit stand-in ran as {os.getuid()}\n"

    failed = ci(PROBE_FAIL="1")
    assert failed.returncode == 1, failed.stdout[-3000:] + failed.stderr[-3000:]
    assert "failing on purpose" in failed.stdout and "1 failed" in failed.stdout
