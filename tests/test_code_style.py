"""The house style that a machine can check: ruff's rules and a complexity limit of 15 per
function (pyproject.toml, [tool.ruff]); CONTRIBUTING.md has the rest."""
from __future__ import annotations

import os
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
