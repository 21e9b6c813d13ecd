"""mkgen graph: exact Mermaid and DOT, and the flagship's graph as docs/cli.md shows it."""
from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support import FLAGSHIP, REPO, invoke

MERMAID = """\
flowchart TD
  s_deps["deps"]
  i_deps[/"node:22"/] --> s_deps
  s_app["app"]
  i_app[/"debian:12"/] --> s_app
  s_deps -.->|"COPY --from"| s_app
  f_nightly(["nightly"]) -.-> s_app
"""

DOT = """\
digraph stages {
  rankdir=TB;
  node [shape=box];
  "deps";
  "image node:22" [shape=parallelogram, label="node:22"];
  "image node:22" -> "deps";
  "app";
  "image debian:12" [shape=parallelogram, label="debian:12"];
  "image debian:12" -> "app";
  "deps" -> "app" [style=dashed, label="COPY --from"];
  "family nightly" [shape=oval, label="nightly"];
  "family nightly" -> "app" [style=dotted, arrowhead=none];
}
"""


def test_mermaid_is_the_default(small: Path) -> None:
    assert invoke("graph", "-c", str(small)) == (0, MERMAID, "")


def test_dot_for_graphviz(small: Path) -> None:
    assert invoke("graph", "--format", "dot", "-c", str(small)) == (0, DOT, "")


def test_an_unknown_format_is_a_usage_error(small: Path) -> None:
    code, _, err = invoke("graph", "--format", "svg", "-c", str(small))
    assert code == 2
    assert "Invalid value for '--format': 'svg' is not one of 'mermaid', 'dot'." in err


def test_names_that_mermaid_cannot_take_as_ids_stay_apart(tmp_path: Path) -> None:
    (tmp_path / "stages.yaml").write_text(
        "project: {name: x}\nstages:\n  a-b: {from: 'debian:12'}\n"
        "  a.b: {from: a-b}\n")
    code, out, _ = invoke("graph", "-c", str(tmp_path / "stages.yaml"))
    assert code == 0
    assert '  s_a_b["a-b"]\n' in out and '  s_a_b_1["a.b"]\n' in out
    assert "  s_a_b --> s_a_b_1\n" in out


def test_docs_show_the_flagship_graph_as_mkgen_prints_it() -> None:
    """Real run of the installed mkgen; docs/cli.md must hold its output verbatim."""
    out = subprocess.run(["mkgen", "graph", "-c", str(FLAGSHIP)], check=True,
                         capture_output=True, text=True).stdout
    assert f"```mermaid\n{out}```\n" in (REPO / "docs" / "cli.md").read_text()
    assert "  s_wheel -.->|\"COPY --from\"| s_release\n" in out
    assert "  s_wheel -.->|\"RUN --mount\"| s_release\n" in out
