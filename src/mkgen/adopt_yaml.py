"""The stages.yaml text of an adopted Dockerfile (adopt.Adoption), and for each of its lines
the Dockerfile line it says, so that what validation finds in it can be reported where the
user wrote it: in the Dockerfile.
"""
from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import field

from mkgen.adopt import AdoptedArg, AdoptedSecret, AdoptedStage, Adoption
from mkgen.errors import Problem
from mkgen.records import dataclass

STEPS_INDENT = "      "
# What YAML carries as it is: its printable characters, less the byte order mark and the
# characters YAML reads as line breaks (NEL, LS, PS).
_PRINTABLE = re.compile(r"[\t\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
                        r"\U00010000-\U0010ffff]")


def _q(text: str) -> str:
    """A YAML double-quoted scalar (a JSON string, anything YAML would not carry escaped)
    whose value is exactly `text`."""
    return "".join(ch if ch in '"\\' or _PRINTABLE.match(ch) else f"\\u{ord(ch):04x}"
                   for ch in json.dumps(text, ensure_ascii=False))


def _block_safe(text: str) -> bool:
    """Whether a literal block scalar carries `text` as it is."""
    return all(ch == "\n" or _PRINTABLE.match(ch) for ch in text)


@dataclasses.dataclass
class _Text:
    """YAML lines, each with the Dockerfile line it comes from (None: from no line)."""

    lines: list[str] = field(default_factory=list)
    origins: list[int | None] = field(default_factory=list)

    def add(self, line: str, origin: int | None = None) -> None:
        self.lines.append(line)
        self.origins.append(origin)


@dataclass(frozen=True)
class AdoptedText:
    text: str
    origins: tuple[int | None, ...]  # per line of `text`: its Dockerfile line

    def located(self, problem: Problem, dockerfile: str) -> Problem:
        """`problem` (found in `text`) at its place in the Dockerfile."""
        origin = self.origins[problem.line - 1] if problem.line <= len(self.origins) else None
        col = problem.col - len(STEPS_INDENT) if problem.path.endswith(".steps") else 1
        return Problem(dockerfile, origin or 1, max(col, 1), problem.path, problem.message,
                       problem.hint, problem.severity)


def adopted_yaml(adoption: Adoption, project: dict[str, str], source_name: str) -> AdoptedText:
    out = _Text()
    out.add(f"# Adopted from {source_name} by `mkgen init --from`; `mkgen render` writes it "
            "again from this file")
    out.add("# (docs/adopt.md: what is kept as it was, what is normalised). Edit this file "
            "from now on.")
    if adoption.comments:
        out.add("#")
        out.add(f"# The comments at the top of {source_name}:")
        for line, comment in adoption.comments:
            out.add(comment, line)
    out.add("")
    out.add("project:")
    for key, value in project.items():
        out.add(f"  {key}: {_q(value)}")
    for name, value in adoption.directives:
        out.add(f"  {name}: {_q(value)}", 1)
    if adoption.renamed:
        out.add("")
        out.add("builtins:  # mkgen's own variables of these names, renamed for the ARGs below")
        for old, new in adoption.renamed:
            out.add(f"  {old}: {new}", next(a.line for a in adoption.args if a.name == old))
    if adoption.args or adoption.secrets:
        out.add("")
        out.add("variables:")
    from_args = {s.from_arg for s in adoption.stages if s.from_arg}
    for arg in adoption.args:
        _variable(out, arg, arg.name in from_args)
    for secret in adoption.secrets:
        _secret(out, secret)
    out.add("")
    out.add("stages:")
    for stage in adoption.stages:
        _stage(out, stage)
    return AdoptedText("\n".join(out.lines) + "\n", tuple(out.origins))


def _variable(out: _Text, arg: AdoptedArg, is_from_arg: bool) -> None:
    out.add(f"  {arg.variable}:", arg.line)
    if arg.help:
        out.add(f"    help: {_q(arg.help)}", arg.line - 1)
    if arg.variable != arg.name:
        out.add(f"    arg: {arg.name}", arg.line)
    if arg.default is not None and not is_from_arg:
        out.add(f"    default: {_q(arg.default.replace('$', '$$'))}", arg.line)
    if arg.arg_default is not None:
        out.add(f"    arg_default: {_q(arg.arg_default)}", arg.line)
    out.add("    build_arg: true", arg.line)


def _secret(out: _Text, secret: AdoptedSecret) -> None:
    out.add(f"  {secret.variable}:", secret.line)
    out.add(f"    help: {_q(secret.help)}", secret.line)
    if secret.id == secret.variable:
        out.add("    secret: true", secret.line)
    else:
        out.add(f"    secret_id: {_q(secret.id)}", secret.line)


def _stage(out: _Text, stage: AdoptedStage) -> None:
    out.add(f"  {stage.name}:", stage.line)
    out.add(f"    from: {_q(stage.base)}", stage.line)
    if stage.from_arg:
        out.add(f"    from_arg: {stage.from_arg}", stage.line)
    if stage.platform is not None:
        out.add(f"    platform: {_q(stage.platform)}", stage.line)
    if stage.help:
        out.add(f"    help: {_q(stage.help)}", stage.line - 1)
    if stage.args:
        out.add(f"    args: [{', '.join(stage.args)}]", stage.line + 1)
    if not stage.steps:
        return
    if not _block_safe(stage.steps):
        out.add(f"    steps: {_q(stage.steps)}", stage.steps_line)
        return
    indicator = "2" if stage.steps[:1] in (" ", "\t") else ""
    out.add(f"    steps: |{indicator}", stage.steps_line)
    for offset, line in enumerate(stage.steps.split("\n")):
        out.add(f"{STEPS_INDENT}{line}" if line else "", stage.steps_line + offset)
