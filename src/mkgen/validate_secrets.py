"""Secrets (`secret: true`) keep their values out of the committed files: a secret gets its
value from the environment, the command line, or its own `shell:` / `file:`, never from
stages.yaml text."""
from __future__ import annotations

from mkgen.checker import Checker, value_position
from mkgen.loader import MarkedDict
from mkgen.model import Config
from mkgen.plan import Override, Plan

# The committed Makefile holds every default and override, so none may hold a secret.
_WHERE_FROM = ("the Makefile is committed; give {name} in the environment or on the command "
               "line, or read it with 'shell:' or 'file:'")


def _unique_overrides(plan: Plan) -> list[Override]:
    """Each override once: a family's targets repeat its stage's."""
    seen: dict[tuple[str, ...], Override] = {}
    for group in plan.groups:
        for override in group.overrides:
            seen.setdefault(override.path, override)
    return list(seen.values())


def check_secrets(c: Checker, root: MarkedDict, config: Config, plan: Plan) -> None:
    secrets = {v.name for v in config.secrets}
    for var in config.secrets:
        if var.default and not var.from_command_or_file:  # that one has its own problem
            path = ("variables", var.name)
            c.record(value_position(root, path), ".".join(path) + ".default",
                     "a secret cannot have a default", _WHERE_FROM.format(name=var.name))
    for override in _unique_overrides(plan):
        if override.variable in secrets:
            c.record(value_position(root, override.path), ".".join(override.path),
                     "a secret cannot be set in stages.yaml",
                     _WHERE_FROM.format(name=override.variable))
