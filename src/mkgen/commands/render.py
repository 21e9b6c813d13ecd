from __future__ import annotations

from pathlib import Path

import click

from mkgen.config import load_config, output_dir
from mkgen.render import render_all
from mkgen.writer import stale, write_all


def render(config_path: Path, force: bool = False) -> int:
    """Render and write every output of `config_path`; 0 on success."""
    config = load_config(config_path)
    outputs = render_all(config)
    changed = write_all(output_dir(config), outputs, force=force)
    for path in changed:
        click.echo(f"wrote {path}")
    if not changed:
        click.echo(f"{output_dir(config)}: up to date")
    return 0


def check(config_path: Path) -> int:
    """1 with a unified diff when the rendered files on disk are stale, 0 when fresh."""
    config = load_config(config_path)
    diffs = stale(output_dir(config), render_all(config))
    if not diffs:
        click.echo(f"{output_dir(config)}: fresh")
        return 0
    for diff in diffs:
        click.echo(diff, nl=not diff.endswith("\n"))
    click.echo(f"{output_dir(config)} is stale: run 'mkgen render' and commit the result.",
               err=True)
    return 1
