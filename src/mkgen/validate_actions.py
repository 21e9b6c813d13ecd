"""Validate what stages and families share: their `actions` and per-action settings."""
from __future__ import annotations

from mkgen.checker import Checker, did_you_mean
from mkgen.keys import ACTION, Key, Section
from mkgen.loader import MarkedDict
from mkgen.model import ActionSettings


def action_list(c: Checker, node: MarkedDict, key: Key, path: str,
                default: tuple[str, ...]) -> tuple[str, ...]:
    """The actions named (each one of key.choices), in the order `make help` lists them."""
    if key.name not in node:
        return default
    actions = c.texts(node, key, f"{path}.{key.name}")
    for i, action in enumerate(actions):
        if action not in key.choices:
            c.item_at(node, key.name, i, f"{path}.{key.name}", f"unknown action '{action}'",
                      did_you_mean(action, key.choices)
                      or f"actions: {', '.join(key.choices)}")
    return tuple(a for a in key.choices if a in actions)


def per_action(c: Checker, node: MarkedDict, section: Section, path: str, names: set[str],
               actions: tuple[str, ...]) -> tuple[ActionSettings, ...]:
    """The settings under `build:`, `run:`, ... of a stage or family."""
    out = []
    for key in section.keys:
        if key.section_ref != "action" or key.name not in node:
            continue
        action, sub = key.name, f"{path}.{key.name}"
        settings = c.mapping(node, action, node[action], sub)
        if settings is None:
            continue
        if action not in actions:
            c.at(node, action, sub, f"settings for action '{action}', which this one lacks",
                 "add it to 'actions' or remove these settings")
        c.known_keys(settings, ACTION, sub)
        overrides = list(c.overrides(settings, ACTION["variables"], f"{sub}.variables", names))
        if "workdir" in settings:
            if action != "run":
                c.at(settings, "workdir", f"{sub}.workdir", "only the run action has a workdir")
            workdir = c.text(settings, ACTION["workdir"], f"{sub}.workdir") or ""
            overrides.append(("WORK_DIR", workdir))
        out.append(ActionSettings(action=action, variables=tuple(overrides)))
    return tuple(out)
