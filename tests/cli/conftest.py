from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import SMALL, invoke


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A rendered small project; returns its stages.yaml."""
    (tmp_path / "stages.yaml").write_text(SMALL)
    (tmp_path / "version.txt").write_text('VERSION = "1.2.3"\n')
    assert invoke("render", "-c", str(tmp_path / "stages.yaml"))[0] == 0
    return tmp_path / "stages.yaml"
