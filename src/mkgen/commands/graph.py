"""`mkgen graph`: print the stage graph."""
from __future__ import annotations

from pathlib import Path

import click

from mkgen import api
from mkgen.graph import graph_lines


def graph(config_path: Path, fmt: str) -> int:
    """Print the stage graph of `config_path` as Mermaid or DOT; 0."""
    click.echo("\n".join(graph_lines(api.load_config(config_path), fmt)))
    return 0
