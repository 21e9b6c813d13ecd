"""The benchmark in its quick mode: process counts are budgets CI enforces."""
from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.support import REPO

BENCH = REPO / "bench" / "bench.py"


def bench_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mkgen_bench", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("strace"), reason="strace is not installed")
def test_quick_bench_keeps_every_process_count_within_budget(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(BENCH), "--quick", "--check",
                             "--out", str(tmp_path)], capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads((tmp_path / "results.json").read_text())["figures"]
    counts = {f["name"]: (f["value"], f["budget"]) for f in figures if f["checked"]}
    every = {f["name"]: f["note"] for f in figures if "(the most)" in f["name"]}
    # Every process count is measured (make itself at least) and within its budget.
    assert sorted(counts) == sorted([
        "processes: make -n release_build", "processes: make -n trtllm_push",
        "processes: make -n, every build target (the most)",
        "processes: make -n, every push, run, pull, bake, manifest and recipe target (the most)",
        "processes: make help", "processes: make help, 1000-stage Makefile"])
    assert all(1 <= value <= budget for value, budget in counts.values()), counts
    assert counts["processes: make help"] == (1, 1)  # make alone: help runs nothing
    assert counts["processes: make -n, every build target (the most)"][1] == 4
    assert counts["processes: make -n, every push, run, pull, bake, manifest and recipe target "
                  "(the most)"][1] == 5
    # Every target of the flagship but help and doctor is counted, each once.
    listed = json.loads(subprocess.run([sys.executable, "-m", "mkgen", "list", "--json"],
                                       cwd=REPO, capture_output=True, text=True,
                                       check=True).stdout)["targets"]
    assert sum(int(note.split(" targets;")[0]) for note in every.values()) == len(listed) - 2
    assert (tmp_path / "results.md").read_text() in result.stdout


def test_check_fails_on_process_counts_but_never_on_times() -> None:
    bench = bench_module()
    slow = bench.Figure("time: render", 9.0, 1.3, "x", checked=False)
    many = bench.Figure("processes: make help", 3, 1, "processes", checked=True)
    assert bench.over_budget([slow]) == []
    assert bench.over_budget([slow, many]) == ["processes: make help"]
