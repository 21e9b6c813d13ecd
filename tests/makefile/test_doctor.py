"""The rendered Makefile's preflight: `make doctor`, and `_run` targets that say what to do
when the image is missing. Real GNU make, the recording docker stand-in, exact argv."""
from __future__ import annotations

from tests.support import VERSION as TRTLLM_VERSION
from tests.support import Tree

VERSION = ["version", "--format", "docker: client {{.Client.Version}}, engine {{.Server.Version}}"]
INFO = ["info", "--format", "{{.SecurityOptions}}"]


def test_doctor_makes_one_docker_call_per_check(tree: Tree) -> None:
    result = tree.make("doctor", "IS_ROOTLESS=0")
    assert (result.returncode, result.stderr) == (0, "")
    assert tree.calls() == [VERSION, ["buildx", "version"], INFO]
    assert "rootless mode: no (IS_ROOTLESS=0 agrees with the engine)\n" in result.stdout


def test_doctor_checks_a_plain_build_command_with_its_help(tree: Tree) -> None:
    result = tree.make("doctor", "IS_ROOTLESS=0", "DOCKER_BUILD=docker build")
    assert result.returncode == 0
    assert tree.calls() == [VERSION, ["build", "--help"], INFO]
    assert "build command: docker build\n" in result.stdout


def test_doctor_stops_when_docker_does_not_answer(tree: Tree) -> None:
    result = tree.make("doctor", env=tree.env(MKGEN_STANDIN_FAIL="version"))
    assert result.returncode == 2
    assert tree.calls() == [VERSION]
    assert result.stderr.startswith("mkgen: docker does not answer (docker version failed): "
                                    "is the engine running, and DOCKER_HOST right?\n")


def test_doctor_stops_without_buildx(tree: Tree) -> None:
    result = tree.make("doctor", env=tree.env(MKGEN_STANDIN_FAIL="buildx"))
    assert result.returncode == 2
    assert result.stderr.startswith(
        "mkgen: the build command 'docker buildx build' does not work: install the buildx "
        "plugin, or set DOCKER_BUILD='docker build'.\n")


def test_doctor_stops_when_the_rootless_guess_is_wrong(tree: Tree) -> None:
    result = tree.make("doctor", "IS_ROOTLESS=1")
    assert result.returncode == 2
    assert tree.calls() == [VERSION, ["buildx", "version"], INFO]
    assert result.stderr.startswith("mkgen: the engine says rootless=0 but IS_ROOTLESS=1: give "
                                    "IS_ROOTLESS=0 to the run targets.\n")


def test_doctor_is_in_help_and_phony(tree: Tree) -> None:
    line = "      doctor                     Check docker, the build command and rootless mode."
    assert line in tree.make("help").stdout.splitlines()
    assert ".PHONY: help doctor \\\n" in (tree.docker_dir / "Makefile").read_text()


def test_a_missing_image_says_what_to_do_and_docker_run_never_starts(tree: Tree) -> None:
    env = tree.env(MKGEN_STANDIN_FAIL="image")
    result = tree.make("devel_run", env=env)
    assert result.returncode == 2
    assert tree.calls() == [["image", "inspect", "tensorrt_llm/devel:latest"]]
    assert result.stderr.startswith("mkgen: image tensorrt_llm/devel:latest is not here: run "
                                    "make devel_build or make devel_pull first, or add "
                                    "DOCKER_PULL=1.\n")
    # With LOCAL_USER=1 no local-user layer is built on a missing image.
    result = tree.make("ngc-devel_run", "LOCAL_USER=1", env=env)
    image = f"nvcr.io/nvidia/tensorrt-llm/devel:{TRTLLM_VERSION}"
    assert tree.calls() == [["image", "inspect", image]]
    assert result.stderr.startswith(f"mkgen: image {image} is not here: run make "
                                    "ngc-devel_build or make ngc-devel_pull first, or add "
                                    "DOCKER_PULL=1.\n")


def test_docker_pull_skips_the_check(tree: Tree) -> None:
    result = tree.make("devel_run", "DOCKER_PULL=1", env=tree.env(MKGEN_STANDIN_FAIL="image"))
    assert result.returncode == 0
    assert [c[0] for c in tree.calls()] == ["pull", "run"]
