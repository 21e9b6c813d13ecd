"""A push pushes exactly what it built, whatever else is on make's command line: `X_push`
builds in its own recipe, with the push's own values, then pushes. GNU make on a rendered
project whose push sets its own IMAGE_TAG, the recording docker stand-in asserting argv."""
from __future__ import annotations

from pathlib import Path

import pytest

from mkgen.testing import Checkout, make_checkout
from tests.support import invoke

PROJECT = """\
project: {name: app}
variables:
  VERSION: {default: "1.0", build_arg: true}
stages:
  app:
    from: debian:12
    args: [VERSION]
    push:
      variables: {IMAGE_TAG: release, VERSION: "2.0"}
"""


@pytest.fixture
def tree(tmp_path: Path) -> Checkout:
    project = tmp_path / "src"
    project.mkdir()
    (project / "stages.yaml").write_text(PROJECT)
    assert invoke("render", "-c", str(project / "stages.yaml"))[0] == 0
    return make_checkout(tmp_path / "repo", project, project / "docker")


def build(tree: Checkout, tag: str, version: str) -> list[str]:
    return ["buildx", "build", "--target", "app", "--build-arg", f"VERSION={version}",
            "--file", f"{tree.docker_dir}/Dockerfile.multi", "--tag", tag, str(tree.root)]


def calls(tree: Checkout, *goals: str) -> list[list[str]]:
    result = tree.make(*goals)
    assert result.returncode == 0, result.stderr
    return tree.calls()


@pytest.mark.parametrize("goals", [
    ("app_push",), ("app_build", "app_push"), ("app_push", "app_build"),
    ("-j4", "app_build", "app_push"), ("-j4", "app_push", "app_build"),
])
def test_a_push_pushes_exactly_what_its_own_build_built(tree: Checkout,
                                                        goals: tuple[str, ...]) -> None:
    made = calls(tree, *goals)
    pushed = build(tree, "app/app:release", "2.0")
    push = ["push", "app/app:release"]
    assert push in made and pushed in made
    assert made.index(pushed) < made.index(push)
    built_alone = [build(tree, "app/app:latest", "1.0")] if "app_build" in goals else []
    assert sorted(made) == sorted([*built_alone, pushed, push])
    if "-j4" not in goals:
        order = [pushed, push]
        assert made == (built_alone + order if goals[0] == "app_build" else order + built_alone)
