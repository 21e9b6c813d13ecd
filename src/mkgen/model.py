"""The validated configuration: typed, frozen, and free of YAML concerns.

Defaults come from the key table (keys.py); values keep stages.yaml's syntax (`$(NAME)`
refers to another variable, `$$` is a literal `$`) until a template filter escapes them for
the file they land in.
"""
from __future__ import annotations

from pathlib import Path

from mkgen import escape, keys, stamp
from mkgen.errors import Problem
from mkgen.keys import ACTIONS
from mkgen.records import dataclass, field

Overrides = tuple[tuple[str, str], ...]
Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Variable:
    """A Make variable of the rendered Makefile.

    Its value comes from one source: ``default`` (stages.yaml syntax, where ``$(NAME)``
    refers to another variable), ``shell`` (a command run lazily, once per make run),
    ``files``/``key`` (``KEY = "value"`` read from the first of the files that has it, with no
    process), ``select`` (the value of the first of ``cases`` whose pattern matches another
    variable, else ``default``), ``secret`` (the environment), or ``computed`` (one of
    mkgen's own Make helpers, for built-ins such as the caller's user id). ``replace`` and
    ``append`` then transform it.
    """

    name: str
    help: str = ""
    default: str = ""
    shell: str | None = None
    files: tuple[str, ...] = ()
    key: str | None = None
    select: str | None = None
    cases: Pairs = ()
    no_match_is_error: bool = False  # select without a default: make stops
    replace: Pairs = ()
    append: tuple[str, ...] = ()
    computed: str | None = None
    env: bool = False
    build_arg: bool = False
    arg_name: str | None = None      # the Dockerfile's name for it, when not `name`
    arg_default: str | None = None   # its ARG's default in Dockerfile syntax, verbatim
    secret: bool = False
    secret_id: str | None = None     # the --secret id, when not `name`
    word: int | None = None          # keep only this word of the value (1: the first)
    tag_safe: bool = False
    group: str = "Project"
    builtin: bool = False

    @property
    def source(self) -> str:
        """Where the value comes from: shell, file, secret, select, computed or default."""
        if self.shell is not None:
            return "shell"
        if self.files:
            return "file"
        if self.secret:
            return "secret"
        if self.select is not None:
            return "select"
        if self.computed is not None:
            return "computed"
        return "default"

    @property
    def value_refs(self) -> list[str]:
        """The variables its value refers to, before `replace` and `append`: for a select,
        the selecting variable, then every case's value, then the default."""
        selector = [self.select] if self.select is not None else []
        return [*selector, *(r for _, value in self.cases for r in escape.refs(value)),
                *escape.refs(self.default)]

    @property
    def from_command_or_file(self) -> bool:
        """Read once when first needed: it refers to no other variable."""
        return self.shell is not None or bool(self.files)

    @property
    def dockerfile_name(self) -> str:
        """The ARG name of a build argument in the Dockerfile."""
        return self.arg_name or self.name

    @property
    def id(self) -> str:
        """The --secret id of a secret."""
        return self.secret_id or self.name


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
    platform: str | None = None      # FROM --platform=..., Dockerfile syntax
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
    builder: str | None = None
    push_by_build: bool = False


@dataclass(frozen=True)
class Recipe:
    """A target with its own commands (recipe lines, Make syntax)."""

    name: str
    commands: tuple[str, ...]
    help: str = ""
    needs: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    variables: Overrides = ()


# The files rendered into the output folder besides `project.dockerfile` (stamp.py names
# them: the quick check reads them without importing the model).
MAKEFILE = stamp.MAKEFILE
USER_DOCKERFILE = stamp.USER_DOCKERFILE


def _project_default(name: str) -> str:
    return str(keys.PROJECT[name].default)


@dataclass(frozen=True)
class Project:
    name: str
    output: str = _project_default("output")
    context: str = _project_default("context")
    source_mount: str = _project_default("source_mount")
    dockerfile: str = _project_default("dockerfile")
    syntax: str | None = None
    escape: str | None = None  # the `# escape=` directive; None: none written (backslash)
    check: str | None = None

    def skips_check(self, name: str) -> bool:
        """Whether `check` (`skip=A,B;error=true`) skips BuildKit's build check `name`."""
        for part in (self.check or "").split(";"):
            key, _, value = part.partition("=")
            if key.strip() == "skip":
                skipped = {v.strip() for v in value.split(",")}
                if name in skipped or "all" in skipped:
                    return True
        return False

    @property
    def escape_char(self) -> str:
        """The escape character the Dockerfile is read and written with."""
        return self.escape or "\\"


@dataclass(frozen=True)
class Config:
    """Everything one stages.yaml declares, plus mkgen's built-in variables."""

    source: Path
    project: Project
    variables: tuple[Variable, ...]
    stages: tuple[Stage, ...]
    families: tuple[Family, ...] = ()
    aliases: Pairs = ()               # (alias, target)
    recipes: tuple[Recipe, ...] = ()
    renamed: Pairs = ()               # (built-in variable, its name in this project)
    makefile_snippet: str = ""
    templates: str | None = None
    warnings: tuple[Problem, ...] = ()  # what validation found but did not refuse
    source_digest: str = ""           # of the stages.yaml bytes read: the stamps' inputs
    _by_name: dict[str, Variable] = field(default_factory=dict, compare=False, repr=False)
    _stages_by_name: dict[str, Stage] = field(default_factory=dict, compare=False, repr=False)

    @property
    def root(self) -> Path:
        """The project folder: the one that holds stages.yaml."""
        return self.source.parent

    @property
    def output_dir(self) -> Path:
        return self.root / self.project.output

    def builtin(self, name: str) -> str:
        """The name a built-in variable has in this project."""
        return dict(self.renamed).get(name, name)

    def variable(self, name: str) -> Variable | None:
        if not self._by_name:
            self._by_name.update((v.name, v) for v in self.variables)
        return self._by_name.get(name)

    def stage(self, name: str) -> Stage | None:
        # An index, not a scan: every family looks its stage up (1000 stages, 100 families).
        if not self._stages_by_name:
            self._stages_by_name.update((s.name, s) for s in reversed(self.stages))
        return self._stages_by_name.get(name)

    @property
    def build_args(self) -> tuple[Variable, ...]:
        return tuple(v for v in self.variables if v.build_arg)

    @property
    def secrets(self) -> tuple[Variable, ...]:
        return tuple(v for v in self.variables if v.secret)
