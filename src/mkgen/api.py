"""mkgen as a library: load → validate → plan → render → write (or compare).

The commands call these functions and print; nothing here prints. Each step is a module of
its own (loader, validate, plan, render, writer); this is where they are chained.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mkgen import writer
from mkgen.loader import load_file
from mkgen.model import Config
from mkgen.plan import Plan, make_plan
from mkgen.render import Output, render_all
from mkgen.validate import validate

if TYPE_CHECKING:
    from mkgen.scaffold import NewConfig


def load_config(path: Path) -> Config:
    """Read and validate one stages.yaml; ConfigError lists every problem."""
    return validate(load_file(path), path)


def plan(config: Config) -> Plan:
    return make_plan(config)


def render(config: Config) -> list[Output]:
    return render_all(config)


def write(config: Config, outputs: list[Output], force: bool = False) -> list[Path]:
    """Write every output, or none; the paths whose content changed."""
    return writer.write_all(config.output_dir, outputs, force=force)


def stale(config: Config, outputs: list[Output]) -> list[str]:
    """A unified diff per output that differs from the file on disk; empty when fresh."""
    return writer.stale(config.output_dir, outputs)


def create_config(path: Path, text: str) -> None:
    """Write a new stages.yaml; never replaces one (writer.ExistsError)."""
    writer.create(path, text)


def new_config(config_path: Path, dockerfile: Path | None = None) -> NewConfig:
    """A new stages.yaml (the starter, or one adopted from `dockerfile`), its warnings and
    the command to run next."""
    from mkgen.scaffold import new_config as adopted_or_starter

    return adopted_or_starter(config_path, dockerfile)
