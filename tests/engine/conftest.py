"""A real Docker engine and a real registry on loopback, for tests/engine only.

The session fixture `engine` starts Debian's
`dockerd` and `docker-registry` with all their state in one temp dir, and stops them by the pids
it started. The registry listens on a loopback port picked per session (`Engine.registry`, e.g.
127.0.0.1:41234), never a fixed one: a developer's own registry on :5000 is no obstacle, and two
sessions can run at the same time. Without root or the Debian packages it skips; when $CI is set
it fails instead, so that a CI machine that lost its engine cannot go green by skipping
everything.

The fixtures `fleet` and `new_fleet` add BuildKit nodes joined as one buildx builder (fleet.py),
with the same skip-or-fail policy.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import shutil
import struct
import subprocess
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, NoReturn

import pytest

from daemons import (
    CommandError,
    Unavailable,
    free_port,
    log_tail,
    remove_state,
    spawn,
    stop,
    wait_until,
)
from fleet import Fleet, FleetUnavailable, fleet_prerequisite, running_fleet

# Debian's 20.10 client builds with BuildKit without buildx (and, with the buildx plugin
# installed, runs `docker buildx` too); it is the one client of the engine tests.
DOCKER_CLIENT = Path("/usr/bin/docker")
BUSYBOX = Path("/bin/busybox")
REGISTRY_HOST = "127.0.0.1"
# Another process may take the port picked for the registry before it binds it: pick again.
REGISTRY_ATTEMPTS = 3
INSTALL_HINT = "run .ci/engine.sh (apt-get install docker.io docker-registry busybox-static)"

# Without an Accept header the registry may down-convert manifests or refuse manifest lists.
MANIFEST_ACCEPT = ", ".join(
    [
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/json",
    ]
)

# Inherited settings that would point our client at another daemon, config or builder.
FOREIGN_DOCKER_VARS = (
    "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_TLS", "BUILDX_BUILDER",
)

# The old names, for the tests that import them.
DockerError = CommandError
EngineUnavailable = Unavailable


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "engine: needs a real Docker engine and registry")


@dataclasses.dataclass(frozen=True)
class Engine:
    """A running dockerd and registry; `env` points any subprocess (make, docker) at them."""

    env: dict[str, str]
    busybox: Path
    state_dir: Path
    # host:port of this session's registry, e.g. 127.0.0.1:41234 (a free port, never fixed).
    registry: str

    def docker(
        self,
        *args: str,
        check: bool = True,
        input: str | None = None,
        cwd: Path | None = None,
        extra_env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run /usr/bin/docker against this engine and capture its text output."""
        proc = subprocess.run(
            [str(DOCKER_CLIENT), *args],
            env={**self.env, **(extra_env or {})},
            cwd=cwd,
            input=input,
            capture_output=True,
            text=True,
        )
        if check and proc.returncode != 0:
            raise CommandError(proc.returncode, proc.args, proc.stdout, proc.stderr)
        return proc

    def registry_get(self, path: str) -> tuple[int, Any]:
        """GET http://<registry><path>; return the status and the JSON body (None if empty)."""
        request = urllib.request.Request(
            f"http://{self.registry}{path}", headers={"Accept": MANIFEST_ACCEPT}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, _json_or_none(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, _json_or_none(exc.read())


def _json_or_none(body: bytes) -> Any:
    return json.loads(body) if body.strip() else None


# ---------------------------------------------------------------------------------------------
# Prerequisites


def _missing_prerequisite() -> str | None:
    """Why the engine cannot even be tried here, or None."""
    if os.geteuid() != 0:
        return "dockerd needs root; run the engine tests as root"
    for tool in ("dockerd", "docker-registry"):
        if shutil.which(tool) is None:
            return f"`{tool}` is not installed; {INSTALL_HINT}"
    if not os.access(DOCKER_CLIENT, os.X_OK):
        return f"{DOCKER_CLIENT} (Debian's docker.io client) is missing; {INSTALL_HINT}"
    if not BUSYBOX.is_file():
        return f"{BUSYBOX} is missing; {INSTALL_HINT}"
    if not _is_static_elf(BUSYBOX):
        return f"{BUSYBOX} is dynamically linked: it cannot run FROM scratch; {INSTALL_HINT}"
    return None


def _is_static_elf(path: Path) -> bool:
    """True when the ELF file has no PT_INTERP header, i.e. needs no dynamic loader."""
    with path.open("rb") as f:
        header = f.read(64)
        if header[:4] != b"\x7fELF":
            return False
        is_64 = header[4] == 2
        order = "<" if header[5] == 1 else ">"
        if is_64:
            phoff, = struct.unpack_from(order + "Q", header, 0x20)
            phentsize, phnum = struct.unpack_from(order + "HH", header, 0x36)
        else:
            phoff, = struct.unpack_from(order + "I", header, 0x1C)
            phentsize, phnum = struct.unpack_from(order + "HH", header, 0x2A)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    pt_interp = 3
    return all(
        struct.unpack_from(order + "I", table, i * phentsize)[0] != pt_interp for i in range(phnum)
    )


# ---------------------------------------------------------------------------------------------
# Starting


def _start_dockerd(state: Path, registry: str) -> subprocess.Popen[bytes]:
    return spawn(
        [
            "dockerd",
            f"--data-root={state / 'data'}",
            f"--exec-root={state / 'exec'}",
            f"--pidfile={state / 'dockerd.pid'}",
            f"--host=unix://{state / 'docker.sock'}",
            "--iptables=false",
            "--bridge=none",
            "--storage-driver=vfs",
            f"--insecure-registry={registry}",
        ],
        state / "dockerd.log",
    )


def _start_registry(state: Path, registry: str) -> subprocess.Popen[bytes]:
    config = state / "registry.yml"
    config.write_text(
        "version: 0.1\n"
        "log:\n  level: warn\n"
        f"storage:\n  filesystem:\n    rootdirectory: {state / 'registry'}\n"
        "  delete:\n    enabled: true\n"
        f"http:\n  addr: {registry}\n"
    )
    return spawn(["docker-registry", "serve", str(config)], state / "registry.log")


def _client_env(state: Path) -> dict[str, str]:
    bin_dir = state / "bin"
    bin_dir.mkdir()
    # Put Debian's client first so `docker` in make recipes is the one that has BuildKit.
    (bin_dir / "docker").symlink_to(DOCKER_CLIENT)
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN_DOCKER_VARS}
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        DOCKER_HOST=f"unix://{state / 'docker.sock'}",
        DOCKER_BUILDKIT="1",
        # Own config dir: `docker manifest` keeps its local lists there, not in ~/.docker.
        DOCKER_CONFIG=str(state / "docker-config"),
        # buildx's builders and build records (the default `docker` driver's too).
        BUILDX_CONFIG=str(state / "buildx"),
    )
    return env


def _docker_answers(env: dict[str, str]) -> bool:
    try:
        probe = subprocess.run(
            [str(DOCKER_CLIENT), "info"], env=env, capture_output=True, timeout=5
        )
    except subprocess.TimeoutExpired:
        return False
    return probe.returncode == 0


def _registry_answers(registry: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://{registry}/v2/", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _start_registry_on_a_free_port(state: Path, procs: list[subprocess.Popen[bytes]]) -> str:
    for attempt in range(1, REGISTRY_ATTEMPTS + 1):
        registry = f"{REGISTRY_HOST}:{free_port(REGISTRY_HOST)}"
        proc = _start_registry(state, registry)
        procs.append(proc)
        try:
            wait_until(functools.partial(_registry_answers, registry), proc,
                       f"docker-registry on {registry}")
        except Unavailable:
            if proc.poll() is None or attempt == REGISTRY_ATTEMPTS:
                raise
            continue  # It exited: most likely someone took the port meanwhile.
        return registry
    raise AssertionError("unreachable")


def _start_engine(state: Path, procs: list[subprocess.Popen[bytes]]) -> Engine:
    env = _client_env(state)
    # The registry first: dockerd must be told its address (--insecure-registry).
    registry = _start_registry_on_a_free_port(state, procs)
    procs.append(_start_dockerd(state, registry))
    wait_until(lambda: _docker_answers(env), procs[-1], "dockerd")
    return Engine(env=env, busybox=BUSYBOX, state_dir=state, registry=registry)


# ---------------------------------------------------------------------------------------------
# The fixtures


def _give_up(
    reason: str,
    state: Path | None,
    logs: tuple[str, ...] = ("dockerd.log", "registry.log"),
    what: str = "no Docker engine",
) -> NoReturn:
    if not os.environ.get("CI"):
        pytest.skip(f"{what}: {reason}")
    details = [reason]
    if state is not None:
        for log in logs:
            tail = log_tail(state / log)
            if tail:
                details.append(f"--- last lines of {log} ---\n{tail}")
    pytest.fail("\n".join(details), pytrace=False)


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    """A real dockerd and registry (on a free loopback port) for the whole session."""
    missing = _missing_prerequisite()
    if missing:
        _give_up(missing, None)
    # Under /tmp and short: the socket path must fit in sun_path (108 bytes).
    state = Path(tempfile.mkdtemp(prefix="mkgen-engine-", dir="/tmp"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        broken = None
        try:
            started = _start_engine(state, procs)
        except Unavailable as exc:
            broken = str(exc)
        # Given up outside `except`, so the report has no "during handling of..." noise.
        if broken:
            _give_up(broken, state)
        yield started
    finally:
        # dockerd first, then the registry it may still be pushing to.
        for proc in reversed(procs):
            stop(proc)
        remove_state(state)


@pytest.fixture(scope="session")
def buildx(engine: Engine) -> Engine:
    """The engine, once `docker buildx` is known to work with it (its default `docker` driver)."""
    probe = engine.docker("buildx", "version", check=False)
    if probe.returncode != 0:
        _give_up(f"the docker buildx plugin does not answer: {probe.stderr.strip()}; install it "
                 "with ../shared/tools/buildkit/install.sh", None, what="no buildx")
    return engine


def _start_fleet_or_give_up(stack: contextlib.ExitStack, engine: Engine, root: Path) -> Fleet:
    missing = fleet_prerequisite(engine.env)
    if missing:
        _give_up(missing, None, what="no BuildKit fleet")
    broken: FleetUnavailable | None = None
    try:
        started = stack.enter_context(running_fleet(root, engine.registry, engine.env))
    except FleetUnavailable as exc:
        broken = exc
    if broken is not None:
        _give_up(str(broken), root, logs=broken.logs, what="no BuildKit fleet")
    return started


@pytest.fixture(scope="session")
def fleet(engine: Engine) -> Iterator[Fleet]:
    """Two buildkitd nodes, linux/amd64 and linux/arm64, joined as one remote-driver builder.

    They push to the engine's registry over plain HTTP. Without buildkitd, buildctl or the
    buildx plugin the tests that use it skip; with $CI set they fail.
    """
    with contextlib.ExitStack() as stack:
        root = Path(tempfile.mkdtemp(prefix="mkgen-fleet-", dir="/tmp"))
        stack.callback(remove_state, root)
        yield _start_fleet_or_give_up(stack, engine, root)


@pytest.fixture
def new_fleet(engine: Engine) -> Iterator[Callable[[], Fleet]]:
    """`new_fleet()` starts another fleet with empty local state (no build cache at all).

    Every fleet it started is stopped, and its builder removed, after the test.
    """
    with contextlib.ExitStack() as stack:
        root = Path(tempfile.mkdtemp(prefix="mkgen-fleet-", dir="/tmp"))
        stack.callback(remove_state, root)
        started = 0

        def start() -> Fleet:
            nonlocal started
            started += 1
            home = root / str(started)
            home.mkdir()
            return _start_fleet_or_give_up(stack, engine, home)

        yield start
