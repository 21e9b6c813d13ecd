"""Validate a loaded stages.yaml into a Config, collecting every problem with its place.

The sections are read in order (project, variables, stages, targets); the checks that need
the whole configuration (target names, stage and variable cycles) run on its plan.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from mkgen import __version__, stage_graph, variable_cycles
from mkgen.checker import Checker, value_position
from mkgen.dockerfile_parser import ESCAPES
from mkgen.errors import WARNING, ConfigError, Problem
from mkgen.keys import IMAGE_NAME_MAX, IMAGE_REF, PROJECT, TOP, is_image_name
from mkgen.loader import MarkedDict
from mkgen.model import MAKEFILE, USER_DOCKERFILE, Config, Project, Stage
from mkgen.plan import Plan, make_plan
from mkgen.records import replace
from mkgen.stamp import BAKE_FILE
from mkgen.validate_recipes import validate_aliases, validate_recipes, validate_renames
from mkgen.validate_secrets import check_secrets
from mkgen.validate_stages import validate_stages
from mkgen.validate_targets import check_target_names, validate_families
from mkgen.validate_variables import validate_variables

PATH_KEYS = ("output", "context", "source_mount", "dockerfile")


def _project_name(c: Checker, node: MarkedDict) -> str:
    name = c.text(node, PROJECT["name"], "project.name")
    if not name:
        c.at(node, None, "project.name", "missing", "the default image name, e.g. my_project")
    elif is_image_name(name):
        if len(name) > IMAGE_NAME_MAX:
            c.at(node, "name", "project.name", f"is longer than {IMAGE_NAME_MAX} characters",
                 "registries refuse longer image names")
    elif IMAGE_REF.match(name):
        c.at(node, "name", "project.name", f"'{name}' has a tag or digest; project.name is the "
             "image name alone", "the tag is IMAGE_TAG: make TARGET IMAGE_TAG=...")
    else:
        c.at(node, "name", "project.name", f"'{name}' is not a valid image name",
             "lowercase letters and digits, with '.', '_' or '-' between them, parts joined by "
             "'/', after an optional registry host[:port]/ such as localhost:5000/")
    return name or "project"


# Names the Dockerfile cannot have, compared ignoring case (as macOS and Windows file systems
# do): the other rendered files, GNUmakefile (make reads it, and `makefile`, before Makefile)
# and mkgen's own files.
_TAKEN = {MAKEFILE.lower(): f"the rendered {MAKEFILE}",
          USER_DOCKERFILE.lower(): f"the rendered {USER_DOCKERFILE}",
          BAKE_FILE.lower(): f"the rendered {BAKE_FILE}",
          "gnumakefile": "GNUmakefile, which make would read instead of the Makefile"}


def _check_dockerfile_name(c: Checker, node: MarkedDict, name: str) -> None:
    if "/" in name or "\\" in name or name in (".", ".."):
        c.at(node, "dockerfile", "project.dockerfile", "must be a file name, not a path",
             "the file is written into project.output; set that to change the folder")
        return
    taken = _TAKEN.get(name.lower())
    if taken is not None:
        message = f"'{name}' names the same file as {taken}"
    elif name.lower().startswith(".mkgen"):
        message = f"'{name}' starts with '.mkgen', which mkgen keeps for its own files"
    else:
        return
    c.at(node, "dockerfile", "project.dockerfile", message, "names are compared ignoring case, "
         "as on macOS; keep the default Dockerfile.multi or pick another name")


def _project(c: Checker, root: MarkedDict) -> Project:
    node = c.mapping(root, "project", root.get("project"), "project")
    if node is None or "project" not in root:
        if node is not None:
            c.at(root, None, "project", "missing", "add 'project: {name: my_project}'")
        return Project(name="project")

    def path_text(key: str) -> str:
        value = c.text(node, PROJECT[key], f"project.{key}") or str(PROJECT[key].default)
        if any(ch.isspace() or ch in "#$%" for ch in value):
            c.at(node, key, f"project.{key}", "must not contain spaces, '#', '$' or '%'",
                 "make cannot carry them in a path")
        return value

    c.known_keys(node, PROJECT, "project")
    name = _project_name(c, node)
    paths = {key: path_text(key) for key in PATH_KEYS}
    _check_dockerfile_name(c, node, paths["dockerfile"])
    return Project(name=name, syntax=c.text(node, PROJECT["syntax"], "project.syntax") or None,
                   escape=_escape(c, node), **paths,
                   check=c.text(node, PROJECT["check"], "project.check") or None)


def _escape(c: Checker, node: MarkedDict) -> str | None:
    escape = c.text(node, PROJECT["escape"], "project.escape") or None
    if escape is not None and escape not in ESCAPES:
        c.value_at(node, "escape", "project.escape", f"'{escape}' is not an escape character",
                   "BuildKit takes '\\' (the default) or '`'")
        return None
    return escape


def _check_stage_order(c: Checker, root: MarkedDict, config: Config) -> None:
    """A cycle is an error; a stage declared after a stage that needs it is a warning, since
    Dockerfile.multi then moves it up (BuildKit finds a stage only above its users)."""
    escape = config.project.escape_char
    try:
        order = stage_graph.stage_order(config.stages, escape)
    except stage_graph.CycleError as exc:
        # A stage naming itself has its own message already.
        if len(set(exc.cycle)) > 1:
            c.at(root["stages"], exc.cycle[0], f"stages.{exc.cycle[0]}",
                 "stage dependencies form a cycle: " + " -> ".join(exc.cycle),
                 "a stage cannot depend, through 'from' or COPY --from, on itself")
        return
    how = {"from": "is built from", "copy": "copies from", "mount": "mounts"}
    for edge in stage_graph.late_edges(config.stages, escape):
        c.at(root["stages"], edge.child, f"stages.{edge.child}",
             f"{how[edge.kind]} stage '{edge.parent}', declared after it, so Dockerfile.multi "
             f"puts '{edge.parent}' first",
             f"declare '{edge.parent}' above '{edge.child}' to keep stages.yaml's order",
             severity=WARNING)
    if order != list(config.stages):
        _check_numbers(c, root, config.stages, order, escape)


def _check_numbers(c: Checker, root: MarkedDict, stages: tuple[Stage, ...],
                   order: list[Stage], escape: str) -> None:
    """`COPY --from=N` counts stages in stages.yaml's order; when Dockerfile.multi moves
    stages, N must still name the same stage there."""
    for stage in stages:
        for ref, kind in stage_graph.step_references(stage, escape):
            n = int(ref) if kind == "copy" and ref.isdigit() else None
            if n is not None and n < len(stages) and \
                    (order[n] is not stages[n] or n >= order.index(stage)):
                c.at(root["stages"], stage.name, f"stages.{stage.name}",
                     f"copies from stage number {n}, '{stages[n].name}' in stages.yaml, which "
                     "is another stage in Dockerfile.multi (it moves stages above their users)",
                     f"name the stage: COPY --from={stages[n].name}")


def _check_variable_cycles(c: Checker, root: MarkedDict, config: Config, plan: Plan) -> None:
    declared = root.get("variables")
    for path, cycle in variable_cycles.cycles(config, plan):
        if path[0] == "variables" and not (isinstance(declared, MarkedDict)
                                           and path[1] in declared):
            continue  # a built-in as mkgen defines it: the cycle is blamed where it was written
        mark = value_position(root, path)
        c.problems.append(Problem(
            c.file, mark.line, mark.col, ".".join(path),
            "refers to itself: " + " -> ".join(f"$({n})" for n in cycle),
            "make cannot expand a variable defined in terms of itself; declare the base "
            "value under another name and refer to that"))


def _snippet(c: Checker, root: MarkedDict) -> str:
    snippet = root.get("makefile") or ""
    if not isinstance(snippet, str):
        c.at(root, "makefile", "makefile", "must be Makefile text (a block scalar: makefile: |)")
        return ""
    return snippet.rstrip("\n")


def _requires(c: Checker, root: MarkedDict, version: str) -> None:
    """Stop at once when the file asks for another mkgen: it may use keys this one does not
    know, and a list of unknown keys would hide the reason."""
    text = c.text(root, TOP["requires"], "requires")
    if text is None:
        return
    from mkgen import versions  # only files that pin a version pay for this

    try:
        allowed = versions.parse_specifier(text).matches(version)
    except versions.VersionError as exc:
        c.value_at(root, "requires", "requires", str(exc))
        return
    if not allowed:
        alone = Checker(c.file)
        alone.value_at(root, "requires", "requires",
                       f"this is mkgen {version}; {Path(c.file).name} requires mkgen {text}",
                       "install a mkgen version that matches, or change requires")
        raise ConfigError(alone.problems)


def validate(data: Any, source: Path, version: str = __version__) -> Config:
    """Turn the loaded YAML of one stages.yaml into a Config, or raise ConfigError.

    `version` is the mkgen that reads it (a test stands in another), checked against
    `requires:` before anything else."""
    c = Checker(str(source))
    if not isinstance(data, MarkedDict):
        raise ConfigError([Problem(str(source), 1, 1, "", "must be a mapping with 'project' "
                                   "and 'stages'", "run 'mkgen init' for a starter")])
    _requires(c, data, version)
    c.known_keys(data, TOP, "")
    project = _project(c, data)
    renamed = validate_renames(c, data)
    variables = validate_variables(c, data, project, renamed)
    names = {v.name for v in variables}
    stages = validate_stages(c, data, names, variables, project.escape_char)
    families = validate_families(c, data, names, stages)
    config = Config(source=source, project=project, variables=variables, stages=stages,
                    families=families, aliases=validate_aliases(c, data),
                    recipes=validate_recipes(c, data, names), renamed=renamed,
                    makefile_snippet=_snippet(c, data),
                    templates=c.text(data, TOP["templates"], "templates") or None)
    plan = make_plan(config)
    check_target_names(c, data, plan)
    _check_stage_order(c, data, config)  # also with other problems: report every one
    _check_variable_cycles(c, data, config, plan)
    check_secrets(c, data, config, plan)
    if c.errors:
        raise ConfigError(c.problems)
    return replace(config, warnings=c.warnings)
