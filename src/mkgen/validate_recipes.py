"""Validate what a stages.yaml adds beside stages and families: recipes (targets with their own
commands), aliases (other names for targets) and new names for built-in variables."""
from __future__ import annotations

from mkgen import keys, make_text
from mkgen.builtin_variables import INTERNAL, builtin_names
from mkgen.checker import Checker, did_you_mean
from mkgen.keys import RECIPE, TARGET_NAME, VARIABLE_NAME
from mkgen.loader import MarkedDict, MarkedList
from mkgen.model import Recipe
from mkgen.validate_variables import RESERVED


def _text_pairs(c: Checker, root: MarkedDict, key: str) -> tuple[MarkedDict | None,
                                                                  list[tuple[str, str]]]:
    node = c.mapping(root, key, root.get(key), key) if key in root else None
    if node is None:
        return None, []
    pairs = []
    for name in node:
        value = c.text(node, keys.Key(name, keys.TEXT, "", default=""), f"{key}.{name}") or ""
        pairs.append((name, value))
    return node, pairs


def validate_renames(c: Checker, root: MarkedDict) -> tuple[tuple[str, str], ...]:
    """`builtins: {PLATFORM: BUILD_PLATFORM}`: each a built-in, each new name free."""
    node, pairs = _text_pairs(c, root, "builtins")
    builtins = builtin_names()
    taken = set(builtins) - {old for old, _ in pairs}
    out = []
    for old, new in pairs:
        path = f"builtins.{old}"
        if old not in builtins:
            c.at(node, old, path, "is not a built-in variable",
                 did_you_mean(old, builtins) or "built-ins: " + ", ".join(builtins))
        elif not VARIABLE_NAME.match(new) or new in RESERVED or new in INTERNAL \
                or new.lower().startswith("mkgen_"):
            c.value_at(node, old, path, f"'{new}' cannot be a variable's name",
                       "use letters, digits and '_', not a name make or mkgen uses")
        elif new in taken:
            c.value_at(node, old, path, f"'{new}' is already a built-in variable's name",
                       "pick a name no built-in has")
        else:
            taken.add(new)
            out.append((old, new))
    return tuple(out)


def _check_commands(c: Checker, node: MarkedDict, path: str, commands: list[str],
                    names: set[str]) -> None:
    for i, line in enumerate(commands):
        if line.lstrip().startswith("+"):
            c.item_at(node, "commands", i, f"{path}.commands",
                      "a '+' command runs even under make -n", "drop the '+'")
        for use in make_text.uses(line):
            problem = make_text.problem(line, use, names)
            if problem:
                c.item_at(node, "commands", i, f"{path}.commands", problem,
                          "write $$ for a shell $; see docs/stages-yaml.md, recipes")


def _commands(c: Checker, node: MarkedDict, path: str) -> list[str]:
    raw = node.get("commands")
    if isinstance(raw, str):
        return [line for line in raw.rstrip("\n").split("\n") if line.strip()]
    if isinstance(raw, MarkedList) and all(isinstance(x, str) for x in raw):
        return list(raw)
    if "commands" not in node:
        c.at(node, None, path, "has no 'commands'", "give the recipe's command lines")
    else:
        c.at(node, "commands", f"{path}.commands", "must be command lines: a block or a list")
    return []


def _recipe(c: Checker, parent: MarkedDict, name: str, names: set[str]) -> Recipe | None:
    path = f"recipes.{name}"
    node = c.mapping(parent, name, parent[name], path)
    if node is None:
        return None
    if not TARGET_NAME.match(name):
        c.at(parent, name, path, "is not a valid target name",
             "use letters, digits, '_', '.' and '-'")
    c.known_keys(node, RECIPE, path)
    commands = _commands(c, node, path)
    _check_commands(c, node, path, commands, names | set(INTERNAL))
    requires = c.texts(node, RECIPE["requires"], f"{path}.requires")
    for i, var in enumerate(requires):
        if var not in names:
            c.item_at(node, "requires", i, f"{path}.requires", f"unknown variable '{var}'",
                      did_you_mean(var, names) or "declare it under 'variables'")
    return Recipe(name=name, commands=tuple(commands),
                  help=c.text(node, RECIPE["help"], f"{path}.help") or "",
                  needs=tuple(c.texts(node, RECIPE["needs"], f"{path}.needs")),
                  requires=tuple(requires),
                  variables=c.overrides(node, RECIPE["variables"], f"{path}.variables", names))


def validate_recipes(c: Checker, root: MarkedDict, names: set[str]) -> tuple[Recipe, ...]:
    key = keys.TOP["recipes"]
    node = c.mapping(root, key.name, root.get(key.name), key.name)
    if node is None:
        return ()
    recipes = (_recipe(c, node, name, names) for name in node)
    return tuple(r for r in recipes if r is not None)


def validate_aliases(c: Checker, root: MarkedDict) -> tuple[tuple[str, str], ...]:
    """`aliases: {build: devel_build}`; which targets exist is checked with the plan."""
    node, pairs = _text_pairs(c, root, "aliases")
    for name, _ in pairs:
        if not TARGET_NAME.match(name):
            c.at(node, name, f"aliases.{name}", "is not a valid target name",
                 "use letters, digits, '_', '.' and '-'")
    return tuple(pairs)
