"""The template contract: what each template receives, as frozen views of raw values.

Values keep stages.yaml's syntax (`$(NAME)` refers to a variable, `$$` is a literal `$`);
templates escape them with the filter of the file they write into (templating.FILTERS).
Each view's fields are the template's top-level names, so a project's own template reads
`{{ source }}` or loops over `{% for g in groups %}`; docs/templates.md lists them.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from mkgen import bake, escape, stage_graph
from mkgen.builtin_variables import GROUP_ORDER
from mkgen.keys import ALL_ACTIONS
from mkgen.model import USER_DOCKERFILE, Config, Recipe, Variable
from mkgen.plan import BUILTIN_TARGETS, Plan, Target, TargetGroup, value_source
from mkgen.records import dataclass, fields
from mkgen.stamp import BAKE_FILE


class View:
    """Base of the views: `names()` are the template's top-level names (the fields)."""

    def names(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


# ---- Makefile ----------------------------------------------------------------------------

@dataclass(frozen=True)
class VariableView:
    """One Make variable: how its default is defined, and what `make help` says of it."""

    name: str
    help: str
    source: str            # "default", "shell", "file", "secret", "select" or "computed"
    default: str           # stages.yaml syntax
    shell: str | None      # the command, for source "shell"
    files: tuple[str, ...]  # relative to the project root, for source "file": the first
    key: str | None        # file that sets `key` gives the value
    select: str | None     # for source "select": the variable whose value chooses
    cases: tuple[tuple[str, str], ...]  # (pattern, value), tried in order
    no_match_is_error: bool  # no case matches and there is no default: make stops
    word: int | None       # keep only this word of the value (before replace)
    replace: tuple[tuple[str, str], ...]  # (text, replacement), applied in order
    append: tuple[str, ...]  # parts added when every variable they refer to is non-empty
    computed: str | None   # the Make helper's name, for source "computed"
    tag_safe: bool
    env: bool              # read from the environment (`?=`)
    secret: bool           # from the environment (`?=`), exported, passed as --secret
    summary: str           # the default in one line, for `make help`

    @classmethod
    def of(cls, var: Variable) -> VariableView:
        return cls(name=var.name, help=var.help, source=var.source, default=var.default,
                   shell=var.shell, files=var.files, key=var.key, select=var.select,
                   cases=var.cases, no_match_is_error=var.no_match_is_error,
                   word=var.word, replace=var.replace, append=var.append, computed=var.computed,
                   tag_safe=var.tag_safe, env=var.env, secret=var.secret,
                   summary=value_source(var).summary)


@dataclass(frozen=True)
class PassedView:
    """A variable passed to the build under a name of the build's: an ARG or a secret id."""

    variable: str
    name: str
    computed: bool = False  # a secret read by `shell:` or `file:`: exported when a build needs it


@dataclass(frozen=True)
class VariableGroupView:
    title: str  # "Image", "Docker", "Run", "Local user", "Project"
    variables: tuple[VariableView, ...]


@dataclass(frozen=True)
class TargetView:
    name: str
    action: str
    help: str


@dataclass(frozen=True)
class AssignmentView:
    """`targets: VARIABLE = value`: a target-specific value."""

    targets: tuple[str, ...]
    variable: str
    value: str  # stages.yaml syntax


@dataclass(frozen=True)
class GroupView:
    """The targets of one stage or family and the values they set."""

    kind: str  # "stage" or "family"
    name: str
    stage: str
    help: str
    targets: tuple[TargetView, ...]
    assignments: tuple[AssignmentView, ...]  # STAGE first, in the order make applies them
    push_by_build: bool                      # its push is its build with --push


@dataclass(frozen=True)
class RecipeView:
    """A target with its own commands."""

    name: str
    help: str
    needs: tuple[str, ...]                   # prerequisites
    requires: tuple[str, ...]                # variables that must be non-empty
    assignments: tuple[AssignmentView, ...]
    commands: tuple[str, ...]                # recipe lines, Make text, verbatim


@dataclass(frozen=True)
class AliasView:
    name: str
    target: str
    help: str


@dataclass(frozen=True)
class PlatformView:
    """One architecture of a multi-arch family: its image is IMAGE_WITH_TAG-<suffix>."""

    os: str
    arch: str
    variant: str

    @property
    def suffix(self) -> str:
        # IMAGE_WITH_TAG-amd64, IMAGE_WITH_TAG-arm-v7: still a valid tag.
        return bake.platform_suffix("/".join(p for p in (self.os, self.arch, self.variant) if p))


@dataclass(frozen=True)
class ManifestView:
    target: str
    platforms: tuple[PlatformView, ...]


@dataclass(frozen=True)
class BakeRunView:
    """`<name>_bake`: the bake target (or group) it pushes, and the per-platform images it
    joins into one index afterwards (none: bake pushes the one image itself)."""

    target: str
    bake_target: str
    suffixes: tuple[str, ...]
    variables: tuple[str, ...]  # make's values of these go to bake: what its targets read


@dataclass(frozen=True)
class MakefileView(View):
    """Makefile.j2: the whole rendered Makefile."""

    source: str                  # the configuration's file name, for the header
    output: str                  # the output folder, relative to the project
    root: str                    # the project root, relative to the output folder
    context: str                 # the build context, relative to the output folder
    dockerfile: str
    user_dockerfile: str
    variable_groups: tuple[VariableGroupView, ...]
    build_args: tuple[PassedView, ...]   # passed as --build-arg ARG=$(VARIABLE) when set
    secrets: tuple[PassedView, ...]      # passed as --secret id=ID,env=VARIABLE when set
    groups: tuple[GroupView, ...]
    group_targets: tuple[TargetView, ...]     # the targets of every group, in their order
    actions: tuple[str, ...]                  # the actions some target has
    targets_by_action: dict[str, tuple[str, ...]]  # push: those pushed by `docker push`
    build_pushes: tuple[str, ...]             # push targets that build with --push
    recipes: tuple[RecipeView, ...]
    aliases: tuple[AliasView, ...]
    manifests: tuple[ManifestView, ...]
    bake_file: str                             # docker-bake.hcl, beside the Makefile
    bakes: tuple[BakeRunView, ...]
    stage_names: tuple[str, ...]
    family_names: tuple[str, ...]
    builtin_targets: tuple[TargetView, ...]   # help, doctor
    snippet: str                               # the `makefile:` text, verbatim
    renamed: dict[str, str]                    # built-in variable -> its name here


def _assignments(group: TargetGroup) -> tuple[AssignmentView, ...]:
    every = tuple(t.name for t in group.targets)
    by_action = {t.action: t.name for t in group.targets}
    out = [AssignmentView(every, "STAGE", group.stage)]
    for o in group.overrides:
        if o.action is None:
            out.append(AssignmentView(every, o.variable, o.value))
        elif o.action in by_action:
            out.append(AssignmentView((by_action[o.action],), o.variable, o.value))
    return tuple(out)


def _group_view(group: TargetGroup) -> GroupView:
    return GroupView(
        kind=group.kind, name=group.name, stage=group.stage, help=group.help,
        targets=tuple(TargetView(t.name, t.action, t.help) for t in group.targets),
        assignments=_assignments(group),
        push_by_build=group.push_by_build)


def _recipe_view(target: Target, recipe: Recipe) -> RecipeView:
    return RecipeView(name=recipe.name, help=recipe.help, needs=recipe.needs,
                      requires=recipe.requires, commands=recipe.commands,
                      assignments=tuple(AssignmentView((target.name,), o.variable, o.value)
                                        for o in target.overrides))


def _pushes(plan: Plan) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(push targets that run `docker push`, push targets that build with --push)."""
    by_build = {t.name for g in plan.groups if g.push_by_build for t in g.targets}
    pushes = plan.targets_of("push")
    return (tuple(t for t in pushes if t not in by_build),
            tuple(t for t in pushes if t in by_build))


def _manifests(plan: Plan) -> tuple[ManifestView, ...]:
    out = []
    for group in plan.groups:
        for target in group.targets:
            if target.action == "manifest":
                platforms = tuple(_platform_view(p) for p in group.platforms)
                out.append(ManifestView(target.name, platforms))
    return tuple(out)


def _platform_view(platform: str) -> PlatformView:
    return PlatformView(*(platform.split("/") + [""])[:3])


def _bake_runs(plan: Plan, baked: Baked) -> tuple[BakeRunView, ...]:
    passed = [v.name for v in baked.variables if not v.secret]  # secrets: exported
    return tuple(
        BakeRunView(target.name, f"{bake.bake_name(group.name)}-push",
                    tuple(bake.platform_suffix(p) for p in group.platforms),
                    tuple(n for n in passed if n in read))
        for group, read in zip(plan.groups, baked.reads, strict=True)
        for target in group.targets if target.action == "bake")


def _relative_root(config: Config) -> str:
    out_dir = config.output_dir
    if config.root == out_dir:
        return "."
    return Path(os.path.relpath(config.root, out_dir)).as_posix()


def makefile_view(plan: Plan, baked: Baked | None = None) -> MakefileView:
    """The Makefile's view; `baked` is `bake_parts(plan)` when the caller has it already."""
    config = plan.config
    baked = baked or bake_parts(plan)
    groups = tuple(
        VariableGroupView(title, tuple(VariableView.of(v) for v in config.variables
                                       if v.group == title))
        for title in GROUP_ORDER)
    docker_pushes, build_pushes = _pushes(plan)
    by_action = {a: plan.targets_of(a) for a in ALL_ACTIONS}
    by_action["push"] = docker_pushes
    group_views = tuple(_group_view(g) for g in plan.groups)
    return MakefileView(
        source=config.source.name, output=config.project.output, root=_relative_root(config),
        context=config.project.context, dockerfile=config.project.dockerfile,
        user_dockerfile=USER_DOCKERFILE,
        variable_groups=tuple(g for g in groups if g.variables),
        build_args=tuple(PassedView(v.name, v.dockerfile_name) for v in config.build_args),
        secrets=tuple(PassedView(v.name, v.id, v.from_command_or_file)
                      for v in config.secrets),
        groups=group_views, group_targets=tuple(t for g in group_views for t in g.targets),
        actions=plan.actions,
        targets_by_action=by_action, build_pushes=build_pushes,
        recipes=tuple(_recipe_view(t, r)
                      for t, r in zip(plan.recipes, config.recipes, strict=True)),
        aliases=tuple(AliasView(a.name, a.target, a.help) for a in plan.aliases),
        manifests=_manifests(plan), bake_file=BAKE_FILE, bakes=_bake_runs(plan, baked),
        stage_names=tuple(s.name for s in config.stages),
        family_names=tuple(f.name for f in config.families),
        builtin_targets=tuple(TargetView(n, "", h) for n, h in BUILTIN_TARGETS),
        snippet=config.makefile_snippet, renamed=dict(config.renamed))


# ---- Dockerfile.multi and Dockerfile.user --------------------------------------------------

@dataclass(frozen=True)
class GlobalArgView:
    name: str
    default: str  # the literal text; empty: `ARG NAME` without a default
    verbatim: str | None = None  # a default in Dockerfile syntax (arg_default), written as is


@dataclass(frozen=True)
class StageView:
    name: str
    base: str                # the FROM image: a stage, an image or ${ARG}
    platform: str | None     # FROM --platform=..., Dockerfile syntax
    help: str
    args: tuple[str, ...]    # ARG lines right after FROM
    steps: str               # the stage's Dockerfile text, verbatim


@dataclass(frozen=True)
class DockerfileView(View):
    """Dockerfile.multi.j2."""

    source: str
    output: str
    syntax: str | None       # the parser directives, written in this order
    escape: str | None
    check: str | None
    escape_char: str         # the escape character mkgen's own text uses
    global_args: tuple[GlobalArgView, ...]
    stages: tuple[StageView, ...]  # declaration order, stages moved above their users


def _global_arg(var: Variable, from_args: dict[str, str]) -> GlobalArgView:
    name = var.dockerfile_name
    if name in from_args:
        return GlobalArgView(name, from_args[name])
    if var.arg_default is not None:
        return GlobalArgView(name, "", var.arg_default)
    # A value make computes (a command's, a file's, or one made of other variables) has no
    # default in the Dockerfile: make passes it, or the ARG is empty.
    computed = var.from_command_or_file or bool(escape.refs(var.default))
    return GlobalArgView(name, "" if computed else escape.literal(var.default))


def dockerfile_view(config: Config) -> DockerfileView:
    project = config.project
    from_args = {s.from_arg: s.base for s in config.stages if s.from_arg}
    stages = tuple(
        StageView(name=s.name, base=f"${{{s.from_arg}}}" if s.from_arg else s.base,
                  platform=s.platform, help=s.help, args=s.args,
                  steps="\n".join(x.rstrip("\n") for x in s.steps))
        for s in stage_graph.stage_order(config.stages, project.escape_char))
    return DockerfileView(source=config.source.name, output=project.output,
                          syntax=project.syntax, escape=project.escape, check=project.check,
                          escape_char=project.escape_char,
                          global_args=tuple(_global_arg(v, from_args) for v in config.build_args),
                          stages=stages)


@dataclass(frozen=True)
class UserDockerfileView(View):
    """Dockerfile.user.j2: the local-user layer needs nothing from the configuration."""

    source: str
    output: str


def user_dockerfile_view(config: Config) -> UserDockerfileView:
    return UserDockerfileView(source=config.source.name, output=config.project.output)


# ---- docker-bake.hcl ------------------------------------------------------------------------

@dataclass(frozen=True)
class HclVariableView:
    name: str
    default: str   # an HCL expression
    note: str      # a comment on where the value comes from; empty: none


@dataclass(frozen=True)
class BakePlatformView:
    """One platform of a family's push: its own bake target, image and cache."""

    target: str    # release-push-amd64
    platform: str  # linux/amd64
    suffix: str    # amd64: the image is PUSH_IMAGE-amd64


@dataclass(frozen=True)
class BakeTargetView:
    """The bake target of one stage or family: what its Makefile build builds. HCL
    expressions, ready to write."""

    name: str                            # the bake target: the stage or family name
    kind: str                            # "stage" or "family"
    owner: str                           # the stage or family, as stages.yaml names it
    stage: str                           # the Dockerfile stage (--target)
    args: tuple[tuple[str, str], ...]    # (ARG, value)
    tags: str                            # IMAGE_WITH_TAG
    push_tags: str                       # PUSH_IMAGE: what `<owner>_bake` pushes
    platforms: str                       # PLATFORM, comma-separated
    network: str                         # BUILD_NETWORK
    cache: str                           # BUILD_CACHE
    push_platforms: tuple[BakePlatformView, ...]  # a family's own platforms


@dataclass(frozen=True)
class BakeView(View):
    """docker-bake.hcl.j2."""

    source: str
    output: str
    bake_file: str                       # the file, relative to the build context
    dockerfile: str                      # Dockerfile.multi, relative to the build context
    variables: tuple[HclVariableView, ...]
    secrets: tuple[tuple[str, str], ...]  # (id, variable)
    targets: tuple[BakeTargetView, ...]


def _build_roots(config: Config) -> list[str]:
    return [v.name for v in config.build_args] + [v.name for v in config.secrets] + [
        config.builtin(n) for n in bake.BUILD_VARIABLES]


def _bake_target(group: TargetGroup, exprs: bake.Expressions) -> BakeTargetView:
    config = exprs.config
    context = bake.build_context(group)

    def of(builtin: str) -> str:
        return exprs.expression(config.builtin(builtin), context)

    push = of("PUSH_IMAGE")
    name = bake.bake_name(group.name)
    return BakeTargetView(
        name=name, kind=group.kind, owner=group.name, stage=group.stage,
        args=tuple((v.dockerfile_name, exprs.expression(v.name, context))
                   for v in config.build_args),
        tags=of("IMAGE_WITH_TAG"), push_tags=push, platforms=of("PLATFORM"),
        network=of("BUILD_NETWORK"), cache=of("BUILD_CACHE"),
        push_platforms=tuple(
            BakePlatformView(f"{name}-push-{bake.platform_suffix(p)}", p,
                             bake.platform_suffix(p))
            for p in group.platforms))


@dataclass(frozen=True)
class Baked:
    """What the bake file and the Makefile's bake recipes share, computed once per plan:
    the HCL variables, a bake target per target group, and the variables each one reads."""

    variables: tuple[bake.HclVariable, ...]
    targets: tuple[BakeTargetView, ...]        # one per plan.groups, in its order
    reads: tuple[frozenset[str], ...]          # likewise


def bake_parts(plan: Plan) -> Baked:
    exprs = bake.Expressions(plan.config, plan)
    variables = tuple(exprs.variables(_build_roots(plan.config), plan.groups))
    targets, reads = [], []
    for group in plan.groups:
        exprs.read.clear()
        targets.append(_bake_target(group, exprs))
        reads.append(frozenset(exprs.read))
    return Baked(variables, tuple(targets), tuple(reads))


def bake_view(plan: Plan, baked: Baked | None = None) -> BakeView:
    """The bake file's view; `baked` is `bake_parts(plan)` when the caller has it already."""
    config = plan.config
    project = config.project
    context = config.output_dir / project.context
    baked = baked or bake_parts(plan)
    relative = Path(os.path.relpath(config.output_dir, context)).as_posix()
    return BakeView(
        source=config.source.name, output=project.output,
        bake_file=f"{relative}/{BAKE_FILE}" if relative != "." else BAKE_FILE,
        dockerfile=f"{relative}/{project.dockerfile}" if relative != "." else project.dockerfile,
        variables=tuple(HclVariableView(v.name, v.default, v.note) for v in baked.variables),
        secrets=tuple((v.id, v.name) for v in config.secrets),
        targets=baked.targets)
