"""The example projects under examples/: what their Makefiles add in plain make.
tests/cli checks that their docker/ is fresh, tests/dockerfile lints their Dockerfiles, and
tests/engine builds and runs them for real."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support import REPO

EXAMPLES = sorted(p.parent for p in (REPO / "examples").glob("*/stages.yaml"))


def test_there_is_an_example() -> None:
    assert EXAMPLES


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_busybox_is_copied_by_make_not_committed(example: Path) -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", str(example / "busybox")], cwd=REPO)
    assert ignored.returncode == 0
    dry = subprocess.run(["make", "-n", "-B", "--no-print-directory", "-C", "docker", "busybox",
                          "BUSYBOX=/x/busybox"], cwd=example, capture_output=True, text=True)
    assert dry.stdout == f"cp '/x/busybox' '{example}/busybox'\n", dry.stderr
