"""`mkgen explain TARGET [VAR=VALUE ...]`: print a target's values with their origins, and the
commands make would run (see mkgen/explain.py: nothing runs but `make -n`)."""
from __future__ import annotations

from pathlib import Path

import click

from mkgen import api
from mkgen.explain import explain as explain_target


def explain(config_path: Path, target_name: str, words: tuple[str, ...]) -> int:
    """Print the resolved variables of a target with their origins, and its commands; 0."""
    config = api.load_config(config_path)
    found = explain_target(api.plan(config), target_name, words)
    target = found.target
    kind = f"family {target.family} of stage {target.stage}" if target.family \
        else f"stage {target.stage}"
    lines = [f"{target.name}: {target.help} ({kind})", "", "Variables:"]
    width = max(len(v.name) for v in found.values)
    for value in found.values:
        lines.append(f"  {value.name:<{width}}  {found.shown(value) or '(empty)'}  "
                     f"[{value.origin}]")
    lines += ["", "Commands (make -n; nothing was run):"]
    lines += [f"  {c}" for c in found.commands] or ["  (none)"]
    click.echo("\n".join(lines))
    return 0
