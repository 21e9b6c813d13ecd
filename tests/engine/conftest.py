"""A real Docker engine and a real registry on loopback, for tests/engine only.

The session fixture `engine` starts Debian's `dockerd` and
`docker-registry` with all their state in one temp dir, and stops them by the pids it started.
Without root or the Debian packages it skips; when $CI is set it fails instead, so that a CI
machine that lost its engine cannot go green by skipping everything.
"""

from __future__ import annotations

import ctypes
import dataclasses
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, NoReturn

import pytest

# Debian's 20.10 client builds with BuildKit without buildx; /usr/local/bin/docker (v28) cannot.
DOCKER_CLIENT = Path("/usr/bin/docker")
BUSYBOX = Path("/bin/busybox")
REGISTRY_HOST = "127.0.0.1"
REGISTRY_PORT = 5000
REGISTRY = f"{REGISTRY_HOST}:{REGISTRY_PORT}"
READY_TIMEOUT_S = 30.0
# dockerd waits up to 15 s for running containers on SIGTERM; give it a little more.
STOP_TIMEOUT_S = 20.0
LOG_TAIL_LINES = 25
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

# Inherited settings that would point our client at another daemon or config.
FOREIGN_DOCKER_VARS = ("DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_TLS")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "engine: needs a real Docker engine and registry")


class EngineUnavailable(Exception):
    """The engine cannot run here; the fixture turns this into a skip, or a failure under CI."""


class DockerError(subprocess.CalledProcessError):
    """A failed docker command whose message carries its output, so the test report shows why."""

    def __str__(self) -> str:
        return f"{super().__str__()}\n--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"


@dataclasses.dataclass(frozen=True)
class Engine:
    """A running dockerd and registry; `env` points any subprocess (make, docker) at them."""

    env: dict[str, str]
    busybox: Path
    state_dir: Path
    registry: str = REGISTRY

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
            raise DockerError(proc.returncode, proc.args, proc.stdout, proc.stderr)
        return proc

    def registry_get(self, path: str) -> tuple[int, Any]:
        """GET http://127.0.0.1:5000<path>; return the status and the JSON body (None if empty)."""
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
    if not _port_is_free(REGISTRY_HOST, REGISTRY_PORT):
        return (
            f"{REGISTRY} is already in use; stop whatever listens there (another registry?) "
            "so the tests can own the registry they push to"
        )
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


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


# ---------------------------------------------------------------------------------------------
# Starting


def _die_with_parent() -> None:
    """Runs in the child: if pytest is killed outright, the kernel sends it SIGTERM."""
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _spawn(argv: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        # A new session keeps a Ctrl-C in the terminal from killing the daemons before teardown,
        # and makes the pid a process-group id we can kill with its children (containerd).
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )


def _start_dockerd(state: Path) -> subprocess.Popen[bytes]:
    return _spawn(
        [
            "dockerd",
            f"--data-root={state / 'data'}",
            f"--exec-root={state / 'exec'}",
            f"--pidfile={state / 'dockerd.pid'}",
            f"--host=unix://{state / 'docker.sock'}",
            "--iptables=false",
            "--bridge=none",
            "--storage-driver=vfs",
            f"--insecure-registry={REGISTRY}",
        ],
        state / "dockerd.log",
    )


def _start_registry(state: Path) -> subprocess.Popen[bytes]:
    config = state / "registry.yml"
    config.write_text(
        "version: 0.1\n"
        "log:\n  level: warn\n"
        f"storage:\n  filesystem:\n    rootdirectory: {state / 'registry'}\n"
        "  delete:\n    enabled: true\n"
        f"http:\n  addr: {REGISTRY}\n"
    )
    return _spawn(["docker-registry", "serve", str(config)], state / "registry.log")


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
    )
    return env


def _wait_until(ready: Callable[[], bool], proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise EngineUnavailable(f"{what} exited with status {proc.returncode} while starting")
        if ready():
            return
        time.sleep(0.1)
    raise EngineUnavailable(f"{what} did not become ready within {READY_TIMEOUT_S:.0f} s")


def _docker_answers(env: dict[str, str]) -> bool:
    try:
        probe = subprocess.run(
            [str(DOCKER_CLIENT), "info"], env=env, capture_output=True, timeout=5
        )
    except subprocess.TimeoutExpired:
        return False
    return probe.returncode == 0


def _registry_answers() -> bool:
    try:
        with urllib.request.urlopen(f"http://{REGISTRY}/v2/", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


# ---------------------------------------------------------------------------------------------
# Stopping


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        # Our own process group: dockerd plus the containerd it spawned.
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _mounts_under(root: Path) -> list[str]:
    prefix = f"{root}/"
    with open("/proc/self/mounts") as mounts:
        points = [line.split()[1] for line in mounts]
    return sorted((p for p in points if p.startswith(prefix)), key=len, reverse=True)


def _remove_state(state: Path) -> None:
    # A cleanly stopped dockerd unmounts its data root (it bind-mounts it onto itself);
    # a killed one leaves the mount, which would make rmtree fail with EBUSY.
    for point in _mounts_under(state):
        subprocess.run(["umount", "--lazy", point], capture_output=True)
    shutil.rmtree(state, ignore_errors=True)
    if state.exists():
        print(f"mkgen engine fixture: could not remove all of {state}")


# ---------------------------------------------------------------------------------------------
# The fixture


def _log_tail(log: Path) -> str:
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(lines[-LOG_TAIL_LINES:])


def _give_up(reason: str, state: Path | None) -> NoReturn:
    if not os.environ.get("CI"):
        pytest.skip(f"no Docker engine: {reason}")
    details = [reason]
    if state is not None:
        for log in ("dockerd.log", "registry.log"):
            tail = _log_tail(state / log)
            if tail:
                details.append(f"--- last lines of {log} ---\n{tail}")
    pytest.fail("\n".join(details), pytrace=False)


def _start_engine(state: Path, procs: list[subprocess.Popen[bytes]]) -> Engine:
    env = _client_env(state)
    procs.append(_start_dockerd(state))
    procs.append(_start_registry(state))
    _wait_until(lambda: _docker_answers(env), procs[0], "dockerd")
    _wait_until(_registry_answers, procs[1], "docker-registry")
    return Engine(env=env, busybox=BUSYBOX, state_dir=state)


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    """A real dockerd and registry on 127.0.0.1:5000 for the whole session."""
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
        except EngineUnavailable as exc:
            broken = str(exc)
        # Given up outside `except`, so the report has no "during handling of..." noise.
        if broken:
            _give_up(broken, state)
        yield started
    finally:
        # The registry first: it holds no state of dockerd's; dockerd may take longer.
        for proc in reversed(procs):
            _stop(proc)
        _remove_state(state)
