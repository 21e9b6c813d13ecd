"""Secrets read by `shell:` or `file:`: read only when a build passes them, then exported to
docker's environment for `--secret id=NAME,env=NAME`."""
from __future__ import annotations

from pathlib import Path

from mkgen.testing import Checkout, install_recording_docker
from tests.support import invoke

STAGES = """\
project:
  name: app
variables:
  GH_TOKEN:
    secret: true
    shell: touch command-ran; echo gh_value
  NPM_TOKEN:
    secret: true
    file: .secrets.env
    key: NPM_TOKEN
stages:
  app:
    from: debian:12
    steps: RUN --mount=type=secret,id=GH_TOKEN --mount=type=secret,id=NPM_TOKEN true
"""


def _project(tmp_path: Path) -> Checkout:
    (tmp_path / "stages.yaml").write_text(STAGES)
    assert invoke("render", "-c", str(tmp_path / "stages.yaml"))[0] == 0
    checkout = Checkout(root=tmp_path, bin=tmp_path / "bin", log=tmp_path / "docker.log")
    install_recording_docker(checkout.bin)
    return checkout


def test_a_computed_secret_is_not_read_by_targets_that_do_not_build(tmp_path: Path) -> None:
    checkout = _project(tmp_path)  # no .secrets.env: only a build needs it
    for target in ("app_pull", "app_run", "help"):
        result = checkout.make(target, "DOCKER_PULL=1")
        assert result.returncode == 0, (target, result.stderr)
    assert not (tmp_path / "command-ran").exists()


def test_a_build_reads_a_computed_secret_once_and_stops_when_its_file_is_missing(
        tmp_path: Path) -> None:
    checkout = _project(tmp_path)
    result = checkout.make("app_build")
    assert result.returncode == 2
    assert result.stderr.endswith(f"mkgen: {tmp_path}/.secrets.env not found (it should set "
                                  "NPM_TOKEN); give NPM_TOKEN=... on the command line.  Stop.\n")
    assert checkout.calls() == []
    result = checkout.make("app_build", "NPM_TOKEN=from_the_line")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "command-ran").exists()
    assert "gh_value" not in result.stdout + result.stderr
