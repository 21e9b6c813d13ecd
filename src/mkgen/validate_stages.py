"""Validate the `stages` of a stages.yaml: names, bases, build arguments and steps (the steps
themselves are validate_steps' business)."""
from __future__ import annotations

import re

from mkgen import keys
from mkgen.checker import Checker, did_you_mean, near_miss, single_key_mapping
from mkgen.dockerfile_variables import AUTOMATIC_ARGS, ExpansionError, references
from mkgen.errors import WARNING
from mkgen.keys import ACTIONS, IMAGE_REF, PLATFORM, STAGE, STAGE_NAME
from mkgen.loader import MarkedDict
from mkgen.model import Stage, Variable
from mkgen.validate_actions import action_list, per_action
from mkgen.validate_steps import StepContext, check_steps, read_steps, stage_declares

OS_ONLY = re.compile(r"^[a-z0-9]+\Z")  # `--platform=linux`: the OS, the architecture of the host


def _stage_node(c: Checker, parent: MarkedDict, name: str, path: str) -> MarkedDict | None:
    """The mapping that declares a stage; a plain string is its `from`."""
    raw = parent[name]
    if isinstance(raw, str):
        return single_key_mapping("from", raw, parent.value_marks[name])
    return c.mapping(parent, name, raw, path)


def _stage(c: Checker, parent: MarkedDict, node: MarkedDict, name: str,
           names: set[str], escape: str) -> Stage:
    path = f"stages.{name}"
    if not STAGE_NAME.match(name):
        c.at(parent, name, path, "is not a valid stage name",
             "Docker stage names are lowercase letters, digits, '_', '.', '-'")
    c.known_keys(node, STAGE, path)
    if "from" not in node:
        c.at(node, None, path, "has no 'from'", "name an image or another stage")
    actions = action_list(c, node, STAGE["actions"], path, ACTIONS)
    return Stage(
        name=name, base=c.text(node, STAGE["from"], f"{path}.from") or "",
        help=c.text(node, STAGE["help"], f"{path}.help") or "",
        from_arg=c.text(node, STAGE["from_arg"], f"{path}.from_arg") or None,
        platform=c.text(node, STAGE["platform"], f"{path}.platform"),
        args=tuple(c.texts(node, STAGE["args"], f"{path}.args")),
        steps=read_steps(c, node, path, escape), actions=actions,
        variables=c.overrides(node, STAGE["variables"], f"{path}.variables", names),
        per_action=per_action(c, node, STAGE, path, names, actions),
    )


def _context(stages: tuple[Stage, ...], variables: tuple[Variable, ...],
             escape: str) -> StepContext:
    return StepContext(
        stages=stages, escape=escape,
        build_args=frozenset(v.dockerfile_name for v in variables if v.build_arg),
        secret_ids=frozenset(v.id for v in variables if v.secret),
        secrets=frozenset(v.name for v in variables if v.secret),
        positions={s.name: i for i, s in enumerate(stages)},
        computed_args=frozenset(v.dockerfile_name for v in variables
                                if v.arg_default is not None))


def _check_variables_in(c: Checker, node: MarkedDict, key: str, path: str, text: str,
                        ctx: StepContext) -> None:
    """`${NAME}` in `from` (and the like): FROM lines see the global build arguments and
    BuildKit's automatic platform arguments, nothing else."""
    try:
        found = references(text, ctx.escape)
    except ExpansionError as exc:
        c.value_at(node, key, path, f"is not a valid Dockerfile word: {exc}")
        return
    for ref in found:
        if ref not in ctx.build_args and ref not in AUTOMATIC_ARGS:
            c.value_at(node, key, path, f"refers to ${{{ref}}}, which is not a build argument",
                       "declare it with 'build_arg: true'")


def _check_base(c: Checker, node: MarkedDict, path: str, stage: Stage,
                ctx: StepContext) -> None:
    base = stage.base
    if not base or base in ctx.positions and base != stage.name:
        return
    if base == stage.name:
        c.value_at(node, "from", f"{path}.from", "a stage cannot be built from itself",
                   "name an image, or another stage")
    elif any(ch.isspace() for ch in base):
        c.value_at(node, "from", f"{path}.from", f"'{base}' is more than one word",
                   "name one image or stage; mkgen writes the 'AS name' itself")
    elif base.lower() in ctx.positions:
        c.value_at(node, "from", f"{path}.from", f"'{base}' is not a valid image reference",
                   f"FROM finds a stage by its exact name: '{base.lower()}'")
    elif "$" in base:
        _check_variables_in(c, node, "from", f"{path}.from", base, ctx)
    elif not IMAGE_REF.match(base):
        c.value_at(node, "from", f"{path}.from",
                   f"'{base}' is neither a stage nor a valid image reference",
                   did_you_mean(base, ctx.positions) or "an image such as debian:12 or a stage")
    elif not any(ch in base for ch in "/:@") and near_miss(base, ctx.positions):
        c.value_at(node, "from", f"{path}.from",
                   f"'{base}' is no stage, so it names the image {base}",
                   f"did you mean '{near_miss(base, ctx.positions)}'?", severity=WARNING)


def _check_from_arg(c: Checker, node: MarkedDict, path: str, stage: Stage,
                    ctx: StepContext) -> None:
    if not stage.from_arg:
        return
    if stage.from_arg not in ctx.build_args:
        c.value_at(node, "from_arg", f"{path}.from_arg",
                   f"'{stage.from_arg}' is not a build argument",
                   "declare it under 'variables' with 'build_arg: true' and no default")
    if stage.base not in ctx.positions:
        c.value_at(node, "from_arg", f"{path}.from_arg",
                   "from_arg needs 'from' to name a stage (the argument's default)")
    if stage.from_arg in ctx.computed_args:
        c.value_at(node, "from_arg", f"{path}.from_arg",
                   f"'{stage.from_arg}' has an arg_default, but a from_arg's default is the "
                   "stage its 'from' names", f"drop {stage.from_arg}'s arg_default")


def _check_platform(c: Checker, node: MarkedDict, path: str, stage: Stage,
                    ctx: StepContext) -> None:
    platform = stage.platform
    if platform is None:
        return
    if not platform or any(ch.isspace() for ch in platform):
        c.value_at(node, "platform", f"{path}.platform", "must be one platform, such as "
                   "linux/amd64 or $BUILDPLATFORM")
    elif "$" in platform:
        _check_variables_in(c, node, "platform", f"{path}.platform", platform, ctx)
    elif not PLATFORM.match(platform) and not OS_ONLY.match(platform):
        c.value_at(node, "platform", f"{path}.platform", f"'{platform}' is not a platform",
                   "os/arch[/variant], such as linux/arm64 or linux/arm/v7")


def _check_args(c: Checker, node: MarkedDict, path: str, stage: Stage,
                ctx: StepContext) -> None:
    for i, arg in enumerate(stage.args):
        if arg not in ctx.build_args:
            c.item_at(node, "args", i, f"{path}.args", f"'{arg}' is not a build argument",
                      did_you_mean(arg, ctx.build_args) or "declare it with 'build_arg: true'")


def _inherited(stage: Stage, by_name: dict[str, Stage], escape: str) -> set[str]:
    """What the stages this one is built FROM declare: BuildKit hands their ARGs (and their
    image, ENV included) on to it."""
    names: set[str] = set()
    seen = {stage.name}
    parent = by_name.get(stage.base)
    while parent is not None and parent.name not in seen:
        seen.add(parent.name)
        names |= stage_declares(parent, escape)
        parent = by_name.get(parent.base)
    return names


def validate_stages(c: Checker, root: MarkedDict, names: set[str],
                    variables: tuple[Variable, ...], escape: str = "\\") -> tuple[Stage, ...]:
    key = keys.TOP["stages"]
    node = c.mapping(root, key.name, root.get(key.name), key.name)
    if node is None:
        return ()
    if not node:
        c.at(root, key.name if key.name in root else None, key.name, "no stages declared",
             "declare at least one: stages: {app: {from: debian:12}}")
        return ()
    read: list[tuple[Stage, MarkedDict]] = []
    for name in node:
        stage_node = _stage_node(c, node, name, f"stages.{name}")
        if stage_node is not None:
            read.append((_stage(c, node, stage_node, name, names, escape), stage_node))
    stages = tuple(stage for stage, _ in read)
    ctx = _context(stages, variables, escape)
    by_name = {s.name: s for s in stages}
    for stage, stage_node in read:
        path = f"stages.{stage.name}"
        for check in (_check_base, _check_from_arg, _check_platform, _check_args):
            check(c, stage_node, path, stage, ctx)
        check_steps(c, stage_node, path, stage, ctx, _inherited(stage, by_name, escape))
    return stages
