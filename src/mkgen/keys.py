"""Every key of stages.yaml, once: its kind, default and description.

The validator reads keys through this table (allowed keys, defaults), the JSON Schema and
the key tables of docs/stages-yaml.md are built from it, and the model takes its defaults
from it. A new key is one new row here; the places that must handle it fail loudly until
they do (the schema builder and the docs test name the key).
"""
from __future__ import annotations

import re
from functools import cached_property

from mkgen.records import dataclass

# Actions every stage and family can have, in the order `make help` lists them.
ACTIONS: tuple[str, ...] = ("build", "push", "run", "pull", "user", "bake")
# Only families that declare `platforms` get the multi-arch manifest action.
MANIFEST_ACTION = "manifest"
ALL_ACTIONS: tuple[str, ...] = (*ACTIONS, MANIFEST_ACTION)

VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
# Targets mkgen adds (aliases, recipes): what make and a shell take as one plain word.
TARGET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
# Docker stage names are lowercase; `_`, `.` and `-` are fine in Make targets too.
STAGE_NAME = re.compile(r"^[a-z][a-z0-9_.-]*\Z")
FAMILY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
PLATFORM = re.compile(r"^[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?\Z")
# The distribution/reference grammar (github.com/distribution/reference, regexp.go):
# [host[:port]/]path[:tag][@digest], where host is a domain name, an IPv4 address or an
# [IPv6] address. Go's \w is ASCII, hence the explicit classes.
_ALPHANUMERIC = r"[a-z0-9]+"
_PATH_COMPONENT = rf"{_ALPHANUMERIC}(?:(?:[._]|__|-+){_ALPHANUMERIC})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])"
_NAME = rf"(?:{_HOST}(?::[0-9]+)?/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
IMAGE_REF = re.compile(rf"{_NAME}(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?\Z")
IMAGE_NAME_MAX = 255  # characters of the name, host included


def is_image_name(text: str) -> bool:
    """An image name alone: a reference without tag or digest (one pattern for both: each
    costs a start of mkgen a third of a millisecond to compile)."""
    found = IMAGE_REF.match(text)
    return found is not None and found["tag"] is None and found["digest"] is None

# Kinds of value. TEXT is any one-line scalar (the loader keeps scalars as written).
TEXT = "text"
FLAG = "flag"            # true/false, yes/no, on/off, 1/0
TEXT_MAP = "text_map"    # a mapping of texts to texts (select cases, replacements)
TEXTS = "texts"          # one text or a list of texts
STEPS = "steps"          # Dockerfile text: a block, or a list of instructions
ACTION_LIST = "actions"  # a list of action names (Key.choices)
OVERRIDES = "overrides"  # VARIABLE: value, for the targets of a stage, family or action
BLOCK = "block"          # multi-line text (the Makefile snippet)
SECTION = "section"      # a mapping whose keys are another section's (Key.section_ref)
ENTRIES = "entries"      # a mapping of user-named entries of another section

TRUE, FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


@dataclass(frozen=True)
class Key:
    """One key of a stages.yaml mapping."""

    name: str
    kind: str
    description: str
    default: object = None
    required: bool = False
    choices: tuple[str, ...] = ()           # ACTION_LIST: the allowed actions
    item_pattern: re.Pattern[str] | None = None  # TEXTS: each item; ENTRIES: each name
    section_ref: str = ""                   # SECTION / ENTRIES: the section of the value(s)
    default_text: str = ""                  # the default as the docs say it, when not literal


@dataclass(frozen=True)
class Section:
    """The keys of one kind of mapping (the top level, project, a variable, a stage, ...)."""

    name: str
    description: str
    keys: tuple[Key, ...]
    shorthand: str = ""  # the key a plain scalar stands for (`BASE_TAG: "12"` is a default)

    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.keys)

    @cached_property
    def _by_name(self) -> dict[str, Key]:
        return {k.name: k for k in self.keys}

    def __getitem__(self, name: str) -> Key:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"{self.name}.{name} is not in mkgen's key table") from None


def _per_action(actions: tuple[str, ...]) -> tuple[Key, ...]:
    return tuple(Key(a, SECTION, f"Settings of the {a} action only.", section_ref="action")
                 for a in actions)


TOP = Section("top", "A stages.yaml file.", (
    Key("project", SECTION, "The project: image name, output folder, build context, "
        "source mount.", required=True, section_ref="project"),
    Key("variables", ENTRIES, "Make variables of the rendered Makefile (built-in ones may "
        "be redeclared to change their default).", item_pattern=VARIABLE_NAME,
        section_ref="variable"),
    Key("stages", ENTRIES, "The stages of Dockerfile.multi, by name.", required=True,
        item_pattern=STAGE_NAME, section_ref="stage"),
    Key("targets", ENTRIES, "Extra target families, each bound to a stage.",
        item_pattern=FAMILY_NAME, section_ref="family"),
    Key("aliases", TEXT_MAP, "Other names for targets (`build: devel_build`), listed by "
        "`make help`; old target names keep working.", default_text="none"),
    Key("recipes", ENTRIES, "Targets with their own commands (`bolt_overlay`), listed by "
        "`make help` and known to the typo guard.", item_pattern=TARGET_NAME,
        section_ref="recipe"),
    Key("builtins", TEXT_MAP, "New names for built-in variables (`PLATFORM: BUILD_PLATFORM`), "
        "so that the project can use the old name for its own variable.",
        default_text="none"),
    Key("makefile", BLOCK, "Plain Makefile text appended to the rendered Makefile, for "
        "one-off targets.", default=""),
    Key("templates", TEXT, "Folder of the project's own templates, searched before the "
        "built-in ones.", default_text="`templates` when that folder exists"),
    Key("requires", TEXT, "The mkgen versions that may render this file, a PEP 440 "
        "specifier (`\">=1.1,<2\"`, quoted); another version stops with exit 2 and writes "
        "nothing.", default_text="any version"),
))

PROJECT = Section("project", "The project: image name, output folder, build context, "
                  "source mount.", (
    Key("name", TEXT, "Default image name (`IMAGE_NAME`).", required=True),
    Key("output", TEXT, "Folder the files are rendered into, relative to stages.yaml.",
        default="docker"),
    Key("context", TEXT, "Build context, relative to `output`.", default=".."),
    Key("source_mount", TEXT, "Where `_run` mounts the source tree in the container "
        "(`CODE_DIR`).", default="/code"),
    Key("dockerfile", TEXT, "Name of the rendered multi-stage Dockerfile.",
        default="Dockerfile.multi"),
    Key("syntax", TEXT, "A `# syntax=` frontend image for the Dockerfile (off by default: "
        "BuildKit would download it, which fails offline).", default_text="none"),
    Key("escape", TEXT, "The Dockerfile's escape character, `\\` or `` ` `` (a `# escape=` "
        "line): steps are read with it, and Dockerfile.multi is written with it.",
        default_text="none (`\\`)"),
    Key("check", TEXT, "A `# check=` line for BuildKit's build checks (`skip=JSONArgsRecommended;"
        "error=true`).", default_text="none"),
))

VARIABLE = Section("variable", "A Make variable of the rendered Makefile.", shorthand="default",
                   keys=(
    Key("default", TEXT, "The default value; `$(NAME)` refers to another variable, `$$` is "
        "a literal `$`. With `select`: the value when no case matches.", default=""),
    Key("help", TEXT, "One line for `make help`.", default=""),
    Key("env", FLAG, "Read the value from the environment when it is set there (`?=`); "
        "otherwise only the command line overrides the default.", default=False),
    Key("build_arg", FLAG, "Pass as `--build-arg NAME=value`, only when non-empty; "
        "Dockerfile.multi gets a global `ARG NAME=\"default\"`.", default=False),
    Key("arg", TEXT, "The build argument's name in the Dockerfile when it is not the "
        "variable's (`CUDA_VERSION` passed as `CUDA_VER`); implies `build_arg`.",
        default_text="the variable's name"),
    Key("arg_default", TEXT, "The ARG's default in Dockerfile.multi, written in Dockerfile "
        "syntax (`golang:${GO_VERSION}`, `\"\"`): BuildKit computes it, and make passes the "
        "variable only when it is set (it has no `default`); implies `build_arg`.",
        default_text="none"),
    Key("secret", FLAG, "Pass as `--secret id=NAME,env=NAME` (for `RUN "
        "--mount=type=secret,id=NAME`), from the environment or the command line; exported "
        "to the build's environment, never a build argument, never printed.", default=False),
    Key("secret_id", TEXT, "The secret's id when it is not the variable's name "
        "(`--secret id=github_clone_token,env=GITHUB_CLONE_TOKEN`); implies `secret`.",
        default_text="the variable's name"),
    Key("shell", TEXT, "A command whose output is the value, run by `sh` at the project root "
        "(the folder of stages.yaml) wherever make is started; lazily, at most once per make "
        "run.", default_text="none"),
    Key("file", TEXTS, "A file, relative to the project, holding `KEY = \"value\"` (or "
        "`KEY='value'`, `KEY=value`); read by make itself, without a process. A list: the "
        "first file that has the key. A missing file or key, or a key set on two live lines, "
        "stops make with an error naming them.",
        default_text="none"),
    Key("key", TEXT, "The `KEY` read from `file`.", default_text="none"),
    Key("select", TEXT, "Another variable whose value chooses this one's among `cases`.",
        default_text="none"),
    Key("cases", TEXT_MAP, "With `select`: `pattern: value` pairs, tried in order; a pattern "
        "is a value, may hold one `%` (any text), or is `\"\"` (empty). No match: `default` "
        "if given, else make stops with an error naming the cases.", default_text="none"),
    Key("word", TEXT, "Keep only the Nth word of the value (1: the first): one command's "
        "output can give several values.", default_text="the whole value"),
    Key("replace", TEXT_MAP, "`text: replacement` pairs applied in order to the value "
        "(`/: _` turns `feature/x` into `feature_x`).", default_text="none"),
    Key("append", TEXTS, "Parts added to the value, each after a space and only when every "
        "variable it refers to is non-empty (`--cuda_architectures $(CUDA_ARCHS)`).",
        default=()),
    Key("tag_safe", FLAG, "Make the value a valid image tag, "
        "`[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`: any other character becomes `-` (`feature/x` "
        "becomes `feature-x`; a run of non-ASCII ones, one `-`), leading `.` and `-` go, a "
        "text over 128 characters keeps its first 64 and last 63 joined by `-`, and an empty "
        "one becomes `unknown`.", default=False),
))

STAGE = Section("stage", "One `FROM ... AS name` block of Dockerfile.multi and its targets.",
                shorthand="from", keys=(
    Key("from", TEXT, "An image reference (`debian:12`, `${BASE_IMAGE}:${BASE_TAG}`) or "
        "another stage's name.", required=True),
    Key("from_arg", TEXT, "A build argument that replaces `from` (`FROM ${DEVEL_IMAGE} AS "
        "wheel`): a family can start the stage from another image.", default_text="none"),
    Key("platform", TEXT, "The `--platform` of the stage's FROM (`$BUILDPLATFORM`, "
        "`linux/amd64`); it may refer to build arguments and BuildKit's automatic platform "
        "arguments, as `from` may.", default_text="none"),
    Key("help", TEXT, "One line for `make help` and the Dockerfile.", default=""),
    Key("args", TEXTS, "Build arguments (variables with `build_arg: true`) the stage uses: "
        "each gets `ARG NAME` in the stage.", default=()),
    Key("steps", STEPS, "The stage's Dockerfile instructions: a block of text or a list "
        "(no `FROM`).", default=()),
    Key("actions", ACTION_LIST, "Which actions get targets.", default=ACTIONS,
        choices=ACTIONS, default_text=", ".join(ACTIONS)),
    Key("variables", OVERRIDES, "Variable values for all the stage's targets.", default=()),
    *_per_action(ACTIONS),
))

FAMILY = Section("family", "A target family: a stage's actions with other variable values.", (
    Key("stage", TEXT, "The stage this family builds, pushes, runs or pulls.", required=True),
    Key("help", TEXT, "One line for `make help`.", default=""),
    Key("actions", ACTION_LIST, "Which actions get targets (`manifest` needs `platforms`).",
        default=ACTIONS, choices=ALL_ACTIONS,
        default_text=", ".join(ACTIONS) + " (and manifest with platforms)"),
    Key("variables", OVERRIDES, "Variable values for all the family's targets.", default=()),
    Key("platforms", TEXTS, "For multi-arch families, `[linux/amd64, linux/arm64]`: the "
        "`os/arch[/variant]` of each image the `manifest` action joins (it adds that action); "
        "with `push_by_build`, what one build builds.", default=(), item_pattern=PLATFORM),
    Key("builder", TEXT, "The buildx builder of this family's builds (`--builder=NAME`).",
        default_text="the current one"),
    Key("push_by_build", FLAG, "Push by building with `--push` (every platform in one "
        "build, one image index), instead of `docker push` after the build.", default=False),
    *_per_action(ALL_ACTIONS),
))

RECIPE = Section("recipe", "A target with its own commands.", (
    Key("help", TEXT, "One line for `make help`.", default=""),
    Key("needs", TEXTS, "Targets made first (prerequisites).", default=()),
    Key("requires", TEXTS, "Variables that must be non-empty: make stops before any "
        "command when one is empty.", default=()),
    Key("variables", OVERRIDES, "Variable values for this target.", default=()),
    Key("commands", STEPS, "Recipe lines, run by the shell; `$(NAME)` refers to a variable, "
        "`$$` is a shell `$`, `$(call mkgen_q,TEXT)` quotes a shell word. Make functions that "
        "run programs (`shell`, `eval`, `file`) are refused, so `mkgen explain` runs nothing.",
        required=True),
))

ACTION = Section("action", "Settings of one action of a stage or family.", (
    Key("variables", OVERRIDES, "Variable values for this action's target.", default=()),
    Key("workdir", TEXT, "Working directory of the run container (`WORK_DIR`); run only.",
        default_text="`$(CODE_DIR)`"),
))

SECTIONS: dict[str, Section] = {s.name: s for s in (TOP, PROJECT, VARIABLE, STAGE, FAMILY,
                                                     RECIPE, ACTION)}
