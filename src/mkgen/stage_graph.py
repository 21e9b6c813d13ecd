"""The stage graph: which stage needs which (FROM, COPY --from, RUN --mount from=), the
stages in dependency order, and what each family builds."""
from __future__ import annotations

from mkgen import dockerfile_text as dockerfile
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


def edges(stages: tuple[Stage, ...]) -> list[Edge]:
    names = {s.name for s in stages}
    out: list[Edge] = []
    seen: set[Edge] = set()  # a list lookup here made 1000 stages take seconds
    for stage in stages:
        if stage.base in names:
            out.append(Edge(stage.base, stage.name, "from"))
        for text in stage.steps:
            for _, instruction in dockerfile.instructions(text):
                kind = "mount" if dockerfile.keyword(instruction) == "RUN" else "copy"
                for ref in dockerfile.stage_references(instruction):
                    edge = Edge(ref, stage.name, kind)
                    if ref in names and edge not in seen:
                        seen.add(edge)
                        out.append(edge)
    return out


def parents(stages: tuple[Stage, ...]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {s.name: [] for s in stages}
    for edge in edges(stages):
        if edge.parent not in result[edge.child]:
            result[edge.child].append(edge.parent)
    return result


def stage_order(stages: tuple[Stage, ...]) -> list[Stage]:
    """Stages in dependency order; among ready stages, declaration order wins (stable)."""
    deps = parents(stages)
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
