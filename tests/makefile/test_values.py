"""Values make computes (select, replace, append, file lists, the environment), recipes,
aliases, renamed built-ins and families pushed by their build: GNU make on the Makefile
rendered from tests/golden/cases/{computed_values,recipes}.yml, with the recording docker
stand-in. What make prints is read with `$(info)`, so every value is exact."""
from __future__ import annotations

import platform
from pathlib import Path

import pytest
import yaml

from mkgen.testing import Checkout, make_checkout
from tests.support import REPO, invoke

CASES = REPO / "tests" / "golden" / "cases"


def checkout(tmp_path: Path, case: str, **files: str) -> Checkout:
    project = tmp_path / "src"
    project.mkdir()
    (project / "stages.yaml").write_text(yaml.safe_load((CASES / f"{case}.yml").read_text())
                                         ["input"])
    for name, text in files.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    assert invoke("render", "-c", str(project / "stages.yaml"))[0] == 0
    (project / "stages.yaml").unlink()
    tree = make_checkout(tmp_path / "repo", project, project / "docker")
    return tree


def value(tree: Checkout, name: str, *args: str, env: dict[str, str] | None = None) -> str:
    """The value of `name` as make expands it (in a target of its own)."""
    result = tree.make("--eval", f"mkgen-print: ; $(info <$({name})>)", "mkgen-print", *args,
                       env=env)
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("<"))
    return line[1:-1]


@pytest.fixture
def values(tmp_path: Path) -> Checkout:
    return checkout(tmp_path, "computed_values", **{
        "ci/images.groovy": 'IMAGE_REF = "from-groovy:1"\n'})


def test_select_takes_the_first_matching_case_else_the_default(values: Checkout) -> None:
    assert value(values, "ARCHS", "PLATFORM=arm64") == "90;100"
    assert value(values, "ARCHS", "PLATFORM=amd64") == "80,(89)"
    assert value(values, "ARCHS", "PLATFORM=s390x") == ""


def test_select_without_default_stops_make_when_nothing_matches(values: Checkout) -> None:
    assert value(values, "PY_IMAGE") == "py312"
    assert value(values, "PY_IMAGE", "PYTHON=3.10.4") == "py310"
    result = values.make("--eval", "x: ; $(info $(PY_IMAGE))", "x", "PYTHON=3.11")
    assert result.returncode == 2
    assert "mkgen: PY_IMAGE: PYTHON is '3.11', which none of 3.10% 3.12% matches; give " \
           "PY_IMAGE=... on the command line" in result.stderr


def test_an_empty_case_matches_an_empty_value(values: Checkout) -> None:
    assert value(values, "GPUS") == "--gpus=all"
    assert value(values, "GPUS", "DEVICES=0,1") == "--gpus '\"device=0,1\"'"


def test_replace_rewrites_the_value_and_env_reads_the_environment(values: Checkout) -> None:
    machine = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine())
    assert value(values, "PLATFORM") == machine
    assert value(values, "PLATFORM", "HOST_ARCH=aarch64") == "arm64"
    assert value(values, "PLATFORM", env=values.env(PLATFORM="riscv64")) == "riscv64"
    # Declared without env: the environment is not read.
    assert value(values, "EXTRA", env=values.env(EXTRA="--leak")) == ""


def test_append_adds_each_part_whose_variables_are_set(values: Checkout) -> None:
    assert value(values, "FLAGS", "PLATFORM=s390x") == "--clean --fast"
    assert value(values, "FLAGS", "PLATFORM=arm64", "EXTRA=-v") == \
        '--clean --fast --archs "90;100" -v'
    assert value(values, "FLAGS", "FLAGS=mine") == "mine"


def test_a_file_list_takes_the_first_file_that_sets_the_key(values: Checkout) -> None:
    assert value(values, "IMAGE_REF") == "from-groovy:1"
    (values.root / "images.properties").write_text("IMAGE_REF=from-properties:2\n")
    assert value(values, "IMAGE_REF") == "from-properties:2"
    (values.root / "images.properties").unlink()
    (values.root / "ci" / "images.groovy").unlink()
    result = values.make("--eval", "x: ; $(info $(IMAGE_REF))", "x")
    assert result.returncode == 2
    assert "mkgen: none of images.properties ci/images.groovy sets IMAGE_REF; give " \
           "IMAGE_REF=... on the command line" in result.stderr


def test_build_arguments_and_secrets_go_by_the_dockerfiles_names(values: Checkout) -> None:
    result = values.make("build", "PLATFORM=s390x", env=values.env(TOKEN="t0ken"))
    assert result.returncode == 0, result.stderr
    assert values.calls() == [[
        "buildx", "build", "--target", "app", "--build-arg", "PY_VER=3.12.1",
        "--build-arg", "FLAGS=--clean --fast", "--secret", "id=clone_token,env=TOKEN",
        "--file", f"{values.docker_dir}/Dockerfile.multi", "--tag", "values/app:latest",
        str(values.root)]]
    assert "t0ken" not in result.stdout + result.stderr


def test_a_renamed_built_in_keeps_its_meaning_under_its_new_name(values: Checkout) -> None:
    assert values.make("app_build", "BUILD_PLATFORM=linux/arm64", "PLATFORM=x").returncode == 0
    assert values.calls()[0][2:4] == ["--platform", "linux/arm64"]


@pytest.fixture
def recipes(tmp_path: Path) -> Checkout:
    return checkout(tmp_path, "recipes")


def test_a_recipe_needs_its_variables_and_runs_after_its_prerequisites(
        recipes: Checkout) -> None:
    result = recipes.make("hello")
    assert result.returncode == 2
    assert recipes.calls() == []
    assert "mkgen: hello needs NOTE; give NOTE=... on the command line" in result.stderr
    result = recipes.make("hello", "NOTE=it's done")
    assert result.returncode == 0, result.stderr
    assert recipes.calls() == [["buildx", "build", "--target", "app", "--file",
                                f"{recipes.docker_dir}/Dockerfile.multi",
                                "--tag", "rec/app:hello", str(recipes.root)]]
    assert "it's done hello\n" in result.stdout


def test_a_family_pushed_by_its_build_pushes_every_platform_at_once(recipes: Checkout) -> None:
    common = ["--platform", "linux/amd64,linux/arm64", "--builder=fleet", "--target", "app",
              "--file", f"{recipes.docker_dir}/Dockerfile.multi", "--tag", "rec/app:latest",
              str(recipes.root)]
    assert recipes.make("multi_push").returncode == 0
    assert recipes.calls() == [["buildx", "build", "--push", *common]]
    assert recipes.make("multi_build", "DOCKER_BUILD_OPTS=--load").returncode == 0
    assert recipes.calls() == [["buildx", "build", "--load", *common]]


def test_the_user_action_builds_only_the_local_user_layer(recipes: Checkout) -> None:
    assert recipes.make("app_user").returncode == 0
    [call] = recipes.calls()
    assert call[:2] == ["buildx", "build"]
    assert call[-3:-1] == ["--tag", f"rec/app:latest-{call[call.index('--tag') + 1][15:]}"]
    assert call[-1] == str(recipes.docker_dir)
