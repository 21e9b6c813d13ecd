"""The corpus of configurations that are valid but most likely not what their author meant:
tests/warnings/NAME.yaml and the exact stderr of `mkgen validate` on it, NAME.expected. Each
exits 0, prints one located `warning:` line per finding (sorted by line) and renders; `render`
prints the same warnings and writes its files anyway.

To add a case: write NAME.yaml (first line: a comment saying what is suspicious), then review
the output of `mkgen validate -c stages.yaml` on a copy of it and save it as NAME.expected."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mkgen.cli import cli

HERE = Path(__file__).parent
CASES = sorted(p.stem for p in HERE.glob("*.yaml"))
LINE = re.compile(r"^stages\.yaml:\d+:\d+: warning: ")


def test_the_corpus_is_complete() -> None:
    assert sorted(p.stem for p in HERE.glob("*.expected")) == CASES


@pytest.mark.parametrize("command", ["validate", "render"])
@pytest.mark.parametrize("name", CASES)
def test_warnings_are_printed_and_nothing_is_refused(name: str, command: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(HERE / f"{name}.yaml", tmp_path / "stages.yaml")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, [command, "-c", "stages.yaml"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (HERE / f"{name}.expected").read_text(encoding="utf-8")
    lines = result.stderr.splitlines()
    assert lines and all(LINE.match(line) for line in lines)
    numbers = [tuple(int(n) for n in line.split(":")[1:3]) for line in lines]
    assert numbers == sorted(numbers)
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert written == (["docker", "docker/Dockerfile.multi", "docker/Dockerfile.user",
                        "docker/Makefile", "docker/docker-bake.hcl", "stages.yaml"]
                       if command == "render"
                       else ["stages.yaml"])
