"""The stage graph (FROM, COPY --from, RUN --mount from=) and the families, as Mermaid (for
Markdown) or DOT (for Graphviz) text."""
from __future__ import annotations

import json

from mkgen import stage_graph
from mkgen.model import Config

# How each kind of edge is drawn: FROM solid, copies and mounts dashed and labelled.
_MERMAID_ARROW = {"from": "-->", "copy": '-.->|"COPY --from"|', "mount": '-.->|"RUN --mount"|'}
_DOT_STYLE = {"from": "", "copy": ' [style=dashed, label="COPY --from"]',
              "mount": ' [style=dashed, label="RUN --mount"]'}


def _mermaid_ids(config: Config) -> dict[str, str]:
    """A Mermaid id per stage ("s:name") and family ("f:name"): ids cannot hold '-' or '.'
    (the label keeps the real name), and two names that clean up alike stay apart."""
    ids: dict[str, str] = {}
    keys = [f"s:{s.name}" for s in config.stages] + [f"f:{f.name}" for f in config.families]
    for key in keys:
        clean = key[0] + "_" + "".join(c if c.isalnum() or c == "_" else "_" for c in key[2:])
        ids[key] = clean if clean not in ids.values() else f"{clean}_{len(ids)}"
    return ids


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


def mermaid(config: Config) -> list[str]:
    ids = _mermaid_ids(config)
    names = {s.name for s in config.stages}
    out = ["flowchart TD"]
    for stage in stage_graph.stage_order(config.stages, config.project.escape_char):
        out.append(f'  {ids["s:" + stage.name]}["{stage.name}"]')
        if stage.base and stage.base not in names:
            out.append(f'  i{ids["s:" + stage.name][1:]}[/"{_mermaid_text(stage.base)}"/] --> '
                       f'{ids["s:" + stage.name]}')
    for edge in stage_graph.edges(config.stages, config.project.escape_char):
        out.append(f'  {ids["s:" + edge.parent]} {_MERMAID_ARROW[edge.kind]} '
                   f'{ids["s:" + edge.child]}')
    for family in config.families:
        out.append(f'  {ids["f:" + family.name]}(["{family.name}"]) -.-> '
                   f'{ids["s:" + family.stage]}')
    return out


def dot(config: Config) -> list[str]:
    names = {s.name for s in config.stages}
    q = json.dumps  # a DOT ID in double quotes escapes like a JSON string
    out = ["digraph stages {", "  rankdir=TB;", "  node [shape=box];"]
    for stage in stage_graph.stage_order(config.stages, config.project.escape_char):
        out.append(f"  {q(stage.name)};")
        if stage.base and stage.base not in names:
            out.append(f"  {q('image ' + stage.base)} [shape=parallelogram, "
                       f"label={q(stage.base)}];")
            out.append(f"  {q('image ' + stage.base)} -> {q(stage.name)};")
    for edge in stage_graph.edges(config.stages, config.project.escape_char):
        out.append(f"  {q(edge.parent)} -> {q(edge.child)}{_DOT_STYLE[edge.kind]};")
    for family in config.families:
        out.append(f"  {q('family ' + family.name)} [shape=oval, label={q(family.name)}];")
        out.append(f"  {q('family ' + family.name)} -> {q(family.stage)} "
                   "[style=dotted, arrowhead=none];")
    out.append("}")
    return out


FORMATS = {"mermaid": mermaid, "dot": dot}


def graph_lines(config: Config, fmt: str) -> list[str]:
    """The graph of `config` in one of FORMATS."""
    return FORMATS[fmt](config)
