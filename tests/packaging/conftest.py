"""Helpers of the packaging tests: an environment with no venv on PATH, and the rule for
steps that need the package index (skip when it is unreachable, fail under CI)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import REPO

# pip's and git's words for "the index (or the network) is not there".
OFFLINE = ("Could not find a version", "No matching distribution",
           "Failed to establish a new connection", "Temporary failure in name resolution",
           "Network is unreachable", "Max retries exceeded")


def clean_env(*bin_dirs: Path, **extra: str) -> dict[str, str]:
    """os.environ without any virtual environment: PATH is `bin_dirs` then the system's."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "CONDA_PREFIX")
           and not k.startswith(("MKGEN", "PRE_COMMIT", "PYTEST"))}
    env["PATH"] = os.pathsep.join([*map(str, bin_dirs), "/usr/local/bin", "/usr/bin", "/bin"])
    env.update(extra)
    return env


def needs_index(result: subprocess.CompletedProcess[str], what: str) -> None:
    """Assert that `result` succeeded; when it failed for want of the index, skip (not in CI)."""
    if result.returncode == 0:
        return
    output = f"{result.stdout}\n{result.stderr}"
    if any(word in output for word in OFFLINE) and not os.environ.get("CI"):
        pytest.skip(f"{what} needs the package index, which is not reachable: "
                    f"{output.strip().splitlines()[-1]}")
    raise AssertionError(f"{what} failed ({result.returncode}):\n{output}")


def copy_checkout(dest: Path) -> Path:
    """The files of this checkout that git would see (tracked or not ignored): the working
    tree as it is, uncommitted changes included, without .venv and caches."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=REPO, check=True,
                            capture_output=True, text=True).stdout.split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest
