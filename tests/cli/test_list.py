"""mkgen list: the text and JSON views, checked against what the rendered Makefile has."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.support import FLAGSHIP, invoke

HEAD = """\
Stages (build order):
  deps  image: node:22
  app   parents: deps

Families:
  nightly  stage: app

Targets:
  deps_build     Build the deps image.
  deps_push      Build, then push the deps image.
  deps_run       Run the deps image in a new container.
  deps_pull      Pull the deps image.
  deps_user      Build the local-user layer of the deps image (IMAGE_WITH_TAG-USER_NAME).
  deps_bake      Bake and push the deps image on the buildx builder (docker-bake.hcl).
  app_build      Build the app image.
  app_push       Build, then push the app image.
  app_run        Run the app image in a new container.
  app_pull       Pull the app image.
  app_user       Build the local-user layer of the app image (IMAGE_WITH_TAG-USER_NAME).
  app_bake       Bake and push the app image on the buildx builder (docker-bake.hcl).
  nightly_build  Build the nightly image.
  nightly_push   Build, then push the nightly image.
  help           List targets and variables (the default goal).
  doctor         Check docker, the build command and rootless mode.

Variables:
  IMAGE_NAME = small
      Name of the images built here.
"""
# The project's own variables come last, after the built-in ones.
TAIL = """\
  GIT_COMMIT = $(shell git rev-parse HEAD)
      Commit recorded in the image.
  VERSION = VERSION in version.txt
  NPM_TOKEN = (secret: from the environment or the command line)
      Token of the private registry.
"""


def test_text_lists_stages_with_parents_families_targets_and_variables(small: Path) -> None:
    code, out, err = invoke("list", "-c", str(small))
    assert (code, err) == (0, "")
    assert out.startswith(HEAD)
    assert out.endswith(TAIL)


def test_json_has_parents_families_and_where_each_value_comes_from(small: Path) -> None:
    code, out, _ = invoke("list", "--json", "-c", str(small))
    assert code == 0
    data = json.loads(out)
    assert [(s["name"], s["parents"], s["families"]) for s in data["stages"]] == [
        ("deps", [], []), ("app", ["deps"], ["nightly"])]
    assert data["families"] == [{"name": "nightly", "stage": "app", "help": "",
                                 "targets": ["nightly_build", "nightly_push"]}]
    assert data["targets"][-3] == {"name": "nightly_push", "action": "push", "stage": "app",
                                   "family": "nightly",
                                   "help": "Build, then push the nightly image."}
    variables = {v["name"]: v for v in data["variables"]}
    assert variables["GIT_COMMIT"] == {
        "name": "GIT_COMMIT", "group": "Project", "help": "Commit recorded in the image.",
        "source": "shell", "shell": "git rev-parse HEAD", "build_arg": True, "secret": False}
    assert variables["VERSION"]["source"] == "file"
    assert (variables["VERSION"]["file"], variables["VERSION"]["key"]) == ("version.txt", "VERSION")
    assert variables["NPM_TOKEN"]["source"] == "secret"
    assert variables["IMAGE_NAME"]["default"] == "small"


def test_bad_config_exits_2(tmp_path: Path) -> None:
    code, _, err = invoke("list", "-c", str(tmp_path / "stages.yaml"))
    assert code == 2
    assert err.startswith(f"{tmp_path / 'stages.yaml'}:1:1: file not found")


def test_the_flagship_targets_are_exactly_the_makefile_phony_targets(tmp_path: Path) -> None:
    """Real run: the installed mkgen, and GNU make's database of the rendered Makefile."""
    listed = json.loads(subprocess.run(["mkgen", "list", "--json", "-c", str(FLAGSHIP)],
                                       check=True, capture_output=True, text=True).stdout)
    db = subprocess.run(["make", "-pq", "-f", str(FLAGSHIP.parent / "docker" / "Makefile")],
                        cwd=tmp_path, capture_output=True, text=True).stdout
    phony = next(line for line in db.splitlines() if line.startswith(".PHONY:"))
    # mkgen's own helper targets (mkgen_requires_RECIPE) are phony but not listed.
    assert sorted(t["name"] for t in listed["targets"]) == sorted(
        t for t in phony.split()[1:] if not t.startswith("mkgen_"))
