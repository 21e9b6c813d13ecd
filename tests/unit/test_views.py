"""The template contract: views are frozen, carry raw values, and docs/templates.md lists
every name a template receives."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from mkgen import api, records, views
from tests.support import REPO, SMALL

DOCS = (REPO / "docs" / "templates.md").read_text()
TOP_VIEWS = [views.MakefileView, views.DockerfileView, views.UserDockerfileView, views.BakeView]
NESTED = [views.VariableView, views.GroupView, views.TargetView, views.AssignmentView,
          views.PlatformView, views.GlobalArgView, views.StageView, views.PassedView,
          views.RecipeView, views.AliasView, views.BakeRunView, views.BakeTargetView,
          views.BakePlatformView, views.HclVariableView]


@pytest.mark.parametrize("view", TOP_VIEWS + NESTED, ids=lambda v: v.__name__)
def test_every_field_is_documented(view: type) -> None:
    missing = [f.name for f in records.fields(view) if f"`{f.name}`" not in DOCS]
    assert missing == []


def test_views_are_frozen_and_hold_stages_yaml_values_unescaped(tmp_path: Path) -> None:
    (tmp_path / "stages.yaml").write_text(SMALL.replace("IMAGE_TAG: nightly",
                                                        "IMAGE_TAG: n-$$-#-$(GIT_COMMIT)"))
    view = views.makefile_view(api.plan(api.load_config(tmp_path / "stages.yaml")))
    nightly = next(g for g in view.groups if g.name == "nightly")
    assert ("IMAGE_TAG", "n-$$-#-$(GIT_COMMIT)") in [(a.variable, a.value)
                                                     for a in nightly.assignments]
    with pytest.raises(dataclasses.FrozenInstanceError):
        nightly.name = "x"  # type: ignore[misc]
    assert set(view.names()) == {f.name for f in records.fields(views.MakefileView)}
