"""Walking a loaded stages.yaml: every finding recorded with file, line, column and key path.

These checks know YAML shapes, places and the key table (allowed keys, defaults), nothing
about what a stage or a family means: the validate_* modules hold that.
"""
from __future__ import annotations

import re
from typing import Any

from mkgen import escape
from mkgen.builtin_variables import INTERNAL
from mkgen.errors import ERROR, Problem
from mkgen.keys import FALSE, TRUE, Key, Section
from mkgen.loader import MarkedDict, MarkedList, Position

# Tabs are fine; NUL, escape sequences and the other C0/C1 controls reach no argv intact.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def one_line(text: str) -> bool:
    """Whether `text` is one line that make and the shell can carry: no line break (`\\r`
    is a control character too) and no control character but the tab."""
    return "\n" not in text and not CONTROL.search(text)


def did_you_mean(word: str, choices: Any) -> str:
    import difflib  # only a config with a typo pays for this import

    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else ""


def near_miss(word: str, choices: Any) -> str | None:
    """The choice `word` is a typo of: one edit away (two for long words; a swap of two
    neighbours is one edit), or None. Stricter than did_you_mean, for names that are fine as
    they are (an image called `alpine` is no misspelt stage `lint`)."""
    allowed = 1 if len(word) < 8 else 2
    close = [c for c in choices if c != word and _edits(word, c, allowed) <= allowed]
    return min(close, key=lambda c: (_edits(word, c, allowed), c)) if close else None


def _edits(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance of `a` and `b`; anything above `limit` is limit+1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before, row = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (ca != cb))
            if before and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        before, row = row, current
    return min(row[-1], limit + 1)


def empty_mapping(where: Position) -> MarkedDict:
    """An empty mapping standing where a key had no value (`variables:` with nothing)."""
    empty = MarkedDict()
    empty.mark, empty.key_marks, empty.value_marks = where, {}, {}
    return empty


def single_key_mapping(key: str, value: Any, where: Position) -> MarkedDict:
    """The long form of a shorthand (`BASE_TAG: "12"` is `BASE_TAG: {default: "12"}`)."""
    node = MarkedDict({key: value})
    node.mark = where
    node.key_marks = {key: where}
    node.value_marks = {key: where}
    return node


def value_position(data: MarkedDict, path: tuple[str, ...]) -> Position:
    """Where the value at `path` stands (a variable's `default` when it is a mapping); the
    nearest existing parent when the path is not spelt out in the file."""
    node: Any = data
    mark = data.mark
    for key in path:
        if not isinstance(node, MarkedDict) or key not in node:
            break
        mark, node = node.value_marks[key], node[key]
    if isinstance(node, MarkedDict) and "default" in node:
        mark = node.value_marks["default"]
    return mark


class Checker:
    """Walks the loaded tree; every problem is recorded with file, line, column and path."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    # -- recording ----------------------------------------------------------------------
    def at(self, node: Any, key: str | int | None, path: str, message: str,
           hint: str = "", severity: str = ERROR) -> None:
        """A problem at a key of a mapping (or an item of a list), else at the node."""
        mark = None
        if isinstance(node, MarkedDict):
            mark = (node.key_marks.get(key) if isinstance(key, str) else None) or node.mark
        elif isinstance(node, MarkedList):
            mark = node.item_marks[key] if isinstance(key, int) else node.mark
        self.record(mark or Position(1, 1), path, message, hint, severity)

    def value_at(self, node: MarkedDict, key: str, path: str, message: str,
                 hint: str = "", severity: str = ERROR) -> None:
        """A problem in the value of a key (where its text starts)."""
        self.record(node.value_marks.get(key, node.mark), path, message, hint, severity)

    def item_at(self, node: MarkedDict, key: str, index: int, path: str, message: str,
                hint: str = "", severity: str = ERROR) -> None:
        """A problem in item `index` of a list value, or in the value when it is one text."""
        items = node.get(key)
        if isinstance(items, MarkedList):
            self.at(items, index, path, message, hint, severity)
        else:
            self.at(node, key, path, message, hint, severity)

    def record(self, mark: Position, path: str, message: str, hint: str = "",
               severity: str = ERROR) -> None:
        self.problems.append(Problem(self.file, mark.line, mark.col, path, message, hint,
                                     severity))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(sorted({p for p in self.problems if not p.is_error}))

    # -- shapes -------------------------------------------------------------------------
    def mapping(self, parent: Any, key: Any, value: Any, path: str) -> MarkedDict | None:
        if value is None:
            return empty_mapping(parent.mark)
        if not isinstance(value, MarkedDict):
            self.at(parent, key, path, "must be a mapping", "write 'key: value' lines under it")
            return None
        return value

    def known_keys(self, node: MarkedDict, section: Section, path: str) -> None:
        for key in node:
            if key not in section.names:
                hint = did_you_mean(key, section.names) or \
                    f"allowed keys: {', '.join(section.names)}"
                self.at(node, key, f"{path}.{key}" if path else key, "unknown key", hint)

    def text(self, node: MarkedDict, key: Key, path: str) -> str | None:
        """A one-line text; the key's default when it is absent, "" when it is empty."""
        if key.name not in node:
            return None if key.default is None else str(key.default)
        value = node[key.name]
        if value is None:
            return ""
        fallback = None if key.default is None else str(key.default)
        if not isinstance(value, str):
            self.at(node, key.name, path, "must be a string", "quote it or write it on one line")
            return fallback
        value = value.rstrip("\n")
        if "\n" in value or "\r" in value:
            self.at(node, key.name, path, "must be a single line",
                    "a Makefile value or shell word cannot carry a newline")
            return fallback
        if CONTROL.search(value):
            self.at(node, key.name, path, "must not contain control characters",
                    "make and the shell cannot carry them; write the text out")
            return fallback
        return value

    def flag(self, node: MarkedDict, key: Key, path: str) -> bool:
        value = node.get(key.name)
        if key.name not in node:
            return bool(key.default)
        if isinstance(value, str) and value.lower() in TRUE:
            return True
        if isinstance(value, str) and value.lower() in FALSE:
            return False
        self.at(node, key.name, path, f"must be true or false, not {value!r}")
        return False

    def texts(self, node: MarkedDict, key: Key, path: str) -> list[str]:
        """One text or a list of texts, as a list; each one line, as text() reads one."""
        value = node.get(key.name)
        if value is None:
            return list(key.default or ())  # type: ignore[call-overload]
        if isinstance(value, str):
            value = [value]
        elif not isinstance(value, MarkedList) or not all(isinstance(v, str) for v in value):
            self.at(node, key.name, path, "must be a list of strings")
            return []
        items = [v.rstrip("\n") for v in value]
        for i, item in enumerate(items):
            if not one_line(item):
                self.item_at(node, key.name, i, path, "each item must be one line of text, "
                             "without control characters", "make and the shell cannot carry "
                             "them; write the text out")
        return items

    def overrides(self, parent: MarkedDict, key: Key, path: str,
                  names: set[str]) -> tuple[tuple[str, str], ...]:
        """`VARIABLE: value` lines: each variable declared, each value's references known."""
        node = self.mapping(parent, key.name, parent.get(key.name), path)
        if node is None:
            return ()
        out = []
        for name in node:
            sub = f"{path}.{name}"
            if name not in names:
                self.at(node, name, sub, "unknown variable",
                        did_you_mean(name, names) or "declare it under 'variables' first")
                continue
            value = self.text(node, Key(name, key.kind, "", default=""), sub) or ""
            self.check_refs(node, name, sub, value, names)
            out.append((name, value))
        return tuple(out)

    def check_refs(self, node: MarkedDict, key: str, path: str, value: str,
                   names: set[str]) -> None:
        for ref in escape.refs(value):
            if ref not in names and ref not in INTERNAL:
                hint = did_you_mean(ref, names) or "write $$ for a literal $"
                self.value_at(node, key, path, f"refers to unknown variable $({ref})", hint)
