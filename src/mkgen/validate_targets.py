"""Validate the `targets` (families) of a stage.yaml, and the names all targets end up with."""
from __future__ import annotations

from mkgen import bake, keys
from mkgen.checker import Checker, did_you_mean
from mkgen.keys import ACTIONS, ALL_ACTIONS, FAMILY, FAMILY_NAME, MANIFEST_ACTION, PLATFORM
from mkgen.loader import MarkedDict
from mkgen.model import Family, Stage
from mkgen.plan import BUILTIN_TARGETS, Plan
from mkgen.validate_actions import action_list, per_action


def _platforms(c: Checker, node: MarkedDict, path: str) -> tuple[str, ...]:
    platforms = tuple(c.texts(node, FAMILY["platforms"], f"{path}.platforms"))
    for p in platforms:
        if not PLATFORM.match(p):
            c.at(node, "platforms", f"{path}.platforms", f"'{p}' is not a platform",
                 "write os/arch, e.g. linux/amd64")
        elif platforms.count(p) > 1:
            # Each platform's image is IMAGE_WITH_TAG-ARCH: twice would be one image.
            c.at(node, "platforms", f"{path}.platforms", f"'{p}' is listed twice")
    return platforms


def _stage_of(c: Checker, node: MarkedDict, path: str, stage_names: dict[str, None]) -> str:
    stage = c.text(node, FAMILY["stage"], f"{path}.stage") or ""
    if "stage" not in node:
        c.at(node, None, path, "has no 'stage'", "bind the family to one of: "
             + ", ".join(stage_names))
    elif stage not in stage_names:
        c.value_at(node, "stage", f"{path}.stage", f"unknown stage '{stage}'",
                   did_you_mean(stage, stage_names) or "known: " + ", ".join(stage_names))
    return stage


def _family(c: Checker, parent: MarkedDict, name: str, names: set[str],
            stage_names: dict[str, None]) -> Family | None:
    path = f"targets.{name}"
    node = c.mapping(parent, name, parent[name], path)
    if node is None:
        return None
    if not FAMILY_NAME.match(name):
        c.at(parent, name, path, "is not a valid target family name",
             "use letters, digits, '_', '.' and '-'")
    c.known_keys(node, FAMILY, path)
    stage = _stage_of(c, node, path, stage_names)
    platforms = _platforms(c, node, path)
    push_by_build = c.flag(node, FAMILY["push_by_build"], f"{path}.push_by_build")
    # Any action is known, so that a manifest without platforms gets its own message.
    actions = action_list(c, node, FAMILY["actions"], path,
                          ALL_ACTIONS if platforms and not push_by_build else ACTIONS)
    if MANIFEST_ACTION in actions and not platforms:
        c.at(node, "actions", f"{path}.actions", "the manifest action needs 'platforms'")
    if push_by_build and MANIFEST_ACTION in actions:
        c.at(node, "push_by_build", f"{path}.push_by_build",
             "a family pushed by its build publishes one index: it has no manifest action",
             "drop manifest from its actions (or push_by_build)")
    return Family(
        name=name, stage=stage, help=c.text(node, FAMILY["help"], f"{path}.help") or "",
        actions=actions,
        variables=c.overrides(node, FAMILY["variables"], f"{path}.variables", names),
        per_action=per_action(c, node, FAMILY, path, names, actions), platforms=platforms,
        builder=c.text(node, FAMILY["builder"], f"{path}.builder") or None,
        push_by_build=push_by_build,
    )


def validate_families(c: Checker, root: MarkedDict, names: set[str],
                      stages: tuple[Stage, ...]) -> tuple[Family, ...]:
    key = keys.TOP["targets"]
    node = c.mapping(root, key.name, root.get(key.name), key.name)
    if node is None:
        return ()
    stage_names = dict.fromkeys(s.name for s in stages)  # ordered, and O(1) to look up
    families = (_family(c, node, name, names, stage_names) for name in node)
    return tuple(f for f in families if f is not None)


def check_target_names(c: Checker, root: MarkedDict, plan: Plan) -> None:
    """No two stages, families, recipes or aliases make the same target, no family is named
    like a stage (its targets would read as the stage's), and an alias or a recipe's
    prerequisite names a target that exists."""
    seen: dict[str, str] = {name: "mkgen" for name, _ in BUILTIN_TARGETS}
    collided: set[str] = set()
    for group in plan.groups:
        for target in group.targets:
            where = f"{group.yaml_key}.{group.name}"
            if target.name in seen and group.name not in collided:
                collided.add(group.name)
                c.at(root.get(group.yaml_key), group.name, where,
                     f"target '{target.name}' is also generated for {seen[target.name]}",
                     "rename one of them")
            seen[target.name] = where
    _check_added_names(c, root, plan, seen)
    stage_names = {s.name for s in plan.config.stages}
    targets = root.get("targets")
    for family in plan.config.families:
        if family.name in stage_names and family.name not in collided \
                and isinstance(targets, MarkedDict):
            c.at(targets, family.name, f"targets.{family.name}",
                 "has the name of a stage", "rename the family")
            collided.add(family.name)
    _check_bake_names(c, root, plan, collided)


def _check_bake_names(c: Checker, root: MarkedDict, plan: Plan, collided: set[str]) -> None:
    """docker-bake.hcl names targets with [A-Za-z0-9_-] (a `.` becomes `_`) and adds
    `<name>-push`: two stages or families must not end up with one bake target."""
    seen: dict[str, str] = {}
    for group in plan.groups:
        where = f"{group.yaml_key}.{group.name}"
        clash = next((n for n in bake.bake_targets(group) if n in seen), None)
        if clash is not None and group.name not in collided:
            collided.add(group.name)
            c.at(root.get(group.yaml_key), group.name, where,
                 f"bake target '{clash}' of docker-bake.hcl is also {seen[clash]}'s",
                 "rename one of them (in bake target names a '.' is '_')")
        seen.update(dict.fromkeys(bake.bake_targets(group), where))


def _check_added_names(c: Checker, root: MarkedDict, plan: Plan, seen: dict[str, str]) -> None:
    for key, names in (("recipes", [r.name for r in plan.config.recipes]),
                       ("aliases", [a for a, _ in plan.config.aliases])):
        for name in names:
            if name in seen:
                c.at(root.get(key), name, f"{key}.{name}",
                     f"target '{name}' is also generated for {seen[name]}", "rename it")
            seen[name] = f"{key}.{name}"
    known = list(seen)
    for alias, target in plan.config.aliases:
        if target not in seen or seen[target].startswith("aliases."):
            c.value_at(root["aliases"], alias, f"aliases.{alias}",
                       f"'{target}' is not a target",
                       did_you_mean(target, known) or "'mkgen list' shows every target")
    for recipe in plan.config.recipes:
        for i, need in enumerate(recipe.needs):
            if need not in seen:
                c.item_at(root["recipes"][recipe.name], "needs", i,
                          f"recipes.{recipe.name}.needs", f"'{need}' is not a target",
                          did_you_mean(need, known) or "'mkgen list' shows every target")
