"""`mkgen list`: stages with their parents, families, every target, every variable."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import click

from mkgen import resolve
from mkgen.config import load_config
from mkgen.model import Config, Family, Stage, Variable
from mkgen.render import ACTION_HELP

# Targets every rendered Makefile has besides <stage>_<action> and <family>_<action>.
OTHER_TARGETS = (
    ("help", "List targets and variables (the default goal)."),
    ("doctor", "Check docker, the build command and rootless mode."),
)


@dataclass(frozen=True)
class Target:
    """One generated `<stage>_<action>` or `<family>_<action>` target."""

    name: str
    action: str
    stage: str
    family: str | None
    help: str


def targets(config: Config) -> list[Target]:
    """Every generated target, in the order `make help` lists them."""
    items: list[Stage | Family] = [*config.stages, *config.families]
    out = []
    for item in items:
        family = item.name if isinstance(item, Family) else None
        stage = item.stage if isinstance(item, Family) else item.name
        for action in item.actions:
            out.append(Target(f"{item.name}_{action}", action, stage, family,
                              ACTION_HELP[action].format(what=item.name)))
    return out


def value_source(var: Variable) -> dict[str, str]:
    """Where a variable's default comes from, as list --json and explain report it."""
    if var.shell is not None:
        return {"source": "shell", "shell": var.shell}
    if var.file is not None:
        return {"source": "file", "file": var.file, "key": var.key or ""}
    if var.secret:
        return {"source": "secret"}
    if var.expr is not None and not var.default:
        return {"source": "computed"}
    return {"source": "default", "default": var.default}


def describe_default(var: Variable) -> str:
    """A variable's default in one line of text."""
    src = value_source(var)
    if src["source"] == "shell":
        return f"$(shell {var.shell})" + (" made tag-safe" if var.tag_safe else "")
    if src["source"] == "file":
        return f"{var.key} in {var.file}"
    if src["source"] == "secret":
        return "(secret: from the environment or the command line)"
    if src["source"] == "computed":
        return "(computed by make)"
    return var.default or "(empty)"


def as_data(config: Config) -> dict[str, object]:
    parents = resolve.parents(config.stages)
    by_stage = resolve.family_stages(config)
    all_targets = targets(config)
    return {
        "stages": [{
            "name": s.name, "from": s.base, "from_arg": s.from_arg, "parents": parents[s.name],
            "help": s.help, "families": by_stage[s.name],
            "targets": [t.name for t in all_targets if t.family is None and t.stage == s.name],
        } for s in resolve.stage_order(config.stages)],
        "families": [{
            "name": f.name, "stage": f.stage, "help": f.help,
            "targets": [t.name for t in all_targets if t.family == f.name],
        } for f in config.families],
        "targets": [{"name": t.name, "action": t.action, "stage": t.stage, "family": t.family,
                     "help": t.help} for t in all_targets]
        + [{"name": n, "action": None, "stage": None, "family": None, "help": h}
           for n, h in OTHER_TARGETS],
        "variables": [{"name": v.name, "group": v.group, "help": v.help, **value_source(v),
                       "build_arg": v.build_arg, "secret": v.secret} for v in config.variables],
    }


def _text(config: Config) -> list[str]:
    parents = resolve.parents(config.stages)
    order = resolve.stage_order(config.stages)
    width = max(len(s.name) for s in order)
    out = ["Stages (build order):"]
    for s in order:
        where = f"parents: {', '.join(parents[s.name])}" if parents[s.name] else \
            f"image: {s.base}"
        out.append(f"  {s.name:<{width}}  {where}".rstrip())
    if config.families:
        out += ["", "Families:"]
        fwidth = max(len(f.name) for f in config.families)
        out += [f"  {f.name:<{fwidth}}  stage: {f.stage}" for f in config.families]
    all_targets = [(t.name, t.help) for t in targets(config)] + list(OTHER_TARGETS)
    twidth = max(len(n) for n, _ in all_targets)
    out += ["", "Targets:"] + [f"  {n:<{twidth}}  {h}" for n, h in all_targets]
    out += ["", "Variables:"]
    for var in config.variables:
        out.append(f"  {var.name} = {describe_default(var)}")
        if var.help:
            out.append(f"      {var.help}")
    return out


def list_config(config_path: Path, as_json: bool) -> int:
    """Print what `config_path` declares and generates; 0."""
    config = load_config(config_path)
    if as_json:
        click.echo(json.dumps(as_data(config), indent=2))
    else:
        click.echo("\n".join(_text(config)))
    return 0
