"""Fleet figures (issue 11), measured in one run on a real BuildKit fleet:

    sudo python bench/bench_fleet.py             # prints a markdown table

1. A fresh fleet (empty local state) with a warm registry cache against one with a cold cache:
   `make release_bake` of examples/hello with BUILD_CACHE, wall clock and RUN steps executed.
2. Every stage of the example baked at once (`docker buildx bake` of its stage targets)
   against `make <stage>_build` of each stage in turn, each on a fresh fleet.

The example's steps take no time, so the copy measured here adds `RUN sleep 2` to its two
independent stages (greeting and banner), standing in for real work. It needs what the engine
tests need (root, docker-registry, buildkitd, buildctl, runc, the buildx plugin) and starts
and stops its own registry and fleets (tests/engine/fleet.py). Wall-clock figures are noisy on
a shared machine: they are printed, never checked.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "engine"))

import conftest  # noqa: E402  (tests/engine is no package)
from daemons import remove_state, stop  # noqa: E402
from fleet import (  # noqa: E402
    DOCKER_CLIENT,
    PLATFORMS,
    Fleet,
    fleet_prerequisite,
    parse_progress,
    run_counts,
    running_fleet,
)

EXAMPLE = REPO / "examples" / "hello"
STAGES = ("base", "greeting", "banner", "app", "vault")
WORK = "      RUN sleep 2\n"  # the stand-in for real work, in greeting and banner


def work_project(root: Path) -> Path:
    """A copy of examples/hello whose independent stages take 2 s each, rendered."""
    project = root / "hello"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("busybox"))
    config = project / "stages.yaml"
    text = config.read_text()
    for marker in ('      RUN echo "${GREETING}" > /greeting.txt\n',
                   '      RUN echo "*** mkgen example ***" > /banner.txt\n'):
        text = text.replace(marker, marker + WORK, 1)
    config.write_text(text)
    subprocess.run([sys.executable, "-m", "mkgen", "render", "-c", str(config)], check=True,
                   capture_output=True)
    shutil.copy("/bin/busybox", project / "busybox")
    return project


def make(fleet: Fleet, project: Path, *args: str) -> tuple[float, str]:
    """Seconds and stderr of `make ARGS` on the fleet's builder."""
    started = time.monotonic()
    proc = subprocess.run(
        ["make", "-s", "-C", str(project / "docker"), f"DOCKER={DOCKER_CLIENT}",
         f"BUILDER={fleet.name}", f"REGISTRY={fleet.registry}", *args],
        env=fleet.env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"make {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return time.monotonic() - started, proc.stderr


def counts_by_platform(stderr: str) -> dict[str, tuple[int, int]]:
    """{arch: (executed, cached)} RUN steps of `make release_bake`, from bake's rawjson
    progress, whose step names start with the bake target (release-push-<arch>)."""
    steps = parse_progress(stderr)
    return {arch: run_counts([s for s in steps if s.name.startswith(f"[release-push-{arch} ")])
            for arch in (p.split("/")[1] for p in PLATFORMS)}


def per_platform(counts: dict[str, tuple[int, int]], which: int) -> str:
    return ", ".join(f"{arch} {pair[which]}" for arch, pair in counts.items())


@contextlib.contextmanager
def registry(root: Path) -> Iterator[str]:
    procs: list[subprocess.Popen[bytes]] = []
    (root / "registry").mkdir()
    try:
        yield conftest._start_registry_on_a_free_port(root / "registry", procs)
    finally:
        for proc in procs:
            stop(proc)


def cache_rows(root: Path, address: str, env: dict[str, str], project: Path) -> list[str]:
    cache = f"{address}/cache/hello"
    runs = {}
    for run in ("cold", "warm"):
        with running_fleet(root / f"fleet-{run}", address, env) as fleet:
            seconds, stderr = make(fleet, project, "release_bake", f"IMAGE_TAG={run}",
                                   f"BUILD_CACHE={cache}", "BAKE_OPTS=--progress=rawjson")
        runs[run] = (seconds, counts_by_platform(stderr))
    (cold_s, cold), (warm_s, warm) = runs["cold"], runs["warm"]
    return [
        f"| fresh fleet, release_bake, cold registry cache | {cold_s:.2f} s | "
        f"RUN steps executed: {per_platform(cold, 0)} |",
        f"| fresh fleet, release_bake, warm registry cache | {warm_s:.2f} s | "
        f"RUN steps executed: {per_platform(warm, 0)}; from the cache: "
        f"{per_platform(warm, 1)} |",
        f"| cold / warm | {cold_s / warm_s:.1f} x | |",
    ]


def parallel_rows(root: Path, address: str, env: dict[str, str], project: Path) -> list[str]:
    with running_fleet(root / "fleet-sequential", address, env) as fleet:
        sequential = sum(make(fleet, project, f"{stage}_build")[0] for stage in STAGES)
    with running_fleet(root / "fleet-parallel", address, env) as fleet:
        started = time.monotonic()
        subprocess.run([DOCKER_CLIENT, "buildx", "bake", "--builder", fleet.name, "--file",
                        str(project / "docker" / "docker-bake.hcl"), *STAGES],
                       cwd=project, env=fleet.env, check=True,
                       capture_output=True)
        parallel = time.monotonic() - started
    return [
        f"| {len(STAGES)} stages, `make <stage>_build` in turn | {sequential:.2f} s | |",
        f"| {len(STAGES)} stages, one `docker buildx bake` | {parallel:.2f} s | |",
        f"| sequential / parallel | {sequential / parallel:.1f} x | |",
    ]


def main() -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DOCKER", "BUILDX"))}
    why = fleet_prerequisite(env)
    if why:
        print(f"bench_fleet: cannot run here: {why}", file=sys.stderr)
        return 2
    # Under /tmp and short, like the fixtures' (socket paths); removed as they remove theirs,
    # mounts a killed node left included.
    root = Path(tempfile.mkdtemp(prefix="mkgen-bench-fleet-", dir="/tmp"))
    try:
        with registry(root) as address:
            env["DOCKER_CONFIG"] = str(root / "docker-config")
            project = work_project(root)
            rows = cache_rows(root, address, env, project) + parallel_rows(root, address, env,
                                                                             project)
    finally:
        remove_state(root)
    print("| figure | measured | notes |\n|---|---:|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
