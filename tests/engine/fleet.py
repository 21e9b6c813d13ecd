"""A BuildKit fleet for tests/engine: buildkitd nodes joined as one buildx builder.

`running_fleet(root, registry, env)` starts one `buildkitd` per platform (linux/amd64 and
linux/arm64) on unix sockets under `root`, each with its own state, an OCI worker on the
`native` snapshotter labelled with that one platform, and the session's registry as plain
HTTP. It joins them as one builder with buildx's `remote` driver:

    docker buildx create --name N --node N-amd64 --driver remote --platform linux/amd64 unix://A
    docker buildx create --name N --node N-arm64 --driver remote --platform linux/arm64 \
        --append unix://B

with BUILDX_CONFIG under `root`, so nothing reaches ~/.docker. On exit it removes the builder
and stops the nodes by the pids it started. conftest.py wraps it in the `fleet` and `new_fleet`
fixtures; ../shared/tools/buildkit/README.md (beside the checkout) installs the tools.

There is no emulation on the test machines: the "arm64" node runs the host's x86_64 binaries,
which is all a FROM-scratch busybox image needs. Which node built what is read from the nodes
themselves (`Node.records`, `Node.progress`: BuildKit's build history), not from the image.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import itertools
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from daemons import CommandError, Unavailable, spawn, stop, wait_until

PLATFORMS = ("linux/amd64", "linux/arm64")
DOCKER_CLIENT = "/usr/bin/docker"
TOOLS_HINT = "install them with ../shared/tools/buildkit/install.sh (see its README)"
PROBE_TIMEOUT_S = 10

_builders = itertools.count(1)

# Two nodes pushing one layer into one repository at the same moment can lose a race in the
# registry's commit of that blob: Debian's registry (distribution 2.8, filesystem storage)
# then answers one of them "provided digest did not match uploaded content" or "blob unknown
# to registry" (the class of distribution/distribution#2077). Here both "platforms" run the
# host's binaries, so every layer of the examples is shared by the two pushes; real
# multi-platform images share few. A command that fails that way is run once more (and says
# so): the race is the registry's, not what the tests check.
REGISTRY_RACE = ("provided digest did not match uploaded content", "blob unknown to registry")


def again_after_registry_race(
        run: Callable[[], subprocess.CompletedProcess[str]]) -> subprocess.CompletedProcess[str]:
    proc = run()
    if proc.returncode != 0 and any(s in proc.stdout + proc.stderr for s in REGISTRY_RACE):
        print("the registry lost a race on a layer both nodes pushed; running it again")
        proc = run()
    return proc


class FleetUnavailable(Unavailable):
    """A node or the builder did not come up; `logs` names the logs (relative to the root)."""

    def __init__(self, message: str, logs: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.logs = logs


def fleet_prerequisite(env: Mapping[str, str]) -> str | None:
    """Why no fleet can be started here, or None."""
    if os.geteuid() != 0:
        return "buildkitd (OCI worker, native snapshotter) needs root here"
    for tool in ("buildkitd", "buildctl", "runc"):
        if shutil.which(tool) is None:
            return f"`{tool}` is not installed; {TOOLS_HINT}"
    probe = subprocess.run([DOCKER_CLIENT, "buildx", "version"], env=dict(env),
                           capture_output=True, text=True)
    if probe.returncode != 0:
        return f"the docker buildx plugin does not answer ({probe.stderr.strip()}); {TOOLS_HINT}"
    return None


def _arch(platform: str) -> str:
    return platform.split("/")[1]


# ---------------------------------------------------------------------------------------------
# Build progress: BuildKit's rawjson (client --progress=rawjson, or a node's build record)


@dataclasses.dataclass(frozen=True)
class Step:
    """One vertex of a build's progress, its updates merged."""

    name: str
    cached: bool
    completed: bool
    error: str

    @property
    def is_run(self) -> bool:
        return "] RUN " in self.name

    @property
    def executed(self) -> bool:
        """It ran (or was cut short): neither served from the cache nor merely scheduled."""
        return not self.cached and (self.completed or bool(self.error))


def parse_progress(text: str) -> list[Step]:
    """The vertices of rawjson progress: JSON objects, one per line or back to back."""
    merged: dict[str, dict[str, Any]] = {}
    decoder = json.JSONDecoder()
    at = 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            break
        if text[at] != "{":  # Not rawjson (a warning line): skip it.
            at = text.find("\n", at) if "\n" in text[at:] else len(text)
            continue
        status, at = decoder.raw_decode(text, at)
        for vertex in status.get("vertexes") or []:
            seen = merged.setdefault(vertex["digest"], {})
            for key in ("name", "cached", "completed", "error"):
                if vertex.get(key):
                    seen[key] = vertex[key]
    return [
        Step(name=v.get("name", ""), cached=bool(v.get("cached")),
             completed=bool(v.get("completed")), error=v.get("error", ""))
        for v in merged.values()
    ]


def run_counts(steps: list[Step]) -> tuple[int, int]:
    """(executed, cached) RUN steps."""
    runs = [s for s in steps if s.is_run]
    return sum(s.executed for s in runs), sum(s.cached for s in runs)


# ---------------------------------------------------------------------------------------------
# Nodes and the fleet


@dataclasses.dataclass(frozen=True)
class Node:
    """One buildkitd: its buildx node name, the one platform it is labelled with, its state."""

    name: str
    platform: str
    state: Path
    pid: int

    @property
    def addr(self) -> str:
        return f"unix://{self.state / 'buildkitd.sock'}"

    def buildctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(["buildctl", "--addr", self.addr, *args],
                              capture_output=True, text=True, timeout=60)
        if check and proc.returncode != 0:
            raise CommandError(proc.returncode, proc.args, proc.stdout, proc.stderr)
        return proc

    def records(self) -> list[dict[str, Any]]:
        """This node's build history, oldest first: what it built (FrontendAttrs.platform,
        target, build args), exported (Exporters, Result) and how it ended (error)."""
        listed = self.buildctl("debug", "histories", "--format", "{{json .}}").stdout
        records = [json.loads(line)["record"] for line in listed.splitlines() if line.strip()]
        return sorted(records, key=lambda r: (r["CreatedAt"]["seconds"],
                                              r["CreatedAt"].get("nanos", 0)))

    def progress(self, ref: str) -> list[Step]:
        """The progress of one build as this node recorded it (its own steps only)."""
        return parse_progress(self.buildctl("debug", "logs", "--progress=rawjson", ref).stdout)


@dataclasses.dataclass(frozen=True)
class Fleet:
    """Running nodes joined as the buildx builder `name`; `env` has BUILDX_CONFIG set."""

    name: str
    nodes: tuple[Node, ...]
    env: dict[str, str]
    registry: str
    root: Path

    def node(self, platform: str) -> Node:
        return next(n for n in self.nodes if n.platform == platform)

    def docker(self, *args: str, cwd: Path | None = None, check: bool = True,
               env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        proc = again_after_registry_race(lambda: subprocess.run(
            [DOCKER_CLIENT, *args], cwd=cwd, env={**self.env, **(env or {})},
            stdin=subprocess.DEVNULL, capture_output=True, text=True))
        if check and proc.returncode != 0:
            raise CommandError(proc.returncode, proc.args, proc.stdout, proc.stderr)
        return proc

    def bake(self, *args: str, cwd: Path, check: bool = True,
             env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """`docker buildx bake --builder <this fleet> ARGS` in `cwd` (the build context root)."""
        return self.docker("buildx", "bake", "--builder", self.name, *args,
                           cwd=cwd, check=check, env=env)


def _node_config(state: Path, platform: str, registry: str) -> Path:
    config = state / "buildkitd.toml"
    config.write_text(
        f'root = "{state / "root"}"\n'
        "[worker.oci]\n"
        "  enabled = true\n"
        '  snapshotter = "native"\n'
        f'  platforms = ["{platform}"]\n'
        "[worker.containerd]\n"
        "  enabled = false\n"
        f'[registry."{registry}"]\n'
        "  http = true\n"
        "  insecure = true\n"
    )
    return config


def _start_node(state: Path, platform: str, registry: str) -> subprocess.Popen[bytes]:
    state.mkdir(parents=True)
    config = _node_config(state, platform, registry)
    return spawn(
        [
            "buildkitd",
            "--config", str(config),
            "--addr", f"unix://{state / 'buildkitd.sock'}",
            # Its default is /run/buildkit/otel-grpc.sock, shared by every buildkitd here.
            "--otel-socket-path", str(state / "otel-grpc.sock"),
            # No scanning of /etc/cdi and /var/run/cdi: nothing here needs devices.
            "--cdi-disabled",
        ],
        state / "buildkitd.log",
    )  # fmt: skip


def _node_answers(addr: str) -> bool:
    try:
        probe = subprocess.run(["buildctl", "--addr", addr, "debug", "workers"],
                               capture_output=True, timeout=PROBE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return False
    return probe.returncode == 0


@contextlib.contextmanager
def running_fleet(root: Path, registry: str, env: Mapping[str, str],
                  platforms: tuple[str, ...] = PLATFORMS) -> Iterator[Fleet]:
    """Nodes for `platforms` under `root`, joined as one new builder; all gone on exit."""
    name = f"mkgen-{os.getpid()}-{next(_builders)}"
    fleet_env = {**env, "BUILDX_CONFIG": str(root / "buildx")}
    fleet_env.pop("BUILDX_BUILDER", None)
    procs: list[subprocess.Popen[bytes]] = []
    logs = tuple(f"{_arch(p)}/buildkitd.log" for p in platforms)
    created = False
    try:
        nodes = []
        for platform in platforms:
            state = root / _arch(platform)
            proc = _start_node(state, platform, registry)
            procs.append(proc)
            node = Node(name=f"{name}-{_arch(platform)}", platform=platform, state=state,
                        pid=proc.pid)
            try:
                wait_until(functools.partial(_node_answers, node.addr), proc,
                           f"buildkitd for {platform}")
            except Unavailable as exc:
                raise FleetUnavailable(str(exc), logs) from None
            nodes.append(node)
        for i, node in enumerate(nodes):
            created = True
            joined = subprocess.run(
                [DOCKER_CLIENT, "buildx", "create", "--name", name, "--node", node.name,
                 "--driver", "remote", "--platform", node.platform,
                 *(["--append"] if i else []), node.addr],
                env=fleet_env, capture_output=True, text=True,
            )  # fmt: skip
            if joined.returncode != 0:
                raise FleetUnavailable(f"docker buildx create failed: {joined.stderr}", logs)
        booted = subprocess.run([DOCKER_CLIENT, "buildx", "inspect", "--bootstrap", name],
                                env=fleet_env, capture_output=True, text=True)
        running = re.findall(r"^Status:\s+running$", booted.stdout, re.MULTILINE)
        if booted.returncode != 0 or len(running) != len(nodes):
            raise FleetUnavailable(f"builder {name} did not come up:\n{booted.stdout}"
                                   f"{booted.stderr}", logs)
        yield Fleet(name=name, nodes=tuple(nodes), env=fleet_env, registry=registry, root=root)
    finally:
        if created:
            subprocess.run([DOCKER_CLIENT, "buildx", "rm", name], env=fleet_env,
                           capture_output=True)
        for proc in reversed(procs):
            stop(proc)
