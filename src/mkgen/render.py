"""Render a Config into the text of every output file. No I/O here but template reads."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mkgen import escape, resolve, templating
from mkgen.defaults import GROUP_ORDER
from mkgen.model import ACTIONS, MANIFEST_ACTION, Config, Family, Overrides, Stage, Variable

MAKEFILE = "Makefile"
USER_DOCKERFILE = "Dockerfile.user"

ACTION_HELP = {
    "build": "Build the {what} image.",
    "push": "Build, then push the {what} image.",
    "run": "Run the {what} image in a new container.",
    "pull": "Pull the {what} image.",
    "manifest": "Push the manifest list of the per-arch {what} images (IMAGE_WITH_TAG-ARCH).",
}


@dataclass(frozen=True)
class Output:
    """One rendered file: its path relative to the output folder and its text."""

    name: str
    text: str


@dataclass(frozen=True)
class Group:
    """Targets of one stage or family, and the variables they set."""

    name: str
    kind: str  # "stage" or "family"
    stage: str
    help: str
    targets: tuple[tuple[str, str], ...]  # (target, help)
    assignments: tuple[tuple[str, str, str], ...]  # (targets, variable, make value)
    pushes: tuple[tuple[str, str], ...]  # (push target, its build target)


def _assignments(targets: list[str], action_of: dict[str, str], overrides: Overrides,
                 per_action: dict[str, Overrides]) -> list[tuple[str, str, str]]:
    out = [(" ".join(targets), name, escape.make_value(value)) for name, value in overrides]
    for target in targets:
        for name, value in per_action.get(action_of[target], ()):
            out.append((target, name, escape.make_value(value)))
    return out


def _group(item: Stage | Family, stage: Stage) -> Group:
    kind = "stage" if isinstance(item, Stage) else "family"
    targets = [f"{item.name}_{a}" for a in item.actions]
    action_of = {f"{item.name}_{a}": a for a in item.actions}
    what = item.name
    helps = tuple((t, ACTION_HELP[action_of[t]].format(what=what)) for t in targets)
    assignments = [(" ".join(targets), "STAGE", stage.name)]
    per_stage = {s.action: s.variables for s in stage.per_action}
    # A family starts from its stage's settings, then applies its own.
    assignments += _assignments(targets, action_of, stage.variables, per_stage)
    if isinstance(item, Family):
        per_family = {s.action: s.variables for s in item.per_action}
        assignments += _assignments(targets, action_of, item.variables, per_family)
    pushes = tuple((f"{item.name}_push", f"{item.name}_build") for _ in [0]
                   if "push" in item.actions and "build" in item.actions)
    return Group(name=item.name, kind=kind, stage=stage.name, help=item.help,
                 targets=helps, assignments=tuple(assignments), pushes=pushes)


@dataclass(frozen=True)
class ManifestEntry:
    """One architecture of a multi-arch family: its platform and its image's tag suffix."""

    os: str
    arch: str
    variant: str

    @property
    def suffix(self) -> str:
        # IMAGE_WITH_TAG-amd64, IMAGE_WITH_TAG-arm-v7: still a valid tag.
        return "-".join(p for p in (self.arch, self.variant) if p)


def _manifests(families: tuple[Family, ...]) -> list[tuple[str, list[ManifestEntry]]]:
    """(target, per-arch entries) of every family with the manifest action."""
    out = []
    for family in families:
        if MANIFEST_ACTION in family.actions:
            entries = [ManifestEntry(*(p.split("/") + [""])[:3]) for p in family.platforms]
            out.append((f"{family.name}_{MANIFEST_ACTION}", entries))
    return out


def _variable_block(var: Variable) -> dict[str, object]:
    """How one variable is defined in the Makefile, already escaped."""
    block: dict[str, object] = {"name": var.name, "help": var.help, "export": var.secret}
    if var.expr is not None:
        block.update(kind="expr", value=var.expr)
    elif var.shell is not None:
        wrap = "$$(call mkgen_tag_safe,{})" if var.tag_safe else "{}"
        value = wrap.format(f"$$(shell $$(value mkgen_shell_{var.name}))")
        block.update(kind="shell", command=escape.make_define_body(var.shell),
                     value=f"$(eval {var.name} := {value})$({var.name})")
    elif var.file is not None:
        call = f"$$(call mkgen_file_value,$$(MKGEN_ROOT)/{var.file},{var.key},{var.name})"
        if var.tag_safe:
            call = f"$$(call mkgen_tag_safe,{call})"
        block.update(kind="file", value=f"$(eval {var.name} := {call})$({var.name})")
    else:
        block.update(kind="plain", value=escape.make_value(var.default))
    return block


def _help_default(var: Variable) -> str:
    if var.shell is not None:
        return f"$(shell {var.shell})" + (" made tag-safe" if var.tag_safe else "")
    if var.file is not None:
        return f"{var.key} in {var.file}"
    if var.secret:
        return "(secret: from the environment or the command line)"
    if var.expr is not None and not var.default:
        return "(computed)"
    return var.default or "(empty)"


def _help_lines(config: Config, groups: list[Group]) -> list[str]:
    out = [f"Usage: make -C {config.project.output} TARGET [VARIABLE=value ...]", ""]
    width = max([len(t) for g in groups for t, _ in g.targets] + [len("doctor")])
    for kind, title in (("stage", "Stages"), ("family", "Target families")):
        chosen = [g for g in groups if g.kind == kind]
        if not chosen:
            continue
        out.append(f"{title}:")
        for g in chosen:
            about = g.help or (f"Image of stage {g.stage}." if kind == "family" else "")
            suffix = f" [stage {g.stage}]" if kind == "family" else ""
            out.append(f"  {g.name}: {about}{suffix}".rstrip())
            out.extend(f"    {t:<{width}}  {h}" for t, h in g.targets)
        out.append("")
    out.append("Other targets:")
    out.append(f"    {'help':<{width}}  List targets and variables (the default goal).")
    out.append(f"    {'doctor':<{width}}  Check docker, the build command and rootless mode.")
    out.append("")
    vwidth = max(len(v.name) for v in config.variables)
    for group in GROUP_ORDER:
        chosen = [v for v in config.variables if v.group == group]
        if not chosen:
            continue
        out.append(f"Variables ({group.lower()}):")
        for var in chosen:
            out.append(f"  {var.name:<{vwidth}}  {var.help}".rstrip())
            out.append(f"  {'':<{vwidth}}  default: {_help_default(var)}".rstrip())
        out.append("")
    out.append("Set variables on the command line: make TARGET VARIABLE=value (the environment "
               "is not read, except for secrets).")
    return out


def makefile_context(config: Config) -> dict[str, object]:
    stages = {s.name: s for s in config.stages}
    groups = [_group(s, s) for s in config.stages]
    groups += [_group(f, stages[f.stage]) for f in config.families]
    by_action: dict[str, list[str]] = {a: [] for a in (*ACTIONS, MANIFEST_ACTION)}
    for item in (*config.stages, *config.families):
        for action in item.actions:
            by_action[action].append(f"{item.name}_{action}")
    out_dir = config.source.parent / config.project.output
    root = os.path.relpath(config.source.parent, out_dir) if config.source.parent != out_dir \
        else "."
    variable_groups = []
    for group in GROUP_ORDER:
        blocks = [_variable_block(v) for v in config.variables if v.group == group]
        width = max((len(str(b["name"])) for b in blocks if b["kind"] != "shell"), default=0)
        for b in blocks:
            b["width"] = width if b["kind"] != "shell" else 0
        if blocks:
            variable_groups.append((group, blocks))
    return {
        "source": config.source.name,
        "output": config.project.output,
        "dockerfile": config.project.dockerfile,
        "user_dockerfile": USER_DOCKERFILE,
        "context": config.project.context,
        "root": Path(root).as_posix(),
        "variable_groups": variable_groups,
        "build_args": [v.name for v in config.build_args],
        "secrets": [v.name for v in config.secrets],
        "groups": groups,
        "by_action": by_action,
        "all_targets": [t for g in groups for t, _ in g.targets],
        "stage_names": [s.name for s in config.stages],
        "family_names": [f.name for f in config.families],
        "help_lines": _help_lines(config, groups),
        "snippet": config.makefile_snippet,
        "actions": [a for a in (*ACTIONS, MANIFEST_ACTION) if by_action[a]],
        "manifests": _manifests(config.families),
    }


def dockerfile_context(config: Config) -> dict[str, object]:
    order = resolve.stage_order(config.stages)
    global_args: list[tuple[str, str]] = []
    from_args = {s.from_arg: s.base for s in config.stages if s.from_arg}
    for var in config.build_args:
        # stages.yaml syntax ($$ for $) becomes the literal text the Dockerfile quotes.
        default = from_args.get(var.name, escape.literal(var.default) if not var.computed else "")
        global_args.append((var.name, default))
    stages = []
    for stage in order:
        base = f"${{{stage.from_arg}}}" if stage.from_arg else stage.base
        steps = "\n".join(s.rstrip("\n") for s in stage.steps)
        stages.append({"name": stage.name, "base": base, "args": list(stage.args),
                       "steps": steps, "help": stage.help})
    return {
        "source": config.source.name,
        "output": config.project.output,
        "syntax": config.project.syntax,
        "global_args": global_args,
        "stages": stages,
    }


def render_all(config: Config) -> list[Output]:
    """Every output file's text, in a fixed order."""
    search = []
    if config.templates:
        search.append(config.source.parent / config.templates)
    elif (config.source.parent / "templates").is_dir():
        search.append(config.source.parent / "templates")
    env = templating.environment(search)
    return [
        Output(MAKEFILE, templating.render(env, "Makefile.j2", makefile_context(config))),
        Output(config.project.dockerfile,
               templating.render(env, "Dockerfile.multi.j2", dockerfile_context(config))),
        Output(USER_DOCKERFILE,
               templating.render(env, "Dockerfile.user.j2", {"source": config.source.name,
                                                             "output": config.project.output})),
    ]
