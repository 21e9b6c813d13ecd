"""Load YAML with line marks: every mapping and list remembers where its entries stand.

Scalars stay the text the user wrote (``12.10`` stays ``"12.10"``, ``on`` stays ``"on"``);
the validator decides what a value means. Duplicate keys are an error, not last-one-wins.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from mkgen.errors import ConfigError, Problem

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Node:
    """Position of a YAML node: 1-based line and column."""

    __slots__ = ("line", "col")

    def __init__(self, line: int, col: int) -> None:
        self.line = line
        self.col = col


class MarkedDict(dict):
    """A mapping that knows where it, each key and each value stand."""

    mark: Node
    key_marks: dict[str, Node]
    value_marks: dict[str, Node]


class MarkedList(list):
    """A sequence that knows where it and each item stand."""

    mark: Node
    item_marks: list[Node]


def _node_mark(node: yaml.Node) -> Node:
    return Node(node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    """Turns a composed YAML node tree into Marked containers and plain strings."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return self._sequence(node)
        if node.tag == "tag:yaml.org,2002:null" and node.value in ("", "~", "null", "Null", "NULL"):
            return None if not node.style else node.value
        return str(node.value)

    def _mapping(self, node: yaml.MappingNode) -> MarkedDict:
        out = MarkedDict()
        out.mark, out.key_marks, out.value_marks = _node_mark(node), {}, {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._problem(key_node, "", "YAML merge keys ('<<') are not supported",
                              "write the keys out")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem(key_node, "", "a mapping key must be a plain string", "")
                continue
            key = str(key_node.value)
            if key in out:
                first = out.key_marks[key]
                self._problem(key_node, key, f"duplicate key (first defined on line {first.line})",
                              "remove one of them; YAML would silently keep only the last")
                continue
            out[key] = self.build(value_node)
            out.key_marks[key] = _node_mark(key_node)
            out.value_marks[key] = _node_mark(value_node)
        return out

    def _sequence(self, node: yaml.SequenceNode) -> MarkedList:
        out = MarkedList(self.build(item) for item in node.value)
        out.mark = _node_mark(node)
        out.item_marks = [_node_mark(item) for item in node.value]
        return out

    def _problem(self, node: yaml.Node, key: str, message: str, hint: str) -> None:
        mark = _node_mark(node)
        self.problems.append(Problem(self.file, mark.line, mark.col, key, message, hint))


def load_text(text: str, file: str) -> Any:
    """Parse YAML text into Marked containers; raise ConfigError with every problem found."""
    try:
        root = yaml.compose(text, Loader=_BaseLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = (exc.problem or exc.context or "invalid YAML").strip()
        raise ConfigError([Problem(file, line, col, "", f"invalid YAML: {reason}",
                                   "check indentation and quoting near this line")]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(file, 1, 1, "", f"invalid YAML: {exc}", "")]) from None
    if root is None:
        return None
    builder = _Builder(file)
    data = builder.build(root)
    if builder.problems:
        raise ConfigError(builder.problems)
    return data


def load_file(path: Path) -> Any:
    """Read and parse one YAML file; unreadable files are a ConfigError too."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([Problem(str(path), 1, 1, "", "file not found",
                                   "run 'mkgen init' to start one, or pass --config")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([Problem(str(path), 1, 1, "", f"cannot read: {exc}", "")]) from None
    return load_text(text, str(path))
