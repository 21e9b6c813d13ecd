"""Whether the rendered files on disk are fresh, proven from their stamps (stamp.py) without
parsing YAML, loading Jinja or rendering: what `mkgen check` costs when nothing changed.

The proof needs to know where the files are and what they are called: project.output,
project.dockerfile and templates, which a small reader takes from stages.yaml as simple
files write them. The reader may guess wrong; it cannot make a stale file pass, because
the stamps' inputs cover these very settings as the real render read them. Whenever any
step is not certain (an unusual stages.yaml, a file without a stamp, another mkgen), the
answer is None and the caller renders and compares.
"""
from __future__ import annotations

import os

from mkgen import stamp

_SETTINGS = {"output": "docker", "dockerfile": "Dockerfile.multi"}  # keys.PROJECT defaults
# A plain scalar's first character must not be one of YAML's indicators.
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")


def _key_value(line: str) -> tuple[str, str] | None:
    """`key: value` (value "" when absent) with a simple key; None otherwise."""
    key, colon, value = line.partition(":")
    if not colon or not key or not (key[0].isalpha() or key[0] == "_") \
            or not key.replace("_", "").isalnum() or (value and value[0] != " "):
        return None
    value = value.strip()
    return key, "" if value.startswith("#") else value


def _scalar(raw: str) -> str | None:
    """The text of a one-line scalar: plain (an ` #` comment ends it) or simply quoted."""
    if raw[:1] in ("'", '"'):
        quote = raw[0]
        inner, closed, rest = raw[1:].partition(quote)
        if not closed or "\\" in inner or (rest.strip() and not rest.strip().startswith("#")):
            return None
        return inner
    text = raw.split(" #", 1)[0].strip()
    if not text or text[0] in _INDICATORS or ": " in text or text.endswith(":"):
        return None
    return text


def _mappings(text: str) -> tuple[dict[str, str], dict[str, str]] | None:
    """The top level's `key: value` lines and the `project:` block's, as written."""
    top: dict[str, str] = {}
    project: dict[str, str] = {}
    section = ""
    indent = 0
    for line in text.split("\n"):
        body = line.lstrip(" ")
        if not body or body.startswith("#"):
            continue
        depth = len(line) - len(body)
        if depth and section != "project":
            continue  # inside another section's value: block scalars may hold anything
        if body[0] == "\t" or line.startswith(("---", "...", "%")):
            return None
        pair = _key_value(body)
        if depth == 0:
            if pair is None or pair[0] in top:
                return None
            top[pair[0]] = pair[1]
            section, indent = pair[0], 0
        elif section == "project":
            indent = indent or depth
            if depth == indent and (pair is None or pair[0] in project):
                return None
            if depth == indent:
                project[pair[0]] = pair[1]  # type: ignore[index]
            elif depth < indent:
                return None
    return top, project


def locations(text: str) -> tuple[str, str, str | None] | None:
    """(project.output, project.dockerfile, templates) as a simple stages.yaml sets them;
    None when it sets them some other way (flow mappings, anchors, block scalars, ...)."""
    found = _mappings(text)
    if found is None:
        return None
    top, project = found
    if top.get("project") != "":
        return None
    values: dict[str, str | None] = {}
    for key, default in _SETTINGS.items():
        raw = project.get(key)
        values[key] = default if raw is None else _scalar(raw)
    raw = top.get("templates")
    values["templates"] = None if raw is None else _scalar(raw)
    if values["output"] is None or values["dockerfile"] is None or values["templates"] == "":
        return None
    return values["output"], values["dockerfile"], values["templates"]  # type: ignore[return-value]


def shown(path: str) -> str:
    """`path` as pathlib prints it (`./docker/` is `docker`), without importing pathlib,
    which would cost this module's callers a third of their time."""
    root = "/" if path.startswith("/") else ""
    if path.startswith("//") and not path.startswith("///"):
        root = "//"
    parts = [p for p in path.split("/") if p and p != "."]
    return root + "/".join(parts) or "."


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def fresh_output(config_path: str, version: str | None = None) -> str | None:
    """The output folder (as `mkgen check` names it) when every rendered file's stamp proves
    it is what mkgen `version` (this one) renders from `config_path` now; else None."""
    if version is None:
        from mkgen import __version__ as version
    if os.sep != "/" or os.path.isdir(config_path):
        return None
    data = _read(config_path)
    try:
        where = locations(data.decode("utf-8")) if data is not None else None
    except UnicodeDecodeError:
        return None
    if where is None:
        return None
    output, dockerfile, templates = where
    root = os.path.dirname(config_path) or "."
    common = stamp.common_inputs(version, os.path.basename(config_path),
                                 stamp.file_digest(data), output, dockerfile, templates, root)
    folders = stamp.template_folders(root, templates)
    out_dir = os.path.join(root, output)
    if any(os.path.lexists(os.path.join(out_dir, n)) for n in (stamp.STAGING, stamp.JOURNAL)):
        return None  # an interrupted render: the full check finishes or drops it first
    for name in stamp.output_names(dockerfile):
        rendered = _read(os.path.join(out_dir, name))
        if rendered is None or not stamp.proves(rendered, version, common, name, folders):
            return None
    return shown(out_dir)
