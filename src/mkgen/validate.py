"""Validate a loaded stages.yaml into a Config, collecting every problem with its place."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkgen import dockerfile, escape, references, resolve
from mkgen.defaults import INTERNAL, builtin_variables
from mkgen.checker import Checker, did_you_mean
from mkgen.errors import ConfigError, Problem
from mkgen.loader import MarkedDict, MarkedList
from mkgen.model import (ACTIONS, ALL_ACTIONS, MANIFEST_ACTION, ActionSettings, Config, Family,
                         Project, Stage, Variable)

TOP_KEYS = ("project", "variables", "stages", "targets", "makefile", "templates")
PROJECT_KEYS = ("name", "output", "context", "source_mount", "dockerfile", "syntax")
VARIABLE_KEYS = ("default", "help", "build_arg", "secret", "shell", "file", "key", "tag_safe")
STAGE_KEYS = ("from", "from_arg", "help", "args", "steps", "actions", "variables", *ACTIONS)
FAMILY_KEYS = ("stage", "help", "actions", "variables", "platforms", *ALL_ACTIONS)
ACTION_KEYS = ("variables", "workdir")

VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Docker stage names are lowercase; `_`, `.` and `-` are fine in Make targets too.
STAGE_NAME = re.compile(r"^[a-z][a-z0-9_.-]*$")
FAMILY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# distribution/reference grammar, simplified: [host[:port]/]path[:tag][@digest].
IMAGE_REF = re.compile(
    r"^(?:(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
    r"(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::[\w][\w.-]{0,127})?"
    r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$"
)
CREDENTIAL = re.compile(r"TOKEN|PASSWORD|PASSWD|SECRET|(^|_)KEY($|_)|API_KEY|CREDENTIAL")
PLATFORM = re.compile(r"^[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?$")
# Variables GNU make itself gives a meaning ("Special Variables", "Variables Used by
# Implicit Rules" are off), and environment variables every recipe needs: a Makefile that
# assigns PATH exports the new value to docker's environment.
RESERVED = frozenset({
    "MAKE", "MAKEFLAGS", "MAKEFILES", "MAKEFILE_LIST", "MAKECMDGOALS", "MAKELEVEL", "MFLAGS",
    "MAKEOVERRIDES", "MAKESHELL", "MAKE_RESTARTS", "MAKE_TERMOUT", "MAKE_TERMERR",
    "MAKE_VERSION", "MAKE_HOST", "SHELL", "CURDIR", "VPATH", "GPATH", "SUFFIXES",
    "PATH", "HOME", "IFS",
})


def _project(c: Checker, root: MarkedDict) -> Project:
    node = c.mapping(root, "project", root.get("project"), "project")
    if node is None or "project" not in root:
        if node is not None:
            c.at(root, None, "project", "missing", "add 'project: {name: my_project}'")
        return Project(name="project")
    c.known_keys(node, PROJECT_KEYS, "project")
    name = c.string(node, "name", "project.name")
    if not name:
        c.at(node, None, "project.name", "missing", "the default image name, e.g. my_project")
    elif not IMAGE_REF.match(name) or ":" in name:
        c.at(node, "name", "project.name", f"'{name}' is not a valid image name",
             "use lowercase letters, digits, '.', '_', '-' and '/'")
    project = Project(
        name=name or "project",
        output=c.string(node, "output", "project.output", "docker") or "docker",
        context=c.string(node, "context", "project.context", "..") or "..",
        source_mount=c.string(node, "source_mount", "project.source_mount", "/code") or "/code",
        dockerfile=c.string(node, "dockerfile", "project.dockerfile", "Dockerfile.multi")
        or "Dockerfile.multi",
        syntax=c.string(node, "syntax", "project.syntax") or None,
    )
    for key in ("output", "context", "source_mount", "dockerfile"):
        if any(ch.isspace() or ch in "#$%" for ch in getattr(project, key)):
            c.at(node, key, f"project.{key}", "must not contain spaces, '#', '$' or '%'",
                 "make cannot carry them in a path")
    return project


def _variable(c: Checker, parent: MarkedDict, name: str, raw: Any,
              builtin: Variable | None) -> Variable | None:
    path = f"variables.{name}"
    if not VARIABLE_NAME.match(name):
        c.at(parent, name, path, "is not a valid variable name",
             "use letters, digits and '_', not starting with a digit")
        return None
    if name in RESERVED or name in INTERNAL or name.lower().startswith("mkgen_"):
        c.at(parent, name, path, "is a name make, the shell or mkgen itself uses",
             f"pick another name, e.g. PROJECT_{name.upper()}")
        return None
    if raw is None or isinstance(raw, str):
        node = MarkedDict({"default": raw or ""})
        node.mark = parent.value_marks[name]
        node.key_marks = {"default": node.mark}
        node.value_marks = {"default": node.mark}
    else:
        node = c.mapping(parent, name, raw, path)
        if node is None:
            return None
        c.known_keys(node, VARIABLE_KEYS, path)
    sources = [k for k in ("default", "shell", "file") if k in node]
    if len(sources) > 1:
        c.at(node, sources[1], path, f"has both '{sources[0]}' and '{sources[1]}'",
             "a variable takes its value from one source")
    if ("file" in node) != ("key" in node):
        c.at(node, "file" if "file" in node else "key", path, "'file' and 'key' go together",
             "read KEY = \"value\" from file: give both")
    var = Variable(
        name=name,
        help=c.string(node, "help", f"{path}.help"),
        default=c.string(node, "default", f"{path}.default"),
        shell=c.string(node, "shell", f"{path}.shell") if "shell" in node else None,
        file=c.string(node, "file", f"{path}.file") if "file" in node else None,
        key=c.string(node, "key", f"{path}.key") if "key" in node else None,
        build_arg=c.boolean(node, "build_arg", f"{path}.build_arg"),
        secret=c.boolean(node, "secret", f"{path}.secret"),
        tag_safe=c.boolean(node, "tag_safe", f"{path}.tag_safe"),
        group=builtin.group if builtin else "Project",
        builtin=False,
    )
    if builtin and (var.build_arg or var.secret or var.computed):
        c.at(parent, name, path, "is a built-in variable; only its default and help can change",
             "pick another name for a build argument or computed value")
        return None
    if var.shell is not None and not var.shell.strip():
        c.at(node, "shell", f"{path}.shell", "is empty", "give the command that prints the value")
    if var.key is not None and not VARIABLE_NAME.match(var.key):
        c.at(node, "key", f"{path}.key", f"'{var.key}' is not a variable name",
             "the KEY of a KEY = \"value\" line")
    if var.file is not None and any(ch.isspace() or ch in "#$%" for ch in var.file):
        c.at(node, "file", f"{path}.file", "must not contain spaces, '#', '$' or '%'")
    if var.secret and var.build_arg:
        c.at(node, "secret", path, "cannot be both secret and build_arg",
             "a secret reaches RUN --mount=type=secret, never a --build-arg")
    if var.build_arg and CREDENTIAL.search(name.upper()):
        c.at(parent, name, path, "looks like a credential but is a build argument",
             "declare it 'secret: true' so it never lands in the image history")
    if var.build_arg and escape.refs(var.default):
        c.value_at(node, "default", f"{path}.default",
                   "a build argument's default is written into Dockerfile.multi and cannot "
                   "refer to Make variables", "give a literal default")
    if builtin:
        return Variable(name=name, help=var.help or builtin.help, default=var.default,
                        group=builtin.group, builtin=True)
    return var


def _variables(c: Checker, root: MarkedDict, project: Project) -> tuple[Variable, ...]:
    builtins = {v.name: v for v in builtin_variables(project)}
    declared: dict[str, Variable] = {}
    node = c.mapping(root, "variables", root.get("variables"), "variables")
    for name in node or ():
        var = _variable(c, node, name, node[name], builtins.get(name))
        if var is not None:
            declared[name] = var
    ordered = [declared.pop(n, v) for n, v in builtins.items()]
    result = tuple(ordered + list(declared.values()))
    names = {v.name for v in result}
    for var in result:
        if node is not None and var.name in node and isinstance(node[var.name], MarkedDict):
            c.check_refs(node[var.name], "default", f"variables.{var.name}.default",
                         var.default, names)
        elif node is not None and var.name in node:
            c.check_refs(node, var.name, f"variables.{var.name}", var.default, names)
    return result


def _action_list(c: Checker, node: MarkedDict, path: str, allowed: tuple[str, ...],
                 default: tuple[str, ...]) -> tuple[str, ...]:
    if "actions" not in node:
        return default
    actions = c.string_list(node, "actions", f"{path}.actions")
    for i, action in enumerate(actions):
        if action not in allowed:
            items = node["actions"]
            where, key = (items, i) if isinstance(items, MarkedList) else (node, "actions")
            c.at(where, key, f"{path}.actions", f"unknown action '{action}'",
                 did_you_mean(action, allowed) or f"actions: {', '.join(allowed)}")
    return tuple(a for a in allowed if a in actions)


def _per_action(c: Checker, node: MarkedDict, path: str, names: set[str],
                actions: tuple[str, ...]) -> tuple[ActionSettings, ...]:
    out = []
    for action in ALL_ACTIONS:
        if action not in node:
            continue
        sub = f"{path}.{action}"
        settings = c.mapping(node, action, node[action], sub)
        if settings is None:
            continue
        if action not in actions:
            c.at(node, action, sub, f"settings for action '{action}', which this one lacks",
                 "add it to 'actions' or remove these settings")
        c.known_keys(settings, ACTION_KEYS, sub)
        overrides = list(c.overrides(settings, "variables", f"{sub}.variables", names))
        if "workdir" in settings:
            if action != "run":
                c.at(settings, "workdir", f"{sub}.workdir", "only the run action has a workdir")
            overrides.append(("WORK_DIR", c.string(settings, "workdir", f"{sub}.workdir")))
        out.append(ActionSettings(action=action, variables=tuple(overrides)))
    return tuple(out)


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


def _stages(c: Checker, root: MarkedDict, names: set[str],
            variables: tuple[Variable, ...]) -> tuple[Stage, ...]:
    node = c.mapping(root, "stages", root.get("stages"), "stages")
    if node is None:
        return ()
    if not node:
        c.at(root, "stages" if "stages" in root else None, "stages", "no stages declared",
             "declare at least one: stages: {app: {from: debian:12}}")
        return ()
    stage_names = dict.fromkeys(node)  # ordered, and `in` stays O(1) for big configs
    build_args = {v.name for v in variables if v.build_arg}
    secrets = {v.name for v in variables if v.secret}
    stages = []
    for name in stage_names:
        path = f"stages.{name}"
        raw = node[name]
        if isinstance(raw, str):
            raw_node = MarkedDict({"from": raw})
            raw_node.mark = node.value_marks[name]
            raw_node.key_marks = raw_node.value_marks = {"from": raw_node.mark}
        else:
            raw_node = c.mapping(node, name, raw, path)
            if raw_node is None:
                continue
        if not STAGE_NAME.match(name):
            c.at(node, name, path, "is not a valid stage name",
                 "Docker stage names are lowercase letters, digits, '_', '.', '-'")
        c.known_keys(raw_node, STAGE_KEYS, path)
        base = c.string(raw_node, "from", f"{path}.from")
        if "from" not in raw_node:
            c.at(raw_node, None, path, "has no 'from'", "name an image or another stage")
        actions = _action_list(c, raw_node, path, ACTIONS, ACTIONS)
        stage = Stage(
            name=name, base=base, help=c.string(raw_node, "help", f"{path}.help"),
            from_arg=c.string(raw_node, "from_arg", f"{path}.from_arg") or None,
            args=tuple(c.string_list(raw_node, "args", f"{path}.args")),
            steps=_steps(c, raw_node, path), actions=actions,
            variables=c.overrides(raw_node, "variables", f"{path}.variables", names),
            per_action=_per_action(c, raw_node, path, names, actions),
        )
        _check_stage_refs(c, raw_node, path, stage, stage_names, build_args, secrets)
        stages.append(stage)
    return tuple(stages)


def _check_stage_refs(c: Checker, node: MarkedDict, path: str, stage: Stage,
                      stage_names: dict[str, None], build_args: set[str],
                      secrets: set[str]) -> None:
    base = stage.base
    if base == stage.name:
        c.value_at(node, "from", f"{path}.from", "a stage cannot be built from itself",
                   "name an image, or another stage")
    if base and base not in stage_names:
        if base.lower() == stage.name:
            c.value_at(node, "from", f"{path}.from", "a stage cannot be built from itself")
        elif "$" not in base and not IMAGE_REF.match(base):
            hint = did_you_mean(base, stage_names) or "an image such as debian:12 or a stage"
            c.value_at(node, "from", f"{path}.from",
                       f"'{base}' is neither a stage nor a valid image reference", hint)
        elif "/" not in base and ":" not in base and "$" not in base and base != "scratch":
            close = did_you_mean(base, stage_names)
            if close:
                c.value_at(node, "from", f"{path}.from", f"unknown stage '{base}'", close)
        for ref in escape.dockerfile_refs(base):
            if ref not in build_args:
                c.value_at(node, "from", f"{path}.from", f"refers to ${{{ref}}}, which is not "
                           "a build argument", "declare it with 'build_arg: true'")
    if stage.from_arg:
        if stage.from_arg not in build_args:
            c.value_at(node, "from_arg", f"{path}.from_arg",
                       f"'{stage.from_arg}' is not a build argument",
                       "declare it under 'variables' with 'build_arg: true' and no default")
        if base not in stage_names:
            c.value_at(node, "from_arg", f"{path}.from_arg",
                       "from_arg needs 'from' to name a stage (the argument's default)")
    declared = set(stage.args)
    for i, arg in enumerate(stage.args):
        if arg not in build_args:
            items = node.get("args")
            where, key = (items, i) if isinstance(items, MarkedList) else (node, "args")
            c.at(where, key, f"{path}.args", f"'{arg}' is not a build argument",
                 did_you_mean(arg, build_args) or "declare it with 'build_arg: true'")
    for i, text in enumerate(stage.steps):
        for offset, instruction in dockerfile.instructions(text):
            declared.update(dockerfile.declared_args(instruction))
            for ref in dockerfile.stage_references(instruction):
                problem = _stage_ref_problem(ref, stage.name, stage_names)
                if problem:
                    _step_at(c, node, i, offset, path, *problem)
            for secret in dockerfile.secret_ids(instruction):
                if secret not in secrets:
                    _step_at(c, node, i, offset, path,
                             f"mounts secret '{secret}', which is not a declared secret",
                             did_you_mean(secret, secrets)
                             or f"declare it: variables: {{{secret}: {{secret: true}}}}")
            for ref in escape.dockerfile_refs(instruction):
                if ref in build_args and ref not in declared:
                    _step_at(c, node, i, offset, path, f"uses ${{{ref}}} but does not declare it",
                             f"add {ref} to this stage's 'args'")
                elif ref in secrets and ref not in declared:
                    _step_at(c, node, i, offset, path,
                             f"uses ${{{ref}}}, a secret, which is never a build argument",
                             f"mount it: RUN --mount=type=secret,id={ref} ..., then read "
                             f"/run/secrets/{ref}")


def _stage_ref_problem(ref: str, stage: str,
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


def _families(c: Checker, root: MarkedDict, names: set[str],
              stages: tuple[Stage, ...]) -> tuple[Family, ...]:
    node = c.mapping(root, "targets", root.get("targets"), "targets")
    if node is None:
        return ()
    stage_names = [s.name for s in stages]
    out = []
    for name in node:
        path = f"targets.{name}"
        raw = c.mapping(node, name, node[name], path)
        if raw is None:
            continue
        if not FAMILY_NAME.match(name):
            c.at(node, name, path, "is not a valid target family name",
                 "use letters, digits, '_', '.' and '-'")
        c.known_keys(raw, FAMILY_KEYS, path)
        stage = c.string(raw, "stage", f"{path}.stage")
        if "stage" not in raw:
            c.at(raw, None, path, "has no 'stage'", "bind the family to one of: "
                 + ", ".join(stage_names))
        elif stage not in stage_names:
            c.value_at(raw, "stage", f"{path}.stage", f"unknown stage '{stage}'",
                       did_you_mean(stage, stage_names) or "known: " + ", ".join(stage_names))
        platforms = tuple(c.string_list(raw, "platforms", f"{path}.platforms"))
        for p in platforms:
            if not PLATFORM.match(p):
                c.at(raw, "platforms", f"{path}.platforms", f"'{p}' is not a platform",
                     "write os/arch, e.g. linux/amd64")
            elif platforms.count(p) > 1:
                # Each platform's image is IMAGE_WITH_TAG-ARCH: twice would be one image.
                c.at(raw, "platforms", f"{path}.platforms", f"'{p}' is listed twice")
        # Any action is known, so that a manifest without platforms gets its own message.
        actions = _action_list(c, raw, path, ALL_ACTIONS,
                               ALL_ACTIONS if platforms else ACTIONS)
        if MANIFEST_ACTION in actions and not platforms:
            c.at(raw, "actions", f"{path}.actions", "the manifest action needs 'platforms'")
        out.append(Family(
            name=name, stage=stage, help=c.string(raw, "help", f"{path}.help"), actions=actions,
            variables=c.overrides(raw, "variables", f"{path}.variables", names),
            per_action=_per_action(c, raw, path, names, actions), platforms=platforms,
        ))
    return tuple(out)


def _collisions(c: Checker, root: MarkedDict, stages: tuple[Stage, ...],
                families: tuple[Family, ...]) -> None:
    seen: dict[str, str] = {"help": "mkgen", "doctor": "mkgen"}
    collided: set[str] = set()
    for kind, items in (("stages", stages), ("targets", families)):
        for item in items:
            for action in item.actions:
                target = f"{item.name}_{action}"
                if target in seen and item.name not in collided:
                    collided.add(item.name)
                    node = root.get(kind)
                    c.at(node, item.name, f"{kind}.{item.name}",
                         f"target '{target}' is also generated for {seen[target]}",
                         "rename one of them")
                seen[target] = f"{kind}.{item.name}"
    stage_names = {s.name for s in stages}
    targets = root.get("targets")
    for family in families:
        if family.name in stage_names and family.name not in collided \
                and isinstance(targets, MarkedDict):
            c.at(targets, family.name, f"targets.{family.name}",
                 "has the name of a stage", "rename the family")


def _reference_cycles(c: Checker, data: MarkedDict, variables: tuple[Variable, ...],
                      stages: tuple[Stage, ...], families: tuple[Family, ...]) -> None:
    for path, cycle in references.cycles(variables, stages, families):
        line, col = _value_mark(data, path)
        c.problems.append(Problem(
            c.file, line, col, ".".join(path),
            "refers to itself: " + " -> ".join(f"$({n})" for n in cycle),
            "make cannot expand a variable defined in terms of itself; declare the base "
            "value under another name and refer to that"))


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


def validate(data: Any, source: Path) -> Config:
    """Turn the loaded YAML of one stages.yaml into a Config, or raise ConfigError."""
    file = str(source)
    c = Checker(file)
    if not isinstance(data, MarkedDict):
        raise ConfigError([Problem(file, 1, 1, "", "must be a mapping with 'project' and "
                                   "'stages'", "run 'mkgen init' for a starter")])
    c.known_keys(data, TOP_KEYS, "")
    project = _project(c, data)
    variables = _variables(c, data, project)
    names = {v.name for v in variables}
    stages = _stages(c, data, names, variables)
    families = _families(c, data, names, stages)
    _collisions(c, data, stages, families)
    try:  # also when other problems were found: report every problem, not the first
        resolve.stage_order(stages)
    except resolve.CycleError as exc:
        # A stage naming itself has its own message already.
        if len(set(exc.cycle)) > 1:
            c.at(data["stages"], exc.cycle[0], f"stages.{exc.cycle[0]}",
                 "stage dependencies form a cycle: " + " -> ".join(exc.cycle),
                 "a stage cannot depend, through 'from' or COPY --from, on itself")
    _reference_cycles(c, data, variables, stages, families)
    snippet = data.get("makefile") or ""
    if not isinstance(snippet, str):
        c.at(data, "makefile", "makefile", "must be Makefile text (a block scalar: makefile: |)")
        snippet = ""
    templates = c.string(data, "templates", "templates") or None
    if c.problems:
        raise ConfigError(c.problems)
    return Config(source=source, project=project, variables=variables, stages=stages,
                  families=families, makefile_snippet=snippet.rstrip("\n"),
                  templates=templates)
