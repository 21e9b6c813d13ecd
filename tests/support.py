"""Helpers shared by the tests: a recording docker stand-in and a fake TensorRT-LLM tree."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FLAGSHIP = REPO / "stages.yaml"

# The stand-in records its argv (fields end with \037, calls with \036) and succeeds; with
# MKGEN_STANDIN_FAIL=<subcommand> it fails that subcommand (e.g. "image" or "push"). It is
# POSIX sh so that any user can run it and it costs one process.
STANDIN = """#!/bin/sh
{ for arg in "$@"; do printf '%s\\037' "$arg"; done; printf '\\036'; } >> "$MKGEN_DOCKER_LOG"
if [ -n "$MKGEN_STANDIN_FAIL" ] && [ "$1" = "$MKGEN_STANDIN_FAIL" ]; then exit 1; fi
"""

JENKINS_IMAGE = "urm.nvidia.com/sw-tensorrt-docker/tensorrt-llm:pytorch-25.01-py3-x86_64-202511"
GROOVY = f"""// Container configuration (abridged from the real file)
LLM_SBSA_DOCKER_IMAGE = "urm.nvidia.com/sw-tensorrt-docker/tensorrt-llm:sbsa-202511"
LLM_DOCKER_IMAGE = "{JENKINS_IMAGE}"
LLM_ROCKYLINUX8_PY310_DOCKER_IMAGE = "urm.nvidia.com/sw-tensorrt-docker/tensorrt-llm:rocky8"
"""
VERSION = "0.21.0rc1"


@dataclass
class Tree:
    """A checkout of the flagship project: git repo, docker/ as rendered, a docker stand-in."""

    root: Path
    bin: Path
    log: Path

    @property
    def docker_dir(self) -> Path:
        return self.root / "docker"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("MAKE", "MFLAGS", "DOCKER"))}
        env.update(PATH=f"{self.bin}:{os.environ['PATH']}", MKGEN_DOCKER_LOG=str(self.log),
                   LC_ALL="C")
        env.update(extra)
        return env

    def make(self, *args: str, env: dict[str, str] | None = None,
             prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
        """Run GNU make on the rendered Makefile from the project root, stdin closed."""
        self.log.write_text("")
        return subprocess.run([*prefix, "make", "-C", "docker", *args], cwd=self.root,
                              env=env or self.env(), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=60)

    def calls(self) -> list[list[str]]:
        return parse_log(self.log.read_text())

    def git(self, *args: str) -> str:
        return subprocess.run(["git", *args], cwd=self.root, check=True, capture_output=True,
                              text=True).stdout.strip()


def parse_log(text: str) -> list[list[str]]:
    return [call.split("\037")[:-1] for call in text.split("\036")[:-1]]


def install_standin(bin_dir: Path) -> None:
    bin_dir.mkdir(parents=True, exist_ok=True)
    docker = bin_dir / "docker"
    docker.write_text(STANDIN)
    docker.chmod(0o755)


def make_tree(root: Path, docker_dir: Path, branch: str = "feature/x-1") -> Tree:
    """A fake TensorRT-LLM checkout at `root` with `docker_dir`'s files as its docker/."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "tensorrt_llm").mkdir()
    (root / "tensorrt_llm" / "version.py").write_text(f'__version__ = "{VERSION}"\n')
    (root / "jenkins").mkdir()
    (root / "jenkins" / "L0_MergeRequest.groovy").write_text(GROOVY)
    shutil.copytree(docker_dir, root / "docker")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q", "-b", branch, str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(root), "commit", "-qm", "init"], check=True)
    tree = Tree(root=root, bin=root.parent / f"{root.name}-bin", log=root.parent / "docker.log")
    install_standin(tree.bin)
    tree.log.write_text("")
    return tree
