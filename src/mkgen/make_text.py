"""Reading the Make text a stages.yaml may hold verbatim (recipe commands): which variables it
refers to and which Make functions it calls, so that the validator can refuse references to
unknown variables and functions that run programs while make only reads or prints a recipe
(`make -n`, which `mkgen explain` uses).

GNU make manual: "Basics of Variable References" (`$(NAME)`, `${NAME}`, `$$`, one-character
names such as `$@`), "Substitution References" (`$(NAME:a=b)`), "Functions for Transforming
Text" (`$(function arguments)`).
"""
from __future__ import annotations

import re

from mkgen.records import dataclass

# Text functions: they only compute text. `call` is allowed for mkgen's own helpers.
SAFE_FUNCTIONS = frozenset({
    "subst", "patsubst", "strip", "findstring", "filter", "filter-out", "sort", "word",
    "wordlist", "words", "firstword", "lastword", "dir", "notdir", "suffix", "basename",
    "addsuffix", "addprefix", "join", "if", "or", "and", "foreach", "error", "warning", "info",
    "call",
})
CALLABLE = frozenset({"mkgen_q", "mkgen_tag_safe"})
AUTOMATIC = frozenset("@<^+?*%|")
_NAME = re.compile(r"[A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class Use:
    """One `$...` in Make text: a variable reference or a function call."""

    kind: str    # "variable", "function" or "other"
    name: str
    offset: int  # where the `$` is


def _use_at(text: str, i: int) -> tuple[Use | None, int]:
    """The use that starts at the `$` at `i`, and where to go on scanning."""
    nxt = text[i + 1:i + 2]
    if nxt == "$":
        return None, i + 2
    if nxt not in ("(", "{"):
        return Use("variable" if nxt in AUTOMATIC else "other", nxt, i), i + 2
    match = _NAME.match(text, i + 2)
    name = match.group(0) if match else ""
    after = text[i + 2 + len(name):i + 3 + len(name)]
    if after in (")", "}", ":"):
        return Use("variable", name, i), i + 2 + len(name)
    if after in (" ", "\t") and name:
        return Use("function", name, i), i + 2 + len(name)
    return Use("other", name, i), i + 2


def uses(text: str) -> list[Use]:
    """Every variable reference and function call in `text`, nested ones included."""
    found, i = [], text.find("$")
    while i != -1:
        use, i = _use_at(text, i)
        if use is not None:
            found.append(use)
        i = text.find("$", i)
    return found


def called(text: str, use: Use) -> str:
    """The name a `$(call NAME,...)` calls."""
    match = _NAME.match(text, use.offset + len("$(call "))
    return match.group(0) if match else ""


def problem(text: str, use: Use, names: set[str]) -> str | None:
    """Why `use` may not stand in recipe commands, or None."""
    if use.kind == "variable" and use.name not in names and use.name not in AUTOMATIC:
        return f"refers to unknown variable $({use.name})"
    if use.kind == "function" and use.name not in SAFE_FUNCTIONS:
        return f"calls $({use.name} ...), which runs or changes things while make reads"
    if use.kind == "function" and use.name == "call" and called(text, use) not in CALLABLE:
        return f"calls {called(text, use) or 'nothing'}; only {', '.join(sorted(CALLABLE))} " \
               "can be called"
    if use.kind == "other":
        return f"'${use.name or text[use.offset + 1:use.offset + 2]}' is not a reference " \
               "mkgen can check"
    return None
