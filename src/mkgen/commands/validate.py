"""`mkgen validate`: every problem of the configuration, or a one-line summary."""
from __future__ import annotations

from pathlib import Path

import click

from mkgen import api
from mkgen.commands import echo_warnings


def validate(config_path: Path) -> int:
    """Check the configuration (and that it renders) without writing anything."""
    config = api.load_config(config_path)
    api.render(config)
    echo_warnings(config.warnings)
    count = len(config.warnings)
    warned = f", {count} warning{'s' if count > 1 else ''}" if count else ""
    click.echo(f"{config_path}: valid ({len(config.stages)} stages, "
               f"{len(config.families)} target families{warned})")
    return 0
