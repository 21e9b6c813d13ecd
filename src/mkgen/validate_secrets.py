"""Secrets (`secret: true`) keep their values out of the committed files, make's echo and
docker's argv: a secret gets its value from the environment, the command line, or its own
`shell:` / `file:`, never from stages.yaml text, and no other value refers to it."""
from __future__ import annotations

from mkgen import escape, make_text
from mkgen.checker import Checker, value_position
from mkgen.errors import WARNING
from mkgen.loader import MarkedDict, MarkedList, Position
from mkgen.model import Config, Variable
from mkgen.plan import Override, Plan

# The committed Makefile holds every default and override, so none may hold a secret.
_WHERE_FROM = ("the Makefile is committed; give {name} in the environment or on the command "
               "line, or read it with 'shell:' or 'file:'")

# Values that refer to a secret end up in a recipe: make echoes it, and docker's argv is
# readable by every user of the machine (ps, /proc/PID/cmdline).
_LEAK = ("make prints every command it runs and docker's arguments are visible to every "
         "process; a secret reaches the build only through RUN --mount=type=secret,id={id}")
_LEAK_IN_COMMANDS = ("make prints every command it runs; write $${name}: the shell reads the "
                     "exported secret from its environment, make never prints it")


def _unique_overrides(plan: Plan) -> list[Override]:
    """Each override once: a family's targets repeat its stage's."""
    seen: dict[tuple[str, ...], Override] = {}
    for target in (*(t for g in plan.groups for t in g.targets), *plan.recipes):
        for override in target.overrides:
            seen.setdefault(override.path, override)
    return list(seen.values())


def check_secrets(c: Checker, root: MarkedDict, config: Config, plan: Plan) -> None:
    secrets = {v.name: v for v in config.secrets}
    if not secrets:
        return
    overrides = _unique_overrides(plan)
    _check_secret_values(c, root, config, overrides)
    for var in config.variables:
        if not var.secret:  # a secret's own values are refused above
            _check_variable_refs(c, root, var, secrets)
    for override in overrides:
        _check_refs(c, value_position(root, override.path), ".".join(override.path),
                    escape.refs(override.value), secrets)
    _check_recipe_commands(c, root, config, secrets)
    _check_snippet(c, root, config.makefile_snippet, secrets)


def _node(root: MarkedDict, *path: str) -> object:
    node: object = root
    for key in path:
        node = node.get(key) if isinstance(node, MarkedDict) else None
    return node


def _check_secret_values(c: Checker, root: MarkedDict, config: Config,
                         overrides: list[Override]) -> None:
    """No secret gets its value from stages.yaml text."""
    for var in config.secrets:
        node = _node(root, "variables", var.name)
        path = f"variables.{var.name}"
        hint = _WHERE_FROM.format(name=var.name)
        if var.default and not var.from_command_or_file:  # that one has its own problem
            c.record(value_position(root, ("variables", var.name)), f"{path}.default",
                     "a secret cannot have a default", hint)
        for key in ("cases", "append"):
            if isinstance(node, MarkedDict) and key in node:
                c.at(node, key, f"{path}.{key}", f"a secret cannot have '{key}'", hint)
    secrets = {v.name for v in config.secrets}
    for override in overrides:
        if override.variable in secrets:
            c.record(value_position(root, override.path), ".".join(override.path),
                     "a secret cannot be set in stages.yaml",
                     _WHERE_FROM.format(name=override.variable))


def _check_variable_refs(c: Checker, root: MarkedDict, var: Variable,
                         secrets: dict[str, Variable]) -> None:
    """A variable's default, cases and appended parts refer to no secret."""
    node = _node(root, "variables", var.name)
    path = f"variables.{var.name}"
    if isinstance(node, MarkedDict):
        _check_refs(c, node.value_marks.get("default", node.mark), f"{path}.default",
                    escape.refs(var.default), secrets)
        cases = node.get("cases")
        for pattern, value in var.cases:
            if isinstance(cases, MarkedDict):
                _check_refs(c, cases.value_marks[pattern], f"{path}.cases.{pattern}",
                            escape.refs(value), secrets)
        parts = node.get("append")
        for i, part in enumerate(var.append):
            mark = parts.item_marks[i] if isinstance(parts, MarkedList) else \
                node.value_marks.get("append", node.mark)
            _check_refs(c, mark, f"{path}.append", escape.refs(part), secrets)
    elif node is not None:  # `NAME: value`: the value is the default
        _check_refs(c, value_position(root, ("variables", var.name)), path,
                    escape.refs(var.default), secrets)


def _check_recipe_commands(c: Checker, root: MarkedDict, config: Config,
                           secrets: dict[str, Variable]) -> None:
    for recipe in config.recipes:
        node = _node(root, "recipes", recipe.name)
        if not isinstance(node, MarkedDict):
            continue
        lines = node.get("commands")
        for i, line in enumerate(recipe.commands):
            refs = _variables_in(line)
            mark = lines.item_marks[i] if isinstance(lines, MarkedList) else \
                node.value_marks.get("commands", node.mark)
            _check_refs(c, mark, f"recipes.{recipe.name}.commands", refs, secrets,
                        _LEAK_IN_COMMANDS)


def _check_snippet(c: Checker, root: MarkedDict, snippet: str,
                   secrets: dict[str, Variable]) -> None:
    """The `makefile:` snippet is plain make, the way out for what stages.yaml cannot say, so
    a secret in it is a warning, not a refusal (a line may start with `@`, which make does
    not print); its value still reaches the command's argv."""
    for number, line in enumerate(snippet.split("\n"), start=1):
        for ref in dict.fromkeys(_variables_in(line)):
            if ref in secrets:
                c.value_at(root, "makefile", "makefile",
                           f"line {number} of the snippet refers to the secret $({ref})",
                           _LEAK_IN_COMMANDS.format(name=ref), WARNING)


def _variables_in(make_line: str) -> list[str]:
    """The variables a line of Make text refers to, `$(NAME)` or `${NAME}`, nested ones too."""
    return [u.name for u in make_text.uses(make_line) if u.kind == "variable"]


def _check_refs(c: Checker, mark: Position, path: str, refs: list[str],
                secrets: dict[str, Variable], hint: str = _LEAK) -> None:
    for ref in dict.fromkeys(refs):
        if ref in secrets:
            c.record(mark, path, f"refers to the secret $({ref})",
                     hint.format(name=ref, id=secrets[ref].id))
