"""Validate a loaded stages.yaml into a Config, collecting every problem with its place.

The sections are read in order (project, variables, stages, targets); the checks that need
the whole configuration (target names, stage and variable cycles) run on its plan.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from mkgen import __version__, stage_graph, variable_cycles
from mkgen.checker import Checker
from mkgen.errors import ConfigError, Problem
from mkgen.keys import IMAGE_REF, PROJECT, TOP
from mkgen.loader import MarkedDict
from mkgen.model import Config, Project
from mkgen.plan import Plan, make_plan
from mkgen.validate_recipes import validate_aliases, validate_recipes, validate_renames
from mkgen.validate_stages import validate_stages
from mkgen.validate_targets import check_target_names, validate_families
from mkgen.validate_variables import validate_variables

PATH_KEYS = ("output", "context", "source_mount", "dockerfile")


def _project_name(c: Checker, node: MarkedDict) -> str:
    name = c.text(node, PROJECT["name"], "project.name")
    if not name:
        c.at(node, None, "project.name", "missing", "the default image name, e.g. my_project")
    elif not IMAGE_REF.match(name) or ":" in name:
        c.at(node, "name", "project.name", f"'{name}' is not a valid image name",
             "use lowercase letters, digits, '.', '_', '-' and '/'")
    return name or "project"


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
    return Project(name=name, syntax=c.text(node, PROJECT["syntax"], "project.syntax") or None,
                   **paths)


def _check_stage_cycles(c: Checker, root: MarkedDict, config: Config) -> None:
    try:
        stage_graph.stage_order(config.stages)
    except stage_graph.CycleError as exc:
        # A stage naming itself has its own message already.
        if len(set(exc.cycle)) > 1:
            c.at(root["stages"], exc.cycle[0], f"stages.{exc.cycle[0]}",
                 "stage dependencies form a cycle: " + " -> ".join(exc.cycle),
                 "a stage cannot depend, through 'from' or COPY --from, on itself")


def _value_mark(data: MarkedDict, path: tuple[str, ...]) -> tuple[int, int]:
    """Where the value at `path` stands (a variable's `default` when it is a mapping); the
    nearest existing parent when the path is not spelt out in the file."""
    node: Any = data
    mark = data.mark
    for key in path:
        if not isinstance(node, MarkedDict) or key not in node:
            break
        mark, node = node.value_marks[key], node[key]
    if isinstance(node, MarkedDict) and "default" in node:
        mark = node.value_marks["default"]
    return mark.line, mark.col


def _check_variable_cycles(c: Checker, root: MarkedDict, config: Config, plan: Plan) -> None:
    for path, cycle in variable_cycles.cycles(config, plan):
        line, col = _value_mark(root, path)
        c.problems.append(Problem(
            c.file, line, col, ".".join(path),
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
    stages = validate_stages(c, data, names, variables)
    families = validate_families(c, data, names, stages)
    config = Config(source=source, project=project, variables=variables, stages=stages,
                    families=families, aliases=validate_aliases(c, data),
                    recipes=validate_recipes(c, data, names), renamed=renamed,
                    makefile_snippet=_snippet(c, data),
                    templates=c.text(data, TOP["templates"], "templates") or None)
    plan = make_plan(config)
    check_target_names(c, data, plan)
    _check_stage_cycles(c, data, config)  # also with other problems: report every one
    _check_variable_cycles(c, data, config, plan)
    if c.problems:
        raise ConfigError(c.problems)
    return config
