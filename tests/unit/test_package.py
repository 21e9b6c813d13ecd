"""The package's version is written once, in mkgen/__init__.py, and the metadata follows it."""
from __future__ import annotations

import importlib.metadata
import re

import mkgen
from tests.support import REPO


def test_the_version_is_written_once_and_the_metadata_reads_it() -> None:
    pyproject = (REPO / "pyproject.toml").read_text()
    project = pyproject.split("[project]", 1)[1].split("\n[", 1)[0]
    assert not re.search(r"^version\s*=", project, re.MULTILINE)
    assert re.search(r'^dynamic = \[.*"version".*\]', project, re.MULTILINE)
    assert '[tool.hatch.version]\npath = "src/mkgen/__init__.py"' in pyproject
    # Found by its console script, not by the distribution's name (which may change).
    scripts = importlib.metadata.entry_points(group="console_scripts", name="mkgen")
    assert scripts, "mkgen is not installed (pip install -e '.[test]')"
    assert {s.dist.version for s in scripts if s.dist} == {mkgen.__version__}
