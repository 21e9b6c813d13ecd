"""`make <name>_bake` of mkgen's rendered example on a BuildKit fleet (two buildkitd nodes,
linux/amd64 and linux/arm64, as one buildx builder; fleet.py) and the session's registry.

What test_fleet.py proves for a hand-written bake file, proved here for the file and the
recipes `mkgen render` writes: each platform built on the node that has it (read from each
node's own build history), one index published only when every platform exists, every RUN
step of a fresh fleet served from the per-platform registry cache (BUILD_CACHE).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from test_fleet import counts_by_target, platforms_of, tags_of, unique

from fleet import DOCKER_CLIENT, PLATFORMS, Fleet, parse_progress

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import Engine

pytestmark = pytest.mark.engine

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hello"
# A build argument that fails the app stage on one platform (TARGETARCH), for the atomicity test.
FAILING = """\
  FAIL_ON:
    default: ""
    help: Fail the app stage on this architecture.
    build_arg: true
"""


@pytest.fixture
def hello(engine: Engine, tmp_path: Path) -> Path:
    root = tmp_path / "hello"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("busybox"))
    return root


def make(fleet: Fleet, root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(root / "docker"), f"DOCKER={DOCKER_CLIENT}",
         f"BUILDER={fleet.name}", f"REGISTRY={fleet.registry}", "BUSYBOX=/bin/busybox", *args],
        env=fleet.env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)


def builds_of(fleet: Fleet, greeting: str) -> dict[str, list[dict]]:
    """platform of each node -> its build records of the builds given GREETING=greeting."""
    return {node.platform: [r for r in node.records()
                            if r["FrontendAttrs"].get("build-arg:GREETING") == greeting]
            for node in fleet.nodes}


def test_release_bake_publishes_one_index_with_each_platform_from_its_node(
        engine: Engine, fleet: Fleet, hello: Path) -> None:
    tag, greeting = unique("bake"), unique("hi")
    made = make(fleet, hello, "release_bake", f"IMAGE_TAG={tag}", f"GREETING={greeting}")
    assert made.returncode == 0, made.stderr[-3000:]
    status, index = engine.registry_get(f"/v2/hello/manifests/{tag}")
    assert status == 200
    final = platforms_of(index)
    assert sorted(final) == sorted(PLATFORMS)
    for platform, records in builds_of(fleet, greeting).items():
        # One build on each node, of its own platform, pushed as the -<arch> image that the
        # index lists for that platform.
        (record,) = records
        assert record["FrontendAttrs"]["platform"] == platform
        _, own = engine.registry_get(f"/v2/hello/manifests/{tag}-{platform.split('/')[1]}")
        assert platforms_of(own) == {platform: final[platform]}


def with_a_failing_platform(root: Path) -> None:
    config = root / "stages.yaml"
    text = config.read_text().replace("variables:\n", "variables:\n" + FAILING, 1)
    text = text.replace("      CMD [\"/bin/hello\"]\n",
                        "      ARG TARGETARCH\n      RUN test \"$TARGETARCH\" != \"$FAIL_ON\"\n"
                        "      CMD [\"/bin/hello\"]\n", 1)
    text = text.replace("  app:\n    from: base\n", "  app:\n    from: base\n    args: [FAIL_ON]\n")
    config.write_text(text)
    subprocess.run([sys.executable, "-m", "mkgen", "render", "-c", str(config)], check=True,
                   capture_output=True)


def test_a_failing_platform_leaves_the_final_name_absent(
        engine: Engine, fleet: Fleet, hello: Path) -> None:
    with_a_failing_platform(hello)
    tag = unique("half")
    made = make(fleet, hello, "release_bake", f"IMAGE_TAG={tag}", "FAIL_ON=arm64")
    assert made.returncode != 0
    assert "imagetools" not in made.stdout  # make stopped before joining the platforms
    assert tag not in tags_of(engine, "hello")
    status, _ = engine.registry_get(f"/v2/hello/manifests/{tag}")
    assert status == 404
    # The same project with nothing failing publishes the name: the failure was the platform.
    made = make(fleet, hello, "release_bake", f"IMAGE_TAG={tag}")
    assert made.returncode == 0, made.stderr[-3000:]
    assert tag in tags_of(engine, "hello")


def test_a_fresh_fleet_gets_every_run_step_from_the_per_platform_cache(
        engine: Engine, new_fleet: Callable[[], Fleet], hello: Path) -> None:
    cache = f"{engine.registry}/cache/{unique('hello')}"
    greeting = unique("cached")  # both runs: the same build arguments, so the same cache keys
    counts = {}
    for run in ("cold", "warm"):
        made = make(new_fleet(), hello, "release_bake", f"IMAGE_TAG={unique(run)}",
                    f"GREETING={greeting}", f"BUILD_CACHE={cache}",
                    "BAKE_OPTS=--progress=rawjson")
        assert made.returncode == 0, made.stderr[-3000:]
        counts[run] = counts_by_target(parse_progress(made.stderr))
        print(f"{run} fleet: RUN steps (executed, cached) per target {counts[run]}")
    targets = {f"release-push-{p.split('/')[1]}" for p in PLATFORMS}
    assert set(counts["cold"]) == set(counts["warm"]) == targets
    for target in targets:
        executed, cached = counts["cold"][target]
        assert executed > 0 and cached == 0
        assert counts["warm"][target] == (0, executed)
    assert sorted(tags_of(engine, cache.split("/", 1)[1])) == ["app-linux-amd64",
                                                                 "app-linux-arm64"]


def test_a_stage_bake_pushes_its_image(engine: Engine, fleet: Fleet, hello: Path) -> None:
    tag = unique("app")
    made = make(fleet, hello, "app_bake", f"PUSH_IMAGE={engine.registry}/hello/app:{tag}")
    assert made.returncode == 0, made.stderr[-3000:]
    status, index = engine.registry_get(f"/v2/hello/app/manifests/{tag}")
    assert status == 200
    assert len(platforms_of(index)) == 1  # no platforms: the builder's first node's


def test_a_makefile_build_on_the_fleet_exports_its_platform_s_cache(
        engine: Engine, fleet: Fleet, hello: Path) -> None:
    cache = f"{engine.registry}/cache/{unique('build')}"
    made = make(fleet, hello, "greeting_build", "PLATFORM=linux/arm64", f"BUILD_CACHE={cache}")
    assert made.returncode == 0, made.stderr[-3000:]
    assert f"--cache-to 'type=registry,ref={cache}:greeting-linux-arm64,mode=max'" in made.stdout
    assert tags_of(engine, cache.split("/", 1)[1]) == ["greeting-linux-arm64"]
