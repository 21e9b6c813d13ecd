"""`mkgen init`: write a new stages.yaml, the starter or one adopted from a Dockerfile."""
from __future__ import annotations

from pathlib import Path

import click

from mkgen import api
from mkgen.commands import echo_warnings


def init(config_path: Path, dockerfile: Path | None) -> int:
    """Write a starter (or adopted) stages.yaml at `config_path`; never overwrite one."""
    new = api.new_config(config_path, dockerfile)
    api.create_config(config_path, new.text)
    echo_warnings(new.warnings)
    click.echo(f"wrote {config_path}")
    click.echo(f"next: {new.next_step}")
    return 0
