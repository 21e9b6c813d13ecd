"""One module per subcommand; each exports one function that returns an exit code."""
from __future__ import annotations

import sys
from collections.abc import Iterable

from mkgen.errors import Problem


def echo_warnings(warnings: Iterable[Problem]) -> None:
    """Warnings go to stderr, located like errors (`file:line:col: warning: ...`); the
    command carries on and its exit code does not change. print(), not click: render and
    check run without loading click (entry.py)."""
    for warning in warnings:
        print(str(warning), file=sys.stderr)
