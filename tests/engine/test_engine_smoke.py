"""Smoke tests for the `engine` fixture: BuildKit, run, registry push/pull, secrets, manifests.

They also pin down how Debian's 20.10 client behaves, which the rendered Makefile relies on.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Engine

pytestmark = pytest.mark.engine

# No `# syntax=` line: it would make BuildKit fetch a frontend image, which fails offline.
DOCKERFILE = """\
FROM scratch AS base
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]

FROM base AS app
ARG GREETING=hello
RUN echo "$GREETING from app" > /greeting
CMD ["cat", "/greeting"]

FROM base AS secret
RUN --mount=type=secret,id=tok { sha256sum /run/secrets/tok || echo absent; } > /tok.txt
CMD ["cat", "/tok.txt"]

FROM base AS broken
RUN false
"""

# dockerd runs with --bridge=none, so a RUN step on BuildKit's default network fails with
# "network bridge not found"; builds must ask for no network (or the host's).
BUILD = ("build", "--network=none", "--progress=plain")
RUN = ("run", "--rm", "--network=none")


@pytest.fixture(scope="module")
def context(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("smoke-context")
    (root / "Dockerfile").write_text(DOCKERFILE)
    shutil.copy2(engine.busybox, root / "busybox")
    return root


def build(engine: Engine, context: Path, *args: str) -> str:
    """Build and return the progress log (BuildKit writes it to stderr)."""
    done = engine.docker(*BUILD, *args, str(context))
    return done.stdout + done.stderr


def run(engine: Engine, image: str) -> str:
    return engine.docker(*RUN, image).stdout


@pytest.fixture(scope="module")
def app_image(engine: Engine, context: Path) -> str:
    tag = "mkgen-smoke/app:1"
    build(engine, context, "--target", "app", "--build-arg", "GREETING=hi", "-t", tag)
    return tag


def test_target_builds_only_its_stages_and_runs(engine: Engine, app_image: str) -> None:
    # The `broken` stage would fail the build: BuildKit skipped it because --target=app.
    assert run(engine, app_image) == "hi from app\n"


def test_identical_rebuild_is_reported_cached(
    engine: Engine, context: Path, app_image: str
) -> None:
    first_id = engine.docker("image", "inspect", "--format", "{{.Id}}", app_image).stdout
    log = build(engine, context, "--target", "app", "--build-arg", "GREETING=hi", "-t", app_image)

    steps = set(re.findall(r"^#(\d+) \[(?:base|app) ", log, re.MULTILINE))
    cached = set(re.findall(r"^#(\d+) CACHED$", log, re.MULTILINE))
    assert steps and steps <= cached, log
    assert engine.docker("image", "inspect", "--format", "{{.Id}}", app_image).stdout == first_id


def test_push_then_pull_back(engine: Engine, context: Path) -> None:
    remote = f"{engine.registry}/smoke:1"
    build(engine, context, "--target", "app", "--build-arg", "GREETING=pushed", "-t", remote)
    engine.docker("push", remote)
    status, listing = engine.registry_get("/v2/smoke/tags/list")
    assert status == 200 and "1" in listing["tags"]

    engine.docker("rmi", remote)
    assert engine.docker("image", "inspect", remote, check=False).returncode != 0
    engine.docker("pull", remote)
    assert run(engine, remote) == "pushed from app\n"


@pytest.mark.parametrize(
    ("secret_arg", "env_name"),
    [
        pytest.param("id=tok,env=MKGEN_SMOKE_TOK", "MKGEN_SMOKE_TOK", id="env"),
        pytest.param("id=tok,src={file}", None, id="src"),
        # With neither src nor env, the client reads the variable named like the id.
        pytest.param("id=tok", "tok", id="id-only"),
    ],
)
def test_secret_reaches_run_mount_but_not_image(
    engine: Engine, context: Path, tmp_path: Path, secret_arg: str, env_name: str | None
) -> None:
    value = "s3cret-value"
    secret_file = tmp_path / "tok"
    secret_file.write_text(value)
    extra_env = {env_name: value} if env_name else {}
    image = "mkgen-smoke/secret:1"
    # The secret is not part of BuildKit's cache key: without --no-cache a previous
    # parameter's layer (built with another value) would be reused.
    engine.docker(
        *BUILD, "--no-cache", "--target", "secret", "-t", image,
        "--secret", secret_arg.format(file=secret_file), str(context),
        extra_env=extra_env,
    )  # fmt: skip

    assert run(engine, image).split()[0] == hashlib.sha256(value.encode()).hexdigest()
    history = engine.docker("history", "--no-trunc", image).stdout
    assert value not in history + engine.docker("image", "inspect", image).stdout


@pytest.mark.parametrize("extra_env", [{}, {"MKGEN_SMOKE_TOK": ""}], ids=["unset", "empty"])
def test_secret_from_unset_or_empty_env_is_silently_absent(
    engine: Engine, context: Path, extra_env: dict[str, str]
) -> None:
    # The client does not complain: the RUN step just sees no /run/secrets/tok.
    image = "mkgen-smoke/secret:absent"
    engine.docker(
        *BUILD, "--no-cache", "--target", "secret", "-t", image,
        "--secret", "id=tok,env=MKGEN_SMOKE_TOK", str(context),
        extra_env=extra_env,
    )  # fmt: skip
    assert run(engine, image) == "absent\n"


def test_manifest_list_push_needs_insecure_on_create(engine: Engine, context: Path) -> None:
    repo = f"{engine.registry}/smoke-multi"
    for arch in ("amd64", "arm64"):
        greeting = f"GREETING={arch}"
        build(engine, context, "--target", "app", "--build-arg", greeting, "-t", f"{repo}:{arch}")
        engine.docker("push", f"{repo}:{arch}")
    sources = (f"{repo}:amd64", f"{repo}:arm64")

    # Without --insecure the client looks for the images over HTTPS: "no such manifest".
    assert engine.docker("manifest", "create", f"{repo}:1", *sources, check=False).returncode != 0
    engine.docker("manifest", "create", "--insecure", f"{repo}:1", *sources)
    engine.docker(
        "manifest", "annotate", "--os", "linux", "--arch", "arm64", f"{repo}:1", sources[1]
    )
    engine.docker("manifest", "push", "--insecure", "--purge", f"{repo}:1")

    status, index = engine.registry_get("/v2/smoke-multi/manifests/1")
    assert status == 200
    assert index["mediaType"] == "application/vnd.docker.distribution.manifest.list.v2+json"
    platforms = {(m["platform"]["os"], m["platform"]["architecture"]) for m in index["manifests"]}
    assert platforms == {("linux", "amd64"), ("linux", "arm64")}
    engine.docker("pull", f"{repo}:1")
    assert run(engine, f"{repo}:1") == "amd64 from app\n"
