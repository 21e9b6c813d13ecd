"""The `mkgen` command's entry point (the console script and `python -m mkgen`).

`mkgen check` runs in pre-commit on every commit and in every CI job, so when nothing
changed it should cost about what starting Python costs. Here, before click, YAML or Jinja
is imported, `check`, `render --check` and `render` with a plainly given configuration
ask the rendered files' stamps (freshness.py); when those prove the files fresh, that is
the answer, in the words the full command would print. When they do not, the same command
runs in full, still without click (its import costs a sixth of a render); any other
command line goes to cli.py.
"""
from __future__ import annotations

import atexit
import gc
import os
import sys

TYPE_CHECKING = False  # `typing` would cost the quick check more than its own work
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import NoReturn

DEFAULT_CONFIG = "stages.yaml"  # cli.config_option's default and envvar, mirrored
CONFIG_ENV = "MKGEN_CONFIG"


def quick_request(args: list[str], environ: Mapping[str, str]) -> tuple[str, str, bool] | None:
    """(command, configuration, --force) of `check`, `render --check` (a check too) and
    `render`, given at most `-c FILE`, `--config FILE`, `--config=FILE`, `--check` and
    `--force`, each once; None for any other command line, which click parses (help,
    abbreviations, usage errors, completion). tests/cli/test_entry.py holds click to it."""
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
    if not config or config.startswith("-") or os.path.isdir(config):
        return None
    return ("check" if "--check" in flags else command), config, "--force" in flags


# Running out of memory or stack is bad input too (a file that stands for too much), never
# a traceback nor exit 1, which means "stale" to `mkgen check`'s callers.
_EXHAUSTED = {
    MemoryError: "out of memory: the configuration stands for more than this machine can "
                 "hold (aliases? a huge file?); nothing was written",
    RecursionError: "nested too deeply to be a configuration; nothing was written",
}


def run(action: Callable[[], int]) -> NoReturn:
    """Exit with the code `action` returns; a user's error becomes its message and exit code
    (the one place that maps them: cli.py uses it too)."""
    from mkgen.errors import ConfigError, MkgenError

    try:
        code = action()
    except MkgenError as exc:
        # Located problems read like a compiler's (file:line:col: ...); the rest get a prefix.
        print(str(exc) if isinstance(exc, ConfigError) else f"mkgen: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except (MemoryError, RecursionError) as exc:
        exhausted: type[BaseException] = type(exc)
    else:
        sys.exit(code)
    # Outside the except clause: the traceback, and the memory its frames hold, are gone.
    message = next(m for kind, m in _EXHAUSTED.items() if issubclass(exhausted, kind))
    print(f"mkgen: {message}", file=sys.stderr)
    sys.exit(2)


def main() -> None:
    # One command, then exit. The cyclic collector would walk the imported modules' objects
    # again and again (a twentieth of a render) for the few cycles a render leaves; and the
    # collection the interpreter makes as it exits would walk them all once more, to free
    # nothing that exiting does not (a tenth). Frozen objects are skipped by it. Memory
    # stays flat: the 1000-stage render peaks at the same size.
    gc.disable()
    try:
        _main()
    except SystemExit as exc:
        _exit(exc)
    finally:
        gc.freeze()


def _exit(request: SystemExit) -> NoReturn:
    """Leave with the code `request` asks for, without tearing the interpreter down: freeing
    every object of Jinja, YAML and mkgen one by one costs a render some 3 ms, and all of it
    goes when the process does. Output is flushed first; whenever something still expects
    the interpreter's own exit (atexit callbacks, such as coverage's, or another thread),
    that exit runs, as it does when a flush fails (a closed pipe: Python reports it)."""
    code = request.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # what the interpreter does with a message
        code = 1
    pending = getattr(atexit, "_ncallbacks", lambda: 1)()  # other Pythons: assume some
    threading = sys.modules.get("threading")  # never imported: no other thread either
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    if pending or (threading is not None and threading.active_count() > 1):
        sys.exit(code)
    os._exit(code or 0)


def _main() -> None:
    request = quick_request(sys.argv[1:], os.environ)
    if request is None:
        from mkgen.cli import main as command_line

        command_line()
        return
    command, config, force = request
    from mkgen.freshness import fresh_output

    try:
        output = fresh_output(config)
    except (MemoryError, RecursionError):
        output = None  # not certain: the full command below says why, as one line
    if output is not None:
        print(f"{output}: {'fresh' if command == 'check' else 'up to date'}")
        sys.exit(0)
    # Render, or render and compare, as cli.py would, but without loading click: the two
    # commands print plainly for this (commands/render.py).
    from pathlib import Path

    from mkgen.commands import render as commands

    path = Path(config)
    run(lambda: commands.check(path) if command == "check" else commands.render(path, force))
