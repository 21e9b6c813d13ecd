"""The committed Dockerfiles (the flagship's and every example's) pass hadolint without errors
and parse with BuildKit's own parser with exactly the declared stages in a valid order."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from mkgen.api import load_config
from tests.property.checks import stage_order
from tests.support import REPO

PROJECTS = [REPO / "stages.yaml", *sorted(REPO.glob("examples/*/stages.yaml"))]
DOCKERFILES = [REPO / "docker" / n for n in ("Dockerfile.multi", "Dockerfile.user")]
DOCKERFILES += sorted(REPO.glob("examples/*/docker/Dockerfile.*"))


def ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(REPO)) for p in paths]


@pytest.mark.skipif(shutil.which("hadolint") is None, reason="hadolint is not installed")
@pytest.mark.parametrize("path", DOCKERFILES, ids=ids(DOCKERFILES))
def test_hadolint_reports_no_errors(path: Path) -> None:
    result = subprocess.run(["hadolint", "--no-fail", "-f", "json", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr  # --no-fail: only a crash fails
    findings = json.loads(result.stdout)
    assert [f for f in findings if f["level"] == "error"] == []


@pytest.mark.parametrize("config", PROJECTS, ids=ids(PROJECTS))
def test_buildkit_parses_exactly_the_declared_stages_in_order(config: Path) -> None:
    loaded = load_config(config)
    path = config.parent / loaded.project.output / loaded.project.dockerfile
    names = stage_order(path.read_text(encoding="utf-8"))
    assert sorted(names) == sorted(s.name for s in loaded.stages)


def test_the_user_dockerfile_parses_with_one_stage() -> None:
    import dockerfile
    commands = dockerfile.parse_file(str(REPO / "docker" / "Dockerfile.user"))
    assert [c.value[0] for c in commands if c.cmd == "FROM"] == ["${BASE_IMAGE_WITH_TAG}"]
