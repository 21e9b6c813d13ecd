"""examples/hello end to end: its committed, rendered Makefile driven by GNU make against a
real dockerd and a real registry on a free loopback port. Every result is read back from the engine
(images, containers' output, history) or from the registry's HTTP API.

The client is Debian's 20.10 (BuildKit without buildx), hence DOCKER_BUILD="docker build".
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import stat
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Engine

pytestmark = pytest.mark.engine

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hello"
STAGES = ("base", "greeting", "banner", "app", "vault")
APP_OUTPUT = "*** mkgen example ***\nHello, world!\n"
NOBODY = 65534
MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json"
MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"


@dataclass(frozen=True)
class Project:
    """A copy of examples/hello that every user can read, and make on its docker/ Makefile."""

    root: Path
    engine: Engine

    def make(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        prefix: tuple[str, ...] = (),
        check: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        """GNU make on the rendered Makefile, stdin closed (no terminal), output captured.

        REGISTRY is the session's registry (its port is picked per session), unless given.
        """
        argv = [*prefix, "make", "--no-print-directory", "-C", str(self.root / "docker"),
                "DOCKER_BUILD=docker build", f"REGISTRY={self.engine.registry}",
                *args]
        started = time.monotonic()
        proc = subprocess.run(argv, env={**self.engine.env, **(env or {})},
                              stdin=subprocess.DEVNULL, capture_output=True, text=True)
        # Durations are reported, never asserted.
        print(f"[{time.monotonic() - started:5.1f} s] make {' '.join(args)}")
        if check and proc.returncode != 0:
            pytest.fail(f"make {' '.join(args)} failed ({proc.returncode})\n"
                        f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}")
        return proc

    def run(self, image: str, *cmd: str) -> str:
        return self.engine.docker("run", "--rm", "--network=none", image, *cmd).stdout

    def image_id(self, image: str) -> str:
        return self.engine.docker("image", "inspect", "--format", "{{.Id}}", image).stdout.strip()

    def has_image(self, image: str) -> bool:
        return self.engine.docker("image", "inspect", image, check=False).returncode == 0


@pytest.fixture(scope="module")
def project(engine: Engine) -> Iterator[Project]:
    # Not under pytest's tmp dir: /tmp/pytest-of-root is 0700, and the LOCAL_USER test runs
    # make as `nobody`, who must read the Makefile and the build context.
    root = Path(tempfile.mkdtemp(prefix="mkgen-example-", dir="/tmp")) / "hello"
    try:
        shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("busybox"))
        root.parent.chmod(0o755)
        proj = Project(root=root, engine=engine)
        # The example's own snippet target copies busybox-static into the build context.
        proj.make("busybox", f"BUSYBOX={engine.busybox}")
        yield proj
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)


@pytest.fixture(scope="module")
def built(project: Project) -> subprocess.CompletedProcess[str]:
    """Every stage's and the release family's build, once for the module."""
    return project.make(*(f"{s}_build" for s in STAGES), "release_build")


def plain_build_log(proc: subprocess.CompletedProcess[str]) -> str:
    # BuildKit writes its progress to stderr.
    return proc.stdout + proc.stderr


# ---- build -----------------------------------------------------------------------------


def test_every_stage_build_makes_a_real_image(project: Project, built: object) -> None:
    for stage in STAGES:
        assert project.has_image(f"hello/{stage}:latest"), stage
    assert project.has_image(f"{project.engine.registry}/hello:latest")
    # Each image holds what its stage made: busybox, the fan-out's files, their join.
    assert project.run("hello/base:latest", "busybox", "echo", "ok") == "ok\n"
    assert project.run("hello/greeting:latest", "cat", "/greeting.txt") == "Hello\n"
    assert project.run("hello/banner:latest", "cat", "/banner.txt") == "*** mkgen example ***\n"
    assert project.run("hello/app:latest") == APP_OUTPUT
    assert project.run("hello/vault:latest") == "absent\n"


def test_the_build_argument_changes_the_image(project: Project, built: object) -> None:
    project.make("app_build", "GREETING=Bonjour", "IMAGE_TAG=bonjour")
    assert project.run("hello/app:bonjour") == "*** mkgen example ***\nBonjour, world!\n"
    assert project.image_id("hello/app:bonjour") != project.image_id("hello/app:latest")
    # Layers: base 3, then banner, greeting, hello.sh. The base and the banner branch do not
    # depend on GREETING and are shared; the greeting's layer differs. (The hello.sh layer
    # on top of it differs too on this engine, so it is not asserted either way.)
    fmt = "--format={{json .RootFS.Layers}}"
    old, new = (json.loads(project.engine.docker("image", "inspect", fmt, image).stdout)
                for image in ("hello/app:latest", "hello/app:bonjour"))
    assert len(old) == len(new) == 6
    assert old[:4] == new[:4] and old[4] != new[4]


def test_a_second_identical_build_is_a_cache_hit(project: Project, built: object) -> None:
    before = project.image_id("hello/app:latest")
    log = plain_build_log(project.make("app_build", "DOCKER_PROGRESS=plain"))
    steps = set(re.findall(r"^#(\d+) \[(?:base|banner|greeting|app) ", log, re.MULTILINE))
    cached = set(re.findall(r"^#(\d+) CACHED$", log, re.MULTILINE))
    # base 3 steps, greeting 1, banner 1, app 3: all eight came from the cache.
    assert len(steps) == 8 and steps <= cached, log
    assert project.image_id("hello/app:latest") == before


# ---- push, pull, run -------------------------------------------------------------------


def test_push_lands_in_the_registry_and_pull_brings_it_back(project: Project) -> None:
    image = f"{project.engine.registry}/hello/app:e2e"
    pushed = project.make("app_push", f"IMAGE_WITH_TAG={image}")
    status, listing = project.engine.registry_get("/v2/hello/app/tags/list")
    assert status == 200 and "e2e" in listing["tags"]
    digest = re.search(r"e2e: digest: (sha256:[0-9a-f]{64})", pushed.stdout)
    assert digest and registry_digest(project.engine, "hello/app", "e2e") == digest[1]

    project.engine.docker("rmi", image)
    assert not project.has_image(image)
    project.make("app_pull", f"IMAGE_WITH_TAG={image}")
    assert project.run(image) == APP_OUTPUT


def test_run_without_a_terminal_prints_the_command_output(project: Project,
                                                          built: object) -> None:
    ran = project.make(
        "app_run", "RUN_CMD=sh -c 'test -t 0 || echo no terminal; pwd; cat stages.yaml | wc -l'"
    )
    # No -it without a terminal; the example folder is mounted at the working directory.
    lines = len((project.root / "stages.yaml").read_text().splitlines())
    assert ran.stdout.splitlines()[-3:] == ["no terminal", "/code/hello", str(lines)]
    assert " -it" not in ran.stdout


def test_default_command_of_the_final_image(project: Project, built: object) -> None:
    ran = project.make("app_run")
    assert ran.stdout.endswith(APP_OUTPUT)


def test_docker_pull_1_pulls_before_running(project: Project, built: object) -> None:
    image = f"{project.engine.registry}/hello/app:pull"
    project.make("app_push", f"IMAGE_WITH_TAG={image}", "GREETING=Fresh")
    # A stale local image under the same name: only a pull replaces it.
    project.make("app_build", f"IMAGE_WITH_TAG={image}", "GREETING=Stale")
    assert project.make("app_run", f"IMAGE_WITH_TAG={image}").stdout.endswith("Stale, world!\n")

    ran = project.make("app_run", f"IMAGE_WITH_TAG={image}", "DOCKER_PULL=1")
    assert f"docker pull '{image}'" in ran.stdout
    assert ran.stdout.endswith("Fresh, world!\n")


# ---- LOCAL_USER=1 ----------------------------------------------------------------------


@pytest.fixture
def socket_for_everyone(engine: Engine) -> Iterator[None]:
    """Let a non-root caller reach this test engine's socket, for one test only."""
    sock = Path(engine.env["DOCKER_HOST"].removeprefix("unix://"))
    saved = [(p, stat.S_IMODE(p.stat().st_mode)) for p in (sock.parent, sock)]
    sock.parent.chmod(saved[0][1] | 0o001)
    sock.chmod(0o666)
    try:
        yield
    finally:
        for path, mode in saved:
            path.chmod(mode)


def test_local_user_runs_as_the_calling_user(project: Project, built: object,
                                             socket_for_everyone: None) -> None:
    import grp
    import pwd

    home = Path(tempfile.mkdtemp(prefix="mkgen-nobody-", dir="/tmp"))
    try:
        (home / ".cache").mkdir()
        (home / ".cache" / "marker").write_text("shared cache\n")
        (home / ".docker").mkdir()
        for path in (home, home / ".cache", home / ".cache" / "marker", home / ".docker"):
            os.chown(path, NOBODY, NOBODY)
        as_nobody = ("setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups")
        ran = project.make(
            "app_run", "LOCAL_USER=1",
            "RUN_CMD=sh -c 'id -u; id -g; echo $$HOME; id -un; id -gn; cat $$HOME/.cache/marker'",
            env={"HOME": str(home), "DOCKER_CONFIG": str(home / ".docker")}, prefix=as_nobody,
        )  # fmt: skip
    finally:
        shutil.rmtree(home, ignore_errors=True)
    user, group = pwd.getpwuid(NOBODY).pw_name, grp.getgrgid(NOBODY).gr_name
    assert ran.stdout.splitlines()[-6:] == [
        str(NOBODY), str(NOBODY), f"/home/{user}", user, group, "shared cache",
    ]
    assert project.has_image(f"hello/app:latest-{user}")


# ---- secrets ---------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["environment", "command line"])
def test_secret_reaches_the_build_but_not_the_image_or_the_output(project: Project,
                                                                  where: str) -> None:
    value = f"s3cret-{where.replace(' ', '-')}-{os.getpid()}"
    given = {"env": {"EXAMPLE_TOKEN": value}} if where == "environment" else {}
    args = [] if where == "environment" else [f"EXAMPLE_TOKEN={value}"]
    image = f"hello/vault:{where.replace(' ', '-')}"
    # A secret is no part of BuildKit's cache key: --no-cache, or an old layer is reused.
    made = project.make("vault_build", f"IMAGE_WITH_TAG={image}", "DOCKER_BUILD_ARGS=--no-cache",
                        "DOCKER_PROGRESS=plain", *args, **given)  # type: ignore[arg-type]

    assert project.run(image).split()[0] == hashlib.sha256(value.encode()).hexdigest()
    assert "--secret id=EXAMPLE_TOKEN,env=EXAMPLE_TOKEN" in made.stdout
    history = project.engine.docker("history", "--no-trunc", image).stdout
    inspect = project.engine.docker("image", "inspect", image).stdout
    for text in (history, inspect, made.stdout, made.stderr):
        assert value not in text


# ---- multi-arch manifest ---------------------------------------------------------------


def registry_digest(engine: Engine, name: str, reference: str) -> str:
    """The digest the registry serves for a single-arch manifest (Docker-Content-Digest)."""
    request = urllib.request.Request(f"http://{engine.registry}/v2/{name}/manifests/{reference}",
                                     headers={"Accept": MANIFEST_V2}, method="HEAD")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers["Docker-Content-Digest"]


def test_manifest_joins_the_per_arch_images_only_when_all_are_pushed(
    project: Project, built: object
) -> None:
    # Both images are built for this machine; the manifest recipe sets their platforms.
    for arch in ("amd64", "arm64"):
        project.make("release_push", f"IMAGE_TAG=1.0-{arch}", f"GREETING={arch}")
    digests = {arch: registry_digest(project.engine, "hello", f"1.0-{arch}")
               for arch in ("amd64", "arm64")}
    assert project.engine.registry_get("/v2/hello/manifests/1.0")[0] == 404

    project.make("release_manifest", "IMAGE_TAG=1.0", "MANIFEST_OPTS=--insecure")
    status, index = project.engine.registry_get("/v2/hello/manifests/1.0")
    assert status == 200 and index["mediaType"] == MANIFEST_LIST
    entries = {m["platform"]["architecture"]: (m["platform"]["os"], m["digest"])
               for m in index["manifests"]}
    assert entries == {arch: ("linux", digest) for arch, digest in digests.items()}

    # The engine picks its own architecture's image out of the list.
    native = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine())
    if native:
        ran = project.make("release_run", "IMAGE_TAG=1.0", "DOCKER_PULL=1")
        assert ran.stdout.endswith(f"{native}, world!\n")


def test_manifest_with_a_missing_arch_pushes_nothing(project: Project, built: object) -> None:
    project.make("release_push", "IMAGE_TAG=2.0-amd64")
    failed = project.make("release_manifest", "IMAGE_TAG=2.0",
                          "MANIFEST_OPTS=--insecure", check=False)
    assert failed.returncode != 0
    assert "manifest push" not in failed.stdout
    assert project.engine.registry_get("/v2/hello/manifests/2.0")[0] == 404


def test_local_user_with_an_sssd_name_and_a_group_with_a_blank(project: Project, built: object,
                                                                tmp_path: Path) -> None:
    """SSSD/AD callers: `id` says alice@corp.example.com in "domain users"; the local-user
    image gets a valid tag and the container knows the user and group by those names."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "id").write_text("#!/bin/sh\necho 'uid=1234567(alice@corp.example.com) "
                             "gid=1234513(domain users) groups=1234513(domain users)'\n")
    (fake / "id").chmod(0o755)
    env = {"PATH": f"{fake}:{project.engine.env['PATH']}"}
    ran = project.make("app_run", "LOCAL_USER=1", f"HOME_DIR={tmp_path}/nohome",
                       "RUN_CMD=sh -c 'id -u; id -un; id -gn; echo $$HOME'", env=env)
    assert ran.stdout.splitlines()[-4:] == [
        "1234567", "alice@corp.example.com", "domain users", "/home/alice@corp.example.com"]
    assert project.has_image("hello/app:latest-alice-corp.example.com")
