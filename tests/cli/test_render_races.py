"""The real `mkgen render` of a 1000-stage project, killed at random points and run in
concurrent pairs: the output folder always ends up holding one whole version (slow: each
render takes about a second, more on a busy machine)."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mkgen import api

pytestmark = pytest.mark.slow
NAMES = ["Dockerfile.multi", "Dockerfile.user", "Makefile", "docker-bake.hcl"]


def _stages(tag: str) -> str:
    return f"project:\n  name: {tag}\n  output: docker\nstages:\n" + "".join(
        f"  s{i}:\n    from: debian:12\n    help: Stage {i} of {tag}\n    steps: |\n"
        f"      RUN echo {tag} {i}\n    variables: {{IMAGE_TAG: t{i}}}\n" for i in range(1000))


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, dict[str, dict[str, str]]]:
    """a.yaml and b.yaml, rendering into the same docker/, and what each renders."""
    texts = {}
    for tag in ("a", "b"):
        (tmp_path / f"{tag}.yaml").write_text(_stages(tag))
        config = api.load_config(tmp_path / f"{tag}.yaml")
        texts[tag] = {o.name: o.text for o in api.render(config)}
    return tmp_path, texts


def _mkgen(*args: str, cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "mkgen", *args], cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _version(folder: Path, texts: dict[str, dict[str, str]]) -> str:
    assert sorted(p.name for p in folder.iterdir()) == NAMES
    found = {name: (folder / name).read_text() for name in NAMES}
    versions = [tag for tag, rendered in texts.items() if rendered == found]
    assert versions, "the folder holds a mix of versions"
    return versions[0]


def test_the_cli_killed_at_random_points_leaves_one_whole_version(
        project: tuple[Path, dict[str, dict[str, str]]]) -> None:
    root, texts = project
    assert _mkgen("render", "-c", "a.yaml", cwd=root).wait() == 0
    start = time.monotonic()
    assert _mkgen("render", "-c", "b.yaml", cwd=root).wait() == 0
    span = time.monotonic() - start
    rng = random.Random(15)
    outcomes = {"a": 0, "b": 0}
    current = "b"
    for _ in range(20):
        target = "a" if current == "b" else "b"
        process = _mkgen("render", "-c", f"{target}.yaml", cwd=root)
        time.sleep(rng.uniform(span * 0.5, span * 1.1))  # rendering comes first, then writing
        process.send_signal(signal.SIGKILL)
        process.wait()
        check = _mkgen("check", "-c", f"{current}.yaml", cwd=root)
        check.wait()  # finishes or drops what the killed render left
        current = _version(root / "docker", texts)
        outcomes[current] += 1
    print(f"20 kills of mkgen render: {outcomes}, never a mix")


def test_concurrent_cli_renders_leave_one_whole_version(
        project: tuple[Path, dict[str, dict[str, str]]]) -> None:
    root, texts = project
    seen = {"a": 0, "b": 0}
    for _ in range(10):
        pair = [_mkgen("render", "-c", f"{tag}.yaml", cwd=root) for tag in ("a", "b")]
        assert [p.wait() for p in pair] == [0, 0], [p.stderr.read() for p in pair if p.stderr]
        seen[_version(root / "docker", texts)] += 1
    for p in os.listdir(root / "docker"):
        assert not p.startswith(".")
    print(f"10 concurrent pairs of mkgen render: {seen}, never a mix")
