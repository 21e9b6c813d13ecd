"""One logical Dockerfile line as BuildKit splits it: keyword, flags and the words each
instruction takes (moby/buildkit frontend/dockerfile/parser: split_command.go, line_parsers.go).
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import NamedTuple

from mkgen.records import dataclass

# Go's unicode.IsSpace, which BuildKit uses to trim lines and to split words.
GO_SPACE = ("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
            "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
# parser.go reWhitespace: what separates a keyword from its arguments, and list items.
WHITESPACE = re.compile(r"[\t\v\f\r ]+")
# parser.go heredocDirectives: the only instructions whose `<<WORD` starts a heredoc.
HEREDOC_KEYWORDS = frozenset({"ADD", "COPY", "RUN"})
_NOT_STRINGS = "when using JSON array syntax, arrays must be comprised of strings only"


def lstrip(text: str) -> str:
    return text.lstrip(GO_SPACE)


class Reject(Exception):
    """What BuildKit's parser rejects in one instruction; the caller knows the line."""


@dataclass(frozen=True)
class Flag:
    name: str
    value: str | None  # None for a bare `--name`

    @property
    def text(self) -> str:
        return f"--{self.name}" if self.value is None else f"--{self.name}={self.value}"


def split_command(line: str) -> tuple[str, tuple[Flag, ...], str]:
    parts = WHITESPACE.split(line.strip(GO_SPACE), maxsplit=1)
    if len(parts) < 2:
        return parts[0], (), ""
    args, flags = _builder_flags(parts[1])
    return parts[0], tuple(_flag(f) for f in flags), args.strip(GO_SPACE)


def _flag(word: str) -> Flag:
    name, eq, value = word[2:].partition("=")
    return Flag(name, value if eq else None)


def _builder_flags(text: str) -> tuple[str, list[str]]:
    """The leading `--name[=value]` words and the rest; a lone `--` ends the flags."""
    flags: list[str] = []
    pos = 0
    while True:
        while pos < len(text) and text[pos] in GO_SPACE:
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
    while pos < len(text) and (quote or text[pos] not in GO_SPACE):
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


def words(text: str, escape: str) -> tuple[str, ...]:
    """parseWords: split at blanks outside quotes, keeping the quotes and escapes."""
    found: list[str] = []
    word, quote, blank_ok, pos = "", "", False, 0
    while pos < len(text):
        ch = text[pos]
        if not quote and ch in GO_SPACE:
            if blank_ok or word:
                found.append(word)
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
        found.append(word)
    return tuple(found)


def _json_array(text: str) -> tuple[str, ...] | None:
    text = lstrip(text)
    if not text.startswith("["):
        return None
    try:
        items = json.loads(text, parse_constant=_no_constant)
    except ValueError:
        return None  # not JSON: the shell form
    if not all(isinstance(item, str) for item in items):
        raise Reject(_NOT_STRINGS)
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
    return (tuple(WHITESPACE.split(args)) if args else ()), False


def _string(args: str, escape: str) -> Parsed:
    return ((args,) if args else ()), False


def _name_or_name_value(args: str, escape: str) -> Parsed:
    return words(args, escape), False


def _name_value(keyword: str) -> Callable[[str, str], Parsed]:
    def parse(args: str, escape: str) -> Parsed:
        found = words(args, escape)
        if not found:
            return (), False
        if "=" not in found[0]:  # the old `ENV NAME value with blanks` form
            parts = WHITESPACE.split(args, maxsplit=1)
            if len(parts) < 2:
                raise Reject(f"{keyword} must have two arguments")
            return (parts[0], parts[1]), False
        out: list[str] = []
        for word in found:
            if "=" not in word:
                raise Reject(f"Syntax error - can't find = in {json.dumps(word)}. "
                              "Must be of the form: name=value")
            out.extend(word.split("=", 1))
        return tuple(out), False
    return parse


def _health(args: str, escape: str) -> Parsed:
    sep = next((i for i, ch in enumerate(args) if ch in GO_SPACE), len(args))
    if sep == 0:
        return (), False
    command, is_json = _maybe_json(lstrip(args[sep:]), escape)
    return (args[:sep], *command), is_json


_PARSERS = {
    "ADD": _maybe_json_list, "ARG": _name_or_name_value, "CMD": _maybe_json,
    "COPY": _maybe_json_list, "ENTRYPOINT": _maybe_json, "ENV": _name_value("ENV"),
    "EXPOSE": _whitespace_list, "FROM": _whitespace_list, "HEALTHCHECK": _health,
    "LABEL": _name_value("LABEL"), "MAINTAINER": _string, "RUN": _maybe_json,
    "SHELL": _maybe_json, "STOPSIGNAL": _string, "USER": _string, "VOLUME": _maybe_json_list,
    "WORKDIR": _string,
}


class Node(NamedTuple):
    cmd: str
    flags: tuple[Flag, ...]
    args: str
    value: tuple[str, ...]
    json: bool
    trigger: Node | None

    def takes_heredocs(self) -> bool:
        node = self.trigger if self.cmd.upper() == "ONBUILD" and self.trigger else self
        return node.cmd.upper() in HEREDOC_KEYWORDS and not node.json


def node(line: str, escape: str) -> Node:
    cmd, flags, args = split_command(line)
    keyword = cmd.upper()
    if keyword == "ONBUILD":
        trigger = node(args, escape) if args else None
        return Node(cmd, flags, args, (), False, trigger)
    parser = _PARSERS.get(keyword)
    value, is_json = parser(args, escape) if parser else ((), False)
    return Node(cmd, flags, args, value, is_json, None)

