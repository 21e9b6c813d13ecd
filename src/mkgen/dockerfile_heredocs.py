"""Heredocs as BuildKit reads them (moby/buildkit frontend/dockerfile/parser: parser.go
heredocsFromLine, heredocFromMatch): which `<<WORD`s of an instruction line start one, and
the body lines up to each terminator.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from mkgen.dockerfile_words import GO_SPACE
from mkgen.records import dataclass

_HEREDOC = re.compile(r"([0-9]*)<<(-?)([^<]*)")
# After `${`: a name (digits, one special parameter, or letters) and then `}` or a modifier;
# anything else is a lexing error, and BuildKit then finds no heredoc on that line.
_BRACE = re.compile(r"\$\{(?:[0-9]+|[@*#?$!-]|[^\W\d]\w*)?[}:+?=#%/-]")
_LEADING_TABS = re.compile(r"^\t+", re.MULTILINE)


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


class Spec(NamedTuple):
    """A `<<WORD` that starts a heredoc: its delimiter and how the body is read."""

    name: str
    strip_tabs: bool
    quoted: bool
    fd: int


def heredoc_specs(line: str) -> tuple[Spec, ...]:
    if "<<" not in line:
        return ()  # each word is a piece of the line: none can be `<<NAME`
    specs = (_heredoc_spec(word) for word in _shell_words(line) or ())
    return tuple(s for s in specs if s is not None)


def _heredoc_spec(word: str) -> Spec | None:
    m = _HEREDOC.fullmatch(word)
    if m is None or not m.group(3):
        return None
    name, quoted = _unquote(m.group(3))
    if not name:
        return None
    return Spec(name, m.group(2) == "-", quoted, int(m.group(1) or 0))


def _shell_words(line: str) -> list[str] | None:
    """The line's words as BuildKit's shell lexer splits it for heredocs (quotes and escapes
    kept), or None where that lexer fails (an unclosed quote): then no heredoc is found."""
    words: list[str] = []
    word, pos = "", 0
    while pos < len(line):
        if line[pos] in GO_SPACE:
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


def read_heredocs(lines: Sequence[str], i: int,
                  specs: tuple[Spec, ...]) -> tuple[tuple[Heredoc, ...], int, bool]:
    """The heredocs of `specs`, read from line index `i` on: (heredocs, the index after the
    last terminator, whether every one was terminated before the end of the text)."""
    docs = []
    for spec in specs:
        doc, i, ended = _read_heredoc(lines, i, spec)
        docs.append(doc)
        if not ended:
            return tuple(docs), i, False
    return tuple(docs), i, True


def _read_heredoc(lines: Sequence[str], i: int, spec: Spec) -> tuple[Heredoc, int, bool]:
    first, body = i + 1, []
    while i < len(lines):
        raw = lines[i]
        i += 1
        end = raw.rstrip("\r\n")
        if (end.lstrip("\t") if spec.strip_tabs else end) == spec.name:
            return Heredoc(spec.name, "".join(body), spec.strip_tabs, spec.quoted, spec.fd,
                           first, i), i, True
        body.append(raw)
    return (Heredoc(spec.name, "".join(body), spec.strip_tabs, spec.quoted, spec.fd, first, i),
            i, False)
