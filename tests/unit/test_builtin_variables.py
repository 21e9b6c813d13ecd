"""Built-in variables: each computed one's Make helper refers to what builtin_variables says,
and every one of them is documented."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from mkgen import api
from mkgen.builtin_variables import HELPERS, builtin_variables
from mkgen.model import Project
from tests.support import REPO

BUILTINS = builtin_variables(Project(name="app"))


def rendered_makefile(tmp_path: Path) -> str:
    (tmp_path / "stages.yaml").write_text("project: {name: app}\nstages: {app: debian:12}\n")
    config = api.load_config(tmp_path / "stages.yaml")
    return api.render(config)[0].text


@pytest.mark.parametrize("var", [v for v in BUILTINS if v.computed], ids=lambda v: v.name)
def test_a_computed_default_refers_to_the_variables_its_helper_declares(
        tmp_path: Path, var) -> None:
    line = next(line for line in rendered_makefile(tmp_path).splitlines()
                if re.match(rf"{var.name} +=", line))
    refs = set(re.findall(r"\$\(([A-Z][A-Z0-9_]*)\)", line)) - {var.name}
    assert refs == set(HELPERS[var.computed].refers_to)


def test_every_built_in_variable_is_in_the_docs() -> None:
    docs = (REPO / "docs" / "stages-yaml.md").read_text()
    missing = [v.name for v in BUILTINS if f"`{v.name}`" not in docs]
    assert missing == []
