"""Dockerfile syntax as BuildKit reads it: pure Python, standard library only, no I/O.

It follows BuildKit's parser (moby/buildkit, frontend/dockerfile/parser: parser.go,
line_parsers.go, split_command.go, directives.go) rule for rule, quirks included, because
`mkgen init --from` must adopt exactly the files BuildKit builds; after the parse it applies
the checks of BuildKit's instruction layer that say whether a file is a Dockerfile at all
(unknown instruction, the shape of FROM, ONBUILD triggers). It does not validate flags or
argument counts: BuildKit does that when it builds, and adoption keeps those lines as they are.

tests/unit/test_dockerfile_syntax.py checks it against BuildKit's own Go parser (the
`dockerfile` package, a test-only dependency: it has no wheel for every platform).
"""
from __future__ import annotations

import csv
import json
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from mkgen.errors import MkgenError

KEYWORDS = frozenset({
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
    "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
})
# The Dockerfile reference ("Environment replacement") lists the instructions whose words
# BuildKit expands; ARG is not in that list but BuildKit expands its defaults as well, which
# is what makes `ARG BASE=golang:${GO_VERSION}` work.
EXPANDS = frozenset({
    "ADD", "ARG", "COPY", "ENV", "EXPOSE", "FROM", "LABEL", "ONBUILD", "STOPSIGNAL", "USER",
    "VOLUME", "WORKDIR",
})
# BuildKit defines these for every build ("Automatic platform ARGs in the global scope").
AUTOMATIC_ARGS = frozenset({
    "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
    "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT",
})
# parser.go heredocDirectives: the only instructions whose `<<WORD` starts a heredoc.
HEREDOC_KEYWORDS = frozenset({"ADD", "COPY", "RUN"})

# Go's unicode.IsSpace, which BuildKit uses to trim lines and to split words.
_GO_SPACE = ("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
             "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
# parser.go reWhitespace: what separates a keyword from its arguments, and list items.
_WHITESPACE = re.compile(r"[\t\v\f\r ]+")
# directives.go; `\s` in Go's regexp is [\t\n\f\r ].
_DIRECTIVE = re.compile(r"#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)"
                        r"[\t\n\f\r ]*")
_DIRECTIVE_NAMES = ("syntax", "check", "escape")
_HEREDOC = re.compile(r"([0-9]*)<<(-?)([^<]*)")
# After `${`: a name (digits, one special parameter, or letters) and then `}` or a modifier;
# anything else is a lexing error, and BuildKit then finds no heredoc on that line.
_BRACE = re.compile(r"\$\{(?:[0-9]+|[@*#?$!-]|[^\W\d]\w*)?[}:+?=#%/-]")
_LEADING_TABS = re.compile(r"^\t+", re.MULTILINE)
_STAGE_NAME = re.compile(r"[a-z][a-z0-9_.-]*")
_IDENTIFIER = re.compile(r"[^\W\d]\w*")
# After `$` (or `${`): positional digits, one special parameter, or a name.
_NAME = re.compile(r"[0-9]+|[@*#?$!-]|[^\W\d]\w*")
# After `${NAME`: the end, or the operator of a substitution.
_MODIFIER = re.compile(r"}|:[-+?]|##|%%|//|[-+?#%/]")
# Shell text (RUN): every unescaped $NAME or ${NAME...}, quoted or not.
_SHELL_REF = re.compile(r"(?<!\\)\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))")
_NOT_STRINGS = "when using JSON array syntax, arrays must be comprised of strings only"


class DockerfileSyntaxError(MkgenError):
    """What BuildKit itself rejects, at the 1-based line where the instruction starts."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


class ExpansionError(MkgenError):
    """A word whose variables cannot be expanded (`${X` without `}`, `${X:?why}` unset)."""


class _Reject(Exception):
    """A parser-level rejection; the caller knows the line."""


@dataclass(frozen=True)
class Directive:
    name: str  # lower-case: syntax, check or escape
    value: str
    line: int


@dataclass(frozen=True)
class Flag:
    name: str
    value: str | None  # None for a bare `--name`

    @property
    def text(self) -> str:
        return f"--{self.name}" if self.value is None else f"--{self.name}={self.value}"


@dataclass(frozen=True)
class Heredoc:
    name: str
    body: str  # the lines between the instruction and the terminator, exactly
    strip_tabs: bool  # `<<-`: leading tabs leave the body and the terminator
    quoted: bool  # `<<'EOF'`, `<<"EOF"`: BuildKit leaves the body unexpanded
    fd: int  # `3<<EOF`
    start_line: int  # the first body line (the terminator's line when the body is empty)
    end_line: int  # the terminator's line

    @property
    def content(self) -> str:
        """The body as the build sees it: with `<<-`, leading tabs removed."""
        return _LEADING_TABS.sub("", self.body) if self.strip_tabs else self.body


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


@dataclass(frozen=True)
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


def _physical_lines(text: str) -> tuple[str, ...]:
    # BuildKit's scanner splits at "\n" only; "\r" stays part of the line until trimmed.
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    return tuple(lines + [parts[-1]] if parts[-1] else lines)


def _trim_newline(line: str) -> str:
    return line.rstrip("\r\n")


def _lstrip(text: str) -> str:
    return text.lstrip(_GO_SPACE)


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


def _next_logical(lines: Sequence[str], i: int,
                  cont: re.Pattern[str]) -> tuple[_Logical | None, int]:
    """The next instruction's logical line from line index `i`, or None at the end."""
    while i < len(lines):
        first = _lstrip(_trim_newline(lines[i]))
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
        if _lstrip(raw).startswith("#"):
            continue
        if not _lstrip(raw):
            blank.append(i)
            continue
        piece, more = _trim_continuation(raw, cont)
        pieces.append(piece)
    return _Logical(start, i, "".join(pieces), tuple(blank)), i


def _directives(lines: Sequence[str]) -> tuple[tuple[Directive, ...], str]:
    """The parser directives at the top and the escape character they set."""
    found: list[Directive] = []
    escape = "\\"
    for number, raw in enumerate(lines, 1):
        m = _DIRECTIVE.fullmatch(_lstrip(_trim_newline(raw)))
        if m is None or m.group(1).lower() not in _DIRECTIVE_NAMES:
            break
        name, value = m.group(1).lower(), m.group(2)
        if any(d.name == name for d in found):
            raise DockerfileSyntaxError(number, f"only one {name} parser directive can be used")
        if name == "escape":
            if value not in ("\\", "`"):
                raise DockerfileSyntaxError(
                    number, f"invalid escape token '{value}' does not match ` or \\")
            escape = value
        found.append(Directive(name, value, number))
    return tuple(found), escape


# ---------------------------------------------------------------------------------------------
# Words of one logical line: split_command.go, line_parsers.go


def _split_command(line: str) -> tuple[str, tuple[Flag, ...], str]:
    parts = _WHITESPACE.split(line.strip(_GO_SPACE), maxsplit=1)
    if len(parts) < 2:
        return parts[0], (), ""
    args, flags = _builder_flags(parts[1])
    return parts[0], tuple(_flag(f) for f in flags), args.strip(_GO_SPACE)


def _flag(word: str) -> Flag:
    name, eq, value = word[2:].partition("=")
    return Flag(name, value if eq else None)


def _builder_flags(text: str) -> tuple[str, list[str]]:
    """The leading `--name[=value]` words and the rest; a lone `--` ends the flags."""
    flags: list[str] = []
    pos = 0
    while True:
        while pos < len(text) and text[pos] in _GO_SPACE:
            pos += 1
        if not text.startswith("--", pos):
            return text[pos:], flags
        word, pos = _flag_word(text, pos)
        if word == "--":
            return text[pos:], flags
        flags.append(word)


def _flag_word(text: str, pos: int) -> tuple[str, int]:
    # Quotes are removed and `\` takes the next character as it is, in quotes or not.
    out: list[str] = []
    quote = ""
    while pos < len(text) and (quote or text[pos] not in _GO_SPACE):
        ch = text[pos]
        if ch == "\\":
            out.append(text[pos + 1:pos + 2])
            pos += 2
            continue
        if quote and ch == quote:
            quote = ""
        elif not quote and ch in "'\"":
            quote = ch
        else:
            out.append(ch)
        pos += 1
    return "".join(out), min(pos, len(text))


def _words(text: str, escape: str) -> tuple[str, ...]:
    """parseWords: split at blanks outside quotes, keeping the quotes and escapes."""
    words: list[str] = []
    word, quote, blank_ok, pos = "", "", False, 0
    while pos < len(text):
        ch = text[pos]
        if not quote and ch in _GO_SPACE:
            if blank_ok or word:
                words.append(word)
            word, blank_ok, pos = "", False, pos + 1
            continue
        if ch == escape and quote != "'":
            if pos + 1 == len(text):  # an escape at the very end is dropped
                break
            word, pos = word + text[pos:pos + 2], pos + 2
            continue
        if quote and ch == quote:
            quote = ""
        elif not quote and ch in "'\"":
            quote, blank_ok = ch, True
        word, pos = word + ch, pos + 1
    if blank_ok or word:
        words.append(word)
    return tuple(words)


def _json_array(text: str) -> tuple[str, ...] | None:
    text = _lstrip(text)
    if not text.startswith("["):
        return None
    try:
        items = json.loads(text, parse_constant=_no_constant)
    except ValueError:
        return None  # not JSON: the shell form
    if not all(isinstance(item, str) for item in items):
        raise _Reject(_NOT_STRINGS)
    return tuple(items)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")  # Go's encoding/json has no NaN or Infinity


Parsed = tuple[tuple[str, ...], bool]


def _maybe_json(args: str, escape: str) -> Parsed:
    if not args:
        return (), False
    items = _json_array(args)
    return (items, True) if items is not None else ((args,), False)


def _maybe_json_list(args: str, escape: str) -> Parsed:
    items = _json_array(args)
    return (items, True) if items is not None else (_whitespace_list(args, escape)[0], False)


def _whitespace_list(args: str, escape: str) -> Parsed:
    return (tuple(_WHITESPACE.split(args)) if args else ()), False


def _string(args: str, escape: str) -> Parsed:
    return ((args,) if args else ()), False


def _name_or_name_value(args: str, escape: str) -> Parsed:
    return _words(args, escape), False


def _name_value(keyword: str) -> Callable[[str, str], Parsed]:
    def parse(args: str, escape: str) -> Parsed:
        words = _words(args, escape)
        if not words:
            return (), False
        if "=" not in words[0]:  # the old `ENV NAME value with blanks` form
            parts = _WHITESPACE.split(args, maxsplit=1)
            if len(parts) < 2:
                raise _Reject(f"{keyword} must have two arguments")
            return (parts[0], parts[1]), False
        out: list[str] = []
        for word in words:
            if "=" not in word:
                raise _Reject(f"Syntax error - can't find = in {json.dumps(word)}. "
                              "Must be of the form: name=value")
            out.extend(word.split("=", 1))
        return tuple(out), False
    return parse


def _health(args: str, escape: str) -> Parsed:
    sep = next((i for i, ch in enumerate(args) if ch in _GO_SPACE), len(args))
    if sep == 0:
        return (), False
    command, is_json = _maybe_json(_lstrip(args[sep:]), escape)
    return (args[:sep], *command), is_json


_PARSERS = {
    "ADD": _maybe_json_list, "ARG": _name_or_name_value, "CMD": _maybe_json,
    "COPY": _maybe_json_list, "ENTRYPOINT": _maybe_json, "ENV": _name_value("ENV"),
    "EXPOSE": _whitespace_list, "FROM": _whitespace_list, "HEALTHCHECK": _health,
    "LABEL": _name_value("LABEL"), "MAINTAINER": _string, "RUN": _maybe_json,
    "SHELL": _maybe_json, "STOPSIGNAL": _string, "USER": _string, "VOLUME": _maybe_json_list,
    "WORKDIR": _string,
}


class _Node(NamedTuple):
    cmd: str
    flags: tuple[Flag, ...]
    args: str
    value: tuple[str, ...]
    json: bool
    trigger: _Node | None

    def takes_heredocs(self) -> bool:
        node = self.trigger if self.cmd.upper() == "ONBUILD" and self.trigger else self
        return node.cmd.upper() in HEREDOC_KEYWORDS and not node.json


def _node(line: str, escape: str) -> _Node:
    cmd, flags, args = _split_command(line)
    keyword = cmd.upper()
    if keyword == "ONBUILD":
        trigger = _node(args, escape) if args else None
        return _Node(cmd, flags, args, (), False, trigger)
    parser = _PARSERS.get(keyword)
    value, is_json = parser(args, escape) if parser else ((), False)
    return _Node(cmd, flags, args, value, is_json, None)


# ---------------------------------------------------------------------------------------------
# Heredocs: parser.go heredocsFromLine, heredocFromMatch


class _Spec(NamedTuple):
    name: str
    strip_tabs: bool
    quoted: bool
    fd: int


def _heredoc_specs(line: str) -> tuple[_Spec, ...]:
    specs = (_heredoc_spec(word) for word in _shell_words(line) or ())
    return tuple(s for s in specs if s is not None)


def _heredoc_spec(word: str) -> _Spec | None:
    m = _HEREDOC.fullmatch(word)
    if m is None or not m.group(3):
        return None
    name, quoted = _unquote(m.group(3))
    if not name:
        return None
    return _Spec(name, m.group(2) == "-", quoted, int(m.group(1) or 0))


def _shell_words(line: str) -> list[str] | None:
    """The line's words as BuildKit's shell lexer splits it for heredocs (quotes and escapes
    kept), or None where that lexer fails (an unclosed quote): then no heredoc is found."""
    words: list[str] = []
    word, pos = "", 0
    while pos < len(line):
        if line[pos] in _GO_SPACE:
            if word:
                words.append(word)
            word, pos = "", pos + 1
            continue
        end = _piece_end(line, pos)
        if end is None:
            return None
        word, pos = word + line[pos:end], end
    return words + [word] if word else words


def _piece_end(line: str, pos: int) -> int | None:
    ch = line[pos]
    if ch == "\\":
        return min(pos + 2, len(line))
    if ch == "'":
        end = line.find("'", pos + 1)
        return None if end < 0 else end + 1
    if ch == '"':
        return _double_quote_end(line, pos + 1)
    if line.startswith("${", pos):
        m = _BRACE.match(line, pos)
        return m.end() if m else None
    return pos + 1


def _double_quote_end(line: str, pos: int) -> int | None:
    while pos < len(line):
        if line[pos] == '"':
            return pos + 1
        if line.startswith("${", pos) and not _BRACE.match(line, pos):
            return None
        pos += 2 if line[pos] == "\\" else 1
    return None


def _unquote(word: str) -> tuple[str, bool]:
    """A heredoc delimiter as BuildKit reads it (quotes removed, escapes applied), and whether
    any part of it was quoted."""
    out: list[str] = []
    quoted, pos = False, 0
    while pos < len(word):
        ch = word[pos]
        if ch in "'\"":
            end = _closing_quote(word, pos)
            out.append(_inside_quotes(word[pos + 1:end], ch))
            quoted, pos = True, end + 1
        elif ch == "\\":
            out.append(word[pos + 1:pos + 2])
            pos += 2
        else:
            out.append(ch)
            pos += 1
    return "".join(out), quoted


def _closing_quote(word: str, pos: int) -> int:
    quote, pos = word[pos], pos + 1
    while word[pos] != quote:
        pos += 2 if quote == '"' and word[pos] == "\\" else 1
    return pos


def _inside_quotes(text: str, quote: str) -> str:
    if quote == "'":
        return text
    return re.sub(r'\\([\\"$])', r"\1", text)


def _read_heredocs(lines: Sequence[str], i: int, specs: tuple[_Spec, ...], start: int,
                   strict: bool) -> tuple[tuple[Heredoc, ...], int]:
    docs = []
    for spec in specs:
        doc, i = _read_heredoc(lines, i, spec, start, strict)
        docs.append(doc)
    return tuple(docs), i


def _read_heredoc(lines: Sequence[str], i: int, spec: _Spec, start: int,
                  strict: bool) -> tuple[Heredoc, int]:
    first, body = i + 1, []
    while i < len(lines):
        raw = lines[i]
        i += 1
        end = _trim_newline(raw)
        if (end.lstrip("\t") if spec.strip_tabs else end) == spec.name:
            return Heredoc(spec.name, "".join(body), spec.strip_tabs, spec.quoted, spec.fd,
                           first, i), i
        body.append(raw)
    if strict:
        raise DockerfileSyntaxError(start, "unterminated heredoc")
    return Heredoc(spec.name, "".join(body), spec.strip_tabs, spec.quoted, spec.fd, first, i), i


# ---------------------------------------------------------------------------------------------
# The file


def _instruction(node: _Node, line: str, start: int, end: int, source: str,
                 heredocs: tuple[Heredoc, ...]) -> Instruction:
    trigger = None
    if node.trigger is not None:
        trigger = _instruction(node.trigger, node.args, start, end, source, heredocs)
    return Instruction(node.cmd.upper(), node.flags, node.args, node.value, node.json, start,
                       end, line, source, heredocs, trigger)


def _parsed_node(logical: _Logical, escape: str, strict: bool) -> _Node:
    try:
        return _node(logical.text, escape)
    except _Reject as exc:
        if strict:
            raise DockerfileSyntaxError(logical.start, str(exc)) from None
        cmd, flags, args = _split_command(logical.text)
        return _Node(cmd, flags, args, (), False, None)


def _read_all(scan: Sequence[str], lines: Sequence[str], escape: str,
              strict: bool) -> Iterator[tuple[Instruction, _Logical]]:
    cont = _continuation(escape)
    i = 0
    while True:
        logical, i = _next_logical(scan, i, cont)
        if logical is None:
            return
        node = _parsed_node(logical, escape, strict)
        specs = _heredoc_specs(logical.text) if node.takes_heredocs() else ()
        heredocs, i = _read_heredocs(scan, i, specs, logical.start, strict)
        source = "".join(lines[logical.start - 1:i])
        yield _instruction(node, logical.text, logical.start, i, source, heredocs), logical


def _problem(ins: Instruction) -> str | None:
    """What BuildKit's instruction layer rejects in a parsed instruction."""
    if ins.keyword not in KEYWORDS:
        return f"unknown instruction: {_WHITESPACE.split(ins.line.strip(_GO_SPACE), 1)[0]}"
    if ins.keyword == "FROM":
        return _from_problem(ins.value)
    if ins.keyword == "ONBUILD":
        return _onbuild_problem(ins.trigger)
    return None


def _from_problem(value: tuple[str, ...]) -> str | None:
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


def parse(text: str) -> Dockerfile:
    """The Dockerfile `text` as BuildKit reads it; DockerfileSyntaxError where BuildKit
    refuses it."""
    lines = _physical_lines(text)
    scan = (lines[0].removeprefix("\ufeff"), *lines[1:]) if lines else lines
    directives, escape = _directives(scan)
    found = list(_read_all(scan, lines, escape, strict=True))
    if not found:
        raise DockerfileSyntaxError(max(len(lines), 1), "file with no instructions")
    for ins, _ in found:
        problem = _problem(ins)
        if problem:
            raise DockerfileSyntaxError(ins.start_line, problem)
    warnings = tuple(ParseWarning(n, "empty continuation line") for _, logical in found
                     for n in logical.blank)
    return Dockerfile(directives, escape, tuple(ins for ins, _ in found), lines, warnings)


# ---------------------------------------------------------------------------------------------
# Accessors


@dataclass(frozen=True)
class FromClause:
    image: str
    name: str | None  # as written
    platform: str | None

    @property
    def key(self) -> str | None:
        """The stage name as BuildKit matches it (`AS Builder` is `--from=builder`)."""
        return self.name.lower() if self.name is not None else None


def from_clause(ins: Instruction) -> FromClause:
    if ins.keyword != "FROM" or _from_problem(ins.value):
        raise ValueError(f"not a valid FROM instruction: {ins.line!r}")
    name = ins.value[2] if len(ins.value) == 3 else None
    return FromClause(ins.value[0], name, ins.flag("platform"))


@dataclass(frozen=True)
class ArgDecl:
    name: str
    default: str | None  # as written, quotes kept: `ARG X=""` is '""', `ARG X` is None

    def value(self, env: Mapping[str, str], escape: str = "\\") -> str | None:
        """The default as BuildKit computes it: quotes removed, variables from `env`."""
        return None if self.default is None else expand(self.default, env, escape)


def arg_declarations(ins: Instruction) -> tuple[ArgDecl, ...]:
    if ins.keyword != "ARG":
        return ()
    out = []
    for word in ins.value:
        name, eq, default = word.partition("=")
        out.append(ArgDecl(name, default if eq else None))
    return tuple(out)


def env_pairs(ins: Instruction) -> tuple[tuple[str, str], ...]:
    """(name, value as written) of ENV and LABEL, in either form (`K=v ...`, `K v w`)."""
    if ins.keyword not in ("ENV", "LABEL"):
        return ()
    return tuple(zip(ins.value[::2], ins.value[1::2], strict=True))


@dataclass(frozen=True)
class Mount:
    fields: tuple[tuple[str, str | None], ...]  # in order; keys lower-case; None: bare key

    def get(self, key: str) -> str | None:
        return next((v for k, v in self.fields if k == key), None)

    def has(self, key: str) -> bool:
        return any(k == key for k, _ in self.fields)

    @property
    def type(self) -> str:
        return self.get("type") or "bind"  # BuildKit's default mount type


def parse_mount(spec: str) -> Mount:
    """A `--mount=` value: comma-separated `key=value` fields, CSV-quoted where needed."""
    row = next(csv.reader([spec]), [])
    fields = []
    for item in row:
        key, eq, value = item.partition("=")
        fields.append((key.lower(), value if eq else None))
    return Mount(tuple(fields))


def mounts(ins: Instruction) -> tuple[Mount, ...]:
    return tuple(parse_mount(v) for v in ins.flag_values("mount")) if ins.keyword == "RUN" else ()


@dataclass(frozen=True)
class Secret:
    id: str  # what the build asks the client for (`docker build --secret id=...`)
    env: str | None  # the variable it is exposed as, if any
    target: str | None  # the file it is mounted at, if any
    required: bool


def secret(mount: Mount) -> Secret | None:
    """The secret a `type=secret` mount asks for; its id defaults to the target's basename."""
    if mount.type != "secret":
        return None
    target = mount.get("target") or mount.get("dst") or mount.get("destination")
    ident = (mount.get("id") or mount.get("source") or mount.get("src")
             or (posixpath.basename(target) if target else ""))
    env = mount.get("env")
    if not target and not env:
        target = f"/run/secrets/{ident}"
    required = mount.has("required") and (mount.get("required") or "true").lower() in (
        "1", "t", "true")
    return Secret(ident, env, target, required)


def secrets(ins: Instruction) -> tuple[Secret, ...]:
    found = (secret(m) for m in mounts(ins))
    return tuple(s for s in found if s is not None)


# ---------------------------------------------------------------------------------------------
# Variables: BuildKit's shell lexer (frontend/dockerfile/shell/lex.go)


@dataclass(frozen=True)
class _Var:
    name: str
    op: str  # "", "-", ":-", "+", ":+", "?", ":?", or a pattern operator (# ## % %% / //)
    word: tuple[str | _Var, ...] = ()


class _Lexer:
    """One word, as BuildKit's lexer reads it: quotes, escapes and `$` references."""

    def __init__(self, text: str, escape: str) -> None:
        self.text, self.escape, self.pos = text, escape, 0

    def pieces(self, stop: str = "") -> tuple[str | _Var, ...]:
        out: list[str | _Var] = []
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            self.pos += 1
            if ch == stop:
                return tuple(out)
            out.extend(self._piece(ch))
        if stop:
            raise ExpansionError(f"missing '{stop}' in {self.text!r}")
        return tuple(out)

    def _piece(self, ch: str) -> list[str | _Var]:
        if ch == self.escape:
            self.pos += 1
            return [self.text[self.pos - 1:self.pos]]
        if ch == "'":
            return [self._single()]
        if ch == '"':
            return self._double()
        return [self._dollar()] if ch == "$" else [ch]

    def _single(self) -> str:
        end = self.text.find("'", self.pos)
        if end < 0:
            raise ExpansionError(f"missing closing single quote in {self.text!r}")
        text, self.pos = self.text[self.pos:end], end + 1
        return text

    def _double(self) -> list[str | _Var]:
        out: list[str | _Var] = []
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            self.pos += 1
            if ch == '"':
                return out
            nxt = self.text[self.pos:self.pos + 1]
            if ch == self.escape and nxt and nxt in ('"', "$", self.escape):
                out.append(nxt)
                self.pos += 1
            else:
                out.append(self._dollar() if ch == "$" else ch)
        raise ExpansionError(f"missing closing double quote in {self.text!r}")

    def _dollar(self) -> str | _Var:
        if self.text.startswith("{", self.pos):
            self.pos += 1
            return self._brace()
        name = self._name()
        return _Var(name, "") if name else "$"

    def _name(self) -> str:
        m = _NAME.match(self.text, self.pos)
        if m is None:
            return ""
        self.pos = m.end()
        return m.group()

    def _brace(self) -> _Var:
        name = self._name()
        m = _MODIFIER.match(self.text, self.pos)
        if not name or m is None:
            raise ExpansionError(f"bad substitution in {self.text!r}")
        self.pos = m.end()
        if m.group() == "}":
            return _Var(name, "")
        return _Var(name, m.group(), self.pieces("}"))


def _names(pieces: Sequence[str | _Var]) -> Iterator[str]:
    for piece in pieces:
        if isinstance(piece, _Var):
            if _IDENTIFIER.fullmatch(piece.name):
                yield piece.name
            yield from _names(piece.word)


def references(word: str, escape: str = "\\") -> tuple[str, ...]:
    """Names a word refers to (`$X`, `${X}`, `${X:-${Y}}`...), in order, as BuildKit's
    lexer reads them: not in single quotes, not after the escape character."""
    return tuple(dict.fromkeys(_names(_Lexer(word, escape).pieces())))


def expand(word: str, env: Mapping[str, str], escape: str = "\\") -> str:
    """The word as BuildKit computes it: quotes removed, escapes applied, variables from
    `env` (unset ones are empty), with `${X:-w}`, `${X-w}`, `${X:+w}`, `${X+w}`, `${X:?w}`."""
    return _evaluate(_Lexer(word, escape).pieces(), env)


def _evaluate(pieces: Sequence[str | _Var], env: Mapping[str, str]) -> str:
    return "".join(p if isinstance(p, str) else _substitute(p, env) for p in pieces)


def _substitute(var: _Var, env: Mapping[str, str]) -> str:
    value = env.get(var.name)
    # With a colon, an empty value counts as unset.
    missing = value is None or (var.op.startswith(":") and value == "")
    operator = var.op.lstrip(":")
    if operator == "":
        return value or ""
    if operator == "-":
        return _evaluate(var.word, env) if missing else value or ""
    if operator == "+":
        return "" if missing else _evaluate(var.word, env)
    if operator == "?":
        if missing:
            raise ExpansionError(f"{var.name}: {_evaluate(var.word, env) or 'is not set'}")
        return value or ""
    raise ExpansionError(f"${{{var.name}{var.op}...}} is not supported by mkgen's expansion")


def _shell_references(text: str) -> list[str]:
    return [m.group(1) or m.group(2) for m in _SHELL_REF.finditer(text)]


def uses(ins: Instruction, escape: str = "\\") -> tuple[str, ...]:
    """Variables an instruction uses: in its flags and words where BuildKit expands them, and
    for RUN every reference in the shell text and heredoc bodies (a nested `sh -c '...'`
    still expands single-quoted ones)."""
    if ins.keyword == "ONBUILD":
        return uses(ins.trigger, escape) if ins.trigger else ()
    if ins.keyword not in EXPANDS and ins.keyword != "RUN":
        return ()
    names = [n for f in ins.flags if f.value for n in references(f.value, escape)]
    if ins.keyword == "RUN":
        for text in (ins.arguments, *(h.body for h in ins.heredocs)):
            names += _shell_references(text)
    else:
        names += [n for word in ins.value for n in references(word, escape)]
        names += [n for h in ins.heredocs if not h.quoted for n in _shell_references(h.body)]
    return tuple(dict.fromkeys(names))


# ---------------------------------------------------------------------------------------------
# The functions of mkgen.dockerfile, for stages.yaml steps (fragments: no directives, no FROM
# shape, unknown keywords kept for the validator to report)

INSTRUCTIONS = KEYWORDS - {"FROM"}


def instructions(text: str) -> list[tuple[int, str]]:
    """(line offset, instruction text) for each instruction; comments, blank lines and
    heredoc bodies are never instructions."""
    lines = _physical_lines(text)
    return [(ins.start_line - 1, ins.line) for ins, _ in _read_all(lines, lines, "\\", False)]


def keyword(instruction: str) -> str:
    return instruction.split(None, 1)[0].upper() if instruction.strip() else ""


def _lenient(instruction: str) -> Instruction:
    cmd, flags, args = _split_command(instruction)
    return Instruction(cmd.upper(), flags, args, (), False, 1, 1, instruction, instruction)


def stage_references(instruction: str) -> list[str]:
    """Stages (or images) named by `COPY --from=`, `ADD --from=` and `RUN --mount=...,from=`."""
    ins = _lenient(instruction)
    if ins.keyword in ("COPY", "ADD"):
        return [v for v in ins.flag_values("from") if v]
    return [m.get("from") or "" for m in mounts(ins) if m.get("from")]


def secret_ids(instruction: str) -> list[str]:
    """Ids of the secrets `RUN --mount=type=secret,...` asks for (`id`, else `source`, else
    the target's basename, as BuildKit derives it)."""
    return [s.id for s in secrets(_lenient(instruction)) if s.id]


def declared_args(instruction: str) -> list[str]:
    """Names an `ARG` instruction declares (`ARG A=1 B`)."""
    ins = _lenient(instruction)
    if ins.keyword != "ARG":
        return []
    return [word.partition("=")[0] for word in _words(ins.arguments, "\\")]
