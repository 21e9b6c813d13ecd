"""An older GNU make stops at once with one line that says what to do (macOS ships 3.81).

make 4.3 stands in for the old one: MAKE_VERSION given on the command line is what the
guard reads."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import Tree

MESSAGE = ("mkgen: this Makefile needs GNU make 4.2 or newer and this is make {}; install it "
           "(macOS: brew install make) and run gmake instead of make.  Stop.")


def guard_line(makefile: Path) -> int:
    lines = makefile.read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith("$(error mkgen: this"))


@pytest.mark.parametrize("version", ["3.81", "3.82", "2.0", "4.0", "4.1", "4.1.90"])
def test_an_older_make_stops_with_one_line(tree: Tree, version: str) -> None:
    result = tree.make(f"MAKE_VERSION={version}", "help")
    assert result.returncode == 2
    line = guard_line(tree.docker_dir / "Makefile")
    assert result.stderr == f"Makefile:{line}: *** {MESSAGE.format(version)}\n"
    assert "Usage" not in result.stdout
    assert tree.calls() == []


@pytest.mark.parametrize("version", ["4.2", "4.2.1", "4.4.1", "10.1"])
def test_make_4_2_and_later_pass(tree: Tree, version: str) -> None:
    result = tree.make(f"MAKE_VERSION={version}", "help")
    assert (result.returncode, result.stderr) == (0, "")


def test_the_guard_comes_first_in_syntax_make_381_reads(tree: Tree) -> None:
    lines = (tree.docker_dir / "Makefile").read_text().splitlines()
    start = lines.index("ifneq ($(filter 0.% 1.% 2.% 3.% 4.0 4.0.% 4.1 4.1.%,$(MAKE_VERSION)),)")
    assert all(not line or line.startswith("#") for line in lines[:start])
    assert lines[start + 2] == "endif"


def test_the_guard_starts_no_process(tree: Tree) -> None:
    if not shutil.which("strace"):
        pytest.skip("strace is not installed")
    trace = tree.root.parent / "trace"
    subprocess.run(["strace", "-f", "-qq", "-e", "trace=execve", "-e", "signal=none", "-o",
                    str(trace), "make", "-C", "docker", "MAKE_VERSION=3.81", "help"],
                   cwd=tree.root, env=tree.env(), stdin=subprocess.DEVNULL, capture_output=True)
    started = [line for line in trace.read_text().splitlines()
               if "execve(" in line and "= 0" in line]
    assert len(started) == 1 and "make" in started[0]
