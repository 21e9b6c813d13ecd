"""mkgen schema: generated from the validator's keys, committed fresh, and true to the
configurations mkgen accepts."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from mkgen import schema, validate
from tests.commands.conftest import SMALL, invoke
from tests.support import FLAGSHIP, REPO

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


def test_every_key_the_validator_allows_is_in_the_schema() -> None:
    built = schema.build()
    defs = built["$defs"]
    assert list(built["properties"]) == list(validate.TOP_KEYS)
    assert list(defs["project"]["properties"]) == list(validate.PROJECT_KEYS)
    assert list(defs["variable"]["properties"]) == list(validate.VARIABLE_KEYS)
    assert list(defs["stage"]["properties"]) == list(validate.STAGE_KEYS)
    assert list(defs["family"]["properties"]) == list(validate.FAMILY_KEYS)
    assert list(defs["action"]["properties"]) == list(validate.ACTION_KEYS)


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
