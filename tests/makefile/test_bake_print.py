"""docker-bake.hcl builds what the Makefile builds, for every stage and family of the flagship
and the example: real `docker buildx bake --print` (it reads the file, no builder needed)
against the docker argv GNU make runs for `<name>_build` (recording stand-in).

Two ways in: `make <name>_bake` with a stand-in that records the environment make gives bake,
then bake --print run with exactly that environment (every value make computes: git, files,
select, the command line); and, for the example, whose values are all literal, bake alone with
only the command line's values in its environment, as a user would run it by hand.

Options the bake file does not mirror are left out of the comparison: DOCKER_BUILD_OPTS and
DOCKER_BUILD_ARGS (free-form docker options; --pull, --load, --push) and --progress.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mkgen.testing import Checkout, make_checkout
from tests.bake_fields import bake_print, build_fields, real_docker
from tests.support import FLAGSHIP, REPO, Tree, make_tree

EXAMPLE = REPO / "examples" / "hello"
# Values given on make's command line (and to bake's environment when run by hand).
GIVEN = {"IMAGE_TAG": "t-1", "BUILD_CACHE": "registry.example:5000/cache/x",
         "BUILD_NETWORK": "host"}
RECORDING_BAKE = """#!{python}
import json, os, sys
if sys.argv[1:3] == ["buildx", "bake"]:
    with open(os.environ["MKGEN_BAKE_LOG"], "a") as log:
        log.write(json.dumps({{"argv": sys.argv[1:], "cwd": os.getcwd(),
                              "env": dict(os.environ)}}) + "\\n")
"""


def make_build(checkout: Checkout, name: str, env: dict[str, str]) -> dict[str, object]:
    result = checkout.make(f"{name}_build", *(f"{k}={v}" for k, v in GIVEN.items()), env=env)
    assert result.returncode == 0, result.stderr
    builds = [c for c in checkout.calls() if c[:2] == ["buildx", "build"]]
    return build_fields(builds[-1])


def make_bake_env(checkout: Checkout, name: str, env: dict[str, str],
                  tmp_path: Path) -> tuple[dict[str, str], Path, list[str]]:
    """The environment, folder and argv `make <name>_bake` runs bake with."""
    recorder = tmp_path / "bake-bin" / "docker"
    recorder.parent.mkdir(exist_ok=True)
    recorder.write_text(RECORDING_BAKE.format(python=sys.executable))
    recorder.chmod(0o755)
    log = tmp_path / "bake.log"
    log.write_text("")
    result = checkout.make(f"{name}_bake", f"DOCKER={recorder}",
                           *(f"{k}={v}" for k, v in GIVEN.items()),
                           env={**env, "MKGEN_BAKE_LOG": str(log)})
    assert result.returncode == 0, result.stderr
    [call] = [json.loads(line) for line in log.read_text().splitlines()]
    return call["env"], Path(call["cwd"]), call["argv"]


def bake_names(docker_dir: Path) -> list[str]:
    """The stage and family targets, from the bake file's own default group."""
    text = (docker_dir / "docker-bake.hcl").read_text()
    return re.findall(r'"([^"]+)"', re.search(r'group "default" \{\n  targets = \[(.*)\]',
                                              text).group(1))


def assert_same_builds(checkout: Checkout, env: dict[str, str], tmp_path: Path) -> int:
    docker = real_docker()
    names = bake_names(checkout.docker_dir)
    for name in names:
        built = make_build(checkout, name, env)
        bake_env, cwd, argv = make_bake_env(checkout, name, env, tmp_path)
        assert argv[-2:] == ["--push", f"{name}-push"]
        assert cwd == Path(built["context"])  # bake runs from the build context root
        printed = bake_print(docker, checkout.docker_dir / "docker-bake.hcl", name, cwd,
                             bake_env)
        assert printed == built, name
    return len(names)


def with_bake_everywhere(config: Path, into: Path) -> Path:
    """`config` with a build and a bake action on every stage, rendered in `into`: a target
    without `<name>_bake` has no environment to record, and its bake target is the same."""
    def actions(m: re.Match[str]) -> str:
        listed = [a.strip() for a in m.group(1).split(",") if a.strip()]
        return "actions: [" + ", ".join(dict.fromkeys(["build", *listed, "bake"])) + "]"

    into.mkdir()
    (into / "stages.yaml").write_text(re.sub(r"actions: \[(.*)\]", actions, config.read_text()))
    for extra in ("hello.sh",):  # what the example's context holds beside stages.yaml
        if (config.parent / extra).exists():
            shutil.copy(config.parent / extra, into / extra)
    subprocess.run([sys.executable, "-m", "mkgen", "render", "-c", str(into / "stages.yaml")],
                   check=True, capture_output=True)
    return into / "docker"


@pytest.fixture
def flagship(tmp_path: Path) -> Tree:
    return make_tree(tmp_path / "trt", with_bake_everywhere(FLAGSHIP, tmp_path / "src"))


def test_every_flagship_target_bakes_what_make_builds(flagship: Tree, tmp_path: Path) -> None:
    env = flagship.env(GITHUB_CLONE_TOKEN="token-1")
    assert assert_same_builds(flagship, env, tmp_path) == 17


@pytest.fixture
def example(tmp_path: Path) -> Checkout:
    return make_checkout(tmp_path / "hello", EXAMPLE, EXAMPLE / "docker")


def test_every_example_target_bakes_what_make_builds(tmp_path: Path) -> None:
    example = make_checkout(tmp_path / "hello", EXAMPLE,
                            with_bake_everywhere(EXAMPLE / "stages.yaml", tmp_path / "src"))
    env = example.env(EXAMPLE_TOKEN="token-2")
    assert assert_same_builds(example, env, tmp_path) == 6


@pytest.mark.parametrize("name", ["base", "vault", "app", "release"])
def test_baked_by_hand_the_example_builds_what_make_builds(example: Checkout,
                                                            name: str) -> None:
    """Only the command line's values in bake's environment: the bake file's own defaults
    and per-target values must be the Makefile's."""
    docker = real_docker()
    env = {k: v for k, v in example.env().items() if k not in ("IMAGE_NAME", "REGISTRY")}
    built = make_build(example, name, env)
    printed = bake_print(docker, example.docker_dir / "docker-bake.hcl", name,
                         Path(str(built["context"])), {**env, **GIVEN})
    assert printed == built
