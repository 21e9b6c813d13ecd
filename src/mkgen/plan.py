"""The plan of a configuration: every target, the variable values each one sets (in the order
make applies them, with where each comes from), and where every default comes from.

Computed once from a Config; the Makefile, `make help`, `mkgen list`, `mkgen explain`, the
collision and reference-cycle checks all read it, so each of these facts has one home.
"""
from __future__ import annotations

from functools import cached_property

from mkgen.builtin_variables import HELPERS
from mkgen.keys import ALL_ACTIONS
from mkgen.model import Config, Family, Recipe, Stage, Variable
from mkgen.records import dataclass

ACTION_HELP = {
    "build": "Build the {what} image.",
    "push": "Build, then push the {what} image.",
    "run": "Run the {what} image in a new container.",
    "pull": "Pull the {what} image.",
    "user": "Build the local-user layer of the {what} image (IMAGE_WITH_TAG-USER_NAME).",
    "bake": "Bake and push the {what} image on the buildx builder (docker-bake.hcl).",
    "manifest": "Push the manifest list of the per-arch {what} images (IMAGE_WITH_TAG-ARCH).",
}
RECIPE_ACTION = "recipe"  # the action of a recipe's target: its own commands

# Targets every rendered Makefile has besides <stage>_<action> and <family>_<action>.
BUILTIN_TARGETS: tuple[tuple[str, str], ...] = (
    ("help", "List targets and variables (the default goal)."),
    ("doctor", "Check docker, the build command and rootless mode."),
)


def target_name(owner: str, action: str) -> str:
    """The Make target of one action of a stage or family: `<owner>_<action>`."""
    return f"{owner}_{action}"


YamlPath = tuple[str, ...]  # keys from the root: stage names may hold dots


@dataclass(frozen=True)
class Override:
    """One variable value set by a stage or family, for all its actions or for one."""

    variable: str
    value: str           # stages.yaml syntax: $(NAME) refers, $$ is a literal $
    origin: str          # "stage release", "family trtllm, run action"
    path: YamlPath       # where the value stands in stages.yaml
    action: str | None   # None: every action of its stage or family


@dataclass(frozen=True)
class Target:
    """One generated `<stage>_<action>` or `<family>_<action>` target."""

    name: str
    action: str
    stage: str
    family: str | None
    help: str
    overrides: tuple[Override, ...]  # in the order make applies them: the last one wins

    def origins(self) -> dict[str, Override]:
        """The override in force for each variable this target sets."""
        return {o.variable: o for o in self.overrides}


@dataclass(frozen=True)
class TargetGroup:
    """The targets of one stage or family, and the values they set."""

    kind: str  # "stage" or "family"
    name: str
    stage: str
    help: str
    platforms: tuple[str, ...]
    targets: tuple[Target, ...]
    overrides: tuple[Override, ...]  # stage layer first, then the family's
    push_by_build: bool = False

    @property
    def yaml_key(self) -> str:
        return "stages" if self.kind == "stage" else "targets"


def _action_path(prefix: YamlPath, action: str, name: str) -> YamlPath:
    # A run action's `workdir` is stored as its WORK_DIR override.
    if name == "WORK_DIR" and action == "run":
        return (*prefix, action, "workdir")
    return (*prefix, action, "variables", name)


def _build_options(family: Family, config: Config) -> list[Override]:
    """A family's `builder` and, pushed by its build, its platforms: built-in values."""
    prefix: YamlPath = ("targets", family.name)
    label = f"family {family.name}"
    out = []
    if family.builder:
        out.append(Override(config.builtin("BUILDER"), family.builder, label,
                            (*prefix, "builder"), None))
    if family.push_by_build and family.platforms:
        out.append(Override(config.builtin("PLATFORM"), ",".join(family.platforms), label,
                            (*prefix, "platforms"), None))
    return out


def _layer(item: Stage | Family, kind: str) -> list[Override]:
    """The overrides one stage or family declares: all-action ones, then per action."""
    label = f"{kind} {item.name}"
    prefix: YamlPath = ("stages" if kind == "stage" else "targets", item.name)
    out = [Override(n, v, label, (*prefix, "variables", n), None) for n, v in item.variables]
    for settings in item.per_action:
        out += [Override(n, v, f"{label}, {settings.action} action",
                         _action_path(prefix, settings.action, n), settings.action)
                for n, v in settings.variables]
    return out


def _group(item: Stage | Family, stage: Stage | None, config: Config) -> TargetGroup:
    family = item if isinstance(item, Family) else None
    overrides = _layer(stage, "stage") if stage is not None else []
    if family is not None:
        overrides += _build_options(family, config) + _layer(family, "family")
    stage_name = family.stage if family is not None else item.name
    targets = tuple(
        Target(name=target_name(item.name, action), action=action, stage=stage_name,
               family=family.name if family is not None else None,
               help=ACTION_HELP[action].format(what=item.name),
               overrides=tuple(o for o in overrides if o.action in (None, action)))
        for action in item.actions)
    return TargetGroup(kind="family" if family is not None else "stage", name=item.name,
                       stage=stage_name, help=item.help,
                       platforms=family.platforms if family is not None else (),
                       targets=targets, overrides=tuple(overrides),
                       push_by_build=family is not None and family.push_by_build)


@dataclass(frozen=True)
class Alias:
    """Another name for a target."""

    name: str
    target: str

    @property
    def help(self) -> str:
        return f"Same as {self.target}."


def _recipe_target(recipe: Recipe) -> Target:
    label = f"recipe {recipe.name}"
    return Target(name=recipe.name, action=RECIPE_ACTION, stage="", family=None,
                  help=recipe.help, overrides=tuple(
                      Override(n, v, label, ("recipes", recipe.name, "variables", n), None)
                      for n, v in recipe.variables))


@dataclass(frozen=True)
class Plan:
    config: Config
    groups: tuple[TargetGroup, ...]
    recipes: tuple[Target, ...] = ()

    @cached_property
    def targets(self) -> tuple[Target, ...]:
        """Every generated target, in the order `make help` lists them."""
        return tuple(t for g in self.groups for t in g.targets)

    @property
    def aliases(self) -> tuple[Alias, ...]:
        return tuple(Alias(name, target) for name, target in self.config.aliases)

    def target(self, name: str) -> Target | None:
        """The target of that name: generated, a recipe's, or the one an alias names."""
        name = dict(self.config.aliases).get(name, name)
        return next((t for t in (*self.targets, *self.recipes) if t.name == name), None)

    def targets_of(self, action: str) -> tuple[str, ...]:
        return tuple(t.name for t in self.targets if t.action == action)

    @property
    def actions(self) -> tuple[str, ...]:
        """The actions at least one target has, in the usual order."""
        used = {t.action for t in self.targets}
        return tuple(a for a in ALL_ACTIONS if a in used)


def make_plan(config: Config) -> Plan:
    """The plan of `config`. A family bound to an unknown stage (a config being validated)
    gets its own layer only."""
    groups = [_group(s, s, config) for s in config.stages]
    groups += [_group(f, config.stage(f.stage), config) for f in config.families]
    return Plan(config=config, groups=tuple(groups),
                recipes=tuple(_recipe_target(r) for r in config.recipes))


@dataclass(frozen=True)
class ValueSource:
    """Where a variable's default comes from, said two ways."""

    kind: str      # "default", "shell", "file", "secret" or "computed"
    summary: str   # the default in one line: `make help` and `mkgen list`
    origin: str    # why a value no target overrides is what it is: `mkgen explain`


def _transforms(var: Variable) -> str:
    """What `replace` and `append` do to a value, as text to follow its source."""
    text = f", word {var.word}" if var.word else ""
    text += "".join(f", '{old}' as '{new}'" for old, new in var.replace)
    return text + "".join(f" + [{part}]" for part in var.append)


def _source(var: Variable) -> tuple[str, str]:
    """(summary, origin) of a variable's value before its transforms."""
    kind = var.source
    if kind == "shell":
        tag = " made tag-safe" if var.tag_safe else ""
        return f"$(shell {var.shell}){tag}", f"shell: {var.shell} (not run)" + (
            ", made tag-safe" if tag else "")
    if kind == "file":
        where = f"{var.key} in {', else '.join(var.files)}"
        return where, f"file: {where}"
    if kind == "secret":
        return "(secret: from the environment or the command line)", \
            "secret, from the environment"
    if kind == "select":
        cases = ", ".join(f"{pattern or '(empty)'}: {value or '(empty)'}"
                          for pattern, value in var.cases)
        otherwise = "an error" if var.no_match_is_error else (var.default or "(empty)")
        return f"by {var.select}: {cases}; otherwise {otherwise}", f"select on {var.select}"
    if kind == "computed":
        assert var.computed is not None
        return var.default or "(computed)", HELPERS[var.computed].origin
    if var.arg_default is not None and not var.default:
        return (f"(empty: the Dockerfile's {var.arg_default or '(empty)'})",
                f"default (empty): not passed, so ARG {var.dockerfile_name}="
                f"{var.arg_default} in the Dockerfile")
    return var.default or "(empty)", "default"


def value_source(var: Variable) -> ValueSource:
    summary, origin = _source(var)
    transforms = _transforms(var)
    if transforms:
        summary, origin = summary + transforms, origin + transforms
    return ValueSource(var.source, summary, origin)
