"""`mkgen render` and `mkgen check`: write the rendered files, or compare them with disk."""
from __future__ import annotations

from pathlib import Path

import click

from mkgen import api
from mkgen.commands import echo_warnings


def render(config_path: Path, force: bool = False) -> int:
    """Render and write every output of `config_path`; 0 on success."""
    config = api.load_config(config_path)
    echo_warnings(config.warnings)
    changed = api.write(config, api.render(config), force=force)
    for path in changed:
        click.echo(f"wrote {path}")
    if not changed:
        click.echo(f"{config.output_dir}: up to date")
    return 0


def check(config_path: Path) -> int:
    """1 with a unified diff when the rendered files on disk are stale, 0 when fresh."""
    config = api.load_config(config_path)
    echo_warnings(config.warnings)
    diffs = api.stale(config, api.render(config))
    if not diffs:
        click.echo(f"{config.output_dir}: fresh")
        return 0
    for diff in diffs:
        click.echo(diff, nl=not diff.endswith("\n"))
    click.echo(f"{config.output_dir} is stale: run 'mkgen render' and commit the result.",
               err=True)
    return 1
