"""`make <name>_bake` and fleet builds of mkgen's RENDERED examples/hello, through GNU make.

test_fleet.py proves bake on a two-node fleet with a hand-written bake file; here the bake file,
the Dockerfile and the recipes are the ones `mkgen render` writes, driven by `make -C docker`
on the `fleet` (or `new_fleet`) builder, pushing to the session's registry. Every claim is read
back from the registry's HTTP API or from the nodes' own build history (each node's
`buildctl debug histories`), never from the image: both nodes run the host's x86_64 binaries.

The Makefile's default `$(DOCKER) buildx build` path against dockerd is proved by
test_fleet.py::test_the_example_makefile_builds_with_its_default_build_command.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from test_fleet import Gate, counts_by_target, platforms_of, tags_of, unique

from fleet import (
    DOCKER_CLIENT,
    PLATFORMS,
    Fleet,
    Node,
    again_after_registry_race,
    parse_progress,
    run_counts,
)

if TYPE_CHECKING:
    from conftest import Engine

pytestmark = pytest.mark.engine

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hello"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
BUILDKIT_CACHE_CONFIG = "application/vnd.buildkit.cacheconfig.v0"
# RUN steps of the app stage (what `release` builds), per platform: base 2, greeting 1, banner 1.
APP_RUN_STEPS = 4
MAKE_TIMEOUT_S = 600

# A step of the app stage that fails on the architecture FAIL_ON names, and only once
# FAIL_AFTER (a URL on loopback) answers: the test decides when the failure happens. The wait
# is bounded (60 s), so a gate that never opens fails the build anyway.
FAIL_STEP = """\
ARG TARGETARCH
RUN if [ "$TARGETARCH" = "$FAIL_ON" ]; then \\
      i=0; until wget -q -O /dev/null "$FAIL_AFTER" || [ $i -ge 600 ]; do \\
        i=$((i+1)); sleep 0.1; done; \\
      echo "failing on purpose for $TARGETARCH" >&2; exit 1; \\
    fi
"""


# ---------------------------------------------------------------------------------------------
# Helpers


def copy_example(root: Path) -> Path:
    """examples/hello under `root`, without a busybox of the developer's (make copies ours)."""
    project = root / "hello"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("busybox"))
    return project


def make(fleet: Fleet, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """GNU make on the project's rendered Makefile, on the fleet's builder and registry."""
    return again_after_registry_race(lambda: subprocess.run(
        ["make", "--no-print-directory", "-C", str(project / "docker"), f"DOCKER={DOCKER_CLIENT}",
         f"BUILDER={fleet.name}", f"REGISTRY={fleet.registry}", "BUSYBOX=/bin/busybox", *args],
        env=fleet.env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=MAKE_TIMEOUT_S,
    ))  # fmt: skip


def failure(made: subprocess.CompletedProcess[str]) -> str:
    """make's own words, for an assertion message."""
    return f"make exited {made.returncode}\n--- stdout ---\n{made.stdout[-3000:]}\n" \
           f"--- stderr ---\n{made.stderr[-3000:]}"


def records_with(node: Node, greeting: str) -> list[dict[str, Any]]:
    """The node's build records of the builds given GREETING=greeting (unique per test)."""
    return [r for r in node.records()
            if r["FrontendAttrs"].get("build-arg:GREETING") == greeting]


def node_counts(fleet: Fleet, greeting: str) -> dict[str, tuple[int, int]]:
    """{platform: (executed, cached)} RUN steps, from each node's own record of its build."""
    counts = {}
    for node in fleet.nodes:
        (record,) = records_with(node, greeting)
        counts[node.platform] = run_counts(node.progress(record["Ref"]))
    return counts


def platform_entries(index: Mapping[str, Any]) -> list[str]:
    """os/arch of every image manifest of an index, attestation manifests left out, in order:
    a platform listed twice shows twice (platforms_of would fold it)."""
    return [f"{m['platform']['os']}/{m['platform']['architecture']}" for m in index["manifests"]
            if m.get("annotations", {}).get("vnd.docker.reference.type")
            != "attestation-manifest"]


def arch(platform: str) -> str:
    return platform.split("/")[1]


def pushed_name(record: Mapping[str, Any]) -> str:
    """The image name a build record's one exporter pushed."""
    (exporter,) = record["Exporters"]
    return exporter["Attrs"]["name"]


# ---------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture
def hello(engine: Engine, tmp_path: Path) -> Path:
    """A copy of examples/hello as committed (rendered Makefile, Dockerfile, bake file)."""
    return copy_example(tmp_path)


def add_failing_step(project: Path) -> None:
    """Give the app stage FAIL_STEP (build arguments FAIL_ON, FAIL_AFTER), then render."""
    path = project / "stages.yaml"
    config = yaml.safe_load(path.read_text())
    for name, help_text in (("FAIL_ON", "Fail the app stage on this architecture."),
                            ("FAIL_AFTER", "URL the failing step waits for.")):
        config["variables"][name] = {"default": "", "help": help_text, "build_arg": True}
    app = config["stages"]["app"]
    app["args"] = [*app.get("args", []), "FAIL_ON", "FAIL_AFTER"]
    app["steps"] += FAIL_STEP
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    subprocess.run([sys.executable, "-m", "mkgen", "render", "-c", str(path)], check=True,
                   capture_output=True)


@pytest.fixture
def hello_failing(engine: Engine, tmp_path: Path) -> Path:
    """examples/hello whose app stage can be made to fail on one platform, re-rendered."""
    project = copy_example(tmp_path)
    add_failing_step(project)
    return project


# ---------------------------------------------------------------------------------------------
# a. make release_bake: one index, each platform from its own node


def test_release_bake_publishes_one_index_with_each_platform_built_on_its_node(
    engine: Engine, fleet: Fleet, hello: Path
) -> None:
    tag, greeting = unique("bake"), unique("hi")
    made = make(fleet, hello, "release_bake", f"IMAGE_TAG={tag}", f"GREETING={greeting}")
    assert made.returncode == 0, failure(made)
    repo = f"{engine.registry}/hello"
    # make joined the two per-platform images, after bake, with the command the design names,
    # on bake's builder.
    assert (f"buildx imagetools create --builder='{fleet.name}' --tag '{repo}:{tag}' "
            f"'{repo}:{tag}-amd64' '{repo}:{tag}-arm64'") in made.stdout

    status, index = engine.registry_get(f"/v2/hello/manifests/{tag}")
    assert status == 200 and index["mediaType"] == OCI_INDEX
    assert sorted(platform_entries(index)) == sorted(PLATFORMS)
    final = platforms_of(index)
    for node in fleet.nodes:
        # The node's own history: one build of this run, for its own platform, no error...
        (record,) = records_with(node, greeting)
        assert record["FrontendAttrs"]["platform"] == node.platform
        assert record["FrontendAttrs"]["target"] == "app"
        assert "error" not in record
        # ...pushed as <tag>-<arch>, whose one image is the one the final index lists...
        assert pushed_name(record) == f"{repo}:{tag}-{arch(node.platform)}"
        _, own = engine.registry_get(f"/v2/hello/manifests/{tag}-{arch(node.platform)}")
        assert platforms_of(own) == {node.platform: final[node.platform]}
        digest = record["Result"]["ResultDeprecated"]["digest"]
        assert engine.registry_get(f"/v2/hello/manifests/{digest}") == (200, own)
        # ...and it ran the app stage's RUN steps itself.
        assert run_counts(node.progress(record["Ref"]))[0] == APP_RUN_STEPS
    # Neither node ever built for the other node's platform (a build that names none, like
    # another module's stage bake, is for the node's own).
    for node in fleet.nodes:
        named = {r["FrontendAttrs"].get("platform") for r in node.records()} - {None}
        assert named <= {node.platform}


# ---------------------------------------------------------------------------------------------
# b. a failing platform: the final name stays absent


def test_a_platform_failing_after_the_other_was_pushed_leaves_the_final_name_absent(
    engine: Engine, fleet: Fleet, hello_failing: Path
) -> None:
    tag, greeting = unique("half"), unique("hi")
    amd64_pushed = f"/v2/hello/manifests/{tag}-amd64"
    common = (f"IMAGE_TAG={tag}", f"GREETING={greeting}",
              # The default network, the host's on these nodes: the failing step reaches the gate.
              "BUILD_NETWORK=")
    # arm64 fails only once amd64 is in the registry under <tag>-amd64: the worst case, one
    # platform published, reached every time rather than by timing.
    with Gate(lambda: engine.registry_get(amd64_pushed)[0] == 200) as gate:
        made = make(fleet, hello_failing, "release_bake", *common, "FAIL_ON=arm64",
                    f"FAIL_AFTER={gate.url}")

    assert made.returncode != 0, failure(made)
    assert "failing on purpose for arm64" in made.stderr
    # make stopped at bake's failure: it never ran the command that writes the final name.
    assert "imagetools" not in made.stdout
    (failed,) = records_with(fleet.node("linux/arm64"), greeting)
    assert "error" in failed
    (done,) = records_with(fleet.node("linux/amd64"), greeting)
    assert "error" not in done
    # amd64 was published under its own tag, arm64 never, the final name never.
    assert sorted(t for t in tags_of(engine, "hello") if t.startswith(tag)) == [f"{tag}-amd64"]
    assert engine.registry_get(f"/v2/hello/manifests/{tag}")[0] == 404

    # The same project and tag with nothing failing publishes the final name: what kept it
    # absent was the failing platform.
    made = make(fleet, hello_failing, "release_bake", *common)
    assert made.returncode == 0, failure(made)
    status, index = engine.registry_get(f"/v2/hello/manifests/{tag}")
    assert status == 200 and sorted(platform_entries(index)) == sorted(PLATFORMS)


# ---------------------------------------------------------------------------------------------
# c. the registry cache: a fresh fleet executes no RUN step on either platform


def test_a_fresh_fleet_serves_every_run_step_from_the_registry_cache_on_both_platforms(
    engine: Engine, new_fleet: Callable[[], Fleet], hello: Path
) -> None:
    cache = f"{engine.registry}/cache/{unique('hello')}"
    greeting = unique("cached")  # both runs: the same build arguments, so the same cache keys
    targets = {f"release-push-{arch(p)}" for p in PLATFORMS}
    by_target, by_node = {}, {}
    for run in ("cold", "warm"):
        fleet = new_fleet()  # empty local state: all it reuses comes from the registry
        made = make(fleet, hello, "release_bake", f"IMAGE_TAG={unique(run)}",
                    f"GREETING={greeting}", f"BUILD_CACHE={cache}",
                    "BAKE_OPTS=--progress=rawjson")
        assert made.returncode == 0, failure(made)
        by_target[run] = counts_by_target(parse_progress(made.stderr))
        by_node[run] = node_counts(fleet, greeting)
        print(f"{run} fleet: RUN steps (executed, cached) per bake target "
              f"{dict(sorted(by_target[run].items()))}, per node {by_node[run]}")

    assert by_target["cold"] == {t: (APP_RUN_STEPS, 0) for t in targets}
    assert by_node["cold"] == {p: (APP_RUN_STEPS, 0) for p in PLATFORMS}
    assert by_target["warm"] == {t: (0, APP_RUN_STEPS) for t in targets}
    assert by_node["warm"] == {p: (0, APP_RUN_STEPS) for p in PLATFORMS}
    # One cache per stage and platform, nothing else.
    assert sorted(tags_of(engine, cache.split("/", 1)[1])) == ["app-linux-amd64",
                                                                 "app-linux-arm64"]


# ---------------------------------------------------------------------------------------------
# d. make app_bake: a stage, no platforms


def test_a_stage_bake_pushes_push_image(
    engine: Engine, new_fleet: Callable[[], Fleet], hello: Path
) -> None:
    # A fleet of its own: a build that names no platform would otherwise sit in the session
    # fleet's history, where test_fleet.py checks that every build names its node's platform.
    fleet = new_fleet()
    tag, greeting = unique("app"), unique("hi")
    image = f"{engine.registry}/hello/app:{tag}"
    made = make(fleet, hello, "app_bake", f"PUSH_IMAGE={image}", f"GREETING={greeting}")
    assert made.returncode == 0, failure(made)
    assert made.stdout.rstrip().endswith("--push app-push")

    status, index = engine.registry_get(f"/v2/hello/app/manifests/{tag}")
    assert status == 200
    # No platforms: one build, on the builder's first node, of that node's platform.
    assert platform_entries(index) == ["linux/amd64"]
    (record,) = records_with(fleet.node("linux/amd64"), greeting)
    assert pushed_name(record) == image
    assert records_with(fleet.node("linux/arm64"), greeting) == []
    # It is the app stage built with this GREETING: the test's dockerd pulls and runs it.
    engine.docker("pull", image)
    ran = engine.docker("run", "--rm", "--network=none", image)
    assert ran.stdout == f"*** mkgen example ***\n{greeting}, world!\n"


# ---------------------------------------------------------------------------------------------
# f. a Makefile build on the fleet writes its platform's registry cache


def cache_config_media_types(manifest: Mapping[str, Any]) -> list[str]:
    """Media types of a registry cache manifest's config and entries (BuildKit writes an
    image index whose entries hold the layers and the cache config)."""
    entries = [manifest.get("config") or {}, *manifest.get("manifests", [])]
    return [e.get("mediaType", "") for e in entries]


def test_a_makefile_build_on_the_fleet_writes_its_platform_s_cache_ref(
    engine: Engine, fleet: Fleet, hello: Path
) -> None:
    cache = f"{engine.registry}/cache/{unique('build')}"
    greeting = unique("hi")
    made = make(fleet, hello, "app_build", "PLATFORM=linux/arm64", f"BUILD_CACHE={cache}",
                f"GREETING={greeting}")
    assert made.returncode == 0, failure(made)
    assert (f" --cache-from 'type=registry,ref={cache}:app-linux-arm64' "
            f"--cache-to 'type=registry,ref={cache}:app-linux-arm64,mode=max'") in made.stdout

    repo = cache.split("/", 1)[1]
    assert tags_of(engine, repo) == ["app-linux-arm64"]
    status, manifest = engine.registry_get(f"/v2/{repo}/manifests/app-linux-arm64")
    assert status == 200 and BUILDKIT_CACHE_CONFIG in cache_config_media_types(manifest)
    # Built where linux/arm64 lives, and only there.
    (record,) = records_with(fleet.node("linux/arm64"), greeting)
    assert record["FrontendAttrs"]["platform"] == "linux/arm64"
    assert records_with(fleet.node("linux/amd64"), greeting) == []
