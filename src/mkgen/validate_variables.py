"""Validate the `variables` of a stages.yaml: declared ones, and redeclared built-ins."""
from __future__ import annotations

import re
from typing import Any

from mkgen import escape, keys
from mkgen.builtin_variables import INTERNAL, builtin_variables
from mkgen.checker import Checker, did_you_mean, one_line, single_key_mapping
from mkgen.dockerfile_variables import AUTOMATIC_ARGS, ExpansionError, references
from mkgen.errors import WARNING
from mkgen.keys import VARIABLE, VARIABLE_NAME
from mkgen.loader import MarkedDict
from mkgen.model import Project, Variable

# A name that says it holds a credential: one of these words between underscores (as in
# BuildKit's SecretsUsedInArgOrEnv check), so that GITHUB_TOKEN is one and TOKENIZERS_VERSION
# is not; a PUBLIC key is none.
# BuildKit's build check of the same finding; `# check=skip=...` names it to silence both.
SECRETS_CHECK = "SecretsUsedInArgOrEnv"
CREDENTIAL = re.compile(r"(?i)^(?!(?:.*_)?PUBLIC(?:_|$))(?:.*_)?(?:API_?KEY|AUTH|CREDENTIALS?|KEY"
                        r"|PASS|PASSWD|PASSWORD|PWORD|SECRET|TOKEN)(?:_|$)")
# Variables GNU make itself gives a meaning ("Special Variables", "Variables Used by
# Implicit Rules" are off), and environment variables every recipe needs: a Makefile that
# assigns PATH exports the new value to docker's environment.
RESERVED = frozenset({
    "MAKE", "MAKEFLAGS", "MAKEFILES", "MAKEFILE_LIST", "MAKECMDGOALS", "MAKELEVEL", "MFLAGS",
    "MAKEOVERRIDES", "MAKESHELL", "MAKE_RESTARTS", "MAKE_TERMOUT", "MAKE_TERMERR",
    "MAKE_VERSION", "MAKE_HOST", "SHELL", "CURDIR", "VPATH", "GPATH", "SUFFIXES",
    "PATH", "HOME", "IFS",
})
# Where a value comes from; `default` may go with `select` (the value when no case matches).
VALUE_SOURCES = ("default", "shell", "file", "select")
# A redeclared built-in keeps its meaning: only these may change.
BUILTIN_CHANGES = ("default", "help", "env", "select", "cases", "word", "replace", "append")
REPLACE_FORBIDDEN = "$,()#"
# BuildKit derives an id from a target's basename (`.npmrc`); Make and the shell must take it
# as one plain word.
SECRET_ID = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_./-]*\Z")
# A select pattern: make's `filter` syntax, one word, at most one `%`.
CASE_PATTERN = re.compile(r"^[^\s%,()$]*%?[^\s%,()$]*\Z")


def taken_by_make(name: str) -> bool:
    """A name make, the shell or mkgen's own Make text uses: no variable may have it."""
    return name in RESERVED or name in INTERNAL or name.lower().startswith("mkgen_")


def _usable_name(c: Checker, parent: MarkedDict, name: str, path: str) -> bool:
    if not VARIABLE_NAME.match(name):
        c.at(parent, name, path, "is not a valid variable name",
             "use letters, digits and '_', not starting with a digit")
        return False
    if taken_by_make(name):
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


def _name(c: Checker, node: MarkedDict, key: str, path: str, pattern: re.Pattern[str],
          what: str) -> str | None:
    """The name given by `arg` / `secret_id`, if any, checked against `pattern`."""
    name = c.text(node, VARIABLE[key], f"{path}.{key}")
    if name is not None and not pattern.match(name):
        c.value_at(node, key, f"{path}.{key}", f"'{name}' is not a valid {what}",
                   "use letters, digits and '_'")
    return name


def _pairs(c: Checker, node: MarkedDict, key: str, path: str) -> tuple[tuple[str, str], ...]:
    """The `pattern: value` pairs of `cases` / `replace`, in the order written."""
    mapping = c.mapping(node, key, node.get(key), f"{path}.{key}") if key in node else None
    if mapping is None:
        return ()
    out = []
    for name in mapping:
        value = c.text(mapping, keys.Key(name, keys.TEXT, "", default=""),
                       f"{path}.{key}.{name}") or ""
        out.append((name, value))
    return tuple(out)


def _read(c: Checker, node: MarkedDict, name: str, path: str, group: str) -> Variable:
    def text(key: str) -> str | None:
        return c.text(node, VARIABLE[key], f"{path}.{key}")

    def flag(key: str) -> bool:
        return c.flag(node, VARIABLE[key], f"{path}.{key}")

    arg_name = _name(c, node, "arg", path, VARIABLE_NAME, "build argument name")
    secret_id = _name(c, node, "secret_id", path, SECRET_ID, "secret id")
    arg_default = text("arg_default")
    build_arg = flag("build_arg") or arg_name is not None or arg_default is not None
    secret = flag("secret") or secret_id is not None
    return Variable(
        name=name, help=text("help") or "", default=text("default") or "",
        shell=text("shell"), files=tuple(c.texts(node, VARIABLE["file"], f"{path}.file")),
        key=text("key"), select=text("select"), cases=_pairs(c, node, "cases", path),
        no_match_is_error="select" in node and "default" not in node,
        replace=_pairs(c, node, "replace", path), word=_word(c, node, path),
        append=tuple(c.texts(node, VARIABLE["append"], f"{path}.append")),
        env=flag("env"), build_arg=build_arg, arg_name=arg_name, arg_default=arg_default,
        secret=secret, secret_id=secret_id, tag_safe=flag("tag_safe"), group=group)


def _word(c: Checker, node: MarkedDict, path: str) -> int | None:
    text = c.text(node, VARIABLE["word"], f"{path}.word")
    if text is None:
        return None
    if not text.isdigit() or int(text) < 1:
        c.value_at(node, "word", f"{path}.word", f"'{text}' is not a word's number",
                   "1 is the first word")
        return None
    return int(text)


def _check_one_source(c: Checker, node: MarkedDict, path: str) -> None:
    sources = [k for k in VALUE_SOURCES if k in node]
    if len(sources) > 1 and sources != ["default", "select"]:
        c.at(node, sources[1], path, f"has both '{sources[0]}' and '{sources[1]}'",
             "a variable takes its value from one source")
    if ("file" in node) != ("key" in node):
        c.at(node, "file" if "file" in node else "key", path, "'file' and 'key' go together",
             "read KEY = \"value\" from file: give both")
    if ("select" in node) != ("cases" in node):
        c.at(node, "select" if "select" in node else "cases", path,
             "'select' and 'cases' go together",
             "select: OTHER_VARIABLE, then cases: {value: this variable's value}")


def _check_source_values(c: Checker, node: MarkedDict, var: Variable, path: str) -> None:
    if var.shell is not None and not var.shell.strip():
        c.at(node, "shell", f"{path}.shell", "is empty", "give the command that prints the value")
    if var.key is not None and not VARIABLE_NAME.match(var.key):
        c.at(node, "key", f"{path}.key", f"'{var.key}' is not a variable name",
             "the KEY of a KEY = \"value\" line")
    for i, file in enumerate(var.files):
        # The path is an argument of a make function: `,` would end it, a `(` or `)` unbalance
        # it, and make's word functions would split it at a blank.
        if any(ch.isspace() or ch in "#$%,()" for ch in file):
            c.item_at(node, "file", i, f"{path}.file",
                      "must not contain spaces, '#', '$', '%', ',', '(' or ')'",
                      "make reads the file by this path; rename the file or use shell:")


def _check_select(c: Checker, node: MarkedDict, var: Variable, path: str,
                  names: set[str]) -> None:
    if var.select is None:
        return
    if var.select not in names and var.select not in INTERNAL:
        c.value_at(node, "select", f"{path}.select", f"unknown variable '{var.select}'",
                   did_you_mean(var.select, names) or "select names another variable")
    elif var.select == var.name:
        c.value_at(node, "select", f"{path}.select", "a variable cannot select on itself")
    cases = node.get("cases")
    for pattern, value in var.cases:
        where = f"{path}.cases.{pattern}"
        if not CASE_PATTERN.match(pattern):
            c.at(cases, pattern, where, f"'{pattern}' is not a case pattern",
                 "one word without ',', '(', ')' or '$', with at most one '%'")
        c.check_refs(cases, pattern, where, value, names)


def _check_transforms(c: Checker, node: MarkedDict, var: Variable, path: str,
                      names: set[str]) -> None:
    for old, new in var.replace:
        if not old:
            c.at(node, "replace", f"{path}.replace", "cannot replace the empty text")
        elif any(ch in old + new for ch in REPLACE_FORBIDDEN):
            c.at(node.get("replace"), old, f"{path}.replace.{old}",
                 "texts to replace and replacements cannot hold '$', ',', '(', ')' or '#'",
                 "they are literal text for make's $(subst)")
        elif not one_line(old):
            c.at(node.get("replace"), old, f"{path}.replace.{old}",
                 "a text to replace cannot hold a line break or control character",
                 "a Makefile value is one line of text")
    for i, part in enumerate(var.append):
        for ref in escape.refs(part):
            if ref not in names and ref not in INTERNAL:
                c.item_at(node, "append", i, f"{path}.append",
                          f"refers to unknown variable $({ref})",
                          did_you_mean(ref, names) or "write $$ for a literal $")


def _check_kind(c: Checker, parent: MarkedDict, node: MarkedDict, var: Variable,
                path: str) -> None:
    if var.secret and var.build_arg:
        c.at(node, "secret", path, "cannot be both secret and build_arg",
             "a secret reaches RUN --mount=type=secret, never a --build-arg")
    if var.arg_default is not None:
        _check_arg_default(c, node, var, path)


def _check_arg_default(c: Checker, node: MarkedDict, var: Variable, path: str) -> None:
    """The Dockerfile computes the default, so make must pass nothing unless it is set."""
    source = next((k for k in VALUE_SOURCES if k in node and (k != "default" or var.default)),
                  None)
    if source:
        c.at(node, source, path, f"has both '{source}' and 'arg_default'",
             "make passes a value whenever it has one, over the Dockerfile's default; "
             "keep one of them")


def _redeclared_builtin(c: Checker, parent: MarkedDict, node: MarkedDict, var: Variable,
                        builtin: Variable, path: str) -> Variable | None:
    """A built-in keeps its meaning; only its value, help and environment reading change."""
    changed = [k for k in node if k not in BUILTIN_CHANGES]
    if changed:
        c.at(node, changed[0], path, f"is a built-in variable; '{changed[0]}' cannot change",
             "only " + ", ".join(BUILTIN_CHANGES) + " can; pick another name for the rest")
        return None
    value_changed = any(k in node for k in ("default", "select"))
    return Variable(name=var.name, help=var.help or builtin.help,
                    default=var.default if value_changed else builtin.default,
                    select=var.select, cases=var.cases,
                    no_match_is_error=var.no_match_is_error, replace=var.replace, word=var.word,
                    append=var.append, env=var.env, group=builtin.group, builtin=True,
                    computed=None if value_changed else builtin.computed)


def _variable(c: Checker, parent: MarkedDict, name: str,
              builtin: Variable | None) -> tuple[Variable, MarkedDict] | None:
    path = f"variables.{name}"
    if not _usable_name(c, parent, name, path):
        return None
    node = _declaration(c, parent, name, parent[name], path)
    if node is None:
        return None
    var = _read(c, node, name, path, builtin.group if builtin else "Project")
    _check_one_source(c, node, path)
    if builtin:
        redeclared = _redeclared_builtin(c, parent, node, var, builtin, path)
        return (redeclared, node) if redeclared else None
    _check_source_values(c, node, var, path)
    _check_kind(c, parent, node, var, path)
    return var, node


def _check_references(c: Checker, parent: MarkedDict, nodes: dict[str, MarkedDict],
                      variables: tuple[Variable, ...]) -> None:
    names = {v.name for v in variables}
    for var in variables:
        node = nodes.get(var.name)
        if node is None:
            continue
        if isinstance(parent[var.name], MarkedDict):
            c.check_refs(node, "default", f"variables.{var.name}.default", var.default, names)
        else:  # `NAME: value`: the value is the default
            c.check_refs(parent, var.name, f"variables.{var.name}", var.default, names)
        _check_select(c, node, var, f"variables.{var.name}", names)
        _check_transforms(c, node, var, f"variables.{var.name}", names)


def _check_unique(c: Checker, parent: MarkedDict, variables: tuple[Variable, ...]) -> None:
    """Two variables may not pass the same build argument or the same secret id."""
    for kind, name_of in (("build argument", lambda v: v.dockerfile_name if v.build_arg
                           else None), ("secret id", lambda v: v.id if v.secret else None)):
        seen: dict[str, str] = {}
        for var in variables:
            name = name_of(var)
            if name is None:
                continue
            if name in seen:
                c.at(parent, var.name, f"variables.{var.name}",
                     f"passes {kind} '{name}', as {seen[name]} does", "rename one of them")
            seen.setdefault(name, var.name)


def validate_variables(c: Checker, root: MarkedDict, project: Project,
                       renamed: tuple[tuple[str, str], ...] = ()) -> tuple[Variable, ...]:
    """The built-ins (in their order, with the project's names for them, redeclared ones
    updated), then the project's own."""
    builtins = {v.name: v for v in builtin_variables(project, dict(renamed))}
    declared: dict[str, Variable] = {}
    nodes: dict[str, MarkedDict] = {}
    key = keys.TOP["variables"]
    node = c.mapping(root, key.name, root.get(key.name), key.name)
    for name in node or ():
        found = _variable(c, node, name, builtins.get(name))  # type: ignore[arg-type]
        if found is not None:
            declared[name], nodes[name] = found
    ordered = [declared.pop(n, v) for n, v in builtins.items()]
    result = tuple(ordered + list(declared.values()))
    if node is not None:
        _check_references(c, node, nodes, result)
        _check_unique(c, node, result)
        _check_arg_defaults(c, nodes, result, project.escape_char)
        if not project.skips_check(SECRETS_CHECK):
            _check_credentials(c, node, result)
    return result


def _check_credentials(c: Checker, parent: MarkedDict, variables: tuple[Variable, ...]) -> None:
    for var in variables:
        if var.build_arg and not var.secret and (CREDENTIAL.search(var.name)
                                                 or CREDENTIAL.search(var.dockerfile_name)):
            c.at(parent, var.name, f"variables.{var.name}",
                 "looks like a credential but is a build argument",
                 "build arguments stay in the image history; declare it 'secret: true' and "
                 "mount it (RUN --mount=type=secret) instead", severity=WARNING)


def _check_arg_defaults(c: Checker, nodes: dict[str, MarkedDict],
                        variables: tuple[Variable, ...], escape_char: str) -> None:
    """BuildKit expands a global ARG's default with the ARGs above it (and its automatic
    platform arguments); any other name is empty there."""
    above: set[str] = set()
    for var in (v for v in variables if v.build_arg):
        node = nodes.get(var.name)
        if var.arg_default and node is not None:
            try:
                found = references(var.arg_default, escape_char)
            except ExpansionError as exc:
                c.value_at(node, "arg_default", f"variables.{var.name}.arg_default",
                           f"is not a valid Dockerfile value: {exc}", "BuildKit cannot expand it")
                found = ()
            for ref in found:
                if ref not in above and ref not in AUTOMATIC_ARGS:
                    c.value_at(node, "arg_default", f"variables.{var.name}.arg_default",
                               f"refers to ${{{ref}}}, but no build argument above it is "
                               f"{ref}, so BuildKit reads it as empty",
                               f"declare {ref} (with 'build_arg: true') above {var.name}",
                               severity=WARNING)
        above.add(var.dockerfile_name)
