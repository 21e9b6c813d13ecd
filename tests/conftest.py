from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import REPO, Tree, make_tree


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    """The flagship's committed docker/ in a fake TensorRT-LLM checkout."""
    return make_tree(tmp_path / "trt", REPO / "docker")
