"""Start, wait for and stop the daemons of tests/engine (dockerd, registry, buildkitd).

Shared by conftest.py (the engine) and fleet.py (the BuildKit nodes). Every daemon runs in its
own session with all its state under a temp dir, and is stopped by the pid it was started with.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

READY_TIMEOUT_S = 30.0
# dockerd waits up to 15 s for running containers on SIGTERM; give it a little more.
STOP_TIMEOUT_S = 20.0
LOG_TAIL_LINES = 25


class Unavailable(Exception):
    """A daemon cannot run here; fixtures turn this into a skip, or a failure under CI."""


def free_port(host: str) -> int:
    """A TCP port nothing listens on right now (the kernel's pick), for a daemon to bind next.

    Another process may take it before the daemon binds it; callers that care retry on a
    daemon that exits while starting.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """Runs in the child: if pytest is killed outright, the kernel sends it SIGTERM."""
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def spawn(argv: list[str], log: Path) -> subprocess.Popen[bytes]:
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


def wait_until(ready: Callable[[], bool], proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise Unavailable(f"{what} exited with status {proc.returncode} while starting")
        if ready():
            # Answered, but maybe by someone else on the same address: still ours?
            if proc.poll() is not None:
                raise Unavailable(f"{what} exited with status {proc.returncode} while starting")
            return
        time.sleep(0.1)
    raise Unavailable(f"{what} did not become ready within {READY_TIMEOUT_S:.0f} s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        # Its own process group: the daemon plus what it spawned (containerd, runc).
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _mounts_under(root: Path) -> list[str]:
    prefix = f"{root}/"
    with open("/proc/self/mounts") as mounts:
        points = [line.split()[1] for line in mounts]
    return sorted((p for p in points if p.startswith(prefix)), key=len, reverse=True)


def remove_state(state: Path) -> None:
    # A cleanly stopped dockerd unmounts its data root (it bind-mounts it onto itself);
    # a killed one leaves the mount, which would make rmtree fail with EBUSY.
    for point in _mounts_under(state):
        subprocess.run(["umount", "--lazy", point], capture_output=True)
    shutil.rmtree(state, ignore_errors=True)
    if state.exists():
        print(f"mkgen engine fixtures: could not remove all of {state}")


def log_tail(log: Path) -> str:
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(lines[-LOG_TAIL_LINES:])


class CommandError(subprocess.CalledProcessError):
    """A failed command whose message carries its output, so the test report shows why."""

    def __str__(self) -> str:
        return f"{super().__str__()}\n--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"
