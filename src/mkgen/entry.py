"""The `mkgen` command's entry point (the console script and `python -m mkgen`).

`mkgen check` runs in pre-commit on every commit and in every CI job, so when nothing
changed it should cost about what starting Python costs. Here, before click, YAML or Jinja
is imported, `check`, `render --check` and `render` with a plainly given configuration
ask the rendered files' stamps (freshness.py); when those prove the files fresh, that is
the answer, in the words the full command would print. Anything else, and every case the
stamps do not settle, goes to the command line (cli.py), which renders and compares.
"""
from __future__ import annotations

import os
import sys

DEFAULT_CONFIG = "stages.yaml"  # cli.config_option's default and envvar, mirrored
CONFIG_ENV = "MKGEN_CONFIG"


def quick_request(args: list[str], environ: dict[str, str] | os._Environ[str]) -> \
        tuple[str, str] | None:
    """(the word a fresh result prints, the configuration) for `check` and `render` with
    at most `-c FILE`, `--config FILE`, `--config=FILE`, `--check`, `--force`, each once;
    None for any other command line (click parses it: abbreviations, help, errors)."""
    if not args or args[0] not in ("check", "render") or "_MKGEN_COMPLETE" in environ:
        return None
    command, options = args[0], args[1:]
    config: str | None = None
    flags: set[str] = set()
    while options:
        option = options.pop(0)
        if option in ("-c", "--config") and options and config is None:
            config = options.pop(0)
        elif option.startswith("--config=") and config is None:
            config = option[len("--config="):]
        elif command == "render" and option in ("--check", "--force") and option not in flags:
            flags.add(option)
        else:
            return None
    if config is None:
        config = environ.get(CONFIG_ENV) or DEFAULT_CONFIG
    if not config or config.startswith("-"):
        return None
    checking = command == "check" or "--check" in flags
    return ("fresh" if checking else "up to date"), config


def main() -> None:
    request = quick_request(sys.argv[1:], os.environ)
    if request is not None:
        from mkgen.freshness import fresh_output

        word, config = request
        output = fresh_output(config)
        if output is not None:
            sys.stdout.write(f"{output}: {word}\n")
            sys.exit(0)
    from mkgen.cli import main as command_line

    command_line()
