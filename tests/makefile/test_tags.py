"""Image tags made from text (`tag_safe`): whatever the git branch, in whatever state the
checkout is, the trtllm images get a valid Docker tag. Real git repositories on the flagship
Makefile, the recording docker stand-in asserting what docker is given."""
from __future__ import annotations

import re
import shutil

import pytest

from tests.makefile.trtllm import HOST_PLATFORM
from tests.support import TRTLLM_REPO, Tree

TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
LONG = "b" + "x" * 180 + "-tail-of-a-long-branch"


def trtllm_tag(tree: Tree) -> tuple[str, str]:
    """The tag trtllm_build builds, and what make wrote on stderr."""
    result = tree.make("trtllm_build")
    assert result.returncode == 0, result.stderr
    [argv] = tree.calls()
    image = argv[argv.index("--tag") + 1]
    assert image.startswith(f"{TRTLLM_REPO}:")
    return image.removeprefix(f"{TRTLLM_REPO}:"), result.stderr


@pytest.mark.parametrize("branch, tag", [
    ("fix(#12)", "fix--12-"),
    ("feat/ünïcode", "feat_-n-code"),
    ("a,b%c", "a-b-c"),
    ("v1.0+build@2", "v1.0-build-2"),
    ("Release/V1.2", "Release_V1.2"),
])
def test_tag_safe_makes_a_valid_docker_tag_of_any_branch(tree: Tree, branch: str,
                                                         tag: str) -> None:
    tree.git("checkout", "-q", "-b", branch)
    made, _ = trtllm_tag(tree)
    assert made == f"{tag}-{HOST_PLATFORM}"
    assert TAG.fullmatch(made)


def test_a_branch_too_long_for_a_tag_keeps_its_start_and_its_end(tree: Tree) -> None:
    tree.git("checkout", "-q", "-b", LONG)
    made, _ = trtllm_tag(tree)
    assert TAG.fullmatch(made)
    end = f"{LONG}-{HOST_PLATFORM}"[-63:]
    assert made == f"{LONG[:64]}-{end}"


def test_a_detached_head_is_tagged_by_its_commit(tree: Tree) -> None:
    tree.git("checkout", "-q", "--detach")
    made, stderr = trtllm_tag(tree)
    assert made == f"{tree.git('rev-parse', 'HEAD')}-{HOST_PLATFORM}"
    assert stderr == ""


def test_outside_a_git_repository_the_tag_is_unknown_and_git_says_nothing(tree: Tree) -> None:
    shutil.rmtree(tree.root / ".git")
    result = tree.make("trtllm_build", "GIT_COMMIT=")
    assert result.returncode == 0, result.stderr
    [argv] = tree.calls()
    assert argv[argv.index("--tag") + 1] == f"{TRTLLM_REPO}:unknown-{HOST_PLATFORM}"
    assert result.stderr == ""
