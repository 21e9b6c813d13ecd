"""The corpus of malformed configurations: tests/bad/NAME.yaml and the exact stderr of
`mkgen validate` on it, tests/bad/NAME.expected. Each exits 2, prints one located line per
problem (sorted by line), shows no traceback and writes nothing.

To add a case: write NAME.yaml (first line: a comment saying what is wrong), then review
the output of `mkgen validate -c stages.yaml` on a copy of it and save it as NAME.expected.
A folder NAME.templates/ beside it is the project's templates/ folder (a template that is
refused: its one line is `mkgen: templates/FILE[:LINE]: ...`)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mkgen.cli import cli

BAD = Path(__file__).parent
CASES = sorted(p.stem for p in BAD.glob("*.yaml"))
LINE = re.compile(r"^stages\.yaml:\d+:\d+: ")
TEMPLATE_LINE = re.compile(r"^mkgen: templates/[^:]+(:\d+(:\d+)?)?: ")


def test_the_corpus_is_big_and_complete() -> None:
    assert len(CASES) >= 30
    assert sorted(p.stem for p in BAD.glob("*.expected")) == CASES


@pytest.mark.parametrize("command", ["validate", "render"])
@pytest.mark.parametrize("name", CASES)
def test_bad_input_gives_exactly_the_expected_problems_and_writes_nothing(
        name: str, command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Copied as stages.yaml, so messages read as a user sees them: stages.yaml:LINE:COL.
    # `render` must refuse the same input with the same text before writing anything.
    shutil.copy(BAD / f"{name}.yaml", tmp_path / "stages.yaml")
    templates = BAD / f"{name}.templates"
    if templates.is_dir():
        shutil.copytree(templates, tmp_path / "templates", symlinks=True)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, [command, "-c", "stages.yaml"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (BAD / f"{name}.expected").read_text(encoding="utf-8")
    lines = result.stderr.splitlines()
    if templates.is_dir():
        assert len(lines) == 1 and TEMPLATE_LINE.match(lines[0])
    else:
        assert lines and all(LINE.match(line) for line in lines)
        numbers = [tuple(int(n) for n in line.split(":")[1:3]) for line in lines]
        assert numbers == sorted(numbers)
    assert sorted(p.name for p in tmp_path.iterdir()) == \
        ["stages.yaml", "templates"][:2 if templates.is_dir() else 1]
