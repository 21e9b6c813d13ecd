from __future__ import annotations

from pathlib import Path

import click

from mkgen.config import load_config
from mkgen.render import render_all


def validate(config_path: Path) -> int:
    """Check the configuration (and that it renders) without writing anything."""
    config = load_config(config_path)
    render_all(config)
    click.echo(f"{config_path}: valid ({len(config.stages)} stages, "
               f"{len(config.families)} target families)")
    return 0
