"""Validate the `variables` of a stages.yaml: declared ones, and redeclared built-ins."""
from __future__ import annotations

import re
from typing import Any

from mkgen import escape, keys
from mkgen.builtin_variables import INTERNAL, builtin_variables
from mkgen.checker import Checker, single_key_mapping
from mkgen.keys import VARIABLE, VARIABLE_NAME
from mkgen.loader import MarkedDict
from mkgen.model import Project, Variable

CREDENTIAL = re.compile(r"TOKEN|PASSWORD|PASSWD|SECRET|(^|_)KEY($|_)|API_KEY|CREDENTIAL")
# Variables GNU make itself gives a meaning ("Special Variables", "Variables Used by
# Implicit Rules" are off), and environment variables every recipe needs: a Makefile that
# assigns PATH exports the new value to docker's environment.
RESERVED = frozenset({
    "MAKE", "MAKEFLAGS", "MAKEFILES", "MAKEFILE_LIST", "MAKECMDGOALS", "MAKELEVEL", "MFLAGS",
    "MAKEOVERRIDES", "MAKESHELL", "MAKE_RESTARTS", "MAKE_TERMOUT", "MAKE_TERMERR",
    "MAKE_VERSION", "MAKE_HOST", "SHELL", "CURDIR", "VPATH", "GPATH", "SUFFIXES",
    "PATH", "HOME", "IFS",
})
VALUE_SOURCES = ("default", "shell", "file")


def _usable_name(c: Checker, parent: MarkedDict, name: str, path: str) -> bool:
    if not VARIABLE_NAME.match(name):
        c.at(parent, name, path, "is not a valid variable name",
             "use letters, digits and '_', not starting with a digit")
        return False
    if name in RESERVED or name in INTERNAL or name.lower().startswith("mkgen_"):
        c.at(parent, name, path, "is a name make, the shell or mkgen itself uses",
             f"pick another name, e.g. PROJECT_{name.upper()}")
        return False
    return True


def _declaration(c: Checker, parent: MarkedDict, name: str, raw: Any,
                 path: str) -> MarkedDict | None:
    """The mapping that declares a variable; a plain string is its default."""
    if raw is None or isinstance(raw, str):
        return single_key_mapping("default", raw or "", parent.value_marks[name])
    node = c.mapping(parent, name, raw, path)
    if node is not None:
        c.known_keys(node, VARIABLE, path)
    return node


def _read(c: Checker, node: MarkedDict, name: str, path: str, group: str) -> Variable:
    def text(key: str) -> str | None:
        return c.text(node, VARIABLE[key], f"{path}.{key}")

    def flag(key: str) -> bool:
        return c.flag(node, VARIABLE[key], f"{path}.{key}")

    return Variable(name=name, help=text("help") or "", default=text("default") or "",
                    shell=text("shell"), file=text("file"), key=text("key"),
                    build_arg=flag("build_arg"), secret=flag("secret"),
                    tag_safe=flag("tag_safe"), group=group)


def _check_one_source(c: Checker, node: MarkedDict, path: str) -> None:
    sources = [k for k in VALUE_SOURCES if k in node]
    if len(sources) > 1:
        c.at(node, sources[1], path, f"has both '{sources[0]}' and '{sources[1]}'",
             "a variable takes its value from one source")
    if ("file" in node) != ("key" in node):
        c.at(node, "file" if "file" in node else "key", path, "'file' and 'key' go together",
             "read KEY = \"value\" from file: give both")


def _check_source_values(c: Checker, node: MarkedDict, var: Variable, path: str) -> None:
    if var.shell is not None and not var.shell.strip():
        c.at(node, "shell", f"{path}.shell", "is empty", "give the command that prints the value")
    if var.key is not None and not VARIABLE_NAME.match(var.key):
        c.at(node, "key", f"{path}.key", f"'{var.key}' is not a variable name",
             "the KEY of a KEY = \"value\" line")
    if var.file is not None and any(ch.isspace() or ch in "#$%" for ch in var.file):
        c.at(node, "file", f"{path}.file", "must not contain spaces, '#', '$' or '%'")


def _check_kind(c: Checker, parent: MarkedDict, node: MarkedDict, var: Variable,
                path: str) -> None:
    if var.secret and var.build_arg:
        c.at(node, "secret", path, "cannot be both secret and build_arg",
             "a secret reaches RUN --mount=type=secret, never a --build-arg")
    if var.build_arg and CREDENTIAL.search(var.name.upper()):
        c.at(parent, var.name, path, "looks like a credential but is a build argument",
             "declare it 'secret: true' so it never lands in the image history")
    if var.build_arg and escape.refs(var.default):
        c.value_at(node, "default", f"{path}.default",
                   "a build argument's default is written into Dockerfile.multi and cannot "
                   "refer to Make variables", "give a literal default")


def _redeclared_builtin(c: Checker, parent: MarkedDict, var: Variable, builtin: Variable,
                        path: str) -> Variable | None:
    """A built-in keeps its meaning; only its default and help change."""
    if var.build_arg or var.secret or var.from_command_or_file:
        c.at(parent, var.name, path, "is a built-in variable; only its default and help can "
             "change", "pick another name for a build argument or computed value")
        return None
    return Variable(name=var.name, help=var.help or builtin.help, default=var.default,
                    group=builtin.group, builtin=True)


def _variable(c: Checker, parent: MarkedDict, name: str,
              builtin: Variable | None) -> Variable | None:
    path = f"variables.{name}"
    if not _usable_name(c, parent, name, path):
        return None
    node = _declaration(c, parent, name, parent[name], path)
    if node is None:
        return None
    var = _read(c, node, name, path, builtin.group if builtin else "Project")
    _check_one_source(c, node, path)
    if builtin:
        return _redeclared_builtin(c, parent, var, builtin, path)
    _check_source_values(c, node, var, path)
    _check_kind(c, parent, node, var, path)
    return var


def _check_references(c: Checker, node: MarkedDict, variables: tuple[Variable, ...]) -> None:
    names = {v.name for v in variables}
    for var in variables:
        if var.name not in node:
            continue
        path = f"variables.{var.name}"
        if isinstance(node[var.name], MarkedDict):
            c.check_refs(node[var.name], "default", f"{path}.default", var.default, names)
        else:
            c.check_refs(node, var.name, path, var.default, names)


def validate_variables(c: Checker, root: MarkedDict, project: Project) -> tuple[Variable, ...]:
    """The built-ins (in their order, redeclared ones updated), then the project's own."""
    builtins = {v.name: v for v in builtin_variables(project)}
    declared: dict[str, Variable] = {}
    key = keys.TOP["variables"]
    node = c.mapping(root, key.name, root.get(key.name), key.name)
    for name in node or ():
        var = _variable(c, node, name, builtins.get(name))  # type: ignore[arg-type]
        if var is not None:
            declared[name] = var
    ordered = [declared.pop(n, v) for n, v in builtins.items()]
    result = tuple(ordered + list(declared.values()))
    if node is not None:
        _check_references(c, node, result)
    return result
