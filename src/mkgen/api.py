"""mkgen as a library: load → validate → plan → render → write (or compare).

The commands call these functions and print; nothing here prints. Each step is a module of
its own (loader, validate, plan, render, writer); this is where they are chained.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mkgen import __version__, stamp, writer
from mkgen.loader import load_text, read_file
from mkgen.model import Config
from mkgen.plan import Plan, make_plan
from mkgen.records import dataclass, replace
from mkgen.render import Output, render_all
from mkgen.validate import validate

if TYPE_CHECKING:
    from mkgen.scaffold import NewConfig


def load_config(path: Path) -> Config:
    """Read and validate one stages.yaml; ConfigError lists every problem."""
    text, data = read_file(path)
    config = validate(load_text(text, str(path)), path)
    # The rendered files' stamps name the bytes read here, once: an edit saved while mkgen
    # renders is never stamped as rendered.
    return replace(config, source_digest=stamp.file_digest(data))


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


@dataclass(frozen=True)
class Stale:
    """How the rendered files on disk differ from what this mkgen renders now."""

    diffs: tuple[str, ...]          # a unified diff (disk -> rendered) per stale file
    stamps_only: bool               # each stale file differs in its stamp line alone
    rendered_by: tuple[str, ...]    # other mkgen versions named by the stale files' stamps


def staleness(config: Config, outputs: list[Output]) -> Stale:
    """The stale files' diffs, and whether only their stamps differ: another mkgen rendered
    them, or an input changed (a comment in stages.yaml) that changes no rendered line."""
    diffs = tuple(writer.stale(config.output_dir, outputs))
    if not diffs:
        return Stale((), False, ())
    stale_files = [(out.text, text) for out, text
                   in zip(outputs, writer.on_disk(config.output_dir, outputs), strict=True)
                   if text != out.text]
    stamps_only = all(text is not None and stamp.unstamped(text) == stamp.unstamped(rendered)
                      for rendered, text in stale_files)
    versions = {stamp.stamp_version(text) for _, text in stale_files if text is not None}
    return Stale(diffs, stamps_only, tuple(sorted(v for v in versions
                                                  if v and v != __version__)))


def create_config(path: Path, text: str) -> None:
    """Write a new stages.yaml; never replaces one (writer.ExistsError)."""
    writer.create(path, text)


def new_config(config_path: Path, dockerfile: Path | None = None) -> NewConfig:
    """A new stages.yaml (the starter, or one adopted from `dockerfile`), its warnings and
    the command to run next."""
    from mkgen.scaffold import new_config as adopted_or_starter

    return adopted_or_starter(config_path, dockerfile)
