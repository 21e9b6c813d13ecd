"""The benchmark of issue 6 in its quick mode: process counts are budgets CI enforces."""
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


@pytest.mark.skipif(not shutil.which("strace"), reason="strace is not installed")
def test_quick_bench_keeps_every_process_count_within_budget(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(BENCH), "--quick", "--check",
                             "--out", str(tmp_path)], capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads((tmp_path / "results.json").read_text())["figures"]
    counts = {f["name"]: (f["value"], f["budget"]) for f in figures if f["checked"]}
    # The budgets are the contract; today the counts are 1, 3 (make, sh, git), 4 and 1.
    assert counts == {
        "processes: make help": (1, 1),
        "processes: make -n release_build": (counts["processes: make -n release_build"][0], 6),
        "processes: make -n trtllm_push": (counts["processes: make -n trtllm_push"][0], 8),
        "processes: make help, 1000-stage Makefile": (1, 1),
    }
    assert all(1 <= value <= budget for value, budget in counts.values())
    assert (tmp_path / "results.md").read_text() in result.stdout


def test_check_fails_on_process_counts_but_never_on_times() -> None:
    bench = bench_module()
    slow = bench.Figure("time: render", 9.0, 1.3, "x", checked=False)
    many = bench.Figure("processes: make help", 3, 1, "processes", checked=True)
    assert bench.over_budget([slow]) == []
    assert bench.over_budget([slow, many]) == ["processes: make help"]


def test_compiled_templates_are_cached_outside_the_project_and_follow_edits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    from mkgen.config import load_config
    from mkgen.render import render_all

    cache = tmp_path / "tmp"
    cache.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(cache))
    project = tmp_path / "project"
    (project / "templates").mkdir(parents=True)
    (project / "stages.yaml").write_text("project:\n  name: app\nstages:\n  app: debian:12\n")
    template = project / "templates" / "Makefile.j2"

    def makefile(marker: str) -> str:
        template.write_text('{% extends "mkgen/Makefile.j2" %}\n'
                            f"{{% block extra_targets %}}\n# {marker}\n{{% endblock %}}\n")
        return render_all(load_config(project / "stages.yaml"))[0].text

    assert "# first" in makefile("first")
    assert "# second" in makefile("second")
    assert list(cache.glob("_jinja2-cache-*/mkgen-*.cache"))
    assert sorted(p.name for p in project.rglob("*")) == ["Makefile.j2", "stages.yaml",
                                                          "templates"]
