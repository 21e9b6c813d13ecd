"""Load → validate: the one entry point from a stages.yaml path to a Config."""
from __future__ import annotations

from pathlib import Path

from mkgen.loader import load_file
from mkgen.model import Config
from mkgen.validate import validate


def load_config(path: Path) -> Config:
    return validate(load_file(path), path)


def output_dir(config: Config) -> Path:
    return config.source.parent / config.project.output
