"""`mkgen explain TARGET [VAR=VALUE ...]`: where every value comes from, and the exact
commands the target would run, printed by GNU make itself (`make -n`) from the rendered
Makefile. Nothing runs: every value a command would compute is handed to make as a visible
placeholder, so make starts no process (no shell, no git, no docker)."""
from __future__ import annotations

import grp
import os
import pwd
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import click

from mkgen.commands.list import Target, targets
from mkgen.config import load_config, output_dir
from mkgen.errors import MkgenError
from mkgen.model import Config, Variable
from mkgen.render import MAKEFILE, render_all
from mkgen.validate import did_you_mean

SECRET = "<secret>"
TTY = "<-it when stdin is a terminal>"
# Marks make's `$(info)` lines that carry a value, apart from the commands `make -n` prints.
_MARK = "\x1f"
_DUMP = "mkgen-explain-values"


class UnknownTargetError(MkgenError):
    """The target or a VAR=VALUE names nothing the Makefile has."""


class MakeError(MkgenError):
    """make itself stopped (e.g. a file that should set a variable lacks it)."""


@dataclass(frozen=True)
class Value:
    name: str
    origin: str
    placeholder: str | None = None  # what make gets instead of running a command


def find_target(config: Config, name: str) -> Target:
    known = targets(config)
    for target in known:
        if target.name == name:
            return target
    hint = did_you_mean(name, [t.name for t in known]) or "'mkgen list' shows every target"
    raise UnknownTargetError(f"no target '{name}' in {config.source}: {hint}")


def parse_assignments(config: Config, words: tuple[str, ...]) -> dict[str, str]:
    names = [v.name for v in config.variables]
    given: dict[str, str] = {}
    for word in words:
        name, eq, value = word.partition("=")
        if not eq:
            raise UnknownTargetError(f"'{word}' is not VARIABLE=value: explain takes one target,"
                                     " then variable assignments")
        if name not in names:
            hint = did_you_mean(name, names) or "'mkgen list' shows every variable"
            raise UnknownTargetError(f"no variable '{name}' in {config.source}: {hint}")
        given[name] = value
    return given


def _override_origin(config: Config, target: Target) -> dict[str, str]:
    """Which stage or family assignment sets each variable for `target`; the last one wins,
    in the order the Makefile writes them (stage, its action, family, its action)."""
    stage = config.stage(target.stage)
    assert stage is not None  # validated
    layers = [(f"stage {stage.name}", stage.variables, stage.per_action)]
    family = next((f for f in config.families if f.name == target.family), None)
    if family is not None:
        layers.append((f"family {family.name}", family.variables, family.per_action))
    origin: dict[str, str] = {}
    for label, overrides, per_action in layers:
        origin.update((name, label) for name, _ in overrides)
        for settings in per_action:
            if settings.action == target.action:
                origin.update((name, f"{label}, {target.action} action")
                              for name, _ in settings.variables)
    return origin


def _caller() -> dict[str, str]:
    """The caller's identity, as make's one `id` call would find it (no process here)."""
    uid, gid = os.getuid(), os.getgid()
    try:
        user = pwd.getpwuid(uid).pw_name
    except KeyError:
        user = f"user{uid}"
    try:
        group = grp.getgrgid(gid).gr_name
    except KeyError:
        group = f"group{gid}"
    return {"USER_ID": str(uid), "USER_NAME": user, "GROUP_ID": str(gid), "GROUP_NAME": group}


def _default(config: Config, var: Variable) -> Value:
    root = config.source.parent
    if var.secret:
        return Value(var.name, "secret, from the environment",
                     SECRET if os.environ.get(var.name) else "")
    if var.shell is not None:
        suffix = ", made tag-safe" if var.tag_safe else ""
        return Value(var.name, f"shell: {var.shell} (not run){suffix}", f"<{var.shell}>")
    if var.file is not None:
        if (root / var.file).is_file():  # make reads it itself, with no process
            return Value(var.name, f"file: {var.key} in {var.file}")
        return Value(var.name, f"file: {var.key} in {var.file}",
                     f"<{var.key} in {var.file}: file not found>")
    if var.name == "DOCKER_TTY":
        return Value(var.name, "make: test -t 0 (not run)", TTY)
    if var.name in ("USER_ID", "USER_NAME", "GROUP_ID", "GROUP_NAME"):
        return Value(var.name, "the caller (id, not run)", _caller()[var.name])
    if var.expr is not None and not var.default:
        return Value(var.name, "computed by make")
    return Value(var.name, "default")


def resolve_values(config: Config, target: Target, given: dict[str, str]) -> list[Value]:
    overrides = _override_origin(config, target)
    out = []
    for var in config.variables:
        if var.name in given:
            out.append(Value(var.name, "command line",
                             SECRET if var.secret and given[var.name] else None))
        elif var.name in overrides:
            out.append(Value(var.name, overrides[var.name]))
        else:
            out.append(_default(config, var))
    return out


def _make_argv(config: Config, target: Target, values: list[Value],
               given: dict[str, str]) -> list[str]:
    names = " ".join(["STAGE", *(v.name for v in values)])
    dump = (f"{_DUMP}: ; @$(foreach v,{names},$(info {_MARK}$(v)=$($(v))))\n"
            f"{target.name}: {_DUMP}")
    argv = ["make", "-n", "-s", "--no-print-directory", "-f", "-",
            f"MKGEN_DIR={output_dir(config).resolve()}", f"--eval={dump}"]
    for value in values:
        if value.placeholder is not None:
            argv.append(f"{value.name}={value.placeholder.replace('$', '$$')}")
        elif value.name in given:
            argv.append(f"{value.name}={given[value.name]}")
    return [*argv, target.name]


def _make_message(stderr: str) -> str:
    """make's last error line without its location (a temp file: the Makefile came on
    stdin), its `***` and `Stop.`, and the `mkgen: ` that the CLI adds again."""
    line = (stderr.strip().splitlines() or ["make failed"])[-1]
    line = re.sub(r"^(?:make: )?(?:\S+:\d+: )?\*\*\* ", "", line)
    return line.removesuffix("Stop.").rstrip().removeprefix("mkgen: ")


def run_make(config: Config, argv: list[str]) -> tuple[dict[str, str], list[str]]:
    """make's view: every value as it expands for the target, and the commands it prints."""
    makefile = next(o.text for o in render_all(config) if o.name == MAKEFILE)
    cwd = output_dir(config) if output_dir(config).is_dir() else config.source.parent
    secrets = {v.name for v in config.secrets}
    env = {k: v for k, v in os.environ.items()
           if k not in secrets and not k.startswith(("MAKE", "MFLAGS", "GNUMAKEFLAGS"))}
    try:
        result = subprocess.run(argv, input=makefile, capture_output=True, text=True, cwd=cwd,
                                env=env)
    except FileNotFoundError:
        raise MakeError("GNU make is not on PATH; explain asks make for the commands") from None
    if result.returncode != 0:
        raise MakeError(_make_message(result.stderr))
    expanded: dict[str, str] = {}
    commands = []
    for line in result.stdout.splitlines():
        if line.startswith(_MARK):
            name, _, value = line[1:].partition("=")
            expanded[name] = value
        else:
            commands.append(line)
    return expanded, commands


def explain(config_path: Path, target_name: str, words: tuple[str, ...]) -> int:
    """Print the resolved variables of a target with their origins, and its commands; 0."""
    config = load_config(config_path)
    target = find_target(config, target_name)
    given = parse_assignments(config, words)
    values = resolve_values(config, target, given)
    expanded, commands = run_make(config, _make_argv(config, target, values, given))
    kind = f"family {target.family} of stage {target.stage}" if target.family \
        else f"stage {target.stage}"
    lines = [f"{target.name}: {target.help} ({kind})", "", "Variables:"]
    width = max(len(v.name) for v in values)
    for value in values:
        shown = SECRET if value.placeholder == SECRET else expanded.get(value.name, "")
        lines.append(f"  {value.name:<{width}}  {shown or '(empty)'}  [{value.origin}]")
    lines += ["", "Commands (make -n; nothing was run):"]
    lines += [f"  {c}" for c in commands] or ["  (none)"]
    click.echo("\n".join(lines))
    return 0
