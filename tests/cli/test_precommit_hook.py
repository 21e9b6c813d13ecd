"""The pre-commit hook, run by the real `pre-commit run` with docs/cli.md's own example as
the project's .pre-commit-config.yaml, pinned to a tag as users pin it.

The hooks repository is this working tree (uncommitted changes included) committed into a
temporary git repository and tagged with the example's `rev:`; the example's placeholder URL
becomes its path. pre-commit clones it at that tag and pip-installs it into an isolated
environment, built once per module (the package index must be reachable; about 15 s).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.packaging.conftest import copy_checkout, needs_index
from tests.support import REPO, SMALL

pytestmark = [pytest.mark.slow, pytest.mark.network]

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false",
       "-c", "tag.gpgsign=false"]
HOOK_NAME = "mkgen check (the rendered Docker build files are fresh)"


def documented_config() -> str:
    """The YAML example of docs/cli.md's pre-commit section."""
    section = (REPO / "docs" / "cli.md").read_text().split("\n## pre-commit\n", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block is not None
    return block.group(1)


def commit_all(repo: Path, tag: str | None = None) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run([*GIT, "-C", str(repo), "commit", "-qm", "snapshot"], check=True)
    if tag:
        subprocess.run([*GIT, "-C", str(repo), "tag", "-a", tag, "-m", tag], check=True)


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(the tagged mkgen repository, the tag): the tag is the documented `rev:`."""
    if not shutil.which("pre-commit"):
        pytest.skip("pre-commit is not installed")
    rev = re.search(r"^\s+rev: (\S+)", documented_config(), re.M)
    assert rev is not None and re.fullmatch(r"v\d+\.\d+\.\d+", rev.group(1))
    snapshot = copy_checkout(tmp_path_factory.mktemp("mkgen-clone"))
    commit_all(snapshot, tag=rev.group(1))
    # A later commit renames the hook: output with the real name shows the tag was used.
    hooks = snapshot / ".pre-commit-hooks.yaml"
    hooks.write_text(hooks.read_text().replace(f"name: {HOOK_NAME}", "name: not the tag"))
    subprocess.run([*GIT, "-C", str(snapshot), "commit", "-qam", "after the tag"], check=True)
    return snapshot, rev.group(1)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def run_hooks(project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "MKGEN"))}
    env["PRE_COMMIT_HOME"] = str(home)
    return subprocess.run(["pre-commit", "run", "--all-files", "--color", "never"],
                          cwd=project, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=600)


def test_the_documented_hook_at_its_tag_passes_when_fresh_and_fails_when_stale(
        tmp_path: Path, hooks_repo: tuple[Path, str], pre_commit_home: Path) -> None:
    clone, _ = hooks_repo
    config = documented_config()
    assert "<URL of your mkgen clone>" in config
    project = tmp_path / "project"
    project.mkdir()
    (project / ".pre-commit-config.yaml").write_text(
        config.replace("<URL of your mkgen clone>", str(clone)))
    (project / "stages.yaml").write_text(SMALL)
    subprocess.run(["mkgen", "render"], cwd=project, check=True, capture_output=True)
    commit_all(project)

    fresh = run_hooks(project, pre_commit_home)
    needs_index(fresh, "pre-commit building the hook's environment")
    assert re.search(rf"^{re.escape(HOOK_NAME)}\.+Passed$", fresh.stdout, re.M), fresh.stdout
    assert "not the tag" not in fresh.stdout
    assert "[WARNING]" not in fresh.stdout  # e.g. "appears to be a mutable reference"

    (project / "stages.yaml").write_text(SMALL.replace("name: small", "name: renamed"))
    stale = run_hooks(project, pre_commit_home)
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert re.search(rf"^{re.escape(HOOK_NAME)}\.+Failed$", stale.stdout, re.M), stale.stdout
    assert "-IMAGE_NAME     = small\n+IMAGE_NAME     = renamed\n" in stale.stdout
    assert "docker is stale: run 'mkgen render' and commit the result." in stale.stdout


def test_a_rev_that_is_not_a_tag_of_the_clone_fails(
        tmp_path: Path, hooks_repo: tuple[Path, str], pre_commit_home: Path) -> None:
    """What the old `rev: v1.0.0` did: no such tag, so pre-commit cannot check it out."""
    clone, _ = hooks_repo
    project = tmp_path / "project"
    project.mkdir()
    (project / ".pre-commit-config.yaml").write_text(
        documented_config().replace("<URL of your mkgen clone>", str(clone))
        .replace("rev: v", "rev: v0.0.0-not-a-tag-"))
    (project / "stages.yaml").write_text(SMALL)
    commit_all(project)
    result = run_hooks(project, pre_commit_home)
    assert result.returncode != 0
    assert "v0.0.0-not-a-tag-" in result.stdout + result.stderr
    assert HOOK_NAME not in result.stdout
