"""Adopt an existing multi-stage Dockerfile (`mkgen init --from`): read it as BuildKit reads it
(dockerfile_parser, no third-party parser) and say the same in stages.yaml terms.

What the file does is kept: its directives, its global ARGs (as build arguments), its stages
in their order, and each stage's instructions byte for byte as steps. What stages.yaml cannot
say is refused with the line and what to do; docs/adopt.md lists both. adopt_yaml writes the
result as stages.yaml text.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from mkgen.builtin_variables import builtin_names
from mkgen.dockerfile_instructions import ArgDecl, arg_declarations, from_clause, secrets
from mkgen.dockerfile_parser import (
    DIRECTIVE_NAMES,
    Dockerfile,
    DockerfileSyntaxError,
    Instruction,
    parse,
)
from mkgen.dockerfile_variables import expand, is_literal
from mkgen.errors import MkgenError
from mkgen.keys import VARIABLE_NAME
from mkgen.records import dataclass
from mkgen.validate_variables import taken_by_make

# A name the docker client reads from its environment: never give one to a Make variable.
_DOCKER_ENVIRONMENT = frozenset({
    "DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG", "DOCKER_CERT_PATH", "DOCKER_TLS",
    "DOCKER_TLS_VERIFY", "DOCKER_BUILDKIT", "DOCKER_DEFAULT_PLATFORM", "DOCKER_API_VERSION",
})
_REFERENCE = re.compile(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$")
_HELP = re.compile(r"^#\s(\S.*)$")


class AdoptError(MkgenError):
    """The Dockerfile cannot be read, BuildKit refuses it, or stages.yaml cannot say it."""


@dataclass(frozen=True)
class AdoptedArg:
    """A global ARG, passed by a Make variable."""

    name: str  # in the Dockerfile
    variable: str  # the Make variable that passes it
    default: str | None  # a literal default: the Make default (and the ARG's)
    arg_default: str | None  # any other default, in Dockerfile syntax, verbatim
    help: str
    line: int


@dataclass(frozen=True)
class AdoptedSecret:
    variable: str
    id: str
    help: str
    line: int  # the first RUN that mounts it


@dataclass(frozen=True)
class AdoptedStage:
    name: str
    base: str
    from_arg: str | None
    platform: str | None
    help: str
    args: tuple[str, ...]  # bare `ARG NAME` lines right after FROM, for global ARGs
    steps: str  # the source lines after those, exactly (line ends made "\n")
    line: int  # the FROM
    steps_line: int  # the first line of `steps`


@dataclass(frozen=True)
class Adoption:
    directives: tuple[tuple[str, str], ...]  # (syntax|escape|check, value)
    comments: tuple[tuple[int, str], ...]  # (line, text) before the first FROM, kept as YAML
    renamed: tuple[tuple[str, str], ...]  # built-in variable -> its name in this project
    args: tuple[AdoptedArg, ...]
    secrets: tuple[AdoptedSecret, ...]
    stages: tuple[AdoptedStage, ...]


def _refuse(source: Path, line: int, what: str, todo: str) -> AdoptError:
    return AdoptError(f"{source}:{line}: {what}; {todo}, then run mkgen init again.")


def read_dockerfile(text: str, source: Path) -> Adoption:
    """The stages.yaml content that renders `text` again (as BuildKit reads it)."""
    try:
        df = parse(text)
    except DockerfileSyntaxError as exc:
        raise _refuse(source, exc.line, f"BuildKit refuses this Dockerfile: {exc.message}",
                      "fix that line (docker build stops there too)") from None
    froms = [i for i, ins in enumerate(df.instructions) if ins.keyword == "FROM"]
    if not froms:
        raise _refuse(source, 1, "no FROM instruction, so no stage to build",
                      "adopt a Dockerfile with at least one FROM")
    globals_ = _global_args(df, df.instructions[:froms[0]], source)
    renamed = _renamed_builtins(globals_)
    args = _variables(globals_, renamed, df.escape)
    stages = _stages(df, froms, args, source)
    return Adoption(
        directives=tuple((d.name, d.value) for name in DIRECTIVE_NAMES
                         for d in df.directives if d.name == name),
        comments=_comments_before(df, froms[0]),
        renamed=renamed, args=args, secrets=_secrets(df, args, renamed),
        stages=stages)


# ---- global ARGs ---------------------------------------------------------------------------

def _global_args(df: Dockerfile, instructions: Sequence[Instruction],
                 source: Path) -> list[tuple[ArgDecl, int, str]]:
    """(declaration, line, help) of each global ARG, once per name (the last default wins,
    as it does for the FROM lines)."""
    found: dict[str, tuple[ArgDecl, int, str]] = {}
    for ins in instructions:
        for decl in arg_declarations(ins):
            if not VARIABLE_NAME.match(decl.name):
                raise _refuse(source, ins.start_line, f"ARG {decl.name}: a build argument make "
                              "can pass needs a name of letters, digits and '_'",
                              "rename it in the Dockerfile")
            earlier = found.get(decl.name)
            if earlier and decl.default is None:
                continue
            found[decl.name] = (decl, earlier[1] if earlier else ins.start_line,
                                earlier[2] if earlier else _help_above(df, ins.start_line))
    return list(found.values())


def _free_name(wanted: Sequence[str], taken: set[str]) -> str:
    for name in wanted:
        if name not in taken and not taken_by_make(name) and name not in _DOCKER_ENVIRONMENT:
            return name
    base = wanted[-1]
    return next(f"{base}{n}" for n in range(2, 10**6) if f"{base}{n}" not in taken)


def _renamed_builtins(globals_: list[tuple[ArgDecl, int, str]]) -> tuple[tuple[str, str], ...]:
    """A global ARG named like a built-in variable (USER_ID, PLATFORM) keeps its name; the
    built-in gets another (`builtins:`), so both keep their meaning."""
    builtins = builtin_names()
    taken = set(builtins) | {decl.name for decl, _, _ in globals_}
    out = []
    for decl, _, _ in globals_:
        if decl.name in builtins:
            new = _free_name([f"DOCKER_{decl.name}", f"MK_{decl.name}"], taken)
            taken.add(new)
            out.append((decl.name, new))
    return tuple(out)


def _variables(globals_: list[tuple[ArgDecl, int, str]], renamed: tuple[tuple[str, str], ...],
               escape: str) -> tuple[AdoptedArg, ...]:
    taken = set(builtin_names()) - {old for old, _ in renamed} | {n for _, n in renamed}
    taken |= {decl.name for decl, _, _ in globals_}
    out = []
    for decl, line, help_ in globals_:
        variable = decl.name
        if taken_by_make(decl.name):  # PATH, SHELL, HOME: passed by a variable of another name
            variable = _free_name([f"ARG_{decl.name}"], taken)
            taken.add(variable)
        default, computed = _default(decl, escape)
        out.append(AdoptedArg(decl.name, variable, default, computed, help_, line))
    return tuple(out)


def _default(decl: ArgDecl, escape: str) -> tuple[str | None, str | None]:
    """(literal default, Dockerfile-syntax default): a default that refers to nothing is a
    Make default; an empty one or one with variables is kept as written (arg_default)."""
    if decl.default is None:
        return None, None
    if is_literal(decl.default, escape):
        value = expand(decl.default, {}, escape)
        return (value, None) if value else (None, decl.default)
    return None, decl.default


# ---- stages --------------------------------------------------------------------------------

def _comments_before(df: Dockerfile, first_from: int) -> tuple[tuple[int, str], ...]:
    """The comment lines above the first FROM (a licence, what the file is for), but parser
    directives, the lines inside an instruction and those that become a help: stages.yaml
    keeps them as its own comments, since it is the file that is edited from now on."""
    instructions = df.instructions[:first_from + 1]
    inside = {n for ins in instructions for n in range(ins.start_line, ins.end_line + 1)}
    helps = {ins.start_line - 1 for ins in instructions if _help_above(df, ins.start_line)}
    left_out = inside | helps | {d.line for d in df.directives}
    return tuple((n, df.lines[n - 1].strip())
                 for n in range(1, df.instructions[first_from].start_line)
                 if df.lines[n - 1].lstrip().startswith("#") and n not in left_out)


def _help_above(df: Dockerfile, line: int) -> str:
    """The one comment line right above `line` (1-based), unless it is part of a longer
    comment or a parser directive: mkgen writes a stage's help there."""
    above = df.lines[line - 2].rstrip("\r\n") if line >= 2 else ""
    before = df.lines[line - 3].strip() if line >= 3 else ""
    m = _HELP.match(above)
    if not m or before.startswith("#") or any(d.line == line - 1 for d in df.directives):
        return ""
    return m.group(1).strip()


def _stages(df: Dockerfile, froms: list[int], args: tuple[AdoptedArg, ...],
            source: Path) -> tuple[AdoptedStage, ...]:
    names = _stage_names(df, froms, source)
    out: list[AdoptedStage] = []
    for n, i in enumerate(froms):
        following = froms[n + 1] if n + 1 < len(froms) else len(df.instructions)
        out.append(_stage(df, df.instructions[i:following], names, n, args, source,
                          df.instructions[following].start_line
                          if following < len(df.instructions) else None))
    return tuple(out)


def _stage_names(df: Dockerfile, froms: list[int], source: Path) -> list[str]:
    """Each stage's name: its own, lower-cased as BuildKit keeps it, or `stageN` (N its
    number, which `COPY --from=N` uses) for an unnamed one, made unique."""
    given = [from_clause(df.instructions[i]).key for i in froms]
    seen: dict[str, int] = {}
    for i, name in zip(froms, given, strict=True):
        line = df.instructions[i].start_line
        if name in seen:
            raise _refuse(source, line, f"the stage name '{name}' is taken by the stage on "
                          f"line {seen[name]} (BuildKit finds only this later one)",
                          "rename one of them")
        if name:
            seen[name] = line
    taken = set(seen)
    out = []
    for n, name in enumerate(given):
        if name is None:
            name = next(c for c in [f"stage{n}"] + [f"stage{n}-{k}" for k in range(2, 999)]
                        if c not in taken)
            taken.add(name)
        out.append(name)
    return out


def _stage(df: Dockerfile, instructions: Sequence[Instruction], names: list[str], n: int,
           args: tuple[AdoptedArg, ...], source: Path, next_from: int | None) -> AdoptedStage:
    first = instructions[0]
    clause = from_clause(first)
    extra = [f.text for f in first.flags if f.name != "platform"] + \
        [f.text for f in first.flags if f.name == "platform"][1:]
    if extra:
        raise _refuse(source, first.start_line, f"FROM {' '.join(extra)}: stages.yaml gives a "
                      "FROM only --platform", "drop that flag")
    base, from_arg = _base(clause.image, names, n, args, source, first.start_line)
    stage_args: list[str] = []
    body_start = first.end_line
    global_names = {a.name for a in args}
    for ins in instructions[1:]:
        decls = arg_declarations(ins)
        if ins.start_line != body_start + 1 or len(decls) != 1 or decls[0].default is not None \
                or decls[0].name not in global_names or ins.end_line != ins.start_line:
            break
        stage_args.append(decls[0].name)
        body_start = ins.end_line
    end = len(df.lines) if next_from is None else next_from - 1
    if next_from is not None and _help_above(df, next_from):
        end -= 1
    lines = [line.rstrip("\r\n") for line in df.lines[body_start:end]]
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
        body_start += 1
    return AdoptedStage(
        name=names[n], base=base, from_arg=from_arg, platform=clause.platform,
        help=_help_above(df, first.start_line), args=tuple(stage_args),
        steps="\n".join(lines), line=first.start_line, steps_line=body_start + 1)


def _base(image: str, names: list[str], n: int, args: tuple[AdoptedArg, ...], source: Path,
          line: int) -> tuple[str, str | None]:
    """(from, from_arg) of the n-th stage. FROM finds a stage above by its exact name; an ARG
    whose default names one becomes from_arg (a family can then start from another image)."""
    if image in names[:n]:
        return image, None
    if image in names[n:]:
        raise _refuse(source, line, f"FROM {image} names the stage '{image}' declared below "
                      "it: BuildKit reads it as an image there, stages.yaml would read the "
                      "stage", "rename that stage (or the image)")
    ref = _REFERENCE.match(image)
    arg = next((a for a in args if ref and a.name == ref.group(1)), None)
    if arg is not None and arg.default in names[:n]:
        return arg.default, arg.name
    return image, None


# ---- secrets -------------------------------------------------------------------------------

def _secrets(df: Dockerfile, args: tuple[AdoptedArg, ...],
             renamed: tuple[tuple[str, str], ...]) -> tuple[AdoptedSecret, ...]:
    """A variable for each secret the RUN instructions mount. Its name is the variable the
    secret is exposed as (`env=`), else its id in capitals; the Makefile passes it as
    `--secret id=ID,env=VARIABLE`."""
    taken = set(builtin_names()) - {old for old, _ in renamed} | {n for _, n in renamed}
    taken |= {a.variable for a in args}
    found: dict[str, AdoptedSecret] = {}
    for ins in df.instructions:
        for secret in secrets(ins) if ins.keyword == "RUN" else ():
            if not secret.id or secret.id in found:
                continue
            wanted = [secret.env] if secret.env and VARIABLE_NAME.match(secret.env) else []
            upper = re.sub(r"\W", "_", secret.id).upper().lstrip("_") or "SECRET"
            wanted += [upper if upper[0].isalpha() else f"SECRET_{upper}"]
            wanted += [f"{wanted[-1]}_SECRET"]
            variable = _free_name(wanted, taken)
            taken.add(variable)
            how = f"exposed as ${secret.env}" if secret.env else f"mounted at {secret.target}"
            found[secret.id] = AdoptedSecret(variable, secret.id,
                                             f"Secret {secret.id}, {how}.", ins.start_line)
    return tuple(found.values())
