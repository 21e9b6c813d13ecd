"""Walking a loaded stages.yaml: every finding recorded with file, line, column and key path.

These checks know YAML shapes and places, nothing about what a stage or a family means:
validate.py holds that.
"""
from __future__ import annotations

import re
from typing import Any

from mkgen import escape
from mkgen.defaults import INTERNAL
from mkgen.errors import Problem
from mkgen.loader import MarkedDict, MarkedList

TRUE, FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")
# Tabs are fine; NUL, escape sequences and the other C0/C1 controls reach no argv intact.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def did_you_mean(word: str, choices: Any) -> str:
    import difflib  # only a config with a typo pays for this import

    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else ""


class Checker:
    """Walks the loaded tree; every problem is recorded with file, line, column and path."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    # -- recording ----------------------------------------------------------------------
    def at(self, node: Any, key: str | int | None, path: str, message: str,
           hint: str = "") -> None:
        line, col = 1, 1
        if isinstance(node, MarkedDict):
            mark = node.key_marks.get(key) if isinstance(key, str) else None
            mark = mark or node.mark
            line, col = mark.line, mark.col
        elif isinstance(node, MarkedList):
            mark = node.item_marks[key] if isinstance(key, int) else node.mark
            line, col = mark.line, mark.col
        self.problems.append(Problem(self.file, line, col, path, message, hint))

    def value_at(self, node: MarkedDict, key: str, path: str, message: str,
                 hint: str = "") -> None:
        mark = node.value_marks.get(key, node.mark)
        self.problems.append(Problem(self.file, mark.line, mark.col, path, message, hint))

    # -- shapes -------------------------------------------------------------------------
    def mapping(self, parent: Any, key: Any, value: Any, path: str) -> MarkedDict | None:
        if value is None:
            empty = MarkedDict()
            empty.mark, empty.key_marks, empty.value_marks = parent.mark, {}, {}
            return empty
        if not isinstance(value, MarkedDict):
            self.at(parent, key, path, "must be a mapping", "write 'key: value' lines under it")
            return None
        return value

    def known_keys(self, node: MarkedDict, allowed: tuple[str, ...], path: str) -> None:
        for key in node:
            if key not in allowed:
                hint = did_you_mean(key, allowed) or f"allowed keys: {', '.join(allowed)}"
                self.at(node, key, f"{path}.{key}" if path else key, "unknown key", hint)

    def string(self, node: MarkedDict, key: str, path: str, default: str = "") -> str:
        value = node.get(key, default)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.at(node, key, path, "must be a string", "quote it or write it on one line")
            return default
        if "\n" in value.rstrip("\n") or "\r" in value:
            self.at(node, key, path, "must be a single line",
                    "a Makefile value or shell word cannot carry a newline")
            return default
        if CONTROL.search(value.rstrip("\n")):
            self.at(node, key, path, "must not contain control characters",
                    "make and the shell cannot carry them; write the text out")
            return default
        return value.rstrip("\n")

    def boolean(self, node: MarkedDict, key: str, path: str) -> bool:
        value = node.get(key, "false")
        if isinstance(value, str) and value.lower() in TRUE:
            return True
        if isinstance(value, str) and value.lower() in FALSE:
            return False
        self.at(node, key, path, f"must be true or false, not {value!r}")
        return False

    def string_list(self, node: MarkedDict, key: str, path: str) -> list[str]:
        value = node.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        if not isinstance(value, MarkedList) or not all(isinstance(v, str) for v in value):
            self.at(node, key, path, "must be a list of strings")
            return []
        return list(value)

    def overrides(self, parent: MarkedDict, key: str, path: str,
                  names: set[str]) -> tuple[tuple[str, str], ...]:
        node = self.mapping(parent, key, parent.get(key), path)
        if node is None:
            return ()
        out = []
        for name in node:
            sub = f"{path}.{name}"
            if name not in names:
                self.at(node, name, sub, "unknown variable",
                        did_you_mean(name, names) or "declare it under 'variables' first")
                continue
            value = self.string(node, name, sub)
            self.check_refs(node, name, sub, value, names)
            out.append((name, value))
        return tuple(out)

    def check_refs(self, node: MarkedDict, key: str, path: str, value: str,
                   names: set[str]) -> None:
        for ref in escape.refs(value):
            if ref not in names and ref not in INTERNAL:
                hint = did_you_mean(ref, names) or "write $$ for a literal $"
                self.value_at(node, key, path, f"refers to unknown variable $({ref})", hint)
