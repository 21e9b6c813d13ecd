"""Rendering is byte-identical across hash seeds and across the Python versions at hand.

Each run is `python -m mkgen render` in a fresh process (PYTHONPATH=src), so set and dict
ordering really differ between runs. An interpreter without jinja2/yaml/click gets them
installed once with `pip install --target` into the temp folder; with no index reachable it
is skipped, with the reason.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from mkgen.api import load_config
from mkgen.render import render_all
from tests.support import FLAGSHIP, REPO

PYENV = Path(os.environ.get("PYENV_ROOT", "/root/.pyenv")) / "versions"
VERSIONS = ["3.10", "3.11", "3.12", "3.13"]
DEPS = ["jinja2", "pyyaml", "click"]


def project(tmp_path: Path) -> Path:
    """A copy of the flagship, rendered fresh by each run."""
    shutil.copy(FLAGSHIP, tmp_path / "stages.yaml")
    return tmp_path / "stages.yaml"


def in_process(config: Path) -> dict[str, bytes]:
    """What this interpreter renders, as the reference."""
    return {o.name: o.text.encode() for o in sorted(render_all(load_config(config)),
                                                      key=lambda o: o.name)}


def render(python: str, config: Path, extra_path: str = "", seed: str = "0") -> dict[str, bytes]:
    shutil.rmtree(config.parent / "docker", ignore_errors=True)
    env = dict(os.environ, PYTHONHASHSEED=seed,
               PYTHONPATH=os.pathsep.join(p for p in (str(REPO / "src"), extra_path) if p))
    result = subprocess.run([python, "-m", "mkgen", "render", "-c", str(config)], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return {p.name: p.read_bytes() for p in sorted((config.parent / "docker").iterdir())}


def test_byte_identical_across_hash_seeds(tmp_path: Path) -> None:
    config = project(tmp_path)
    runs = [render(sys.executable, config, seed=s) for s in ("0", "1", "4242", "random")]
    assert runs[0] == runs[1] == runs[2] == runs[3] == in_process(config)


def interpreter(version: str) -> str | None:
    found = sorted(PYENV.glob(f"{version}.*/bin/python"))
    if found:
        return str(found[-1])
    return shutil.which(f"python{version}")


def dependencies(python: str, version: str) -> str:
    """'' when `python` has the dependencies, else a --target folder holding them."""
    probe = subprocess.run([python, "-c", "import jinja2, yaml, click"], capture_output=True)
    if probe.returncode == 0:
        return ""
    target = Path(tempfile.gettempdir()) / f"mkgen-test-deps-{version}"
    if not (target / "jinja2").is_dir():
        result = subprocess.run([python, "-m", "pip", "install", "-q", "--target", str(target),
                                 "--disable-pip-version-check", *DEPS],
                                capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            pytest.skip(f"Python {version} lacks {', '.join(DEPS)} and pip could not install "
                        f"them: {result.stderr.strip().splitlines()[-1:]}")
    return str(target)


@pytest.mark.slow
@pytest.mark.network  # pip installs jinja2, pyyaml and click for an interpreter without them
@pytest.mark.parametrize("version", VERSIONS)
def test_byte_identical_across_python_versions(tmp_path: Path, version: str) -> None:
    python = interpreter(version)
    if python is None:
        pytest.skip(f"no Python {version} on this machine")
    extra = dependencies(python, version)
    config = project(tmp_path)
    assert render(python, config, extra, seed="random") == in_process(config)
