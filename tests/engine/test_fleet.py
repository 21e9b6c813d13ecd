"""Bake on a BuildKit fleet: the recipes mkgen's `<stage>_bake` / `<family>_bake` will render.

A small project (FROM scratch + busybox, three stages) with a hand-written
`docker/docker-bake.hcl` in the shape mkgen should render (docs/fleet.md), baked on two
buildkitd nodes (linux/amd64, linux/arm64) joined as one remote-driver builder (fleet.py), and
pushed to the session's registry. Every claim is read back from the registry's HTTP API or from
the nodes' own build history, never from the image: there is no emulation here, so both nodes
run the host's x86_64 binaries.
"""

from __future__ import annotations

import http.server
import json
import re
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from fleet import PLATFORMS, Fleet, Node, Step, parse_progress, run_counts

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import Engine

pytestmark = pytest.mark.engine

# No `# syntax=` line: it would make BuildKit fetch a frontend image, which fails offline.
DOCKERFILE = """\
FROM scratch AS base
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
ARG SEED=0
RUN mkdir -p /etc /tmp && chmod 1777 /tmp && echo "$SEED" > /etc/seed

FROM base AS greeting
ARG GREETING=Hello
ARG TARGETARCH
RUN echo "$GREETING from $TARGETARCH" > /greeting.txt

FROM base AS app
ARG TARGETARCH
ARG WORK=0
ARG FAIL_ON=
ARG FAIL_AFTER=
COPY --from=greeting /greeting.txt /greeting.txt
RUN sleep "$WORK" && echo "$TARGETARCH" > /arch.txt
# Fails for one platform on purpose, once FAIL_AFTER (a URL) answers: see test_a_failing_...
RUN if [ "$TARGETARCH" = "$FAIL_ON" ]; then \\
      i=0; until wget -q -O /dev/null "$FAIL_AFTER" || [ $i -ge 600 ]; do \\
        i=$((i+1)); sleep 0.1; done; \\
      echo "failing on purpose for $TARGETARCH" >&2; exit 1; \\
    fi
CMD ["cat", "/greeting.txt"]
"""
# RUN steps of the app stage, per platform: base 2, greeting 1, app 2.
APP_RUN_STEPS = 5

# The shape mkgen should render beside the Makefile (docs/fleet.md). Variables are the
# Makefile's: make passes them through the environment. Paths are relative to where bake runs,
# the build context root (MKGEN_CONTEXT).
BAKE_HCL = """\
variable "IMAGE_NAME" { default = "fleet" }
variable "IMAGE_TAG" { default = "latest" }
variable "REGISTRY" { default = "localhost:5000" }
# Registry repository of the build cache; empty: no registry cache.
variable "BUILD_CACHE" { default = "" }
variable "GREETING" { default = "Hello" }
variable "SEED" { default = "" }
variable "WORK" { default = "" }
variable "FAIL_ON" { default = "" }
variable "FAIL_AFTER" { default = "" }
# Network of RUN steps (none, host, default); empty: the builder's default. The HCL is the only
# way to set it: `--set <target>.network=...` is ignored (docs/fleet.md).
variable "BUILD_NETWORK" { default = "" }

# linux/arm64 -> arm64, linux/arm/v7 -> arm-v7: the suffix of per-platform image tags.
function "arch" {
  params = [platform]
  result = replace(trimprefix(platform, "linux/"), "/", "-")
}
# One cache per stage and platform (buildx issue #1044): <stage>-<os>-<arch>[-<variant>].
function "cache_ref" {
  params = [stage, platform]
  result = "${BUILD_CACHE}:${stage}-${replace(platform, "/", "-")}"
}
function "cache_from" {
  params = [stage, platform]
  result = BUILD_CACHE == "" ? [] : ["type=registry,ref=${cache_ref(stage, platform)}"]
}
function "cache_to" {
  params = [stage, platform]
  result = BUILD_CACHE == "" ? [] : ["type=registry,ref=${cache_ref(stage, platform)},mode=max"]
}

# What every build shares; build arguments are passed only when non-empty (null drops them).
target "_common" {
  context = "."
  dockerfile = "docker/Dockerfile.multi"
  network = BUILD_NETWORK == "" ? null : BUILD_NETWORK
  args = {
    GREETING = GREETING == "" ? null : GREETING
    SEED = SEED == "" ? null : SEED
    WORK = WORK == "" ? null : WORK
    FAIL_ON = FAIL_ON == "" ? null : FAIL_ON
    FAIL_AFTER = FAIL_AFTER == "" ? null : FAIL_AFTER
  }
}

# ---- stage app
target "app" {
  inherits = ["_common"]
  target = "app"
  tags = ["${REGISTRY}/${IMAGE_NAME}/app:${IMAGE_TAG}"]
}

# ---- family release (stage app), platforms linux/amd64 and linux/arm64
# One target, both platforms: bake pushes each platform by digest from its node and the
# index under the tag once all are there. No per-platform cache possible (issue #1044).
target "release" {
  inherits = ["_common"]
  target = "app"
  platforms = ["linux/amd64", "linux/arm64"]
  tags = ["${REGISTRY}/${IMAGE_NAME}:${IMAGE_TAG}"]
}

# One target per platform (release-amd64, release-arm64), each with its own cache; pushed as
# IMAGE_WITH_TAG-<arch>, then joined by `docker buildx imagetools create` (make release_bake).
target "release-platforms" {
  name = "release-${arch(platform)}"
  matrix = { platform = ["linux/amd64", "linux/arm64"] }
  inherits = ["_common"]
  target = "app"
  platforms = [platform]
  tags = ["${REGISTRY}/${IMAGE_NAME}:${IMAGE_TAG}-${arch(platform)}"]
  cache-from = cache_from("app", platform)
  cache-to = cache_to("app", platform)
}
"""

OCI_INDEX = "application/vnd.oci.image.index.v1+json"


# ---------------------------------------------------------------------------------------------
# Helpers


@dataclass(frozen=True)
class Baked:
    proc: subprocess.CompletedProcess[str]
    seconds: float

    @property
    def steps(self) -> list[Step]:
        return parse_progress(self.proc.stderr)


def bake(fleet: Fleet, project: Path, *args: str, check: bool = True,
         **variables: str) -> Baked:
    """bake with rawjson progress, run from the build context root, variables in the env.

    The bake file's absolute path, as make would give it ($(MKGEN_DIR)/docker-bake.hcl).
    """
    started = time.monotonic()
    proc = fleet.bake("--file", str(project / "docker" / "docker-bake.hcl"), "--progress=rawjson",
                      *args, cwd=project, env=variables, check=check)
    return Baked(proc, time.monotonic() - started)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def platforms_of(index: Mapping[str, Any]) -> dict[str, str]:
    """platform -> manifest digest of an index, without the attestation manifests."""
    return {
        f"{m['platform']['os']}/{m['platform']['architecture']}": m["digest"]
        for m in index["manifests"]
        if m.get("annotations", {}).get("vnd.docker.reference.type") != "attestation-manifest"
    }


def tags_of(engine: Engine, repo: str) -> list[str]:
    """The repository's tags; none when the registry knows no tag of it (404, NAME_UNKNOWN)."""
    status, listing = engine.registry_get(f"/v2/{repo}/tags/list")
    return list((listing or {}).get("tags") or []) if status == 200 else []


def records_with(node: Node, seed: str) -> list[dict[str, Any]]:
    """The node's build records of the builds given SEED=seed."""
    return [r for r in node.records() if r["FrontendAttrs"].get("build-arg:SEED") == seed]


def counts_by_target(steps: list[Step]) -> dict[str, tuple[int, int]]:
    """{bake target: (executed, cached)} RUN steps, from bake's rawjson (names '[target ...')."""
    targets = {m[1] for s in steps if (m := re.match(r"\[([\w.-]+) ", s.name)) and s.is_run}
    return {t: run_counts([s for s in steps if s.name.startswith(f"[{t} ")]) for t in targets}


class Gate:
    """An HTTP URL on loopback that answers 503 until it is open, then 200: until `open()`,
    or, given `ready`, while `ready()` is false.

    A build step on a node (host network) waits for it, so the test decides when it goes on
    (`ready` may read the registry: the step goes on once the registry holds an image).
    """

    def __init__(self, ready: Callable[[], bool] | None = None) -> None:
        self.opened = threading.Event()
        is_open = ready or self.opened.is_set

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the http.server API)
                self.send_response(200 if is_open() else 503)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/go"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Gate:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def open(self) -> None:
        self.opened.set()


# ---------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def project(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build context root: busybox, docker/Dockerfile.multi, docker/docker-bake.hcl."""
    root = tmp_path_factory.mktemp("fleet-project")
    (root / "docker").mkdir()
    (root / "docker" / "Dockerfile.multi").write_text(DOCKERFILE)
    (root / "docker" / "docker-bake.hcl").write_text(BAKE_HCL.replace(
        'variable "REGISTRY" { default = "localhost:5000" }',
        f'variable "REGISTRY" {{ default = "{engine.registry}" }}'))
    shutil.copy2(engine.busybox, root / "busybox")
    return root


@dataclass(frozen=True)
class Published:
    tag: str
    seed: str
    baked: Baked


@pytest.fixture(scope="module")
def published(fleet: Fleet, project: Path) -> Published:
    """`bake --push release` once: both platforms, one index under fleet:<tag>."""
    tag, seed = unique("pub"), unique("seed")
    baked = bake(fleet, project, "--push", "release", IMAGE_TAG=tag, SEED=seed)
    print(f"[{baked.seconds:5.1f} s] bake --push release (2 platforms, 2 nodes)")
    return Published(tag, seed, baked)


# ---------------------------------------------------------------------------------------------
# a. one index with both platforms


def test_bake_push_publishes_one_index_with_both_platforms(
    engine: Engine, published: Published
) -> None:
    status, index = engine.registry_get(f"/v2/fleet/manifests/{published.tag}")
    assert status == 200 and index["mediaType"] == OCI_INDEX
    assert set(platforms_of(index)) == set(PLATFORMS)
    # Under the tag there is that index and nothing else was tagged on the way.
    assert tags_of(engine, "fleet").count(published.tag) == 1

    # The test's dockerd (20.10) pulls it and picks its own platform out of the index.
    image = f"{engine.registry}/fleet:{published.tag}"
    engine.docker("pull", image)
    assert engine.docker("run", "--rm", "--network=none", image).stdout == "Hello from amd64\n"


# ---------------------------------------------------------------------------------------------
# b. each platform on its own node


def test_each_platform_is_built_on_the_node_that_has_it(
    engine: Engine, fleet: Fleet, published: Published
) -> None:
    _, index = engine.registry_get(f"/v2/fleet/manifests/{published.tag}")
    final = platforms_of(index)
    for node in fleet.nodes:
        # The node's own build history: one build of this bake, for its platform only...
        (record,) = records_with(node, published.seed)
        assert record["FrontendAttrs"]["platform"] == node.platform
        assert "error" not in record
        # ...which it pushed by digest (an index of its one platform), never under the tag...
        (exporter,) = record["Exporters"]
        assert exporter["Attrs"]["push-by-digest"] == "true"
        pushed = record["Result"]["ResultDeprecated"]["digest"]
        status, own = engine.registry_get(f"/v2/fleet/manifests/{pushed}")
        assert status == 200 and platforms_of(own) == {node.platform: final[node.platform]}
        # ...and the steps it ran are that platform's.
        arch = node.platform.split("/")[1]
        ran = [s.name for s in node.progress(record["Ref"]) if s.is_run]
        assert len(ran) == APP_RUN_STEPS
        assert any(f"from {arch}" in name for name in ran), ran
    # Nothing in either node's history is for the other node's platform.
    for node in fleet.nodes:
        assert {r["FrontendAttrs"].get("platform") for r in node.records()} <= {node.platform}


# ---------------------------------------------------------------------------------------------
# c. one platform failing: no tag


def bake_failing_on_arm64(fleet: Fleet, project: Path, target: str, tag: str,
                          seed: str) -> tuple[Baked, dict[str, Any]]:
    """Bake `target` with a step that fails on linux/arm64 only, and only once the amd64 node
    has finished its build (pushed included): the worst case, one platform fully published.
    Returns the bake and the amd64 node's record of its build."""
    amd64 = fleet.node("linux/amd64")
    with Gate() as gate:
        variables = {"IMAGE_TAG": tag, "SEED": seed, "FAIL_ON": "arm64", "FAIL_AFTER": gate.url}
        started = time.monotonic()
        proc = subprocess.Popen(
            ["/usr/bin/docker", "buildx", "bake", "--builder", fleet.name,
             "--file", "docker/docker-bake.hcl", "--progress=rawjson", "--push", target],
            cwd=project, env={**fleet.env, **variables}, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        done: dict[str, Any] | None = None
        deadline = time.monotonic() + 120
        while proc.poll() is None and done is None and time.monotonic() < deadline:
            finished = [r for r in records_with(amd64, seed) if r.get("CompletedAt")]
            done = finished[0] if finished else None
            time.sleep(0.1)
        gate.open()
        stdout, stderr = proc.communicate(timeout=120)
    baked = Baked(subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr),
                  time.monotonic() - started)
    assert done is not None, f"the amd64 node never finished its build:\n{stderr[-3000:]}"
    return baked, done


@pytest.mark.parametrize("target", ["release", "release-platforms"])
def test_a_failing_platform_leaves_the_tag_absent(
    engine: Engine, fleet: Fleet, project: Path, target: str
) -> None:
    tag, seed = unique("half"), unique("seed")
    baked, amd64_record = bake_failing_on_arm64(fleet, project, target, tag, seed)

    assert baked.proc.returncode != 0
    assert "failing on purpose for arm64" in baked.proc.stderr
    # The amd64 platform was built and pushed before arm64 failed...
    assert "error" not in amd64_record
    (arm64_record,) = records_with(fleet.node("linux/arm64"), seed)
    assert "error" in arm64_record
    # ...and yet nothing is under the final name.
    assert engine.registry_get(f"/v2/fleet/manifests/{tag}")[0] == 404
    tags = tags_of(engine, "fleet")
    assert tag not in tags

    pushed = amd64_record["Result"]["ResultDeprecated"]["digest"]
    assert engine.registry_get(f"/v2/fleet/manifests/{pushed}")[0] == 200
    exporter = amd64_record["Exporters"][0]["Attrs"]
    if target == "release":
        # bake's own index: each node pushes by digest only, untagged; the index is pushed
        # by the client after every node succeeded, so here it never is.
        assert exporter["push-by-digest"] == "true"
        assert not [t for t in tags if t.startswith(tag)]
    else:
        # One target per platform: amd64 pushed its own tag, as designed; `make release_bake`
        # stops on bake's failure before `imagetools create` writes the final tag.
        assert "push-by-digest" not in exporter
        assert [t for t in tags if t.startswith(tag)] == [f"{tag}-amd64"]


def test_per_platform_targets_joined_by_imagetools_create(
    engine: Engine, fleet: Fleet, project: Path
) -> None:
    """The `<family>_bake` recipe: bake the per-platform targets, then one index."""
    tag, seed = unique("join"), unique("seed")
    baked = bake(fleet, project, "--push", "release-platforms", IMAGE_TAG=tag, SEED=seed)
    repo = f"{engine.registry}/fleet"
    # imagetools talks to the registry itself: no builder needed (the current one is the
    # default docker driver here).
    created = fleet.docker("buildx", "imagetools", "create",
                           "--tag", f"{repo}:{tag}", f"{repo}:{tag}-amd64", f"{repo}:{tag}-arm64")
    print(f"[{baked.seconds:5.1f} s] bake --push release-platforms; imagetools create")
    assert created.returncode == 0

    status, index = engine.registry_get(f"/v2/fleet/manifests/{tag}")
    assert status == 200 and index["mediaType"] == OCI_INDEX
    joined = platforms_of(index)
    for platform in PLATFORMS:
        arch = platform.split("/")[1]
        _, own = engine.registry_get(f"/v2/fleet/manifests/{tag}-{arch}")
        assert platforms_of(own) == {platform: joined[platform]}
        (record,) = records_with(fleet.node(platform), seed)
        assert record["FrontendAttrs"]["platform"] == platform
    # The attestations travel along (one per platform).
    assert len(index["manifests"]) == 2 * len(PLATFORMS)


# make reads the per-platform digests from bake's metadata file with sed, not a JSON parser.
DIGESTS_SED = r's/.*"containerimage\.digest": *"\(sha256:[0-9a-f]\{64\}\)".*/\1/p'


def test_per_platform_targets_pushed_by_digest_then_joined(
    engine: Engine, fleet: Fleet, project: Path
) -> None:
    """The variant that tags nothing but the final index: push by digest, then join digests."""
    tag, seed = unique("digest"), unique("seed")
    repo = f"{engine.registry}/fleet"
    metadata = project / f"{tag}.json"
    bake(fleet, project, "--metadata-file", str(metadata),
         "--set", "release-*.tags=",
         "--set", f"release-*.output=type=image,name={repo},push-by-digest=true,"
                  "name-canonical=true,push=true",
         "release-platforms", IMAGE_TAG=tag, SEED=seed)  # fmt: skip
    digests = subprocess.run(["sed", "-n", DIGESTS_SED, str(metadata)], capture_output=True,
                             text=True, check=True).stdout.split()
    assert len(digests) == len(PLATFORMS)
    assert not [t for t in tags_of(engine, "fleet") if t.startswith(tag)]

    fleet.docker("buildx", "imagetools", "create", "--tag", f"{repo}:{tag}",
                 *(f"{repo}@{digest}" for digest in digests))
    status, index = engine.registry_get(f"/v2/fleet/manifests/{tag}")
    assert status == 200 and set(platforms_of(index)) == set(PLATFORMS)
    assert [t for t in tags_of(engine, "fleet") if t.startswith(tag)] == [tag]
    for platform in PLATFORMS:
        (record,) = records_with(fleet.node(platform), seed)
        assert record["Exporters"][0]["Attrs"]["push-by-digest"] == "true"
        assert record["Result"]["ResultDeprecated"]["digest"] in digests


# ---------------------------------------------------------------------------------------------
# d. registry cache, one per stage and platform


def node_counts(fleet: Fleet, seed: str) -> dict[str, tuple[int, int]]:
    """{platform: (executed, cached)} RUN steps, from each node's own record of the build."""
    counts = {}
    for node in fleet.nodes:
        (record,) = records_with(node, seed)
        counts[node.platform] = run_counts(node.progress(record["Ref"]))
    return counts


def test_per_platform_cache_serves_every_run_step_to_a_new_fleet(
    engine: Engine, new_fleet: Callable[[], Fleet], project: Path
) -> None:
    # WORK=2: a RUN step that takes 2 s when it really runs, to show what the cache saves.
    cache = f"{engine.registry}/cache/{unique('fleet')}"
    variables = {"BUILD_CACHE": cache, "SEED": unique("seed"), "WORK": "2"}
    per_target = {f"release-{p.split('/')[1]}": p for p in PLATFORMS}

    tags = {"cold": unique("cold"), "warm": unique("warm")}
    cold_fleet = new_fleet()
    cold = bake(cold_fleet, project, "--push", "release-platforms",
                IMAGE_TAG=tags["cold"], **variables)
    warm_fleet = new_fleet()  # Empty local state: everything it reuses comes from the registry.
    warm = bake(warm_fleet, project, "--push", "release-platforms",
                IMAGE_TAG=tags["warm"], **variables)

    for name, baked, built_by in (("cold", cold, cold_fleet), ("warm", warm, warm_fleet)):
        print(f"[{baked.seconds:5.1f} s] {name}: RUN steps (executed, cached) per target "
              f"{dict(sorted(counts_by_target(baked.steps).items()))}, per node "
              f"{node_counts(built_by, variables['SEED'])}")
    assert counts_by_target(cold.steps) == {t: (APP_RUN_STEPS, 0) for t in per_target}
    assert counts_by_target(warm.steps) == {t: (0, APP_RUN_STEPS) for t in per_target}
    # The nodes agree: each built its own platform, entirely from the registry cache.
    assert node_counts(warm_fleet, variables["SEED"]) == {
        p: (0, APP_RUN_STEPS) for p in PLATFORMS
    }
    # One cache per stage and platform...
    repo = cache.split("/", 1)[1]
    assert sorted(tags_of(engine, repo)) == [
        "app-linux-amd64", "app-linux-arm64",
    ]
    # ...and the warm images are made of the cold images' layers.
    for platform in PLATFORMS:
        arch = platform.split("/")[1]
        layers = []
        for tag in tags.values():
            _, index = engine.registry_get(f"/v2/fleet/manifests/{tag}-{arch}")
            digest = platforms_of(index)[platform]
            _, manifest = engine.registry_get(f"/v2/fleet/manifests/{digest}")
            layers.append([layer["digest"] for layer in manifest["layers"]])
        assert layers[0] == layers[1]


def test_one_shared_cache_ref_keeps_one_platform_only(
    engine: Engine, fleet: Fleet, new_fleet: Callable[[], Fleet], project: Path
) -> None:
    """buildx issue #1044: with one cache-to ref for a multi-node, multi-platform build, every
    node exports its own platform's cache to that ref and the last one wins."""
    ref = f"{engine.registry}/cache/{unique('shared')}:app"
    shared = ["--set", f"release.cache-to=type=registry,ref={ref},mode=max",
              "--set", f"release.cache-from=type=registry,ref={ref}"]
    seed = unique("seed")
    bake(fleet, project, "--push", *shared, "release", IMAGE_TAG=unique("shared"), SEED=seed)
    warm_fleet = new_fleet()
    bake(warm_fleet, project, "--push", *shared, "release", IMAGE_TAG=unique("shared"), SEED=seed)

    counts = node_counts(warm_fleet, seed)
    print(f"one shared cache ref, new fleet: RUN steps (executed, cached) per node {counts}")
    assert sorted(counts.values()) == [(0, APP_RUN_STEPS), (APP_RUN_STEPS, 0)]


# ---------------------------------------------------------------------------------------------
# e. what `bake --print` says: the build a target stands for, as JSON


def test_bake_print_shows_each_target_as_json(buildx: Engine, project: Path) -> None:
    printed = buildx.docker(
        "buildx", "bake", "--file", "docker/docker-bake.hcl", "--print",
        "app", "release", "release-platforms",
        cwd=project,
        extra_env={"IMAGE_TAG": "1.0", "GREETING": "Bonjour", "SEED": "", "WORK": "1",
                   "BUILD_CACHE": f"{buildx.registry}/cache/hello", "BUILD_NETWORK": "none"},
    )  # fmt: skip
    common = {
        "context": ".",
        "dockerfile": "docker/Dockerfile.multi",
        # Empty variables (SEED) are no build argument at all; values are strings.
        "args": {"GREETING": "Bonjour", "WORK": "1"},
    }
    reg = buildx.registry

    def per_platform(arch: str) -> dict[str, Any]:
        ref = {"ref": f"{reg}/cache/hello:app-linux-{arch}", "type": "registry"}
        return {
            **common,
            "tags": [f"{reg}/fleet:1.0-{arch}"],
            # Cache entries come back parsed: objects, not type=...,ref=... strings.
            "cache-from": [ref],
            "cache-to": [{"mode": "max", **ref}],
            "target": "app",
            "platforms": [f"linux/{arch}"],
            "network": "none",
        }

    assert json.loads(printed.stdout) == {
        "group": {
            "default": {"targets": ["app", "release", "release-platforms"]},
            "release-platforms": {"targets": ["release-amd64", "release-arm64"]},
        },
        "target": {
            "app": {**common, "tags": [f"{reg}/fleet/app:1.0"], "target": "app",
                    "network": "none"},
            "release": {**common, "tags": [f"{reg}/fleet:1.0"], "target": "app",
                        "platforms": ["linux/amd64", "linux/arm64"], "network": "none"},
            "release-amd64": per_platform("amd64"),
            "release-arm64": per_platform("arm64"),
        },
    }
    # Its progress (loading the definitions) goes to stderr, never into the JSON.
    assert "load local bake definitions" in printed.stderr


# ---------------------------------------------------------------------------------------------
# f. the default `docker` driver: the rendered Makefile's default `$(DOCKER) buildx build`


def without_buildkit_variable(engine: Engine) -> dict[str, str]:
    return {k: v for k, v in engine.env.items() if k != "DOCKER_BUILDKIT"}


def test_docker_driver_builds_into_the_engine_with_network_none(
    buildx: Engine, project: Path
) -> None:
    env = without_buildkit_variable(buildx)
    build = ["/usr/bin/docker", "buildx", "build", "--progress=plain",
             "--file", "docker/Dockerfile.multi", "--target", "app"]
    driver = buildx.docker("buildx", "inspect").stdout
    assert re.search(r"^Driver:\s+docker$", driver, re.MULTILINE), driver

    # The daemon runs with --bridge=none: RUN steps on the default network cannot start.
    failed = subprocess.run([*build, "--tag", "buildx/app:bridge", "."], cwd=project, env=env,
                            capture_output=True, text=True)
    assert failed.returncode != 0 and "network bridge not found" in failed.stderr

    # With --network=none the image lands in the engine; --load changes nothing here (the
    # docker driver always loads), and DOCKER_BUILDKIT is not needed.
    for tag, extra in (("plain", []), ("load", ["--load"])):
        subprocess.run([*build, "--network=none", *extra, "--tag", f"buildx/app:{tag}", "."],
                       cwd=project, env=env, check=True, capture_output=True)
        ran = buildx.docker("run", "--rm", "--network=none", f"buildx/app:{tag}")
        assert ran.stdout == "Hello from amd64\n"


def test_docker_driver_bakes_with_the_network_from_the_bake_file(
    buildx: Engine, project: Path
) -> None:
    """`bake` on the default builder: the bake file's network (a variable) is what counts."""
    bake_app = ["buildx", "bake", "--file", "docker/docker-bake.hcl", "--progress=plain",
                "--load", "app"]
    env = {"IMAGE_TAG": "docker-driver"}
    ignored = buildx.docker(*bake_app, "--set", "app.network=none", cwd=project, check=False,
                            extra_env=env)
    assert ignored.returncode != 0 and "network bridge not found" in ignored.stderr

    buildx.docker(*bake_app, cwd=project, extra_env={**env, "BUILD_NETWORK": "none"})
    image = f"{buildx.registry}/fleet/app:docker-driver"
    assert buildx.docker("run", "--rm", "--network=none", image).stdout == "Hello from amd64\n"


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hello"


def test_the_example_makefile_builds_with_its_default_build_command(
    buildx: Engine, tmp_path: Path
) -> None:
    """examples/hello's Makefile as users run it: DOCKER_BUILD left at `$(DOCKER) buildx build`."""
    root = tmp_path / "hello"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("busybox"))
    make = ["make", "--no-print-directory", "-C", str(root / "docker"),
            f"REGISTRY={buildx.registry}", "IMAGE_TAG=buildx"]
    env = without_buildkit_variable(buildx)
    built = subprocess.run([*make, f"BUSYBOX={buildx.busybox}", "app_build"], env=env,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    assert "docker buildx build --network 'none'" in built.stdout
    ran = subprocess.run([*make, "app_run"], env=env, stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, check=True)
    assert ran.stdout.endswith("*** mkgen example ***\nHello, world!\n")
