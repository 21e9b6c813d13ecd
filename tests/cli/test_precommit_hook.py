"""The pre-commit hook, run by the real pre-commit (`try-repo`) on a real git repository.

try-repo clones a repository at a commit and pip-installs it into an isolated environment,
so the test commits a snapshot of this working tree (mkgen's sources and hooks file) first.
The environment is built once per test module (PyPI must be reachable; about 15 s)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import REPO, SMALL

pytestmark = [pytest.mark.slow, pytest.mark.network]

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]


def commit_all(repo: Path) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run([*GIT, "-C", str(repo), "commit", "-qm", "snapshot"], check=True)


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not shutil.which("pre-commit"):
        pytest.skip("pre-commit is not installed")
    snapshot = tmp_path_factory.mktemp("mkgen-snapshot")
    for name in ("src", "templates"):
        shutil.copytree(REPO / name, snapshot / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(REPO / name, snapshot / name)
    commit_all(snapshot)
    return snapshot


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(project: Path, hooks_repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "MKGEN"))}
    env["PRE_COMMIT_HOME"] = str(home)
    return subprocess.run(["pre-commit", "try-repo", str(hooks_repo), "mkgen-check",
                           "--all-files"], cwd=project, env=env, capture_output=True, text=True,
                          timeout=600)


def test_the_hook_passes_on_fresh_files_and_fails_after_an_unrendered_edit(
        tmp_path: Path, hooks_repo: Path, pre_commit_home: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "stages.yaml").write_text(SMALL)
    subprocess.run(["mkgen", "render"], cwd=project, check=True, capture_output=True)
    commit_all(project)

    fresh = try_repo(project, hooks_repo, pre_commit_home)
    if fresh.returncode != 0 and "Could not find a version" in fresh.stdout:
        pytest.skip("PyPI is not reachable: pre-commit cannot build the hook's environment")
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert "mkgen check (the rendered Docker build files are fresh)" in fresh.stdout
    assert "Passed" in fresh.stdout

    (project / "stages.yaml").write_text(SMALL.replace("name: small", "name: renamed"))
    stale = try_repo(project, hooks_repo, pre_commit_home)
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "Failed" in stale.stdout
    assert "-IMAGE_NAME     = small\n+IMAGE_NAME     = renamed\n" in stale.stdout
    assert "docker is stale: run 'mkgen render' and commit the result." in stale.stdout
