"""The command line: wiring only. Errors become messages and exit codes here, nowhere else."""
from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from mkgen import __version__
from mkgen.errors import ConfigError, MkgenError

CONFIG_HELP = "The configuration file (default: stages.yaml in the current folder)."


def _run(action: Callable[[], int]) -> None:
    try:
        code = action()
    except MkgenError as exc:
        # Located problems read like a compiler's (file:line:col: ...); the rest get a prefix.
        click.echo(str(exc) if isinstance(exc, ConfigError) else f"mkgen: {exc}", err=True)
        sys.exit(exc.exit_code)
    sys.exit(code)


config_option = click.option(
    "-c", "--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
    default=Path("stages.yaml"), show_default=True, envvar="MKGEN_CONFIG", help=CONFIG_HELP,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mkgen")
def cli() -> None:
    """Render a project's Docker build system (GNU Makefile + Dockerfile.multi) from
    stages.yaml.

    \b
    Exit codes: 0 success, 1 stale files (check), 2 bad input or usage.
    """


@cli.command()
@config_option
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 with a diff when the files on disk are stale.")
@click.option("--force", is_flag=True,
              help="Overwrite files that mkgen did not generate (a hand-written Makefile).")
def render(config_path: Path, check_only: bool, force: bool) -> None:
    """Write the Makefile, Dockerfile.multi and Dockerfile.user.

    \b
    Example:
      mkgen render && make -C docker release_push
    """
    from mkgen.commands import render as cmd

    _run(lambda: cmd.check(config_path) if check_only else cmd.render(config_path, force))


@cli.command()
@config_option
def check(config_path: Path) -> None:
    """Exit 1 with a unified diff when the rendered files are stale.

    \b
    Example (CI or pre-commit):
      mkgen check
    """
    from mkgen.commands import render as cmd

    _run(lambda: cmd.check(config_path))


@cli.command()
@config_option
def validate(config_path: Path) -> None:
    """Report every problem in the configuration; write nothing.

    \b
    Example:
      mkgen validate -c stages.yaml
    """
    from mkgen.commands import validate as cmd

    _run(lambda: cmd.validate(config_path))


def main() -> None:
    cli(prog_name="mkgen")
