"""Cycles among Make variable references, which GNU make only finds when a recipe expands them
("Recursive variable 'X' references itself (eventually)"), so mkgen finds them first.

Each target sees the global values with its stage's and family's overrides on top; a cycle
can exist in one target's view only, e.g. `IMAGE_TAG: $(IMAGE_TAG)-dev` as an override.
"""
from __future__ import annotations

from collections.abc import Iterator

from mkgen import escape
from mkgen.model import Family, Stage, Variable

Graph = dict[str, list[str]]


def _refs(var: Variable) -> list[str]:
    if var.computed:
        return []  # a command's or a file's value is read once, refers to nothing
    return escape.refs(var.expr if var.expr is not None else var.default)


def find_cycle(graph: Graph, start: str) -> list[str] | None:
    """A reference cycle through `start` (start ... start), or None. Iterative, depth first."""
    path, pending = [start], [iter(graph.get(start, ()))]
    seen = {start}
    while pending:
        ref = next(pending[-1], None)
        if ref is None:
            path.pop()
            pending.pop()
        elif ref == start:
            return [*path, start]
        elif ref not in seen:
            seen.add(ref)
            path.append(ref)
            pending.append(iter(graph.get(ref, ())))
    return None


Path = tuple[str, ...]  # yaml keys from the root: stage names may hold dots


def _scopes(stage: Stage, family: Family | None) -> Iterator[list[tuple[Path, str, str]]]:
    """Per action: the (yaml path, variable, value) overrides in force, in the order applied."""
    items: list[tuple[Path, Stage | Family]] = [(("stages", stage.name), stage)]
    if family is not None:
        items.append((("targets", family.name), family))
    actions = family.actions if family is not None else stage.actions
    for action in actions:
        scope = []
        for prefix, item in items:
            scope += [((*prefix, "variables", n), n, v) for n, v in item.variables]
            for settings in item.per_action:
                if settings.action == action:
                    scope += [(_action_path(prefix, action, n), n, v)
                              for n, v in settings.variables]
        yield scope


def _action_path(prefix: Path, action: str, name: str) -> Path:
    # A run action's `workdir` is stored as its WORK_DIR override.
    if name == "WORK_DIR" and action == "run":
        return (*prefix, action, "workdir")
    return (*prefix, action, "variables", name)


def cycles(variables: tuple[Variable, ...], stages: tuple[Stage, ...],
           families: tuple[Family, ...]) -> list[tuple[Path, list[str]]]:
    """(yaml path of the value to blame, the cycle) for every reference cycle."""
    graph: Graph = {v.name: _refs(v) for v in variables}
    found: list[tuple[Path, list[str]]] = []
    for var in variables:
        cycle = find_cycle(graph, var.name)
        if cycle and not var.builtin:
            found.append((("variables", var.name), cycle))
    by_name = {s.name: s for s in stages}
    pairs: list[tuple[Stage, Family | None]] = [(s, None) for s in stages]
    pairs += [(by_name[f.stage], f) for f in families if f.stage in by_name]
    for stage, family in pairs:
        for scope in _scopes(stage, family):
            view = dict(graph)
            blame: dict[str, Path] = {}
            for path, name, value in scope:
                view[name] = escape.refs(value)
                blame[name] = path
            for name, path in blame.items():
                cycle = find_cycle(view, name)
                if cycle and (path, cycle) not in found:
                    found.append((path, cycle))
    return found
