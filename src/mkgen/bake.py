"""docker-bake.hcl: every Makefile build as a bake target, its values as HCL expressions.

`IMAGE_TAG=x docker buildx bake release` must build what `make release_build IMAGE_TAG=x`
builds, so each make variable a build reads is an HCL variable of the same name, read from
the environment like make reads the command line. Three kinds (docs/fleet.md):

- plain: its default is literal text and references to other plain variables; the HCL
  variable's default is that text (`variable "IMAGE_TAG" { default = "latest" }`).
- per target: some stage or family sets it, or its default refers to one that is, or to
  the target's stage (IMAGE_WITH_TAG). Its HCL default is null, and each target reads it as
  `IMAGE_WITH_TAG != null ? IMAGE_WITH_TAG : "<the target's own value>"`: a value from the
  environment wins, as a command-line value wins over make's target-specific one.
- computed by make (a command's output, a file's key, word, replace, append, tag_safe, a
  select that stops make when no case matches, a built-in make computes): HCL cannot
  compute it, so its default is empty and `make <target>_bake` passes make's value; baked
  directly, it comes from the environment. A `select` is an HCL condition that tests its
  cases as make's `$(filter ...)` does.

Pure: a plan in, the values the template writes out.
"""
from __future__ import annotations

import re

from mkgen import escape
from mkgen.model import Config, Variable
from mkgen.plan import Override, Plan, TargetGroup
from mkgen.records import dataclass

# What make knows per target and bake has no variable for: written as the target's own text.
TARGET_TEXT = ("STAGE", "STEM")  # its Dockerfile stage; its stage or family name
# The built-in variables a build reads besides its build arguments and secrets.
BUILD_VARIABLES = ("IMAGE_WITH_TAG", "PUSH_IMAGE", "PLATFORM", "BUILD_NETWORK", "BUILD_CACHE")
_BAKE_NAME = re.compile(r"[^A-Za-z0-9_-]")
Context = dict[str, str]  # the target's own values, stages.yaml syntax, and TARGET_TEXT's


def bake_name(name: str) -> str:
    """A stage or family name as a bake target name (bake allows [A-Za-z0-9_-]): a `.` is `_`."""
    return _BAKE_NAME.sub("_", name)


def bake_targets(group: TargetGroup) -> list[str]:
    """The names docker-bake.hcl gives a stage's or family's targets."""
    name = bake_name(group.name)
    pushes = [f"{name}-push-{platform_suffix(p)}" for p in group.platforms]
    return [name, f"_{name}", f"{name}-push", *pushes]


def platform_suffix(platform: str) -> str:
    """linux/amd64 -> amd64, linux/arm/v7 -> arm-v7: the tag suffix of a platform's image."""
    return "-".join(platform.split("/")[1:])


def build_overrides(group: TargetGroup) -> list[Override]:
    """The values a group's Makefile build sets: for every action, then for `build`."""
    return [o for o in group.overrides if o.action in (None, "build")]


def build_context(group: TargetGroup) -> Context:
    """The group's build's own values, the last one winning as in make, and its text."""
    return {o.variable: o.value for o in build_overrides(group)} | {
        "STAGE": group.stage, "STEM": group.name}


def _matches(chosen: str, pattern: str) -> str:
    """HCL for make's test of a select case: `$(filter PATTERN,$(X))`, a word of X matches
    PATTERN (its `%` stands for any text), or, for the empty pattern, X is blank."""
    if not pattern:
        return f'trimspace({chosen}) == ""'
    # A word is never empty, so a lone `%` needs one character at least.
    word = "[^ \t]+" if pattern == "%" else "[^ \t]*".join(
        re.escape(part) for part in pattern.split("%", 1))
    regex = f"(^|[ \t]){word}([ \t]|$)"
    return f"length(regexall({escape.hcl_string(regex)}, {chosen})) > 0"


def _computed_by_make(var: Variable | None) -> bool:
    """Whether HCL cannot say the value: a command's output, a file's key, a transform, a
    select that stops make when no case matches."""
    if var is None or var.word or var.replace or var.append or var.tag_safe:
        return True
    return not (var.source == "default" or var.source == "select" and not var.no_match_is_error)


@dataclass(frozen=True)
class HclVariable:
    name: str
    default: str   # an HCL expression: a quoted template, a condition, or null
    note: str      # where the value comes from, for a comment; empty: nothing to say
    secret: bool   # never passed by make on a command line: it is in make's environment


class Expressions:
    """HCL expressions of the make variables of one configuration's builds."""

    def __init__(self, config: Config, plan: Plan) -> None:
        self.config = config
        self.overridden = {o.variable for g in plan.groups for o in g.overrides}
        self.per_target = self._per_target()
        self.read: set[str] = set()  # the variables the expressions made so far read

    def var(self, name: str) -> Variable | None:
        return self.config.variable(name)

    def _default_refs(self, name: str) -> list[str]:
        var = self.var(name)
        return [] if var is None or _computed_by_make(var) else var.value_refs

    def _per_target(self) -> set[str]:
        per_target = set(self.overridden)
        names = [v.name for v in self.config.variables]
        changed = True
        while changed:  # a default that refers to a per-target variable is per target too
            changed = False
            for name in names:
                if name not in per_target and any(
                        r in TARGET_TEXT or r in per_target for r in self._default_refs(name)):
                    per_target.add(name)
                    changed = True
        return per_target

    def expression(self, name: str, context: Context) -> str:
        """`name`'s value in a target whose own values are `context`."""
        if name in TARGET_TEXT:
            return escape.hcl_string(context[name])
        self.read.add(name)
        if name not in self.per_target:
            return name
        # In parentheses: it may be an operand (`==` binds tighter than `? :`).
        return f"({name} != null ? {name} : {self._value(name, context)})"

    def _value(self, name: str, context: Context) -> str:
        """The value make gives `name` when the command line does not."""
        if name in context:
            return self.template(context[name], context)
        var = self.var(name)
        if var is None or _computed_by_make(var):
            return '""'
        if var.source == "select":
            return self._select(var, context)
        return self.template(var.default, context)

    def _select(self, var: Variable, context: Context) -> str:
        chosen = self.expression(var.select or "", context)
        out = self.template(var.default, context)
        for pattern, value in reversed(var.cases):
            out = f"{_matches(chosen, pattern)} ? {self.template(value, context)} : {out}"
        return f"({out})"

    def template(self, value: str, context: Context) -> str:
        """A stages.yaml value as an HCL expression: one reference is that variable's
        expression, anything else a quoted template."""
        parts = escape.split_refs(value)
        if len(parts) == 1 and isinstance(parts[0], escape.Ref) \
                and parts[0].name not in TARGET_TEXT:
            return self.expression(parts[0].name, context)
        text = "".join(escape.hcl_literal(p) if isinstance(p, str)
                       else escape.hcl_literal(context[p.name]) if p.name in TARGET_TEXT
                       else "${" + self.expression(p.name, context) + "}" for p in parts)
        return f'"{text}"'

    def variables(self, roots: list[str], groups: tuple[TargetGroup, ...]) -> list[HclVariable]:
        """Every variable the builds of `groups` read, starting from `roots`, in stages.yaml's
        order, then the ones only make knows (MKGEN_CONTEXT, ...) by name."""
        set_by = {}  # variable -> the values targets give it
        for g in groups:
            for o in build_overrides(g):
                set_by.setdefault(o.variable, []).append(o.value)
        needed: set[str] = set()
        todo = list(roots)
        while todo:
            name = todo.pop()
            if name in needed or name in TARGET_TEXT:
                continue
            needed.add(name)
            todo += self._default_refs(name)
            todo += [r for value in set_by.get(name, ()) for r in escape.refs(value)]
        known = [v.name for v in self.config.variables if v.name in needed]
        return [self._variable(n) for n in known + sorted(needed - set(known))]

    def _variable(self, name: str) -> HclVariable:
        var = self.var(name)
        secret = var is not None and var.secret
        if secret:
            return HclVariable(name, '""', "a secret: bake reads it from the environment", True)
        if name in self.per_target:
            return HclVariable(name, "null", "null: each target's own value, as in make", False)
        if _computed_by_make(var):
            note = "computed by make" if var is not None else "set by make"
            return HclVariable(name, '""', f"{note}; `make <target>_bake` passes it", False)
        return HclVariable(name, self._value(name, {}), "", False)
