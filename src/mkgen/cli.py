"""The command line: wiring only. Errors become messages and exit codes here, nowhere else."""
from __future__ import annotations

from pathlib import Path

import click

from mkgen import __version__
from mkgen.entry import CONFIG_ENV, DEFAULT_CONFIG
from mkgen.entry import run as _run
from mkgen.errors import MkgenError

CONFIG_HELP = "The configuration file (default: stages.yaml in the current folder)."


config_option = click.option(
    "-c", "--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
    default=Path(DEFAULT_CONFIG), show_default=True, envvar=CONFIG_ENV, help=CONFIG_HELP,
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
    """Write the Makefile, Dockerfile.multi, Dockerfile.user and docker-bake.hcl.

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


def _complete_target(ctx: click.Context, param: click.Parameter,
                     incomplete: str) -> list[str]:
    """Shell completion of TARGET: the targets of the configuration being used."""
    from mkgen import api

    try:
        plan = api.plan(api.load_config(ctx.params.get("config_path") or Path("stages.yaml")))
    except MkgenError:
        return []
    return [t.name for t in plan.targets if t.name.startswith(incomplete)]


@cli.command(name="list")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def list_(config_path: Path, as_json: bool) -> None:
    """List stages (with parents), families, every target and every variable.

    \b
    Example:
      mkgen list --json | jq -r '.targets[].name'
    """
    from mkgen.commands import list as cmd

    _run(lambda: cmd.list_config(config_path, as_json))


@cli.command()
@config_option
@click.argument("target", shell_complete=_complete_target)
@click.argument("assignments", nargs=-1, metavar="[VARIABLE=value]...")
def explain(config_path: Path, target: str, assignments: tuple[str, ...]) -> None:
    """Show a target's variables, where each value comes from, and the exact commands it
    would run. Runs nothing.

    \b
    Example:
      mkgen explain devel_run LOCAL_USER=1
    """
    from mkgen.commands import explain as cmd

    _run(lambda: cmd.explain(config_path, target, assignments))


@cli.command()
@config_option
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid",
              show_default=True, help="Mermaid (for Markdown) or DOT (for Graphviz).")
def graph(config_path: Path, fmt: str) -> None:
    """Print the stage graph (FROM, COPY --from, RUN --mount from=) and the families.

    \b
    Example:
      mkgen graph --format dot | dot -Tsvg > stages.svg
    """
    from mkgen.commands import graph as cmd

    _run(lambda: cmd.graph(config_path, fmt))


@cli.command()
@config_option
@click.option("--from", "dockerfile", type=click.Path(path_type=Path, dir_okay=False),
              help="Adopt this multi-stage Dockerfile: its stages, ARGs and instructions.")
def init(config_path: Path, dockerfile: Path | None) -> None:
    """Write a starter stages.yaml, or one that renders an existing Dockerfile again
    (docs/adopt.md). Never overwrites a stages.yaml.

    \b
    Example:
      mkgen init --from Dockerfile    (then run the command it prints next)
    """
    from mkgen.commands import init as cmd

    _run(lambda: cmd.init(config_path, dockerfile))


@cli.command()
def schema() -> None:
    """Print the JSON Schema of stages.yaml (for editors and CI).

    \b
    Example:
      mkgen schema > schema/stages.schema.json
    """
    from mkgen.commands import schema as cmd

    _run(cmd.schema)


def main() -> None:
    cli(prog_name="mkgen")
