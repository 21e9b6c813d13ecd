"""The validated configuration: typed, frozen, and free of YAML concerns."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# Actions every stage and family can have, in the order `make help` lists them.
ACTIONS: tuple[str, ...] = ("build", "push", "run", "pull")
# Only families that declare `platforms` get the multi-arch manifest action.
MANIFEST_ACTION = "manifest"
ALL_ACTIONS: tuple[str, ...] = (*ACTIONS, MANIFEST_ACTION)

Overrides = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Variable:
    """A Make variable of the rendered Makefile.

    Exactly one value source applies: ``default`` (Make syntax where ``$(NAME)`` refers to
    another variable), ``shell`` (a command run lazily, once per make run), ``file``/``key``
    (``KEY = "value"`` read from a file, lazily, with no process), or ``expr`` (raw Make text,
    used only by mkgen's own built-in variables).
    """

    name: str
    help: str = ""
    default: str = ""
    shell: str | None = None
    file: str | None = None
    key: str | None = None
    expr: str | None = None
    build_arg: bool = False
    secret: bool = False
    tag_safe: bool = False
    group: str = "Project"
    builtin: bool = False

    @property
    def computed(self) -> bool:
        return self.shell is not None or self.file is not None


@dataclass(frozen=True)
class ActionSettings:
    """Variable overrides that apply to one action of a stage or family."""

    action: str
    variables: Overrides = ()


@dataclass(frozen=True)
class Stage:
    """One `FROM ... AS name` block of Dockerfile.multi and its Make targets."""

    name: str
    base: str
    help: str = ""
    from_arg: str | None = None
    args: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    actions: tuple[str, ...] = ACTIONS
    variables: Overrides = ()
    per_action: tuple[ActionSettings, ...] = ()


@dataclass(frozen=True)
class Family:
    """A target family such as `ngc-devel`: a stage's actions with other variable values."""

    name: str
    stage: str
    help: str = ""
    actions: tuple[str, ...] = ACTIONS
    variables: Overrides = ()
    per_action: tuple[ActionSettings, ...] = ()
    platforms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Project:
    name: str
    output: str = "docker"
    context: str = ".."
    source_mount: str = "/code"
    dockerfile: str = "Dockerfile.multi"
    syntax: str | None = None


@dataclass(frozen=True)
class Config:
    """Everything one stages.yaml declares, plus mkgen's built-in variables."""

    source: Path
    project: Project
    variables: tuple[Variable, ...]
    stages: tuple[Stage, ...]
    families: tuple[Family, ...] = ()
    makefile_snippet: str = ""
    templates: str | None = None
    _by_name: dict[str, Variable] = field(default_factory=dict, compare=False, repr=False)

    def variable(self, name: str) -> Variable | None:
        if not self._by_name:
            self._by_name.update((v.name, v) for v in self.variables)
        return self._by_name.get(name)

    def stage(self, name: str) -> Stage | None:
        return next((s for s in self.stages if s.name == name), None)

    @property
    def build_args(self) -> tuple[Variable, ...]:
        return tuple(v for v in self.variables if v.build_arg)

    @property
    def secrets(self) -> tuple[Variable, ...]:
        return tuple(v for v in self.variables if v.secret)
