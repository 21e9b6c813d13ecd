"""`mkgen validate`: every problem of the configuration, or a one-line summary."""
from __future__ import annotations

from pathlib import Path

import click

from mkgen import api


def validate(config_path: Path) -> int:
    """Check the configuration (and that it renders) without writing anything."""
    config = api.load_config(config_path)
    api.render(config)
    click.echo(f"{config_path}: valid ({len(config.stages)} stages, "
               f"{len(config.families)} target families)")
    return 0
