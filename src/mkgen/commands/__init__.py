"""One module per subcommand; each exports one function that returns an exit code."""
from __future__ import annotations

from collections.abc import Iterable

import click

from mkgen.errors import Problem


def echo_warnings(warnings: Iterable[Problem]) -> None:
    """Warnings go to stderr, located like errors (`file:line:col: warning: ...`); the
    command carries on and its exit code does not change."""
    for warning in warnings:
        click.echo(str(warning), err=True)
