from __future__ import annotations

import click

from mkgen import schema as builder


def schema() -> int:
    """Print the JSON Schema of stages.yaml; 0."""
    click.echo(builder.dumps(), nl=False)
    return 0
