"""The fixtures themselves: a registry port picked per session, sessions side by side, and
BuildKit fleets that leave nothing behind."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import conftest
from daemons import remove_state, stop
from fleet import PLATFORMS, again_after_registry_race, fleet_prerequisite, running_fleet

if TYPE_CHECKING:
    from conftest import Engine

pytestmark = pytest.mark.engine

DOCKERFILE = """\
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
"""


@pytest.fixture
def state() -> Iterator[tuple[Path, list[subprocess.Popen[bytes]]]]:
    """A temp dir and the daemons started in it, stopped and removed after the test."""
    root = Path(tempfile.mkdtemp(prefix="mkgen-engine-", dir="/tmp"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        yield root, procs
    finally:
        for proc in reversed(procs):
            stop(proc)
        remove_state(root)


def test_the_registry_is_on_a_per_session_loopback_port(engine: Engine) -> None:
    host, port = engine.registry.split(":")
    assert host == "127.0.0.1" and int(port) > 0
    assert engine.registry_get("/v2/")[0] == 200


def test_a_port_taken_before_the_registry_binds_it_is_picked_again(
    engine: Engine, state: tuple[Path, list[subprocess.Popen[bytes]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root, procs = state
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        picks = iter([taken])
        real_free_port = conftest.free_port
        monkeypatch.setattr(conftest, "free_port",
                            lambda host: next(picks, 0) or real_free_port(host))

        registry = conftest._start_registry_on_a_free_port(root, procs)

    # The first registry could not bind the taken port and exited; the second one serves.
    assert registry != f"127.0.0.1:{taken}"
    assert len(procs) == 2 and procs[0].returncode not in (None, 0) and procs[1].poll() is None
    assert conftest._registry_answers(registry)


def test_a_second_engine_runs_beside_the_session_one(
    engine: Engine, state: tuple[Path, list[subprocess.Popen[bytes]]],
    tmp_path: Path,
) -> None:
    """Two sessions at once: own dockerd (data root, exec root, socket) and own registry."""
    root, procs = state
    other = conftest._start_engine(root, procs)
    assert other.registry != engine.registry
    assert other.env["DOCKER_HOST"] != engine.env["DOCKER_HOST"]

    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    shutil.copy2(engine.busybox, tmp_path / "busybox")
    for each, repo in ((engine, "side/one"), (other, "side/two")):
        image = f"{each.registry}/{repo}:1"
        each.docker("build", "--network=none", "-t", image, str(tmp_path))
        each.docker("push", image)
    # Each push landed in its own session's registry only.
    assert engine.registry_get("/v2/side/one/tags/list")[0] == 200
    assert engine.registry_get("/v2/side/two/tags/list")[0] == 404
    assert other.registry_get("/v2/side/two/tags/list")[0] == 200
    assert other.registry_get("/v2/side/one/tags/list")[0] == 404
    # And each daemon has only its own image.
    assert engine.docker("image", "inspect", f"{other.registry}/side/two:1",
                         check=False).returncode != 0


def test_a_fleet_joins_one_node_per_platform_and_leaves_nothing_behind(
    buildx: Engine, state: tuple[Path, list[subprocess.Popen[bytes]]]
) -> None:
    missing = fleet_prerequisite(buildx.env)
    if missing:
        conftest._give_up(missing, None, what="no BuildKit fleet")
    root, _ = state
    with running_fleet(root, buildx.registry, buildx.env) as fleet:
        pids = [node.pid for node in fleet.nodes]
        listed = fleet.docker("buildx", "ls").stdout
        inspected = fleet.docker("buildx", "inspect", fleet.name).stdout
        workers = {node.platform: node.buildctl("debug", "workers").stdout for node in fleet.nodes}
        sockets = sorted(p.name for p in root.rglob("*.sock"))
    # One builder, one node per platform, each labelled with its own platform first (`*`).
    assert [n.platform for n in fleet.nodes] == list(PLATFORMS)
    assert fleet.name in listed
    for node in fleet.nodes:
        assert node.name in inspected and node.addr in inspected
        assert node.platform in workers[node.platform]
        assert f"{node.platform}*" in inspected
    # buildkitd's sockets, its OpenTelemetry one included, are all in the fleet's own folder.
    assert sockets == ["buildkitd.sock", "buildkitd.sock", "otel-grpc.sock", "otel-grpc.sock"]
    # Builder state lives in its BUILDX_CONFIG, never in the engine's (or the user's) config.
    assert Path(fleet.env["BUILDX_CONFIG"]).is_relative_to(root)

    # Afterwards: the nodes are stopped (by their pids) and the builder is gone.
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert fleet.name not in fleet.docker("buildx", "ls").stdout


@pytest.mark.parametrize("first, runs", [
    ((1, "", "failed to push: blob unknown to registry"), 2),
    ((1, "provided digest did not match uploaded content", ""), 2),
    ((1, "", "failed to solve: process did not complete successfully"), 1),
    ((0, "blob unknown to registry", ""), 1),
])
def test_a_command_runs_again_only_after_the_registry_lost_a_race(
        first: tuple[int, str, str], runs: int) -> None:
    answers = [subprocess.CompletedProcess(["x"], *first),
               subprocess.CompletedProcess(["x"], 0, "", "")]
    made = []

    def run() -> subprocess.CompletedProcess[str]:
        made.append(answers[len(made)])
        return made[-1]

    assert again_after_registry_race(run) is made[-1]
    assert len(made) == runs
