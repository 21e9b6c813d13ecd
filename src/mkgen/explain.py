"""What `mkgen explain TARGET [VAR=VALUE ...]` finds: every value of a target with where it
comes from, and the exact commands the target would run, printed by GNU make itself
(`make -n`) from the Makefile mkgen renders. Nothing runs: every value a command would
compute is handed to make as a visible placeholder, so make starts no process (no shell, no
git, no docker)."""
from __future__ import annotations

import grp
import os
import pwd
import re
import subprocess

from mkgen.checker import did_you_mean
from mkgen.errors import MkgenError
from mkgen.model import MAKEFILE, Config, Variable
from mkgen.plan import RECIPE_ACTION, Plan, Target, value_source
from mkgen.records import dataclass, replace
from mkgen.render import render_all

SECRET = "<secret>"
TTY = "<-it when stdin is a terminal>"
# Marks make's `$(info)` lines that carry a value, apart from the commands `make -n` prints.
_MARK = "\x1f"
_DUMP = "mkgen-explain-values"
_CALLER_FIELDS = {"caller_uid": "uid", "caller_name": "user", "caller_gid": "gid",
                  "caller_group": "group"}


class UnknownTargetError(MkgenError):
    """The target or a VAR=VALUE names nothing the Makefile has."""


class MakeError(MkgenError):
    """make itself stopped (e.g. a file that should set a variable lacks it)."""


@dataclass(frozen=True)
class Value:
    name: str
    origin: str
    placeholder: str | None = None  # what make gets instead of running a command
    secret: bool = False            # never printed, even when make reads it from a file


@dataclass(frozen=True)
class Explanation:
    target: Target
    values: tuple[Value, ...]
    expanded: dict[str, str]   # each variable as make expands it for the target
    commands: tuple[str, ...]  # what `make -n` prints

    def shown(self, value: Value) -> str:
        """A value as explain prints it: secrets never."""
        text = self.expanded.get(value.name, "")
        if value.placeholder == SECRET or (value.secret and text and value.placeholder is None):
            return SECRET
        return text


def find_target(plan: Plan, name: str) -> Target:
    target = plan.target(name)
    if target is not None:
        return target
    hint = did_you_mean(name, [t.name for t in plan.targets]) or \
        "'mkgen list' shows every target"
    raise UnknownTargetError(f"no target '{name}' in {plan.config.source}: {hint}")


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
    return {"uid": str(uid), "user": user, "gid": str(gid), "group": group}


def _placeholder(config: Config, var: Variable) -> str | None:
    """What make gets instead of a value it would compute by running something."""
    if var.secret:
        return _secret_placeholder(config, var)
    if var.shell is not None:
        return f"<{var.shell}>"
    if var.files and not any((config.root / f).is_file() for f in var.files):
        # make reads an existing file itself, with no process
        return f"<{var.key} in {', '.join(var.files)}: file not found>"
    if var.computed == "tty":
        return TTY
    if var.computed in _CALLER_FIELDS:
        return _caller()[_CALLER_FIELDS[var.computed]]
    return None


def _secret_placeholder(config: Config, var: Variable) -> str | None:
    """A secret's value as make would find it, never its text: the environment's comes first
    (`?=`), then its command's output (assumed non-empty: the command is not run), then the
    value make reads from its file with no process (explain masks it)."""
    if os.environ.get(var.name) or var.shell is not None:
        return SECRET
    if var.files:
        if any((config.root / f).is_file() for f in var.files):
            return None
        return f"<{var.key} in {', '.join(var.files)}: file not found>"
    return ""


def resolve_values(config: Config, target: Target, given: dict[str, str]) -> list[Value]:
    overrides = target.origins()
    out = []
    for var in config.variables:
        if var.name in given:
            out.append(Value(var.name, "command line",
                             SECRET if var.secret and given[var.name] else None, var.secret))
        elif var.name in overrides:
            out.append(Value(var.name, overrides[var.name].origin, secret=var.secret))
        else:
            out.append(Value(var.name, value_source(var).origin, _placeholder(config, var),
                             var.secret))
    return out


def _make_argv(config: Config, target: Target, values: list[Value],
               given: dict[str, str]) -> list[str]:
    names = " ".join(["STAGE", *(v.name for v in values)])
    # STEM reads `$@`, which in the dump is the dump's own name: it is given the target's.
    stem = "" if target.action == RECIPE_ACTION else target.family or target.stage
    dump = (f"{_DUMP}: STEM = {stem}\n"
            f"{_DUMP}: ; @$(foreach v,{names},$(info {_MARK}$(v)=$($(v))))\n"
            f"{target.name}: {_DUMP}")
    argv = ["make", "-n", "-s", "--no-print-directory", "-f", "-",
            # make expands a command-line value: the path's own `$` must stay text.
            f"MKGEN_DIR={str(config.output_dir.resolve()).replace('$', '$$')}",
            f"--eval={dump}"]
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


def _run_make(plan: Plan, argv: list[str]) -> tuple[dict[str, str], list[str]]:
    """make's view: every value as it expands for the target, and the commands it prints."""
    config = plan.config
    # The `makefile:` snippet is plain make, unchecked: it is left out, so that explain runs
    # nothing of it (a `$(shell ...)` there would run while make reads the file).
    without_snippet = replace(config, makefile_snippet="")
    makefile = next(o.text for o in render_all(without_snippet) if o.name == MAKEFILE)
    cwd = config.output_dir if config.output_dir.is_dir() else config.root
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


def explain(plan: Plan, target_name: str, words: tuple[str, ...]) -> Explanation:
    """The values and commands of one target, with `words` (VAR=VALUE) given to make."""
    target = find_target(plan, target_name)
    given = parse_assignments(plan.config, words)
    values = resolve_values(plan.config, target, given)
    expanded, commands = _run_make(plan, _make_argv(plan.config, target, values, given))
    return Explanation(target, tuple(values), expanded, tuple(commands))
