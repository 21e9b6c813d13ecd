"""`mkgen list`: stages with their parents, families, every target, every variable."""
from __future__ import annotations

import json
from pathlib import Path

import click

from mkgen import api, stage_graph
from mkgen.model import Variable
from mkgen.plan import BUILTIN_TARGETS, Plan, value_source


def _source(var: Variable) -> dict[str, str]:
    """Where a variable's default comes from, for list --json."""
    kind = var.source
    if kind == "shell":
        return {"source": kind, "shell": var.shell or ""}
    if kind == "file":
        return {"source": kind, "file": var.files[0], "files": list(var.files),
                "key": var.key or ""}
    if kind == "select":
        return {"source": kind, "select": var.select or "", "cases": dict(var.cases),
                **({} if var.no_match_is_error else {"default": var.default})}
    if kind in ("secret", "computed"):
        return {"source": kind}
    if var.arg_default is not None:
        return {"source": kind, "default": var.default, "arg_default": var.arg_default}
    return {"source": kind, "default": var.default}


def as_data(plan: Plan) -> dict[str, object]:
    config = plan.config
    parents = stage_graph.parents(config.stages, config.project.escape_char)
    by_stage = stage_graph.family_stages(config)
    return {
        "stages": [{
            "name": s.name, "from": s.base, "from_arg": s.from_arg, "platform": s.platform,
            "parents": parents[s.name],
            "help": s.help, "families": by_stage[s.name],
            "targets": [t.name for t in plan.targets if t.family is None and t.stage == s.name],
        } for s in stage_graph.stage_order(config.stages, config.project.escape_char)],
        "families": [{
            "name": f.name, "stage": f.stage, "help": f.help,
            "targets": [t.name for t in plan.targets if t.family == f.name],
        } for f in config.families],
        "targets": [{"name": t.name, "action": t.action, "stage": t.stage, "family": t.family,
                     "help": t.help} for t in plan.targets]
        + [{"name": t.name, "action": t.action, "stage": None, "family": None,
            "help": t.help} for t in plan.recipes]
        + [{"name": a.name, "action": "alias", "stage": None, "family": None,
            "alias_of": a.target, "help": a.help} for a in plan.aliases]
        + [{"name": n, "action": None, "stage": None, "family": None, "help": h}
           for n, h in BUILTIN_TARGETS],
        "variables": [{"name": v.name, "group": v.group, "help": v.help, **_source(v),
                       "build_arg": v.build_arg, "secret": v.secret} for v in config.variables],
    }


def _text(plan: Plan) -> list[str]:
    config = plan.config
    parents = stage_graph.parents(config.stages, config.project.escape_char)
    order = stage_graph.stage_order(config.stages, config.project.escape_char)
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
    all_targets = [(t.name, t.help) for t in (*plan.targets, *plan.recipes)]
    all_targets += [(a.name, a.help) for a in plan.aliases] + list(BUILTIN_TARGETS)
    twidth = max(len(n) for n, _ in all_targets)
    out += ["", "Targets:"] + [f"  {n:<{twidth}}  {h}" for n, h in all_targets]
    out += ["", "Variables:"]
    for var in config.variables:
        out.append(f"  {var.name} = {value_source(var).summary}")
        if var.help:
            out.append(f"      {var.help}")
    return out


def list_config(config_path: Path, as_json: bool) -> int:
    """Print what `config_path` declares and generates; 0."""
    plan = api.plan(api.load_config(config_path))
    if as_json:
        click.echo(json.dumps(as_data(plan), indent=2))
    else:
        click.echo("\n".join(_text(plan)))
    return 0
