"""The house style that a machine can check: ruff's rules and a complexity limit of 15 per
function (pyproject.toml, [tool.ruff]); CONTRIBUTING.md has the rest."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from tests.support import REPO


def test_ruff_finds_nothing() -> None:
    ruff = shutil.which("ruff")
    if ruff is None:
        if os.environ.get("CI"):
            pytest.fail("ruff is not installed (pip install -e '.[test]')")
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    result = subprocess.run([ruff, "check", "--no-cache", "src", "tests", "bench"], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_frozen_dataclasses_are_mkgen_records() -> None:
    """CONTRIBUTING.md, rule 8: a frozen dataclass is made with mkgen.records (the standard
    library's compiles six methods per class, on every start of mkgen)."""
    offenders = []
    for path in sorted((REPO / "src" / "mkgen").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        standard = re.search(r"^from dataclasses import .*\bdataclass\b", text, re.MULTILINE)
        if standard and "frozen=True" in text:
            offenders.append(str(path.relative_to(REPO)))
    assert not offenders, f"use `from mkgen.records import dataclass` in {offenders}"
