"""`mkgen init`: write a new stages.yaml, the starter or one adopted from a Dockerfile."""
from __future__ import annotations

from pathlib import Path

import click

from mkgen import api


def init(config_path: Path, dockerfile: Path | None) -> int:
    """Write a starter (or adopted) stages.yaml at `config_path`; never overwrite one."""
    api.create_config(config_path, api.new_config(config_path, dockerfile))
    click.echo(f"wrote {config_path}")
    click.echo("next: mkgen render --force" if dockerfile else "next: mkgen render")
    return 0
