"""Cycles among Make variable references, which GNU make only finds when a recipe expands them
("Recursive variable 'X' references itself (eventually)"), so mkgen finds them first.

Each target sees the global values with its stage's and family's overrides on top; a cycle
can exist in one target's view only, e.g. `IMAGE_TAG: $(IMAGE_TAG)-dev` as an override.
"""
from __future__ import annotations

from collections.abc import Mapping

from mkgen import escape
from mkgen.builtin_variables import HELPERS
from mkgen.model import Config, Variable
from mkgen.plan import Plan, YamlPath

Graph = Mapping[str, list[str]]


def _refs(var: Variable) -> list[str]:
    """The variables the Makefile's definition of `var` expands: its value's (the selecting
    variable and every case's too), then its `append` parts'."""
    appended = [r for part in var.append for r in escape.refs(part)]
    if var.from_command_or_file:
        return appended  # a command's or a file's value is read once, refers to nothing
    if var.computed is not None:
        return [*HELPERS[var.computed].refers_to, *appended]
    refs = var.value_refs
    if var.select == var.name:
        refs = refs[1:]  # selecting on itself is refused apart, in its own words
    return refs + appended


def find_cycle(graph: Graph, start: str, layer: Graph | None = None) -> list[str] | None:
    """A reference cycle through `start` (start ... start), or None. Iterative, depth first.
    `layer` (a target's overrides) stands over `graph` without a copy of it per target."""
    layer = layer or {}

    def refs(name: str) -> list[str]:
        found = layer.get(name)
        return graph.get(name, []) if found is None else found

    path, pending = [start], [iter(refs(start))]
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
            pending.append(iter(refs(ref)))
    return None


def cycles(config: Config, plan: Plan) -> list[tuple[YamlPath, list[str]]]:
    """(yaml path of the value to blame, the cycle) for every reference cycle."""
    graph = {v.name: _refs(v) for v in config.variables}
    found: list[tuple[YamlPath, list[str]]] = []
    for var in config.variables:
        cycle = find_cycle(graph, var.name)
        if cycle:
            found.append((("variables", var.name), cycle))
    refs_of: dict[str, list[str]] = {}  # the targets of a group share most override values
    searched: set[tuple[tuple[str, str, YamlPath], ...]] = set()
    for target in plan.targets:
        layers = tuple((o.variable, o.value, o.path) for o in target.overrides)
        if not layers or layers in searched:
            continue  # the same overrides, the same cycles: those of a target searched before
        searched.add(layers)
        # The target's overrides over the global graph, without copying it per target.
        layer: dict[str, list[str]] = {}
        blame: dict[str, YamlPath] = {}
        for override in target.overrides:
            value = override.value
            if value not in refs_of:
                refs_of[value] = escape.refs(value)
            layer[override.variable] = refs_of[value]
            blame[override.variable] = override.path
        for name, path in blame.items():
            cycle = find_cycle(graph, name, layer)
            if cycle and (path, cycle) not in found:
                found.append((path, cycle))
    return found
