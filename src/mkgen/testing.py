"""Test a rendered Makefile for real without a Docker engine: GNU make runs it in a throwaway
git checkout, with a recording `docker` stand-in first on PATH.

The stand-in records each call's exact argv (no shell quoting to undo) and succeeds; with
MKGEN_STANDIN_FAIL=<subcommand> it fails that subcommand (`image`, `push`, ...). It is POSIX
sh, so any user can run it and it costs one process. mkgen's own tests and benchmarks use
this module; a project can use it to test its rendered docker/Makefile in the same way:

    checkout = make_checkout(tmp_path / "repo", Path("tests/fixtures/repo"), Path("docker"))
    assert checkout.make("release_push").returncode == 0
    assert checkout.calls()[-1] == ["push", "app/release:latest"]
"""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

RECORDING_DOCKER = """#!/bin/sh
{ for arg in "$@"; do printf '%s\\037' "$arg"; done; printf '\\036'; } >> "$MKGEN_DOCKER_LOG"
if [ -n "$MKGEN_STANDIN_FAIL" ] && [ "$1" = "$MKGEN_STANDIN_FAIL" ]; then exit 1; fi
"""


def install_recording_docker(bin_dir: Path, name: str = "docker") -> Path:
    """Put the recording stand-in at bin_dir/name (fields end with \\037, calls with \\036)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    docker = bin_dir / name
    docker.write_text(RECORDING_DOCKER)
    docker.chmod(0o755)
    return docker


def parse_calls(log: str) -> list[list[str]]:
    """The argv of every recorded call, in order."""
    return [call.split("\037")[:-1] for call in log.split("\036")[:-1]]


@dataclass
class Checkout:
    """A git checkout of a project, its rendered docker/, and a recording docker stand-in."""

    root: Path
    bin: Path
    log: Path
    folder: str = "docker"

    @property
    def docker_dir(self) -> Path:
        return self.root / self.folder

    def env(self, **extra: str) -> dict[str, str]:
        """This process's environment without make's and docker's settings, the stand-in
        first on PATH, C locale; `extra` on top."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("MAKE", "MFLAGS", "DOCKER"))}
        env.update(PATH=f"{self.bin}:{os.environ['PATH']}", MKGEN_DOCKER_LOG=str(self.log),
                   LC_ALL="C")
        env.update(extra)
        return env

    def make(self, *args: str, env: dict[str, str] | None = None,
             prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
        """Run GNU make on the rendered Makefile from the project root, stdin closed; the
        log starts empty."""
        self.log.write_text("")
        return subprocess.run([*prefix, "make", "-C", self.folder, *args], cwd=self.root,
                              env=env or self.env(), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=60)

    def calls(self) -> list[list[str]]:
        return parse_calls(self.log.read_text())

    def git(self, *args: str) -> str:
        return subprocess.run(["git", *args], cwd=self.root, check=True, capture_output=True,
                              text=True).stdout.strip()


GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c",
       "commit.gpgsign=false"]


def make_checkout(root: Path, files: Path | None, docker_dir: Path,
                  branch: str = "main") -> Checkout:
    """A git repository at `root` (one commit on `branch`) holding a copy of the folder
    `files` and `docker_dir`'s files as its docker/; the stand-in and log beside it."""
    root.mkdir(parents=True, exist_ok=True)
    if files is not None:
        shutil.copytree(files, root, dirs_exist_ok=True)
    shutil.copytree(docker_dir, root / "docker", dirs_exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", branch, str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run([*GIT, "-C", str(root), "commit", "-qm", "init"], check=True)
    checkout = Checkout(root=root, bin=root.parent / f"{root.name}-bin",
                        log=root.parent / f"{root.name}-docker.log")
    install_recording_docker(checkout.bin)
    checkout.log.write_text("")
    return checkout
