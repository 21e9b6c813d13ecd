"""Variables in Dockerfile words, as BuildKit's shell lexer reads them
(moby/buildkit frontend/dockerfile/shell/lex.go): which names a word refers to, its value
for given variables, and which variables an instruction uses.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence

from mkgen.dockerfile_parser import Instruction
from mkgen.errors import MkgenError
from mkgen.records import dataclass

# The Dockerfile reference ("Environment replacement") lists the instructions whose words
# BuildKit expands; ARG is not in that list but BuildKit expands its defaults as well, which
# is what makes `ARG BASE=golang:${GO_VERSION}` work.
EXPANDS = frozenset({
    "ADD", "ARG", "COPY", "ENV", "EXPOSE", "FROM", "LABEL", "ONBUILD", "STOPSIGNAL", "USER",
    "VOLUME", "WORKDIR",
})
# BuildKit defines these for every build ("Automatic platform ARGs in the global scope"):
# FROM lines and global ARG defaults see them; a stage sees one only after `ARG NAME`.
AUTOMATIC_ARGS = frozenset({
    "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
    "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT",
})
_IDENTIFIER = re.compile(r"[^\W\d]\w*")
# After `$` (or `${`): positional digits, one special parameter, or a name.
_NAME = re.compile(r"[0-9]+|[@*#?$!-]|[^\W\d]\w*")
# After `${NAME`: the end, or the operator of a substitution.
_MODIFIER = re.compile(r"}|:[-+?]|##|%%|//|[-+?#%/]")
# Shell text (RUN): every unescaped $NAME or ${NAME...}, quoted or not.
_SHELL_REF = re.compile(r"(?<!\\)\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))")


class ExpansionError(MkgenError):
    """A word whose variables cannot be expanded (`${X` without `}`, `${X:?why}` unset)."""


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


def is_literal(word: str, escape: str = "\\") -> bool:
    """Whether the word refers to no variable at all (`$1` and `$@` count), so that its
    value is the same in every build: `expand(word, {})`."""
    return not any(isinstance(p, _Var) for p in _Lexer(word, escape).pieces())


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

