"""The stage graph: which stage needs which (FROM, COPY --from, RUN --mount from=), the
stages in the order Dockerfile.multi lists them, and what each family builds.

BuildKit resolves a stage reference only against the stages above it (a later name in FROM is
an image; in COPY --from and --mount from= it is an error), so a stage must come before the
stages that need it. Dockerfile.multi keeps the declaration order of stages.yaml and moves a
stage up only when a stage declared before it needs it (validation warns when it does).
"""
from __future__ import annotations

from collections.abc import Mapping

from mkgen.dockerfile_instructions import stage_references
from mkgen.dockerfile_parser import parse_steps
from mkgen.model import Config, Stage
from mkgen.records import dataclass


class CycleError(ValueError):
    def __init__(self, cycle: list[str]) -> None:
        self.cycle = cycle
        super().__init__(" -> ".join(cycle))


@dataclass(frozen=True)
class Edge:
    """`child` needs `parent`: through FROM, COPY --from or RUN --mount=...,from=."""

    parent: str
    child: str
    kind: str  # "from", "copy" or "mount"


def referenced_stage(ref: str, kind: str, stages: tuple[Stage, ...],
                     positions: Mapping[str, int], position: int) -> Stage | None:
    """The stage that `COPY --from=ref` (kind "copy") or `--mount=...,from=ref` ("mount") in
    the stage at `position` names: by name in any case, or (COPY only) by the number of a
    stage above it; None for an image or a reference with variables. `positions` maps each
    stage's name to its index in `stages` (a scan per reference made 1000 stages quadratic)."""
    if kind == "copy" and ref.isdigit():
        return stages[int(ref)] if int(ref) < position else None
    index = positions.get(ref.lower())
    return stages[index] if index is not None else None


def step_references(stage: Stage, escape: str = "\\") -> list[tuple[str, str]]:
    """(reference, kind) of every COPY --from and RUN --mount from= in the stage's steps."""
    return [(r.ref, r.kind) for text in stage.steps
            for ins in parse_steps(text, escape).instructions for r in stage_references(ins)]


def edges(stages: tuple[Stage, ...], escape: str = "\\") -> list[Edge]:
    positions = {s.name: i for i, s in enumerate(stages)}
    out: list[Edge] = []
    seen: set[Edge] = set()  # a list lookup here made 1000 stages take seconds
    for position, stage in enumerate(stages):
        if stage.base in positions:
            out.append(Edge(stage.base, stage.name, "from"))
        for ref, kind in step_references(stage, escape):
            parent = referenced_stage(ref, kind, stages, positions, position)
            edge = Edge(parent.name, stage.name, kind) if parent else None
            if edge and edge not in seen:
                seen.add(edge)
                out.append(edge)
    return out


def parents(stages: tuple[Stage, ...], escape: str = "\\") -> dict[str, list[str]]:
    result: dict[str, list[str]] = {s.name: [] for s in stages}
    for edge in edges(stages, escape):
        if edge.parent not in result[edge.child]:
            result[edge.child].append(edge.parent)
    return result


def late_edges(stages: tuple[Stage, ...], escape: str = "\\") -> list[Edge]:
    """The edges whose parent is declared after its child: Dockerfile.multi moves those
    parents up."""
    position = {s.name: i for i, s in enumerate(stages)}
    return [e for e in edges(stages, escape) if position[e.parent] > position[e.child]]


def stage_order(stages: tuple[Stage, ...], escape: str = "\\") -> list[Stage]:
    """Stages in declaration order, each moved after the stages it needs (stable)."""
    deps = parents(stages, escape)
    by_name = {s.name: s for s in stages}
    done: dict[str, None] = {}  # ordered, with O(1) membership
    for stage in stages:
        _visit(stage.name, deps, done)
    return [by_name[n] for n in done]


def _visit(start: str, deps: dict[str, list[str]], done: dict[str, None]) -> None:
    """Add `start` to `done` after its parents, depth first. A loop, not recursion: a chain
    of a thousand stages declared child first must not hit Python's recursion limit."""
    if start in done:
        return
    path, on_path, pending = [start], {start}, [iter(deps[start])]
    while pending:
        parent = next(pending[-1], None)
        if parent is None:  # every parent of path[-1] is done
            name = path.pop()
            on_path.discard(name)
            pending.pop()
            done[name] = None
        elif parent in on_path:
            raise CycleError(path[path.index(parent):] + [parent])
        elif parent not in done:
            path.append(parent)
            on_path.add(parent)
            pending.append(iter(deps[parent]))


def family_stages(config: Config) -> dict[str, list[str]]:
    """Which families act on each stage (for the graph and `mkgen list`)."""
    out: dict[str, list[str]] = {s.name: [] for s in config.stages}
    for family in config.families:
        out.setdefault(family.stage, []).append(family.name)
    return out
