"""mkgen as a library: load → validate → plan → render → write (or compare).

The commands call these functions and print; nothing here prints. Each step is a module of
its own (loader, validate, plan, render, writer); this is where they are chained.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from mkgen import stamp, writer
from mkgen.loader import load_text, read_file
from mkgen.model import Config
from mkgen.plan import Plan, make_plan
from mkgen.render import Output, render_all
from mkgen.validate import validate


def load_config(path: Path) -> Config:
    """Read and validate one stages.yaml; ConfigError lists every problem."""
    text, data = read_file(path)
    config = validate(load_text(text, str(path)), path)
    # The rendered files' stamps name the bytes read here, once: an edit saved while mkgen
    # renders is never stamped as rendered.
    return dataclasses.replace(config, source_digest=stamp.file_digest(data))


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


def new_config(config_path: Path, dockerfile: Path | None = None) -> str:
    """The text of a new stages.yaml: the starter, or one adopted from `dockerfile`."""
    from mkgen.scaffold import new_config as text_of_new_config

    return text_of_new_config(config_path, dockerfile)
