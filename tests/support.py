"""Helpers shared by the tests: the small project, the CLI runner, a fake TensorRT-LLM
checkout (mkgen.testing does the work)."""
from __future__ import annotations

from pathlib import Path

from mkgen.testing import Checkout, install_recording_docker, make_checkout, parse_calls

REPO = Path(__file__).resolve().parents[1]
FLAGSHIP = REPO / "stages.yaml"

# A small project with every kind of value: a shell command, a file, a secret, a family with
# a per-action override, and a stage copied from.
SMALL = """\
project:
  name: small
variables:
  GIT_COMMIT:
    shell: git rev-parse HEAD
    help: Commit recorded in the image.
    build_arg: true
  VERSION:
    file: version.txt
    key: VERSION
    build_arg: true
  NPM_TOKEN:
    secret: true
    help: Token of the private registry.
stages:
  deps:
    from: node:22
    steps: RUN --mount=type=secret,id=NPM_TOKEN npm ci
  app:
    from: debian:12
    help: The application.
    args: [GIT_COMMIT, VERSION]
    steps: |
      COPY --from=deps /node_modules /app/node_modules
      LABEL commit=${GIT_COMMIT} version=${VERSION}
    run:
      workdir: /app
targets:
  nightly:
    stage: app
    actions: [build, push]
    variables:
      IMAGE_TAG: nightly
    push:
      variables:
        IMAGE_NAME: registry.local/small
"""


def invoke(*args: str) -> tuple[int, str, str]:
    """mkgen's CLI through click's runner: (exit code, stdout, stderr)."""
    from click.testing import CliRunner

    from mkgen.cli import cli

    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


# The fake TensorRT-LLM checkout: tests/fixtures/trtllm holds tensorrt_llm/version.py,
# jenkins/current_image_tags.properties and jenkins/L0_MergeRequest.groovy, which set these.
FIXTURE = REPO / "tests" / "fixtures" / "trtllm"
VERSION = "0.21.0rc1"
URM = "urm.nvidia.com/sw-tensorrt-docker/tensorrt-llm"
JENKINS_IMAGE = f"{URM}:pytorch-25.08-py3-x86_64-ubuntu24.04-trt10.13-tritondevel-202511"
SBSA_IMAGE = f"{URM}:pytorch-25.08-py3-aarch64-ubuntu24.04-trt10.13-tritondevel-202511"
ROCKY_PY310_IMAGE = f"{URM}:cuda-13.3.1-devel-rocky8-x86_64-py310-tritondevel-202511"
ROCKY_PY312_IMAGE = f"{URM}:cuda-13.3.1-devel-rocky8-x86_64-py312-tritondevel-202511"
# Only in the Groovy file: what is read when current_image_tags.properties is absent.
GROOVY_JENKINS_IMAGE = f"{URM}:pytorch-25.01-py3-x86_64-202511"
TRTLLM_REPO = "urm.nvidia.com/sw-tensorrt-docker/tensorrt-llm-staging/release"

Tree = Checkout  # the tests' name for a checkout of the flagship project
parse_log = parse_calls


def install_standin(bin_dir: Path) -> None:
    install_recording_docker(bin_dir)


def make_tree(root: Path, docker_dir: Path, branch: str = "feature/x-1") -> Tree:
    """A fake TensorRT-LLM checkout at `root` with `docker_dir`'s files as its docker/."""
    return make_checkout(root, FIXTURE, docker_dir, branch)
