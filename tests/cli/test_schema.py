"""mkgen schema: generated from the key table, committed fresh, and true to the
configurations the validator accepts and refuses."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from mkgen import keys
from mkgen.api import load_config
from tests.support import FLAGSHIP, REPO, SMALL, invoke

COMMITTED = REPO / "schema" / "stages.schema.json"


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(COMMITTED.read_text()))


def test_the_committed_schema_is_what_mkgen_schema_prints() -> None:
    """Real run: regenerate with `mkgen schema > schema/stages.schema.json`."""
    out = subprocess.run(["mkgen", "schema"], check=True, capture_output=True, text=True).stdout
    assert out == COMMITTED.read_text()
    assert invoke("schema") == (0, out, "")


def test_it_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(json.loads(COMMITTED.read_text()))


@pytest.mark.parametrize("path", [FLAGSHIP, *sorted(REPO.glob("examples/*/stages.yaml"))],
                         ids=lambda p: str(p.relative_to(REPO)))
def test_shipped_configurations_validate_and_point_at_it(path: Path) -> None:
    text = path.read_text()
    assert list(validator().iter_errors(yaml.safe_load(text))) == []
    assert text.startswith("# yaml-language-server: $schema=")


# Every key of every section, each once: the validator and the schema must both accept it.
EVERY_KEY = """\
project:
  name: every
  output: out
  context: ..
  source_mount: /src
  dockerfile: Dockerfile.all
  syntax: docker/dockerfile:1
  escape: "`"
  check: error=true
builtins:
  PLATFORM: BUILD_PLATFORM
variables:
  TAG_SOURCE: {shell: git rev-parse --abbrev-ref HEAD, tag_safe: true, help: Branch.,
               replace: {/: _}}
  VERSION: {file: [version.txt, VERSION], key: VERSION, env: true}
  LEVEL: {default: "2", build_arg: true, append: [$(TAG_SOURCE)]}
  CUDA_VERSION: {arg: CUDA_VER}
  CUDA_IMAGE: {arg_default: "nvidia/cuda:${CUDA_VER}"}
  MODE: {select: LEVEL, cases: {"1": fast, "2%": slow}, default: none}
  FIRST: {default: $(MODE), word: 1}
  NPM_TOKEN: {secret: true}
  CLONE_TOKEN: {secret_id: clone_token}
stages:
  base:
    from: debian:12
    help: Base.
    args: [LEVEL]
    steps: RUN echo ${LEVEL}
    actions: [build, push, run, pull, user, bake]
    variables: {IMAGE_TAG: b}
    build: {variables: {IMAGE_TAG: c}}
    push: {variables: {IMAGE_TAG: d}}
    run: {workdir: /w}
    pull: {variables: {IMAGE_TAG: e}}
    user: {variables: {IMAGE_TAG: k}}
    bake: {variables: {IMAGE_TAG: kb}}
  app:
    from: base
    from_arg: LEVEL
    platform: $BUILDPLATFORM
targets:
  multi:
    stage: base
    help: Multi.
    actions: [build, push, run, pull, user, bake, manifest]
    variables: {IMAGE_TAG: m}
    platforms: [linux/amd64, linux/arm64]
    build: {variables: {IMAGE_TAG: f}}
    push: {variables: {IMAGE_TAG: g}}
    run: {variables: {IMAGE_TAG: h}, workdir: /x}
    pull: {variables: {IMAGE_TAG: i}}
    user: {variables: {IMAGE_TAG: l}}
    bake: {variables: {IMAGE_TAG: lb}}
    manifest: {variables: {IMAGE_TAG: j}}
  pushed:
    stage: base
    platforms: [linux/amd64]
    builder: fleet
    push_by_build: true
    actions: [build, push]
recipes:
  notes:
    help: Notes.
    needs: [base_build]
    requires: [LEVEL]
    variables: {IMAGE_TAG: n}
    commands: [echo $(LEVEL)]
aliases:
  build: base_build
makefile: |
  extra: ; @true
templates: my-templates
requires: ">=0.1"
"""


def _mentioned(data: object, section: str, seen: set[tuple[str, str]]) -> None:
    """Record (section, key) for every key of `data` read as `section`."""
    if not isinstance(data, dict):
        return
    for name, value in data.items():
        key = keys.SECTIONS[section][name]
        seen.add((section, name))
        if key.kind == keys.SECTION:
            _mentioned(value, key.section_ref, seen)
        elif key.kind == keys.ENTRIES:
            for entry in (value or {}).values():
                _mentioned(entry, key.section_ref, seen)


def test_every_key_of_the_table_is_accepted_by_the_validator_and_the_schema(
        tmp_path: Path) -> None:
    data = yaml.safe_load(EVERY_KEY)
    seen: set[tuple[str, str]] = set()
    _mentioned(data, "top", seen)
    assert seen == {(s.name, k.name) for s in keys.SECTIONS.values() for k in s.keys}
    assert list(validator().iter_errors(data)) == []
    (tmp_path / "stages.yaml").write_text(EVERY_KEY.replace("from_arg: LEVEL", ""))
    load_config(tmp_path / "stages.yaml")  # no ConfigError (from_arg needs a defaultless arg)


@pytest.mark.parametrize("section", ["top", "project", "variable", "stage", "family",
                                     "recipe", "action"])
def test_an_unknown_key_is_refused_by_both(tmp_path: Path, section: str) -> None:
    where = {"top": "", "project": "project", "variable": "variables.LEVEL",
             "stage": "stages.base", "family": "targets.multi", "recipe": "recipes.notes",
             "action": "stages.base.build"}
    data = yaml.safe_load(EVERY_KEY)
    node = data
    for part in filter(None, where[section].split(".")):
        node = node[part]
    node["bogus"] = "x"
    assert list(validator().iter_errors(data)), section
    (tmp_path / "stages.yaml").write_text(yaml.safe_dump(data))
    code, _, err = invoke("validate", "-c", str(tmp_path / "stages.yaml"))
    assert code == 2
    assert f"{where[section] + '.' if where[section] else ''}bogus: unknown key" in err


@pytest.mark.parametrize("mistake, where", [
    ("  app:\n    form: debian:12\n", ["stages", "app"]),            # a typo in a key
    ("  App:\n    from: debian:12\n", ["stages"]),                   # not a stage name
    ("  app:\n    from: debian:12\n    actions: [biuld]\n", ["stages", "app", "actions", 0]),
])
def test_mistakes_the_validator_rejects_are_flagged(mistake: str, where: list) -> None:
    data = yaml.safe_load(f"project: {{name: x}}\nstages:\n{mistake}")
    errors = list(validator().iter_errors(data))
    assert errors, mistake
    assert any(list(e.absolute_path)[:len(where)] == where or
               list(e.absolute_path) == where[:len(e.absolute_path)] for e in errors)


def test_the_small_project_validates() -> None:
    assert list(validator().iter_errors(yaml.safe_load(SMALL))) == []
