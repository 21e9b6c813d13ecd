"""Load YAML with line marks: every mapping and list remembers where its entries stand.

Scalars stay the text the user wrote (``12.10`` stays ``"12.10"``, ``on`` stays ``"on"``);
the validator decides what a value means. Duplicate keys are an error, not last-one-wins.
"""
from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from mkgen import text_file
from mkgen.errors import ConfigError, Problem

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
NULL_TAG = "tag:yaml.org,2002:null"
MERGE_TAG = "tag:yaml.org,2002:merge"
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))  # PyYAML's implicit null, plain


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader, telling only what mkgen reads of a tag: an implicit null and a merge
    key (`<<`); every other scalar stays text, so resolving it as a bool, number or date
    (regular expressions run in Python for each scalar) would be work for nothing."""

    def resolve(self, kind: type, value: object, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0] and value in _NULLS:
                return NULL_TAG
            if implicit[0] and value == "<<":
                return MERGE_TAG
            return self.DEFAULT_SCALAR_TAG
        return self.DEFAULT_SEQUENCE_TAG if kind is yaml.SequenceNode else \
            self.DEFAULT_MAPPING_TAG

    def descend_resolver(self, current_node: object, current_index: object) -> None:
        pass  # no path resolvers: the safe loader has none either

    def ascend_resolver(self) -> None:
        pass


class Position:
    """Position of a YAML node: 1-based line and column."""

    __slots__ = ("line", "col")

    def __init__(self, line: int, col: int) -> None:
        self.line = line
        self.col = col


class MarkedDict(dict):
    """A mapping that knows where it, each key and each value stand."""

    mark: Position
    key_marks: dict[str, Position]
    value_marks: dict[str, Position]


class MarkedList(list):
    """A sequence that knows where it and each item stand."""

    mark: Position
    item_marks: list[Position]


def _position(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


# What aliases may repeat in all, in characters of text (an alias counts its anchor's whole
# content each time). The loader shares an aliased node instead of copying it, but whatever
# walks the configuration (the Dockerfile's steps, the Makefile) writes each repetition out:
# 1000 stages aliasing one stage of a thousand aliased 1 KB steps is a 16 KB file that
# stands for a 1 GB Dockerfile.
MAX_REPEATED = 2_000_000


# An anchor where a node starts, after its tag if it has one (`!!str &name`); compiled by re
# at its first use, in the message about too much repetition.
_ANCHOR = r"(?:![^\s]*\s+)?&([^\s,\[\]{}]+)"


class _TooMuchRepeated(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


class _Builder:
    """Turns a composed YAML node tree into Marked containers and plain strings."""

    def __init__(self, file: str, text: str = "") -> None:
        self.file = file
        self.lines = text.split("\n")
        self.problems: list[Problem] = []
        # An alias is the same node again: build it once (a "billion laughs" file stays
        # linear), and refuse one that contains itself (it would recurse forever).
        self._built: dict[int, Any] = {}
        self._open: set[int] = set()
        # The size of nodes with their aliases expanded (computed when an alias is met), the
        # anchored scalars met so far, and what aliases repeat so far.
        self._sizes: dict[int, int] = {}
        self._anchored_scalars: set[int] = set()
        self._repeated = 0

    def build(self, node: yaml.Node, path: str = "", where: Position | None = None) -> Any:
        """The built value of `node`; `where` is the place of its use (an alias's own)."""
        key = id(node)
        if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            if self._anchored(node):
                if key in self._anchored_scalars:
                    self._repeat(node, path, where)
                self._anchored_scalars.add(key)
            return self._scalar(node)
        if key in self._built:
            self._repeat(node, path, where)
            return self._built[key]
        if key in self._open:
            self._problem(node, path, "an alias refers to the node that contains it",
                          "YAML anchors must not be recursive")
            return None
        self._open.add(key)
        if isinstance(node, yaml.MappingNode):
            out: Any = self._mapping(node, path)
        else:
            out = self._sequence(node, path)
        self._open.discard(key)
        self._built[key] = out
        return out

    def _anchored(self, node: yaml.Node) -> bool:
        """Whether `node` may have an anchor: its text starts with `&name`, or with a tag
        (`!!str &name`), which is rare enough to count as one."""
        mark = node.start_mark
        line = self.lines[mark.line] if mark.line < len(self.lines) else ""
        return line[mark.column:mark.column + 1] in ("&", "!")

    def _anchor_name(self, node: yaml.Node) -> str:
        mark = node.start_mark
        text = "\n".join(self.lines[mark.line:mark.line + 2])[mark.column:]
        found = re.match(_ANCHOR, text)
        return found.group(1) if found else "?"

    def _size(self, node: yaml.Node) -> int:
        """Characters of the node's text, with every alias in it expanded (one per node)."""
        if isinstance(node, yaml.ScalarNode):
            return len(node.value) + 1
        key = id(node)
        if key not in self._sizes:
            self._sizes[key] = 1  # an alias to an open node is refused as recursive anyway
            self._sizes[key] = 1 + sum(self._size(n) for item in node.value
                                       for n in (item if isinstance(item, tuple) else (item,)))
        return self._sizes[key]

    def _repeat(self, node: yaml.Node, path: str, where: Position | None) -> None:
        size = self._size(node)
        self._repeated += size
        if self._repeated <= MAX_REPEATED:
            return
        anchor = self._anchor_name(node)
        at = where or _position(node)
        raise _TooMuchRepeated(Problem(
            self.file, at.line, at.col, path,
            f"with the alias *{anchor} ({size:,} characters), aliases repeat more than "
            f"{MAX_REPEATED:,} characters in all",
            "an alias stands for a copy of its anchor's whole content wherever it is used; "
            "write the shared part once (a stage the others start FROM, a variable)"))

    def _scalar(self, node: yaml.Node) -> Any:
        if node.tag == NULL_TAG and node.value in _NULLS:
            return None if not node.style else node.value
        return str(node.value)

    def _mapping(self, node: yaml.MappingNode, path: str) -> MarkedDict:
        out = MarkedDict()
        out.mark, out.key_marks, out.value_marks = _position(node), {}, {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                self._problem(key_node, path, "YAML merge keys ('<<') are not supported",
                              "write the keys out")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem(key_node, path, "a mapping key must be a plain string",
                              "write a word, not a list or mapping, before the colon")
                continue
            key = str(key_node.value)
            sub = f"{path}.{key}" if path else key
            if key in out:
                first = out.key_marks[key]
                self._problem(key_node, sub, f"duplicate key (first defined on line {first.line})",
                              "remove one of them; YAML would silently keep only the last")
                continue
            out[key] = self.build(value_node, sub, _position(key_node))
            out.key_marks[key] = _position(key_node)
            out.value_marks[key] = self._value_mark(value_node)
        return out

    def _sequence(self, node: yaml.SequenceNode, path: str) -> MarkedList:
        mark = _position(node)  # an item's own place is lost when it is an alias
        out = MarkedList(self.build(item, f"{path}[{i}]", mark)
                         for i, item in enumerate(node.value))
        out.mark = mark
        out.item_marks = [self._value_mark(item) for item in node.value]
        return out

    def _value_mark(self, node: yaml.Node) -> Position:
        """Where a value's text starts: for a block scalar (`|`, `>`) the first content line,
        not the indicator, so that a problem in line k of the block is at mark.line + k."""
        mark = _position(node)
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            for number in range(mark.line, min(mark.line + 50, len(self.lines))):
                line = self.lines[number]  # index `number` is line number + 1
                if line.strip():
                    return Position(number + 1, len(line) - len(line.lstrip(" ")) + 1)
        return mark

    def _problem(self, node: yaml.Node, key: str, message: str, hint: str) -> None:
        mark = _position(node)
        self.problems.append(Problem(self.file, mark.line, mark.col, key, message, hint))


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Parsing allocates tens of thousands of nodes and containers, none in a cycle; the
    collector would rescan them over and over (a fifth of loading 1000 stages) for nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_text(text: str, file: str) -> Any:
    """Parse YAML text into Marked containers; raise ConfigError with every problem found."""
    with _no_cycle_collection():
        return _load_text(text, file)


# libyaml's composer recurses in C once per nesting level: a file nested some ten thousand
# levels deep overflows the C stack and kills the process (no exception to catch).
MAX_DEPTH = 200


# A flow collection opened and closed on one line with no quote, comment or collection inside
# (`args: [A, B]`, `IMAGE_TAG: {env: true}`). A pass removes the innermost ones, so at most
# one level of any nesting chain: the number of passes stands in for every level removed.
_FLAT_FLOW = re.compile(r"\[[^\[\]{}\"'#\n]*\]|\{[^\[\]{}\"'#\n]*\}")
_FLAT_PASSES = 2


def _depth_bound(text: str) -> int:
    """An upper bound of the nesting depth, cheaply: a block level needs a wider indent or
    another `- ` on its line, a flow level a `[` or `{` (those of one-line collections are
    counted by pass). Without the passes, a file with a thousand `args: [A]` lines would be
    parsed twice, the first time only to learn that it is shallow."""
    widest = max((len(line) for line in text.split("\n")), default=0)
    rest = text
    for _ in range(_FLAT_PASSES):
        rest = _FLAT_FLOW.sub("", rest)
    return widest + rest.count("[") + rest.count("{") + _FLAT_PASSES


def _too_nested(text: str) -> bool:
    """Whether the nesting depth exceeds MAX_DEPTH, by the parser's events (a loop in C with
    its own stack); only for the rare file whose cheap bound is too high."""
    if _depth_bound(text) <= MAX_DEPTH:
        return False
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return False


def _load_text(text: str, file: str) -> Any:
    try:
        if _too_nested(text):
            raise _too_deep(file)
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = (exc.problem or exc.context or "invalid YAML").strip()
        raise ConfigError([Problem(file, line, col, "", f"invalid YAML: {reason}",
                                   "check indentation and quoting near this line")]) from None
    except yaml.reader.ReaderError as exc:
        raise ConfigError([_unacceptable_character(text, file, exc)]) from None
    except yaml.YAMLError as exc:
        reason = (str(exc).splitlines() or ["invalid YAML"])[0]
        raise ConfigError([Problem(file, 1, 1, "", f"invalid YAML: {reason}", "")]) from None
    except RecursionError:
        raise _too_deep(file) from None
    if root is None:
        return None
    builder = _Builder(file, text)
    try:
        data = builder.build(root)
    except RecursionError:
        raise _too_deep(file) from None
    except _TooMuchRepeated as exc:
        raise ConfigError([exc.problem]) from None
    if builder.problems:
        raise ConfigError(builder.problems)
    return data


def _unacceptable_character(text: str, file: str, exc: yaml.reader.ReaderError) -> Problem:
    """Where the character YAML refuses stands: libyaml counts UTF-8 bytes, PyYAML's own
    reader characters."""
    index = exc.position
    if exc.encoding != "unicode":
        index = len(text.encode("utf-8")[:exc.position].decode("utf-8", "ignore"))
    code = exc.character if isinstance(exc.character, int) else ord(exc.character or "\0")
    line, col = text_file.position(text, index)
    kind = "a control character" if code < 0x20 or 0x7f <= code < 0xa0 else "not allowed in YAML"
    return Problem(file, line, col, "", f"invalid YAML: character U+{code:04X} ({kind})",
                   "remove it; stages.yaml is text")


def _too_deep(file: str) -> ConfigError:
    # The parser and the builder recurse once per nesting level; no stages.yaml needs
    # hundreds, and Python's stack must not turn such a file into a traceback.
    return ConfigError([Problem(file, 1, 1, "", "nested too deeply to be a stages.yaml",
                                "a configuration needs a handful of levels")])


def read_file(path: Path) -> tuple[str, bytes]:
    """The text of one YAML file (line endings read as \\n) and the bytes it was read from;
    unreadable files are a ConfigError too."""
    try:
        data = path.read_bytes()
        text = text_file.decode(data)
    except FileNotFoundError:
        raise ConfigError([Problem(str(path), 1, 1, "", "file not found",
                                   "run 'mkgen init' to start one, or pass --config")]) from None
    except text_file.NotUtf8Error as exc:
        raise ConfigError([Problem(str(path), exc.line, exc.col, "", str(exc),
                                   "save the file as UTF-8")]) from None
    except OSError as exc:
        raise ConfigError([Problem(str(path), 1, 1, "", "cannot read: "
                                   f"{exc.strerror or exc}", "")]) from None
    return text.replace("\r\n", "\n").replace("\r", "\n"), data


def load_file(path: Path) -> Any:
    """Read and parse one YAML file; unreadable files are a ConfigError too."""
    return load_text(read_file(path)[0], str(path))
