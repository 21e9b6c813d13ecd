"""Adopt an existing multi-stage Dockerfile: the stages.yaml that renders it again
(`mkgen init --from`)."""
from __future__ import annotations

import json
import os
import re
import shlex
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import dockerfile as buildkit
from mkgen.errors import MkgenError
from mkgen.scaffold import project_name

_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$")
_ARG_REF = re.compile(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$")


class AdoptError(MkgenError):
    """The Dockerfile cannot be read, or uses what stages.yaml cannot express."""


@dataclass
class _Stage:
    name: str
    base: str
    from_arg: str | None = None
    help: str = ""
    args: list[str] = field(default_factory=list)
    steps: str = ""


def _unsupported(source: Path, line: int, what: str) -> AdoptError:
    return AdoptError(f"{source}:{line}: {what}, which stages.yaml cannot express yet; "
                     "adapt that line, or write this stage by hand.")


def _global_args(commands: list, source: Path) -> list[tuple[str, str | None]]:
    out: dict[str, str | None] = {}
    for cmd in commands:
        if cmd.cmd.upper() != "ARG":
            raise _unsupported(source, cmd.start_line, f"{cmd.cmd} before the first FROM")
        for word in cmd.value:
            name, eq, value = word.partition("=")
            default = (shlex.split(value) or [""])[0] if eq else out.get(name)
            if default and "$" in default:
                raise _unsupported(source, cmd.start_line, f"ARG {name} with a default that "
                                   "refers to another ARG")
            out[name] = default
    return list(out.items())


def _directives(lines: list[str], source: Path) -> str | None:
    """The `# syntax=` image, if any; `# escape=` other than backslash cannot be kept."""
    syntax = None
    for line in lines:
        m = _DIRECTIVE.match(line)
        if not m:
            break
        key, value = m.group(1).lower(), m.group(2)
        if key == "syntax":
            syntax = value
        elif key == "escape" and value != "\\":
            raise _unsupported(source, 1, f"the escape directive '{value}'")
    return syntax


def _body(lines: list[str], start: int, end: int) -> str:
    """The steps text of the source lines [start, end), dedented, without blank ends."""
    return textwrap.dedent("\n".join(lines[start:end])).strip("\n").rstrip()


def parse(text: str, source: Path) -> tuple[list[tuple[str, str | None]], list[_Stage], str | None]:
    """Global ARGs, stages and the syntax directive of a Dockerfile, via BuildKit's parser."""
    try:
        commands = list(buildkit.parse_string(text))
    except buildkit.GoParseError as exc:
        raise AdoptError(f"{source}: BuildKit cannot parse it: {exc}") from None
    lines = text.split("\n")
    syntax = _directives(lines, source)
    froms = [i for i, c in enumerate(commands) if c.cmd.upper() == "FROM"]
    if not froms:
        raise AdoptError(f"{source}: no FROM instruction; is it a Dockerfile?")
    args = _global_args(commands[:froms[0]], source)
    defaults = dict(args)
    stages: list[_Stage] = []
    for n, i in enumerate(froms):
        cmd = commands[i]
        for c in commands[i:(froms[n + 1] if n + 1 < len(froms) else len(commands))]:
            if c.heredocs:
                raise _unsupported(source, c.start_line, "a heredoc")
        if cmd.flags:
            raise _unsupported(source, cmd.start_line, f"FROM {' '.join(cmd.flags)}")
        image, *rest = cmd.value
        name = rest[1].lower() if len(rest) == 2 and rest[0].lower() == "as" else f"stage{n}"
        stage = _Stage(name=name, base=image, help=_help_above(lines, cmd.start_line))
        names = [s.name for s in stages]
        ref = _ARG_REF.match(image)
        if image.lower() in names:
            stage.base = image.lower()
        elif ref and (defaults.get(ref.group(1)) or "").lower() in names:
            stage.base, stage.from_arg = defaults[ref.group(1)].lower(), ref.group(1)
        # Bare `ARG NAME` right after FROM, for a global ARG, is this stage's `args`.
        body_start, k = cmd.end_line, i + 1
        end = len(lines)
        if n + 1 < len(froms):
            following = commands[froms[n + 1]].start_line
            end = following - 1 - bool(_help_above(lines, following))
        while (k < len(commands) and k not in froms and commands[k].cmd.upper() == "ARG"
               and all("=" not in w and w in defaults for w in commands[k].value)
               and all(not lines[j].strip() or lines[j].lstrip().startswith("#")
                       for j in range(body_start, commands[k].start_line - 1))):
            stage.args += list(commands[k].value)
            body_start = commands[k].end_line
            k += 1
        stage.steps = _body(lines, body_start, end)
        stages.append(stage)
    return args, stages, syntax


def _help_above(lines: list[str], from_line: int) -> str:
    """mkgen writes a stage's help as the one comment line right above its FROM (1-based
    `from_line`): read it back, unless it is part of a longer comment."""
    above = lines[from_line - 2].strip() if from_line >= 2 else ""
    before = lines[from_line - 3].strip() if from_line >= 3 else ""
    if above.startswith("# ") and not before.startswith("#") and not _DIRECTIVE.match(above):
        return above[2:].strip()
    return ""


def _q(text: str) -> str:
    # A JSON string is a YAML double-quoted scalar: every value stays exactly the text.
    return json.dumps(text, ensure_ascii=False)


def _block(text: str, indent: str) -> str:
    indicator = "2" if text[:1] in (" ", "\t") else ""
    body = "\n".join(f"{indent}{line}" if line.strip() else "" for line in text.split("\n"))
    return f"|{indicator}\n{body}"


def _secret_ids(stages: list[_Stage]) -> list[str]:
    """The ids of the secrets the stages' RUN instructions mount, in order of appearance."""
    from mkgen.dockerfile_instructions import secrets
    from mkgen.dockerfile_parser import parse_steps

    found: dict[str, None] = {}
    for stage in stages:
        for ins in parse_steps(stage.steps).instructions:
            found.update(dict.fromkeys(s.id for s in secrets(ins) if s.id))
    return list(found)


def adopted_yaml(args: list[tuple[str, str | None]], stages: list[_Stage], syntax: str | None,
                 project: dict[str, str], source_name: str) -> str:
    from_args = {s.from_arg for s in stages if s.from_arg}
    out = [f"# Adopted from {source_name} by `mkgen init --from`. The first `mkgen render --force`",
           "# replaces that hand-written file with the rendered one; from then on, edit this file.",
           "", "project:"]
    out += [f"  {key}: {_q(value)}" for key, value in project.items()]
    if syntax:
        out.append(f"  syntax: {_q(syntax)}")
    secrets = _secret_ids(stages)
    if args or secrets:
        out += ["", "variables:"]
        for name, default in args:
            out.append(f"  {name}:")
            if default and name not in from_args:
                out.append(f"    default: {_q(default.replace('$', '$$'))}")
            out.append("    build_arg: true")
        for secret in secrets:
            name = re.sub(r"\W", "_", secret).upper()
            out += [f"  {name}:", f"    secret_id: {_q(secret)}"]
    out += ["", "stages:"]
    for stage in stages:
        out.append(f"  {stage.name}:")
        out.append(f"    from: {_q(stage.base)}")
        if stage.from_arg:
            out.append(f"    from_arg: {stage.from_arg}")
        if stage.help:
            out.append(f"    help: {_q(stage.help)}")
        if stage.args:
            out.append(f"    args: [{', '.join(stage.args)}]")
        if stage.steps:
            out.append(f"    steps: {_block(stage.steps, '      ')}")
    return "\n".join(out) + "\n"


def from_dockerfile(config_path: Path, dockerfile: Path) -> str:
    """The stages.yaml text that renders `dockerfile` again."""
    try:
        text = dockerfile.read_text(encoding="utf-8")
    except OSError as exc:
        raise AdoptError(f"{dockerfile}: cannot read: {exc.strerror}") from None
    args, stages, syntax = parse(text, dockerfile)
    root = config_path.parent.resolve()
    out_dir = dockerfile.parent.resolve()
    project = {"name": project_name(root),
               "output": Path(os.path.relpath(out_dir, root)).as_posix(),
               "context": Path(os.path.relpath(root, out_dir)).as_posix(),
               "dockerfile": dockerfile.name}
    return adopted_yaml(args, stages, syntax, project, str(dockerfile))
