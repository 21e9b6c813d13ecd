"""Escaping, one small pure function per output context.

The rules come from the GNU make manual (sections "How to Use Variables", "Comments",
"Splitting Long Lines", "Recipe Echoing"), POSIX sh "Quoting" (2.2), and the Dockerfile
reference ("Escape character", "Environment replacement"). Newlines never pass: a value
that holds one is rejected by the validator, and these functions refuse it too.
"""
from __future__ import annotations

import functools
import re

from mkgen.records import dataclass

# `$(NAME)`: a reference to another Make variable in a stages.yaml value; `$$`: a literal `$`.
_REF = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


class NewlineError(ValueError):
    """A value holds a newline, which no single Make line or shell word can carry."""


def _no_newline(text: str) -> str:
    if "\n" in text or "\r" in text:
        raise NewlineError(f"newline in {text!r}")
    return text


@dataclass(frozen=True)
class Ref:
    name: str


def split_refs(text: str) -> tuple[str | Ref, ...]:
    """Split a stages.yaml value into literal text and `$(NAME)` references."""
    if "$" not in text:  # most values: no reference, nothing to split
        return (text,) if text else ()
    return _split_refs(text)


@functools.lru_cache(maxsize=4096)  # the views ask again for the same few hundred values
def _split_refs(text: str) -> tuple[str | Ref, ...]:
    parts: list[str | Ref] = []
    pos = 0
    for m in _REF.finditer(text):
        literal = text[pos:m.start()] + ("$" if m.group(0) == "$$" else "")
        if literal:
            parts.append(literal)
        if m.group(1):
            parts.append(Ref(m.group(1)))
        pos = m.end()
    if text[pos:]:
        parts.append(text[pos:])
    merged: list[str | Ref] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    return tuple(merged)


def literal(text: str) -> str:
    """The text a reference-free stages.yaml value stands for: `$$` is one `$`.

    For places that take no Make references, such as a build argument's Dockerfile default.
    """
    parts = split_refs(text)
    if any(isinstance(p, Ref) for p in parts):
        raise ValueError(f"{text!r} refers to a Make variable")
    return "".join(str(p) for p in parts)


def refs(text: str) -> list[str]:
    """Names of the Make variables a stages.yaml value refers to."""
    return [p.name for p in split_refs(text) if isinstance(p, Ref)]


def make_literal(text: str) -> str:
    """Literal text inside a Make assignment's right-hand side.

    `$` starts a reference, so it doubles. `#` starts a comment unless backslash-escaped,
    and a run of backslashes right before `#` is halved by make, so it doubles too.
    """
    _no_newline(text)
    text = text.replace("$", "$$")
    return re.sub(r"(\\*)#", lambda m: m.group(1) * 2 + "\\#", text)


def make_value(text: str) -> str:
    """A stages.yaml value as the right-hand side of a Make assignment, refs kept.

    make strips leading blanks of a value and a trailing backslash would continue the line,
    so an empty reference guards either end when needed.
    """
    out = "".join(f"$({p.name})" if isinstance(p, Ref) else make_literal(p)
                  for p in split_refs(text))
    if out[:1].isspace():
        out = "$(mkgen_empty)" + out
    if out[-1:].isspace() or out.endswith("\\"):
        out += "$(mkgen_empty)"
    return out


_ARG_CHARS = {",": "$(mkgen_comma)", "(": "$(mkgen_lparen)", ")": "$(mkgen_rparen)"}


def make_literal_value(text: str) -> str:
    """Literal text (a path: no references, every `$` its own) as the right-hand side of a
    Make assignment, leading and trailing blanks kept."""
    return make_value(text.replace("$", "$$"))


def make_arg(text: str) -> str:
    """A stages.yaml value as an argument of a Make function (`$(if c,ARG,ARG)`), refs kept:
    as make_value, and `,`, `(`, `)` become references that expand to them, so they can
    neither end the argument nor unbalance the call."""
    out = []
    for part in split_refs(_no_newline(text)):
        if isinstance(part, Ref):
            out.append(f"$({part.name})")
        else:
            out.append(re.sub(r"[,()]", lambda m: _ARG_CHARS[m.group()], make_literal(part)))
    return "".join(out)


def make_target_value(text: str) -> str:
    """A stages.yaml value as the right-hand side of a target-specific assignment
    (`target: NAME = value`), refs kept.

    On a rule line make ends the value at the first `;` (a recipe starts there) and keeps
    what follows raw, so a `;` is written through a variable and never appears literally.
    """
    return make_value(text).replace(";", "$(mkgen_semicolon)")


def make_define_body(text: str) -> str:
    """Verbatim text for a `define` body read back with `$(value ...)`: nothing to escape,
    but a body line must not look like the directives that end or nest a define."""
    _no_newline(text)
    if re.match(r"\s*(endef|define)\b", text) or text.endswith("\\"):
        raise ValueError(f"cannot carry {text!r} verbatim in a Make define")
    return text


def make_help(text: str) -> str:
    """Text printed by `$(info ...)` from a recursively expanded define: `$` doubles, and a
    trailing backslash, which would join the next line of the define, is followed by an
    empty reference."""
    out = _no_newline(text).replace("$", "$$")
    return out + "$(mkgen_empty)" if out.endswith("\\") else out


def make_comment(text: str) -> str:
    """Text of a Make comment line (`# text`): an odd run of backslashes at its end would
    continue the comment onto the next line, so the run is made even."""
    _no_newline(text)
    trailing = len(text) - len(text.rstrip("\\"))
    return text + "\\" if trailing % 2 else text


# What an ARG default may hold unquoted: BuildKit reads these characters as themselves.
_PLAIN_DEFAULT = re.compile(r"[A-Za-z0-9_./:@%+,=-]+")


def dockerfile_arg_default(text: str, escape_char: str = "\\") -> str:
    """An ARG default in Dockerfile.multi: as it is when it is a plain word (`1.22`,
    `nvcr.io/nvidia/pytorch`), else double-quoted, with the escape character, `"` and `$`
    escaped by it (the reference's "Environment replacement" and "escape")."""
    _no_newline(text)
    if _PLAIN_DEFAULT.fullmatch(text):
        return text
    escaped = "".join(escape_char + ch if ch in (escape_char, '"', "$") else ch for ch in text)
    return f'"{escaped}"'


def renamed_references(make_text: str, renamed: dict[str, str]) -> str:
    """mkgen's own Make text with its references `$(OLD)` to built-in variables turned into
    `$(NEW)`, for the names a project gave them; one pass, so that names may swap."""
    if not renamed:
        return make_text
    pattern = re.compile(r"\$\((" + "|".join(map(re.escape, renamed)) + r")\)")
    return pattern.sub(lambda m: f"$({renamed[m.group(1)]})", make_text)


# HCL (docker-bake.hcl): the escapes of a quoted template (hashicorp/hcl, hclsyntax spec,
# "Template Literals"), and `$${` / `%%{` for a literal `${` / `%{`.
_HCL_CHARS = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def hcl_literal(text: str) -> str:
    """Literal text inside an HCL quoted template (`"..."`), read back as exactly `text`:
    backslash, quote and control characters escaped, and a `${` or `%{` doubled so that it
    starts no interpolation or directive."""
    if text.isprintable() and "\\" not in text and '"' not in text:
        out = text  # nothing to escape character by character, as most values
    else:
        out = "".join(_HCL_CHARS.get(ch, f"\\u{ord(ch):04x}" if ord(ch) < 0x20 else ch)
                      for ch in text)
    return out.replace("${", "$${").replace("%{", "%%{")


def hcl_string(text: str) -> str:
    """`text` as an HCL quoted string, nothing interpolated."""
    return f'"{hcl_literal(text)}"'


def hcl_comment(text: str) -> str:
    """The text of one `# ...` HCL comment line: a line break would end it, so each is a
    blank."""
    return re.sub(r"[\r\n]+", " ", text)
