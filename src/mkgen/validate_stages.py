"""Validate the `stages` of a stages.yaml: names, bases, build arguments and steps."""
from __future__ import annotations

from mkgen import dockerfile_text as dockerfile
from mkgen import keys
from mkgen.checker import Checker, did_you_mean, single_key_mapping
from mkgen.errors import Problem
from mkgen.keys import ACTIONS, IMAGE_REF, STAGE, STAGE_NAME
from mkgen.loader import MarkedDict, MarkedList
from mkgen.model import Stage, Variable
from mkgen.validate_actions import action_list, per_action


def _step_at(c: Checker, node: MarkedDict, index: int, offset: int, path: str,
             message: str, hint: str = "") -> None:
    """A problem in line `offset` of step `index`, whether steps are one block or a list."""
    raw = node.get("steps")
    if isinstance(raw, MarkedList):
        mark = raw.item_marks[index]
    else:
        mark = node.value_marks.get("steps", node.mark)
    c.problems.append(Problem(c.file, mark.line + offset, mark.col, f"{path}.steps", message,
                              hint))


def _steps(c: Checker, node: MarkedDict, path: str) -> tuple[str, ...]:
    raw = node.get("steps")
    if raw is None:
        return ()
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(s, str) for s in items):
        c.at(node, "steps", f"{path}.steps", "must be Dockerfile text or a list of instructions")
        return ()
    out = []
    for i, text in enumerate(items):
        text = text.rstrip("\n")
        for offset, instruction in dockerfile.instructions(text):
            word = dockerfile.keyword(instruction)
            if word == "FROM":
                _step_at(c, node, i, offset, path, "FROM is not allowed in steps",
                         "a stage's base is its 'from'; declare another stage for another FROM")
            elif word not in dockerfile.INSTRUCTIONS:
                hint = did_you_mean(word, sorted(dockerfile.INSTRUCTIONS))
                _step_at(c, node, i, offset, path,
                         f"'{instruction.split()[0]}' is not a Dockerfile instruction",
                         hint or "start each instruction with RUN, COPY, ENV, ...")
        out.append(text)
    return tuple(out)


def _stage_node(c: Checker, parent: MarkedDict, name: str, path: str) -> MarkedDict | None:
    """The mapping that declares a stage; a plain string is its `from`."""
    raw = parent[name]
    if isinstance(raw, str):
        return single_key_mapping("from", raw, parent.value_marks[name])
    return c.mapping(parent, name, raw, path)


def _stage(c: Checker, parent: MarkedDict, node: MarkedDict, name: str,
           names: set[str]) -> Stage:
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
        args=tuple(c.texts(node, STAGE["args"], f"{path}.args")),
        steps=_steps(c, node, path), actions=actions,
        variables=c.overrides(node, STAGE["variables"], f"{path}.variables", names),
        per_action=per_action(c, node, STAGE, path, names, actions),
    )


class _StageContext:
    """What the checks of one stage's references need to know about the others."""

    def __init__(self, stage_names: dict[str, None], variables: tuple[Variable, ...]) -> None:
        self.stage_names = stage_names
        self.build_args = {v.dockerfile_name for v in variables if v.build_arg}  # ARG names
        self.secret_ids = {v.id for v in variables if v.secret}
        self.secrets = {v.name for v in variables if v.secret}


def _check_base(c: Checker, node: MarkedDict, path: str, stage: Stage,
                ctx: _StageContext) -> None:
    base = stage.base
    if base == stage.name or (base.lower() == stage.name and base not in ctx.stage_names):
        c.value_at(node, "from", f"{path}.from", "a stage cannot be built from itself",
                   "name an image, or another stage" if base == stage.name else "")
        return
    if not base or base in ctx.stage_names:
        return
    if "$" not in base and not IMAGE_REF.match(base):
        hint = did_you_mean(base, ctx.stage_names) or "an image such as debian:12 or a stage"
        c.value_at(node, "from", f"{path}.from",
                   f"'{base}' is neither a stage nor a valid image reference", hint)
    elif "/" not in base and ":" not in base and "$" not in base and base != "scratch":
        close = did_you_mean(base, ctx.stage_names)
        if close:
            c.value_at(node, "from", f"{path}.from", f"unknown stage '{base}'", close)
    for ref in dockerfile.variable_refs(base):
        if ref not in ctx.build_args:
            c.value_at(node, "from", f"{path}.from", f"refers to ${{{ref}}}, which is not "
                       "a build argument", "declare it with 'build_arg: true'")


def _check_from_arg(c: Checker, node: MarkedDict, path: str, stage: Stage,
                    ctx: _StageContext) -> None:
    if not stage.from_arg:
        return
    if stage.from_arg not in ctx.build_args:
        c.value_at(node, "from_arg", f"{path}.from_arg",
                   f"'{stage.from_arg}' is not a build argument",
                   "declare it under 'variables' with 'build_arg: true' and no default")
    if stage.base not in ctx.stage_names:
        c.value_at(node, "from_arg", f"{path}.from_arg",
                   "from_arg needs 'from' to name a stage (the argument's default)")


def _check_args(c: Checker, node: MarkedDict, path: str, stage: Stage,
                ctx: _StageContext) -> None:
    for i, arg in enumerate(stage.args):
        if arg not in ctx.build_args:
            c.item_at(node, "args", i, f"{path}.args", f"'{arg}' is not a build argument",
                      did_you_mean(arg, ctx.build_args) or "declare it with 'build_arg: true'")


def stage_ref_problem(ref: str, stage: str,
                      stage_names: dict[str, None]) -> tuple[str, str] | None:
    """What is wrong with `COPY --from=ref` / `--mount=...,from=ref` (message, hint)."""
    if ref == stage:
        return "a stage cannot copy from itself", "copy from another stage or an image"
    if ref in stage_names or "$" in ref:
        return None
    if ref.isdigit():
        # mkgen orders the stages itself, so a stage's number is not the user's to know.
        return f"refers to stage number {ref}", "name the stage instead"
    if not any(ch in ref for ch in "/:@"):
        # A bare word is meant as a stage far more often than as an untagged image.
        return (f"refers to unknown stage '{ref}'", did_you_mean(ref, stage_names)
                or "declare the stage, or name an image with its tag, e.g. busybox:1.36")
    if not IMAGE_REF.match(ref):
        return f"'{ref}' is neither a stage nor a valid image reference", ""
    return None


def _instruction_problems(instruction: str, stage: Stage, declared: set[str],
                          ctx: _StageContext) -> list[tuple[str, str]]:
    """(message, hint) of each problem of one instruction of a stage's steps."""
    found = []
    for ref in dockerfile.stage_references(instruction):
        problem = stage_ref_problem(ref, stage.name, ctx.stage_names)
        if problem:
            found.append(problem)
    for secret in dockerfile.secret_ids(instruction):
        if secret not in ctx.secret_ids:
            found.append((f"mounts secret '{secret}', which is not a declared secret",
                          did_you_mean(secret, ctx.secret_ids)
                          or f"declare it: variables: {{{secret}: {{secret: true}}}}"))
    for ref in dockerfile.variable_refs(instruction):
        if ref in ctx.build_args and ref not in declared:
            found.append((f"uses ${{{ref}}} but does not declare it",
                          f"add {ref} to this stage's 'args'"))
        elif ref in ctx.secrets and ref not in declared:
            found.append((f"uses ${{{ref}}}, a secret, which is never a build argument",
                          f"mount it: RUN --mount=type=secret,id={ref} ..., then read "
                          f"/run/secrets/{ref}"))
    return found


def _check_steps(c: Checker, node: MarkedDict, path: str, stage: Stage,
                 ctx: _StageContext) -> None:
    declared = set(stage.args)
    for i, text in enumerate(stage.steps):
        for offset, instruction in dockerfile.instructions(text):
            declared.update(dockerfile.declared_args(instruction))
            for message, hint in _instruction_problems(instruction, stage, declared, ctx):
                _step_at(c, node, i, offset, path, message, hint)


def validate_stages(c: Checker, root: MarkedDict, names: set[str],
                    variables: tuple[Variable, ...]) -> tuple[Stage, ...]:
    key = keys.TOP["stages"]
    node = c.mapping(root, key.name, root.get(key.name), key.name)
    if node is None:
        return ()
    if not node:
        c.at(root, key.name if key.name in root else None, key.name, "no stages declared",
             "declare at least one: stages: {app: {from: debian:12}}")
        return ()
    ctx = _StageContext(dict.fromkeys(node), variables)  # ordered, `in` stays O(1)
    stages = []
    for name in ctx.stage_names:
        stage_node = _stage_node(c, node, name, f"stages.{name}")
        if stage_node is None:
            continue
        stage = _stage(c, node, stage_node, name, names)
        for check in (_check_base, _check_from_arg, _check_args, _check_steps):
            check(c, stage_node, f"stages.{name}", stage, ctx)
        stages.append(stage)
    return tuple(stages)
