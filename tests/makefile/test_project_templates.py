"""Overridable templates, for real: the golden fixture's project rendered and run by make."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.support import REPO, install_standin, invoke, parse_log

FIXTURE = REPO / "tests" / "golden" / "template_override"


def test_extended_template_and_snippet_targets_run(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    assert invoke("render", "-c", str(project / "stages.yaml"))[0] == 0
    install_standin(tmp_path / "bin")
    log = tmp_path / "docker.log"
    env = {"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin", "MKGEN_DOCKER_LOG": str(log)}
    result = subprocess.run(["make", "-C", "docker", "app_save"], cwd=project, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    docker = project / "docker"
    assert parse_log(log.read_text()) == [
        ["buildx", "build", "--target", "app", "--file", f"{docker}/Dockerfile.multi",
         "--tag", "custom/app:latest", str(project)],
        ["save", "--output", f"{docker}/app.tar", "custom/app:latest"],
    ]
    (docker / "app.tar").write_text("")
    assert subprocess.run(["make", "-C", "docker", "clean"], cwd=project, env=env,
                          capture_output=True).returncode == 0
    assert not (docker / "app.tar").exists()
    assert "useradd" in (docker / "Dockerfile.user").read_text()
