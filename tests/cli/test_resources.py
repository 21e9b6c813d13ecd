"""Inputs that stand for more than a machine holds: refused quickly, in one line, exit 2
(never a traceback, never exit 1, which means "stale"), nothing written."""
from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import invoke

MEMORY_CAP = 256 << 20  # bytes of address space: Python, mkgen and its libraries fit


def _capped(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "mkgen", *args], cwd=cwd, preexec_fn=cap,
                            capture_output=True, text=True, timeout=60)
    return result, time.monotonic() - start


def _alias_bomb() -> str:
    """16 KB: 1000 stages aliasing one stage whose steps alias one 1 KB string 1000 times
    (a 1 GB Dockerfile.multi, 2 GB and 26 s in validate before aliases were bounded)."""
    steps = '[&line "RUN echo ' + "x" * 1014 + '"' + ", *line" * 999 + "]"
    return ("project:\n  name: app\nstages:\n  s0: &stage\n    from: debian:12\n"
            f"    steps: {steps}\n" + "".join(f"  s{i}: *stage\n" for i in range(1, 1000)))


@pytest.mark.parametrize("command", ["validate", "render"])
def test_an_alias_bomb_is_refused_at_the_alias_fast_and_under_a_memory_cap(
        tmp_path: Path, command: str) -> None:
    (tmp_path / "stages.yaml").write_text(_alias_bomb())
    result, seconds = _capped(command, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "stages.yaml:7:3: stages.s1: with the alias *stage (1,024,023 characters), aliases "
        "repeat more than 2,000,000 characters in all (hint: an alias stands for a copy of its "
        "anchor's whole content wherever it is used; write the shared part once (a stage the "
        "others start FROM, a variable))\n")
    assert seconds < 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stages.yaml"]


def test_running_out_of_memory_is_one_line_and_exit_2_not_a_traceback(tmp_path: Path) -> None:
    # No alias: one 80 MB value, more than the capped process can parse.
    (tmp_path / "stages.yaml").write_text("project: {name: app}\nstages:\n  app:\n    from: "
                                          'debian:12\n    steps: "RUN echo ' + "x" * 80_000_000
                                          + '"\n')
    result, _ = _capped("render", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == ("mkgen: out of memory: the configuration stands for more than this "
                             "machine can hold (aliases? a huge file?); nothing was written\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stages.yaml"]


@pytest.mark.parametrize(("error", "message"), [
    (MemoryError, "out of memory: the configuration stands for more than this machine can "
                  "hold (aliases? a huge file?); nothing was written"),
    (RecursionError, "nested too deeply to be a configuration; nothing was written"),
])
def test_resource_exhaustion_anywhere_is_one_line_and_exit_2(
        monkeypatch: pytest.MonkeyPatch, error: type[BaseException], message: str) -> None:
    from mkgen import api

    def exhausted(_: Path) -> None:
        raise error

    monkeypatch.setattr(api, "load_config", exhausted)
    assert invoke("validate") == (2, "", f"mkgen: {message}\n")
