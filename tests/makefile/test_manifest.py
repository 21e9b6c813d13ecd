"""The multi-arch manifest action: GNU make on a rendered Makefile with the recording docker
stand-in; exact argv asserted. tests/engine/test_example_project.py runs it for real."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from mkgen.api import load_config
from mkgen.errors import ConfigError
from mkgen.render import render_all
from mkgen.writer import write_all
from tests.support import REPO, install_standin, parse_log

EXAMPLE = REPO / "examples" / "hello"
MULTI = """\
project: {name: multi}
stages:
  app: {from: alpine:3.20}
targets:
  release:
    stage: app
    platforms: [linux/amd64, linux/arm/v7]
    variables:
      IMAGE_WITH_TAG: reg.example/multi:$(IMAGE_TAG)
  plain:
    stage: app
"""


def make(docker_dir: Path, tmp_path: Path, *args: str,
         fail: str = "") -> tuple[subprocess.CompletedProcess[str], list[list[str]]]:
    bin_dir, log = tmp_path / "bin", tmp_path / "docker.log"
    install_standin(bin_dir)
    log.write_text("")
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "MKGEN_DOCKER_LOG": str(log), "LC_ALL": "C",
           "MKGEN_STANDIN_FAIL": fail}
    done = subprocess.run(["make", "--no-print-directory", "-C", str(docker_dir), *args],
                          env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=60)
    return done, parse_log(log.read_text())


def rendered(tmp_path: Path, text: str) -> Path:
    source = tmp_path / "project" / "stages.yaml"
    source.parent.mkdir()
    source.write_text(text)
    config = load_config(source)
    write_all(source.parent / "docker", render_all(config))
    return source.parent / "docker"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE / "docker", tmp_path / "hello" / "docker")
    return tmp_path / "hello" / "docker"


def test_manifest_creates_annotates_then_pushes_the_list(example: Path, tmp_path: Path) -> None:
    done, calls = make(example, tmp_path, "release_manifest", "REGISTRY=127.0.0.1:5000",
                       "IMAGE_TAG=1.0", "MANIFEST_OPTS=--insecure")
    assert done.returncode == 0, done.stderr
    image = "127.0.0.1:5000/hello:1.0"
    assert calls == [
        ["manifest", "create", "--insecure", "--amend", image, f"{image}-amd64",
         f"{image}-arm64"],
        ["manifest", "annotate", "--os", "linux", "--arch", "amd64", image, f"{image}-amd64"],
        ["manifest", "annotate", "--os", "linux", "--arch", "arm64", image, f"{image}-arm64"],
        ["manifest", "push", "--insecure", "--purge", image],
    ]


def test_no_manifest_options_by_default(example: Path, tmp_path: Path) -> None:
    done, calls = make(example, tmp_path, "release_manifest")
    assert done.returncode == 0, done.stderr
    assert calls[0][:3] == ["manifest", "create", "--amend"]
    assert calls[-1] == ["manifest", "push", "--purge", "localhost:5000/hello:latest"]


def test_a_failed_create_pushes_nothing(example: Path, tmp_path: Path) -> None:
    # The stand-in fails every `docker manifest ...`, as a missing per-arch image would.
    done, calls = make(example, tmp_path, "release_manifest", fail="manifest")
    assert done.returncode != 0
    assert [c[:2] for c in calls] == [["manifest", "create"]]


def test_a_variant_is_annotated_and_part_of_the_tag(tmp_path: Path) -> None:
    done, calls = make(rendered(tmp_path, MULTI), tmp_path, "release_manifest", "IMAGE_TAG=2")
    assert done.returncode == 0, done.stderr
    image = "reg.example/multi:2"
    assert calls[0] == ["manifest", "create", "--amend", image, f"{image}-amd64",
                        f"{image}-arm-v7"]
    assert calls[2] == ["manifest", "annotate", "--os", "linux", "--arch", "arm", "--variant",
                        "v7", image, f"{image}-arm-v7"]


def test_a_family_without_platforms_has_no_manifest_target(tmp_path: Path) -> None:
    done, calls = make(rendered(tmp_path, MULTI), tmp_path, "plain_manifest")
    assert done.returncode != 0 and calls == []
    assert "no target 'plain_manifest'" in done.stderr


@pytest.mark.parametrize(("platforms", "message"), [
    ("[linux/amd64, linux/amd64]", "'linux/amd64' is listed twice"),
    ("[amd64]", "'amd64' is not a platform"),
])
def test_bad_platforms_are_rejected(tmp_path: Path, platforms: str, message: str) -> None:
    text = MULTI.replace("[linux/amd64, linux/arm/v7]", platforms)
    with pytest.raises(ConfigError) as error:
        rendered(tmp_path, text)
    assert message in str(error.value)
