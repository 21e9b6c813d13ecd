"""The JSON Schema of stages.yaml, built from the validator's own key tuples and patterns.

The validator stays the authority (it also checks references, cycles and collisions); the
schema gives editors completion and early squiggles. Every key the validator allows must
have an entry in KEY_DOCS below, or building the schema fails: a key added to validate.py
cannot silently go missing here, and tests compare the result to schema/stages.schema.json.
"""
from __future__ import annotations

import json
from typing import Any

from mkgen import checker
from mkgen import validate as v
from mkgen.model import ACTIONS, ALL_ACTIONS

SCHEMA_PATH = "schema/stages.schema.json"

# The loader reads every YAML scalar as the text written (`8`, `on`, `12.10`), so a text field
# accepts any scalar; a flag accepts YAML's booleans and the words the validator reads as one.
TEXT: dict[str, Any] = {"type": ["string", "number", "boolean", "null"]}
FLAG: dict[str, Any] = {"anyOf": [{"type": "boolean"}, {"enum": [*checker.TRUE, *checker.FALSE]}]}


def _pattern(regex: Any) -> str:
    # Python's and ECMA 262's syntax agree on the validator's simple patterns.
    return str(regex.pattern)


def _text_list(item: dict[str, Any] | None = None) -> dict[str, Any]:
    item = item or {"type": "string"}
    return {"anyOf": [item, {"type": "array", "items": item}]}


def _action_settings() -> dict[str, Any]:
    return _object(v.ACTION_KEYS, "action")


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


# (kind, key) -> (schema, description). Kinds name the mapping a key belongs to.
def _key_docs() -> dict[tuple[str, str], tuple[dict[str, Any], str]]:
    actions = {"type": "array", "items": {"enum": list(ACTIONS)}}
    all_actions = {"type": "array", "items": {"enum": list(ALL_ACTIONS)}}
    per_action = {(kind, a): (_ref("action"), f"Settings of the {a} action only.")
                  for kind in ("stage", "family") for a in ALL_ACTIONS}
    return {
        **per_action,
        ("top", "project"): (_ref("project"), "The project: image name, output folder, "
                             "build context, source mount."),
        ("top", "variables"): (_ref("variables"), "Make variables of the rendered Makefile "
                               "(built-in ones may be redeclared to change their default)."),
        ("top", "stages"): (_ref("stages"), "The stages of Dockerfile.multi, by name."),
        ("top", "targets"): (_ref("families"), "Extra target families, each bound to a stage."),
        ("top", "makefile"): ({"type": "string"}, "Plain Makefile text appended to the "
                              "rendered Makefile, for one-off targets."),
        ("top", "templates"): ({"type": "string"}, "Folder of the project's own templates, "
                               "searched before the built-in ones (default: templates)."),
        ("project", "name"): (TEXT, "Default image name (IMAGE_NAME)."),
        ("project", "output"): (TEXT, "Folder of the rendered files (default: docker)."),
        ("project", "context"): (TEXT, "Build context, relative to the output folder "
                                 "(default: ..)."),
        ("project", "source_mount"): (TEXT, "Where run targets mount the source tree "
                                      "(CODE_DIR, default: /code)."),
        ("project", "dockerfile"): (TEXT, "Name of the rendered multi-stage Dockerfile "
                                    "(default: Dockerfile.multi)."),
        ("project", "syntax"): (TEXT, "A `# syntax=` frontend image; none by default."),
        ("variable", "default"): (TEXT, "Default value; $(NAME) refers to another variable."),
        ("variable", "help"): (TEXT, "One line for `make help`."),
        ("variable", "build_arg"): (FLAG, "Pass as --build-arg NAME=... when non-empty."),
        ("variable", "secret"): (FLAG, "Pass with --secret from the environment; never "
                                 "printed, never a build argument."),
        ("variable", "shell"): (TEXT, "A command whose output is the value (run lazily, once)."),
        ("variable", "file"): (TEXT, "A file, relative to the project, holding KEY = \"value\"."),
        ("variable", "key"): (TEXT, "The KEY read from `file`."),
        ("variable", "tag_safe"): (FLAG, "Make the value a valid image tag (feature/x: "
                                   "feature-x)."),
        ("stage", "from"): (TEXT, "An image reference or another stage."),
        ("stage", "from_arg"): (TEXT, "A build argument that replaces `from` when set."),
        ("stage", "help"): (TEXT, "One line for `make help` and the Dockerfile."),
        ("stage", "args"): (_text_list(), "Build arguments this stage declares (ARG)."),
        ("stage", "steps"): (_text_list(), "The stage's Dockerfile instructions."),
        ("stage", "actions"): (actions, f"Generated actions (default: {', '.join(ACTIONS)})."),
        ("stage", "variables"): (_ref("overrides"), "Variable values for all its targets."),
        ("family", "stage"): (TEXT, "The stage this family builds, pushes, runs or pulls."),
        ("family", "help"): (TEXT, "One line for `make help`."),
        ("family", "actions"): (all_actions, "Generated actions (manifest needs platforms)."),
        ("family", "variables"): (_ref("overrides"), "Variable values for all its targets."),
        ("family", "platforms"): (_text_list({"type": "string", "pattern": _pattern(v.PLATFORM)}),
                                  "os/arch of each image joined by the manifest action."),
        ("action", "variables"): (_ref("overrides"), "Variable values for this action."),
        ("action", "workdir"): (TEXT, "Working directory of the run container (WORK_DIR)."),
    }


_DOCS = _key_docs()


def _object(keys: tuple[str, ...], kind: str) -> dict[str, Any]:
    props = {}
    for key in keys:
        schema, doc = _DOCS[(kind, key)]  # a KeyError here: document the new key above
        props[key] = {**schema, "description": doc}
    return {"type": ["object", "null"], "additionalProperties": False, "properties": props}


def build() -> dict[str, Any]:
    """The schema as a dict; `dumps` gives the committed file's exact text."""
    variable = _object(v.VARIABLE_KEYS, "variable")
    stage = _object(v.STAGE_KEYS, "stage")
    family = _object(v.FAMILY_KEYS, "family")
    top = _object(v.TOP_KEYS, "top")
    project = _object(v.PROJECT_KEYS, "project")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "mkgen stages.yaml",
        "description": "Generated by `mkgen schema`; do not edit. The single source of a "
                       "Docker build system: mkgen renders the Makefile and Dockerfiles from it.",
        **{**top, "type": "object"},
        "required": ["project", "stages"],
        "$defs": {
            "project": {**project, "type": "object", "required": ["name"]},
            "variables": {"type": ["object", "null"],
                          "propertyNames": {"pattern": _pattern(v.VARIABLE_NAME)},
                          "additionalProperties": {"anyOf": [TEXT, _ref("variable")]}},
            "variable": {**variable, "type": "object"},
            "stages": {"type": "object", "minProperties": 1,
                       "propertyNames": {"pattern": _pattern(v.STAGE_NAME)},
                       "additionalProperties": {"anyOf": [{"type": "string"}, _ref("stage")]}},
            "stage": {**stage, "type": "object", "required": ["from"]},
            "families": {"type": ["object", "null"],
                         "propertyNames": {"pattern": _pattern(v.FAMILY_NAME)},
                         "additionalProperties": _ref("family")},
            "family": {**family, "type": "object", "required": ["stage"]},
            "action": _action_settings(),
            "overrides": {"type": ["object", "null"],
                          "propertyNames": {"pattern": _pattern(v.VARIABLE_NAME)},
                          "additionalProperties": TEXT},
        },
    }


def dumps() -> str:
    return json.dumps(build(), indent=2, sort_keys=False) + "\n"
