"""What BuildKit does with stage references and build arguments, pinned on the real engine
(mkgen's stage order and its warnings rest on it), and a Dockerfile adopted by `mkgen init
--from` that builds the same through the rendered Makefile as with `docker build` itself.

The engine is Debian's dockerd 20.10. A current BuildKit (checked by hand with a standalone
buildkitd) agrees on every case; it refuses the forward references with "needs to be defined
before" where 20.10 copies from a stage not built yet: both fail the build.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Engine

pytestmark = pytest.mark.engine

BASE = """\
FROM scratch AS base
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
"""


@pytest.fixture(scope="module")
def context(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("stage-refs")
    shutil.copy2(engine.busybox, root / "busybox")
    (root / "x").write_text("x\n")
    return root


def build(engine: Engine, context: Path, text: str, *args: str) -> subprocess.CompletedProcess:
    (context / "Dockerfile").write_text(text)
    return engine.docker("build", "--network=none", "--progress=plain", *args, str(context),
                         check=False)


@pytest.mark.parametrize("text, builds", [
    # COPY --from finds a stage in any case, and by the number of a stage above ...
    ("FROM scratch AS Files\nCOPY x /x\nFROM scratch AS app\nCOPY --from=FILES /x /y\n"
     "COPY --from=0 /x /z\n", True),
    # ... but not one declared below it,
    ("FROM scratch AS app\nCOPY --from=files /x /y\nFROM scratch AS files\nCOPY x /x\n", False),
    ("FROM scratch AS app\nCOPY --from=1 /x /y\nFROM scratch AS files\nCOPY x /x\n", False),
    # and FROM finds a stage only by its exact, lower-case name (`Files` is an image).
    ("FROM scratch AS Files\nCOPY x /x\nFROM files AS app\n", True),
    ("FROM scratch AS Files\nCOPY x /x\nFROM Files AS app\n", False),
    # A mount's from= takes no stage number: `1` is an image.
    (BASE + "FROM scratch AS files\nCOPY x /x\nFROM base AS app\n"
     "RUN --mount=type=bind,from=1,target=/m cat /m/x\n", False),
    (BASE + "FROM scratch AS files\nCOPY x /x\nFROM base AS app\n"
     "RUN --mount=type=bind,from=FILES,target=/m cat /m/x\n", True),
])
def test_stage_references(engine: Engine, context: Path, text: str, builds: bool) -> None:
    done = build(engine, context, text, "--target", "app")
    assert (done.returncode == 0) == builds, done.stderr[-2000:]


def test_a_stage_sees_the_args_and_env_of_the_stage_it_is_built_from(
        engine: Engine, context: Path) -> None:
    text = BASE + ("ARG V=from-parent\nENV E=env-parent\nFROM base AS child\n"
                   'RUN echo "V=$V E=$E" > /seen\nFROM scratch AS out\n'
                   "COPY --from=child /seen /seen\n")
    done = build(engine, context, text, "--target", "out", "--output",
                 f"type=local,dest={context / 'out'}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert (context / "out" / "seen").read_text() == "V=from-parent E=env-parent\n"


# An adopted project: ARG defaults computed from other ARGs, global ARGs named like mkgen's
# built-ins, a stage reading what its parent declared, an automatic platform argument, a
# secret, a stage copied from by number, and an unnamed last stage. No heredocs: the test
# engine's built-in frontend predates them.
ADOPTED = """\
ARG GREETING=hello
ARG WHO=world
ARG MESSAGE="${GREETING}, ${WHO}"
ARG USER_ID=1234
ARG IMAGE_TAG=adopted

FROM scratch AS Base
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
ARG MESSAGE
ENV MESSAGE_ENV=${MESSAGE}

# The message, built on the build platform.
FROM --platform=$BUILDPLATFORM base AS build
ARG USER_ID
ARG TARGETARCH
RUN --mount=type=secret,id=token \\
    mkdir -p /out && echo "$MESSAGE|$MESSAGE_ENV|uid=$USER_ID|arch=$TARGETARCH" > /out/msg \\
    && echo "token=$(cat /run/secrets/token 2>/dev/null || echo none)" >> /out/msg

FROM base
ARG IMAGE_TAG
COPY --from=build /out/msg /msg
COPY --from=0 /bin/busybox /busybox-copy
RUN echo "tag=${IMAGE_TAG}" >> /msg && test -x /busybox-copy
CMD ["cat", "/msg"]
"""


@pytest.fixture(scope="module")
def adopted(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project after `mkgen init --from Dockerfile` and the next step it prints."""
    root = tmp_path_factory.mktemp("adopted")
    shutil.copy2(engine.busybox, root / "busybox")
    (root / "Dockerfile").write_text(ADOPTED)
    (root / "token").write_text("s3cret")
    init = subprocess.run(["mkgen", "init", "--from", "Dockerfile"], cwd=root, check=True,
                          capture_output=True, text=True)
    assert init.stdout == ("wrote stages.yaml\n"
                           "next: mv Dockerfile Dockerfile.orig && mkgen render\n")
    subprocess.run(init.stdout.splitlines()[1][len("next: "):], shell=True, cwd=root,
                   check=True, capture_output=True)
    return root


def original_output(engine: Engine, root: Path, *build_args: str) -> str:
    tag = f"original:{len(build_args)}"
    engine.docker("build", "--network=none", "-t", tag, "-f", str(root / "Dockerfile.orig"),
                  "--secret", f"id=token,src={root / 'token'}",
                  *(a for arg in build_args for a in ("--build-arg", arg)), str(root))
    return engine.docker("run", "--rm", "--network=none", tag).stdout


def adopted_output(engine: Engine, root: Path, *assignments: str) -> str:
    done = subprocess.run(
        ["make", "--no-print-directory", "-C", str(root), "stage2_build",
         "DOCKER_BUILD=docker build", "DOCKER_BUILD_OPTS=--network=none",
         "IMAGE_NAME=adopted", f"TOKEN={(root / 'token').read_text()}", *assignments],
        env=engine.env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    tag = "adopted/stage2:latest"
    return engine.docker("run", "--rm", "--network=none", tag).stdout


@pytest.mark.parametrize("assignments", [(), ("GREETING=hi", "USER_ID=99")])
def test_the_adopted_project_builds_what_the_dockerfile_built(
        engine: Engine, adopted: Path, assignments: tuple[str, ...]) -> None:
    expected = original_output(engine, adopted, *assignments)
    message = "hi, world" if assignments else "hello, world"
    assert expected.startswith(f"{message}|{message}|uid={99 if assignments else 1234}|arch=")
    assert expected.endswith("token=s3cret\ntag=adopted\n")
    assert adopted_output(engine, adopted, *assignments) == expected
