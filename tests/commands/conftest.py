from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mkgen.cli import cli

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
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A rendered small project; returns its stages.yaml."""
    (tmp_path / "stages.yaml").write_text(SMALL)
    (tmp_path / "version.txt").write_text('VERSION = "1.2.3"\n')
    assert invoke("render", "-c", str(tmp_path / "stages.yaml"))[0] == 0
    return tmp_path / "stages.yaml"
