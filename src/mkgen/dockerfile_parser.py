"""Dockerfile syntax as BuildKit reads it: pure Python, standard library only, no I/O.

It follows BuildKit's parser (moby/buildkit, frontend/dockerfile/parser: parser.go,
line_parsers.go, split_command.go, directives.go) rule for rule, quirks included, because
`mkgen init --from` must adopt exactly the files BuildKit builds and `mkgen validate` must
read stages.yaml steps as BuildKit will. After the parse it applies the checks of BuildKit's
instruction layer that say whether a file is a Dockerfile at all (unknown instruction, the
shape of FROM, ONBUILD triggers, instructions before the first FROM). It does not validate
flags or argument counts: BuildKit does that when it builds.

The words of one line are dockerfile_words' business, heredoc bodies dockerfile_heredocs';
what an instruction says (FROM clause, ARG names, mounts) is in dockerfile_instructions, and
variable references in dockerfile_variables. tests/adopt checks all of it against BuildKit's
own Go parser (the `dockerfile` package, a test-only dependency).
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import NamedTuple

from mkgen.dockerfile_heredocs import Heredoc, heredoc_specs, read_heredocs
from mkgen.dockerfile_words import (
    GO_SPACE,
    WHITESPACE,
    Flag,
    Node,
    Reject,
    lstrip,
    node,
    split_command,
)
from mkgen.errors import MkgenError
from mkgen.records import dataclass

KEYWORDS = frozenset({
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
    "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
})
# directives.go; `\s` in Go's regexp is [\t\n\f\r ]. A pattern re compiles at its first use:
# only whole Dockerfiles have directives, and a render reads none.
_DIRECTIVE = (r"#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)"
              r"[\t\n\f\r ]*")
DIRECTIVE_NAMES = ("syntax", "escape", "check")
ESCAPES = ("\\", "`")
_STAGE_NAME = re.compile(r"[a-z][a-z0-9_.-]*")
EMPTY_CONTINUATION = "empty continuation line"
UNTERMINATED_HEREDOC = "unterminated heredoc"
OPEN_CONTINUATION = "ends inside a line continuation"


class DockerfileSyntaxError(MkgenError):
    """What BuildKit itself rejects, at the 1-based line where the instruction starts."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Directive:
    name: str  # lower-case: syntax, check or escape
    value: str
    line: int


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper-case; BuildKit matches keywords case-insensitively
    flags: tuple[Flag, ...]
    arguments: str  # the text after the flags, trimmed
    value: tuple[str, ...]  # BuildKit's parsed words (quotes kept); () for ONBUILD
    json: bool  # exec (JSON) form
    start_line: int
    end_line: int  # with heredocs, the last terminator's line
    line: str  # continuation lines joined as BuildKit joins them; comments left out
    source: str  # the exact text of lines start_line..end_line, line ends included
    heredocs: tuple[Heredoc, ...] = ()
    trigger: Instruction | None = None  # ONBUILD's instruction

    def flag_values(self, name: str) -> tuple[str, ...]:
        return tuple(f.value or "" for f in self.flags if f.name == name)

    def flag(self, name: str) -> str | None:
        values = self.flag_values(name)
        return values[0] if values else None

    @property
    def exec_form(self) -> tuple[str, ...] | None:
        """The JSON list of an exec form (HEALTHCHECK's without its CMD word), else None."""
        if not self.json:
            return None
        return self.value[1:] if self.keyword == "HEALTHCHECK" else self.value


@dataclass(frozen=True, order=True)
class ParseWarning:
    line: int
    message: str


@dataclass(frozen=True)
class Dockerfile:
    directives: tuple[Directive, ...]
    escape: str
    instructions: tuple[Instruction, ...]
    lines: tuple[str, ...]  # every physical line with its line end: "".join(lines) is the text
    warnings: tuple[ParseWarning, ...] = ()

    def directive(self, name: str) -> str | None:
        return next((d.value for d in self.directives if d.name == name), None)


# ---------------------------------------------------------------------------------------------
# Lines: parser.go Parse, processLine, trimContinuationCharacter


def physical_lines(text: str) -> tuple[str, ...]:
    """The text's lines, each with its line end ("\\r" stays, as in BuildKit's scanner)."""
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    return tuple(lines + [parts[-1]] if parts[-1] else lines)


def _trim_newline(line: str) -> str:
    return line.rstrip("\r\n")


def _continuation(escape: str) -> re.Pattern[str]:
    # The escape character (then blanks) ends the line, unless another escape precedes it.
    e = re.escape(escape)
    return re.compile(rf"([^{e}]){e}[ \t]*\Z|^{e}[ \t]*\Z")


def _trim_continuation(line: str, cont: re.Pattern[str]) -> tuple[str, bool]:
    m = cont.search(line)
    if m is None:
        return line, False
    return line[:m.start()] + (m.group(1) or ""), True


class _Logical(NamedTuple):
    start: int
    end: int
    text: str
    blank: tuple[int, ...]  # blank lines inside the continuation (BuildKit warns)
    open: bool  # the text ended while a continuation still asked for a next line


def _next_logical(lines: Sequence[str], i: int,
                  cont: re.Pattern[str]) -> tuple[_Logical | None, int]:
    """The next instruction's logical line from line index `i`, or None at the end."""
    while i < len(lines):
        first = lstrip(_trim_newline(lines[i]))
        i += 1
        text, more = _trim_continuation("" if first.startswith("#") else first, cont)
        if more or text:
            return _continue(lines, i, cont, text, more)
    return None, i


def _continue(lines: Sequence[str], i: int, cont: re.Pattern[str], text: str,
              more: bool) -> tuple[_Logical, int]:
    # Comment lines and blank lines inside a continuation are skipped, as BuildKit does.
    start, pieces, blank = i, [text], []
    while more and i < len(lines):
        raw = _trim_newline(lines[i])
        i += 1
        if lstrip(raw).startswith("#"):
            continue
        if not lstrip(raw):
            blank.append(i)
            continue
        piece, more = _trim_continuation(raw, cont)
        pieces.append(piece)
    return _Logical(start, i, "".join(pieces), tuple(blank), more), i


def _directives(lines: Sequence[str]) -> tuple[tuple[Directive, ...], str]:
    """The parser directives at the top and the escape character they set."""
    found: list[Directive] = []
    escape = "\\"
    for number, raw in enumerate(lines, 1):
        m = re.fullmatch(_DIRECTIVE, lstrip(_trim_newline(raw)))
        if m is None or m.group(1).lower() not in DIRECTIVE_NAMES:
            break
        name, value = m.group(1).lower(), m.group(2)
        if any(d.name == name for d in found):
            raise DockerfileSyntaxError(number, f"only one {name} parser directive can be used")
        if name == "escape":
            if value not in ESCAPES:
                raise DockerfileSyntaxError(
                    number, f"invalid escape token '{value}' does not match ` or \\")
            escape = value
        found.append(Directive(name, value, number))
    return tuple(found), escape


# ---------------------------------------------------------------------------------------------
# Instructions


def _instruction(parsed: Node, line: str, start: int, end: int, source: str,
                 heredocs: tuple[Heredoc, ...]) -> Instruction:
    trigger = None
    if parsed.trigger is not None:
        trigger = _instruction(parsed.trigger, parsed.args, start, end, source, heredocs)
    return Instruction(parsed.cmd.upper(), parsed.flags, parsed.args, parsed.value,
                       parsed.json, start, end, line, source, heredocs, trigger)


class _Read(NamedTuple):
    instruction: Instruction
    logical: _Logical
    problem: str | None  # what BuildKit's parser rejects in it: its words, or its heredocs


def _parsed(text: str, escape: str) -> tuple[Node, str | None]:
    try:
        return node(text, escape), None
    except Reject as exc:
        cmd, flags, args = split_command(text)
        return Node(cmd, flags, args, (), False, None), str(exc)


def _read_all(scan: Sequence[str], lines: Sequence[str], escape: str) -> Iterator[_Read]:
    """Every instruction from the top, with what the parser rejects in each; reading goes on
    after a rejected one, so that a fragment's reader can report them all."""
    cont = _continuation(escape)
    i = 0
    while True:
        logical, i = _next_logical(scan, i, cont)
        if logical is None:
            return
        parsed, problem = _parsed(logical.text, escape)
        specs = heredoc_specs(logical.text) if parsed.takes_heredocs() else ()
        heredocs, i, ended = read_heredocs(scan, i, specs)
        source = "".join(lines[logical.start - 1:i])
        ins = _instruction(parsed, logical.text, logical.start, i, source, heredocs)
        yield _Read(ins, logical, problem or (None if ended else UNTERMINATED_HEREDOC))


def instruction_problem(ins: Instruction) -> str | None:
    """What BuildKit's instruction layer rejects in one parsed instruction."""
    if ins.keyword not in KEYWORDS:
        return f"unknown instruction: {WHITESPACE.split(ins.line.strip(GO_SPACE), 1)[0]}"
    if ins.keyword == "FROM":
        return from_problem(ins.value)
    if ins.keyword == "ONBUILD":
        return _onbuild_problem(ins.trigger)
    return None


def from_problem(value: tuple[str, ...]) -> str | None:
    """What BuildKit's instruction layer rejects in the words of a FROM, or None."""
    if len(value) == 3 and value[1].lower() == "as":
        if _STAGE_NAME.fullmatch(value[2].lower()):
            return None
        return (f'invalid name for build stage: "{value[2]}", name can\'t start with a number '
                "or contain symbols")
    return None if len(value) == 1 else "FROM requires either one or three arguments"


def _onbuild_problem(trigger: Instruction | None) -> str | None:
    if trigger is None:
        return "ONBUILD requires at least one argument"
    if trigger.keyword == "ONBUILD":
        return "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"
    if trigger.keyword in ("FROM", "MAINTAINER"):
        return f"{trigger.keyword} isn't allowed as an ONBUILD trigger"
    return None


def _file_problem(instructions: Sequence[Instruction]) -> tuple[int, str] | None:
    """The first instruction BuildKit's instruction layer rejects, in file order."""
    seen_from = False
    for ins in instructions:
        problem = instruction_problem(ins)
        if problem is None and not seen_from and ins.keyword not in ("ARG", "FROM"):
            problem = "no build stage in current context"
        if problem:
            return ins.start_line, problem
        seen_from = seen_from or ins.keyword == "FROM"
    return None


def parse(text: str) -> Dockerfile:
    """The Dockerfile `text` as BuildKit reads it; DockerfileSyntaxError where BuildKit
    refuses it."""
    lines = physical_lines(text)
    scan = (lines[0].removeprefix("\ufeff"), *lines[1:]) if lines else lines
    directives, escape = _directives(scan)
    found = list(_read_all(scan, lines, escape))
    for read in found:  # BuildKit parses the whole file before it checks instructions
        if read.problem:
            raise DockerfileSyntaxError(read.instruction.start_line, read.problem)
    if not found:
        raise DockerfileSyntaxError(max(len(lines), 1), "file with no instructions")
    instructions = tuple(read.instruction for read in found)
    problem = _file_problem(instructions)
    if problem:
        raise DockerfileSyntaxError(*problem)
    warnings = tuple(ParseWarning(n, EMPTY_CONTINUATION) for read in found
                     for n in read.logical.blank)
    return Dockerfile(directives, escape, instructions, lines, warnings)


# ---------------------------------------------------------------------------------------------
# Fragments: the steps of a stages.yaml stage


@dataclass(frozen=True)
class Steps:
    """Dockerfile text that mkgen writes between a FROM and the next one, read as BuildKit
    will read it there. Lines are 1-based within the text."""

    instructions: tuple[Instruction, ...]  # unknown keywords and FROM kept, for the caller
    problems: tuple[ParseWarning, ...]  # what BuildKit would refuse
    warnings: tuple[ParseWarning, ...]  # what BuildKit warns about


@lru_cache(maxsize=4096)
def parse_steps(text: str, escape: str = "\\") -> Steps:
    """Read a stage's steps; never raises. Besides what BuildKit refuses in any file, a
    fragment must end where its last instruction ends: a continuation left open, or a heredoc
    left unterminated, would swallow the next stage's FROM."""
    lines = physical_lines(text)
    problems: list[ParseWarning] = []
    warnings: list[ParseWarning] = []
    found = []
    for read in _read_all(lines, lines, escape):
        ins = read.instruction
        found.append(ins)
        if read.problem:
            problems.append(ParseWarning(ins.start_line, read.problem))
        elif ins.keyword in KEYWORDS and ins.keyword != "FROM":
            problem = instruction_problem(ins)
            if problem:
                problems.append(ParseWarning(ins.start_line, problem))
        if read.logical.open:
            problems.append(ParseWarning(read.logical.end, f"{OPEN_CONTINUATION} ('{escape}' at "
                                         "the end of a line)"))
        warnings += [ParseWarning(n, EMPTY_CONTINUATION) for n in read.logical.blank]
    return Steps(tuple(found), tuple(problems), tuple(warnings))
