"""`mkgen explain TARGET [VAR=VALUE ...]`: print a target's values with their origins, and the
commands make would run (see mkgen/explain.py: nothing runs but `make -n`)."""
from __future__ import annotations

from pathlib import Path

import click

from mkgen import api
from mkgen.explain import explain as explain_target
from mkgen.plan import RECIPE_ACTION, Target


def _kind(asked: str, target: Target) -> str:
    """What the target is, in a few words: (stage S), (family F of stage S), (recipe)."""
    if target.action == RECIPE_ACTION:
        kind = "recipe"
    elif target.family:
        kind = f"family {target.family} of stage {target.stage}"
    else:
        kind = f"stage {target.stage}"
    return kind if asked == target.name else f"alias of {target.name}, {kind}"


def explain(config_path: Path, target_name: str, words: tuple[str, ...]) -> int:
    """Print the resolved variables of a target with their origins, and its commands; 0."""
    config = api.load_config(config_path)
    found = explain_target(api.plan(config), target_name, words)
    target = found.target
    lines = [f"{target_name}: {target.help} ({_kind(target_name, target)})", "", "Variables:"]
    width = max(len(v.name) for v in found.values)
    for value in found.values:
        lines.append(f"  {value.name:<{width}}  {found.shown(value) or '(empty)'}  "
                     f"[{value.origin}]")
    lines += ["", "Commands (make -n; nothing was run):"]
    lines += [f"  {c}" for c in found.commands] or ["  (none)"]
    click.echo("\n".join(lines))
    return 0
