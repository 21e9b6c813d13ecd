"""Both readings of one Dockerfile, side by side: mkgen.dockerfile_parser and BuildKit's own Go
parser (the `dockerfile` package, BuildKit v0.12.5's parser compiled for Python).

The package wraps BuildKit's *parser* only. The few checks BuildKit's instruction layer makes
before it builds anything (frontend/dockerfile/instructions/parse.go: unknown instruction, the
shape of FROM and of its stage name, ONBUILD triggers, instructions before the first FROM) are
restated in `buildkit_error` on the package's output, so that "BuildKit rejects it" means what
`docker build` means.
"""
from __future__ import annotations

import re

from mkgen import dockerfile_parser as dp

try:
    import dockerfile
except ImportError:  # pragma: no cover - the test extra installs it
    dockerfile = None

# One instruction: keyword, ONBUILD's trigger keyword, exec form, flags, words, first and last
# line, heredocs (delimiter, file descriptor, body) and BuildKit's `original` text.
View = tuple[str, str | None, bool, tuple[str, ...], tuple[str, ...], int, int,
             tuple[tuple[str, int, str], ...], str]

_STAGE_NAME = re.compile(r"[a-z][a-z0-9_.-]*")


def buildkit_view(text: str) -> list[View]:
    """BuildKit's parse; GoParseError propagates."""
    return [(c.cmd.upper(), c.sub_cmd.upper() if c.sub_cmd else None, c.json, tuple(c.flags),
             tuple(c.value), c.start_line, c.end_line,
             tuple((h.name, h.file_descriptor, h.content) for h in c.heredocs), c.original)
            for c in dockerfile.parse_string(text)]


def our_view(text: str) -> list[View]:
    """mkgen's parse in the same shape; DockerfileSyntaxError propagates."""
    return [_view(ins) for ins in dp.parse(text).instructions]


def _view(ins: dp.Instruction) -> View:
    if ins.keyword == "ONBUILD":
        # The package reports ONBUILD's own flags but its trigger's words and exec form, and
        # it never shows an ONBUILD trigger's heredocs (it reads them from the trigger node,
        # BuildKit keeps them on the ONBUILD node); line numbers still count them.
        trigger = ins.trigger
        return ("ONBUILD", trigger.keyword if trigger else None, bool(trigger and trigger.json),
                tuple(f.text for f in ins.flags), trigger.value if trigger else (),
                ins.start_line, ins.end_line, (), ins.line)
    original = ins.line
    if ins.heredocs:  # BuildKit appends each body and delimiter to the instruction's line
        original += "\n" + "".join(f"{h.body}{h.name}\n" for h in ins.heredocs)
    return (ins.keyword, None, ins.json, tuple(f.text for f in ins.flags), ins.value,
            ins.start_line, ins.end_line, tuple((h.name, h.fd, h.body) for h in ins.heredocs),
            original)


def buildkit_error(text: str) -> str | None:
    """Why BuildKit refuses `text` (its parser, then its instruction layer), or None."""
    try:
        views = buildkit_view(text)
    except dockerfile.GoParseError as exc:
        return str(exc)
    seen_from = False
    for view in views:
        error = instruction_error(view)
        if error is None and not seen_from and view[0] not in ("ARG", "FROM"):
            error = "no build stage in current context"  # instructions.Parse, CurrentStage
        if error:
            return error
        seen_from = seen_from or view[0] == "FROM"
    return None


def instruction_error(view: View) -> str | None:
    keyword, trigger, value, original = view[0], view[1], view[4], view[8]
    if keyword.lower() not in dockerfile.all_cmds():
        return f"unknown instruction: {original.split()[0]}"
    if keyword == "FROM":
        if len(value) == 3 and value[1].lower() == "as":
            if _STAGE_NAME.fullmatch(value[2].lower()):
                return None
            return (f'invalid name for build stage: "{value[2]}", name can\'t start with a '
                    "number or contain symbols")
        return None if len(value) == 1 else "FROM requires either one or three arguments"
    if keyword == "ONBUILD":
        if trigger is None:
            return "ONBUILD requires at least one argument"
        if trigger == "ONBUILD":
            return "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"
        if trigger in ("FROM", "MAINTAINER"):
            return f"{trigger} isn't allowed as an ONBUILD trigger"
    return None


def our_error(text: str) -> str | None:
    try:
        dp.parse(text)
    except dp.DockerfileSyntaxError as exc:
        return exc.message
    return None
