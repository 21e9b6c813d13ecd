"""mkgen init: a starter that renders, and adoption of existing Dockerfiles (`--from`) on a plain
install, checked by rendering them again and comparing through BuildKit's own parser
(tests/adopt/roundtrip.py); tests/adopt/test_round_trip.py does the same for the corpus."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mkgen import stamp
from mkgen.api import load_config
from mkgen.render import render_all
from tests.adopt.roundtrip import AS_CASE, NAME_CASE, UNNAMED_STAGE, adopt, differences
from tests.support import REPO, invoke

ADOPT = REPO / "tests" / "adopt"
DOCKERFILES = {
    "flagship": (REPO / "docker" / "Dockerfile.multi").read_text(),
    "go-builder": """\
# syntax=docker/dockerfile:1
ARG GO_VERSION=1.22
ARG APP_VERSION

FROM golang:${GO_VERSION}-alpine as Build
ARG APP_VERSION
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN CGO_ENABLED=0 go build -ldflags "-X main.version=${APP_VERSION}" -o /out/app ./cmd/app

FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/app /app
USER nonroot:nonroot
ENTRYPOINT ["/app"]
""",
    "python-three-stages": """\
ARG PYTHON=3.12
ARG BASE=deps

FROM python:${PYTHON}-slim AS deps
    RUN pip install --no-cache-dir uv
    COPY requirements.txt /tmp/
    RUN uv pip install --system -r /tmp/requirements.txt

# Tests run on the dependencies image.
FROM ${BASE} AS test
COPY . /src
RUN python -m pytest /src/tests

FROM deps AS runtime
ENV PYTHONUNBUFFERED=1 \\
    APP_HOME=/app
# a comment inside a stage
WORKDIR $APP_HOME
COPY --from=test /src/app ./app
ARG LATE=1
LABEL late=${LATE}
CMD ["python", "-m", "app"]
""",
}


def init_from(folder: Path, name: str, text: str, *extra: str) -> tuple[int, str, str]:
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return invoke("init", "-c", str(folder / "stages.yaml"), "--from", str(folder / name),
                  *extra)


@pytest.mark.parametrize("name, expected", [
    ("flagship", set()), ("go-builder", {AS_CASE, NAME_CASE, UNNAMED_STAGE}),
    ("python-three-stages", set())])
def test_adopted_dockerfiles_render_the_same_instructions(name: str,
                                                          expected: set[str]) -> None:
    assert differences(DOCKERFILES[name], adopt(DOCKERFILES[name]).rendered) == expected


def test_the_adopted_flagship_is_byte_identical_and_renders_in_place(tmp_path: Path) -> None:
    config = tmp_path / "stages.yaml"
    assert init_from(tmp_path, "docker/Dockerfile.multi", DOCKERFILES["flagship"]) == (
        0, f"wrote {config}\nnext: mkgen render -c {config}\n", "")
    rendered = {o.name: o.text for o in render_all(load_config(config))}["Dockerfile.multi"]
    assert stamp.unstamped(rendered) == stamp.unstamped(DOCKERFILES["flagship"])
    assert stamp.parse(rendered) and stamp.parse(DOCKERFILES["flagship"])


def test_adoption_maps_from_args_syntax_help_and_stage_args(tmp_path: Path) -> None:
    text = adopt(DOCKERFILES["python-three-stages"]).stages_yaml
    assert '  test:\n    from: "deps"\n    from_arg: BASE\n' \
           '    help: "Tests run on the dependencies image."\n' in text
    assert "  BASE:\n    build_arg: true\n" in text  # its default is the stage, from `from`
    assert '    steps: |2\n          RUN pip install --no-cache-dir uv\n' in text
    text = adopt(DOCKERFILES["go-builder"]).stages_yaml
    assert '  syntax: "docker/dockerfile:1"\n' in text
    assert '  build:\n    from: "golang:${GO_VERSION}-alpine"\n    args: [APP_VERSION]\n' in text
    assert '  stage1:\n    from: "gcr.io/distroless/static:nonroot"\n' in text


def test_the_comments_above_the_first_from_stay_in_stages_yaml() -> None:
    text = adopt("# syntax=docker/dockerfile:1\n"
                 "# Copyright 2025 Example Corp.\n#\n# Licensed under Apache-2.0.\n\n"
                 "# The Go toolchain.\nARG GO_VERSION=1.22\n"
                 "ARG BASE=golang:${GO_VERSION} \\\n# inside the ARG: BuildKit drops it\n"
                 "  OTHER=1\n\n# The builder.\nFROM ${BASE} AS build\n# a step's comment\n"
                 "RUN go version\n").stages_yaml
    # Kept in order, but the directive, the helps and a comment inside an instruction.
    assert "Dockerfile:\n# Copyright 2025 Example Corp.\n#\n# Licensed under Apache-2.0.\n" \
           "\nproject:\n" in text and "\n# The comments at the top of " in text
    assert text.count("toolchain") == text.count("The builder.") == 1  # as helps
    assert "inside the ARG" not in text and text.count("syntax=") == 0
    assert "# a step's comment" in text  # steps keep theirs, as before


def test_init_works_without_buildkits_parser_installed(tmp_path: Path) -> None:
    """The `dockerfile` package is a test extra only (no wheel for every platform): mkgen
    init, with and without --from, must not import it."""
    (tmp_path / "Dockerfile").write_text((ADOPT / "cases" / "buildx-like-cli.Dockerfile")
                                         .read_text())
    blocked = ("import sys; sys.modules['dockerfile'] = None; from mkgen.cli import main; "
               "sys.argv[0] = 'mkgen'; main()")
    for args in (["init", "-c", "starter.yaml"], ["init", "--from", "Dockerfile"],
                 ["render"], ["check"]):
        if args[0] == "render":
            (tmp_path / "Dockerfile").rename(tmp_path / "Dockerfile.orig")
        done = subprocess.run([sys.executable, "-c", blocked, *args], cwd=tmp_path,
                              capture_output=True, text=True, env={**os.environ, "CI": ""})
        assert (done.returncode, done.stderr) == (0, ""), args


def test_a_dockerfile_beside_a_hand_written_makefile_renders_into_its_own_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Item 14: at a project root with a Makefile of its own, the next step must not be one
    that replaces it; the rendered files go to docker/ and the Dockerfile stays."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Makefile").write_text("all:\n\techo mine\n")
    dockerfile = DOCKERFILES["go-builder"]
    (tmp_path / "Dockerfile").write_text(dockerfile)
    assert invoke("init", "--from", "Dockerfile") == (
        0, "wrote stages.yaml\nnext: mkgen render\n", "")
    text = (tmp_path / "stages.yaml").read_text()
    assert '  output: "docker"\n  context: ".."\n  dockerfile: "Dockerfile"\n' in text
    assert invoke("render")[0] == 0
    assert (tmp_path / "Makefile").read_text() == "all:\n\techo mine\n"
    assert (tmp_path / "Dockerfile").read_text() == dockerfile
    assert sorted(p.name for p in (tmp_path / "docker").iterdir()) == [
        "Dockerfile", "Dockerfile.user", "Makefile", "docker-bake.hcl"]


def test_the_next_step_keeps_the_adopted_dockerfile(tmp_path: Path) -> None:
    """The render replaces the adopted Dockerfile, which mkgen did not write: the next step
    moves it aside first (to a name that is free), and the files then check fresh."""
    (tmp_path / "Dockerfile.orig").write_text("an older one\n")
    dockerfile = (ADOPT / "cases" / "sglang-heredoc-runtime.Dockerfile").read_text()
    (tmp_path / "Dockerfile").write_text(dockerfile)
    done = subprocess.run(["mkgen", "init", "--from", "Dockerfile"], cwd=tmp_path,
                          capture_output=True, text=True, check=True)
    assert done.stdout == ("wrote stages.yaml\n"
                           "next: mv Dockerfile Dockerfile.orig1 && mkgen render\n")
    subprocess.run(done.stdout.splitlines()[1][len("next: "):], shell=True, cwd=tmp_path,
                   check=True, capture_output=True)
    assert (tmp_path / "Dockerfile.orig1").read_text() == dockerfile
    assert (tmp_path / "Dockerfile.orig").read_text() == "an older one\n"
    assert differences(dockerfile, (tmp_path / "Dockerfile").read_text()) == set()
    subprocess.run(["mkgen", "check"], cwd=tmp_path, check=True, capture_output=True)


def test_findings_are_warnings_located_in_the_dockerfile(tmp_path: Path) -> None:
    """Item 13: lint findings do not stop adoption; each names the Dockerfile's line."""
    text = (ADOPT / "cases" / "lint-findings-credentials.Dockerfile").read_text()
    code, out, err = init_from(tmp_path, "Dockerfile", text)
    source = tmp_path / "Dockerfile"
    assert (code, out.splitlines()[0]) == (0, f"wrote {tmp_path / 'stages.yaml'}")
    assert err.splitlines() == [
        f"{source}:6:1: warning: variables.GITHUB_TOKEN: looks like a credential but is a "
        "build argument (hint: build arguments stay in the image history; declare it 'secret: "
        "true' and mount it (RUN --mount=type=secret) instead)",
        f"{source}:7:1: warning: variables.AWS_SECRET_ACCESS_KEY: looks like a credential but "
        "is a build argument (hint: build arguments stay in the image history; declare it "
        "'secret: true' and mount it (RUN --mount=type=secret) instead)",
        f"{source}:19:1: warning: stages.build.steps: uses ${{VERSION}} but does not declare "
        "it (hint: add VERSION to this stage's 'args': a stage sees a global ARG only once it "
        "declares it)"]


def test_a_check_directive_that_skips_the_secrets_check_skips_the_warning(
        tmp_path: Path) -> None:
    text = (ADOPT / "cases" / "caddy-plugins-check-directive.Dockerfile").read_text()
    assert init_from(tmp_path, "Dockerfile", text)[::2] == (0, "")
    assert adopt(text.replace("skip=SecretsUsedInArgOrEnv;", "")).warnings


@pytest.mark.parametrize("path", sorted((ADOPT / "rejected").glob("*.Dockerfile")),
                         ids=lambda p: p.stem)
def test_what_buildkit_refuses_is_refused_with_its_line(tmp_path: Path, path: Path) -> None:
    from mkgen.dockerfile_parser import DockerfileSyntaxError, parse

    with pytest.raises(DockerfileSyntaxError) as info:
        parse(path.read_text())
    code, out, err = init_from(tmp_path, "Dockerfile", path.read_text())
    assert (code, out) == (2, "")
    assert err == (f"mkgen: {tmp_path / 'Dockerfile'}:{info.value.line}: BuildKit refuses this "
                   f"Dockerfile: {info.value.message}; fix that line (docker build stops there "
                   "too), then run mkgen init again.\n")
    assert not (tmp_path / "stages.yaml").exists()


@pytest.mark.parametrize("text, problem", [
    ("FROM --platform=linux/arm64 --chmod=1 debian:12 AS a\n",
     "1: FROM --chmod=1: stages.yaml gives a FROM only --platform; drop that flag, then run "
     "mkgen init again."),
    ("FROM debian:12 AS a\nFROM alpine AS A\n",
     "2: the stage name 'a' is taken by the stage on line 1 (BuildKit finds only this later "
     "one); rename one of them, then run mkgen init again."),
    ("FROM tools AS app\nFROM debian:12 AS tools\n",
     "1: FROM tools names the stage 'tools' declared below it: BuildKit reads it as an image "
     "there, stages.yaml would read the stage; rename that stage (or the image), then run "
     "mkgen init again."),
    ("ARG my-arg=1\nFROM debian:12\n",
     "1: ARG my-arg: a build argument make can pass needs a name of letters, digits and '_'; "
     "rename it in the Dockerfile, then run mkgen init again."),
    ("ARG A=1\n", "1: no FROM instruction, so no stage to build; adopt a Dockerfile with at "
     "least one FROM, then run mkgen init again."),
])
def test_what_stages_yaml_cannot_say_is_refused_with_the_line(tmp_path: Path, text: str,
                                                               problem: str) -> None:
    code, out, err = init_from(tmp_path, "Dockerfile", text)
    assert (code, out, err) == (2, "", f"mkgen: {tmp_path / 'Dockerfile'}:{problem}\n")
    assert not (tmp_path / "stages.yaml").exists()


def test_what_the_validator_refuses_is_located_in_the_dockerfile(tmp_path: Path) -> None:
    # BuildKit's FROM finds a stage only by its lower-case name: `FROM Builder` is an image.
    text = "FROM debian:12 AS Builder\nRUN make\n\nFROM Builder AS test\nRUN make test\n"
    code, out, err = init_from(tmp_path, "Dockerfile", text)
    source = tmp_path / "Dockerfile"
    assert (code, out) == (2, "")
    assert err == (f"mkgen: {source} cannot be adopted as it is; nothing was written:\n"
                   f"{source}:4:1: stages.test.from: 'Builder' is not a valid image reference "
                   "(hint: FROM finds a stage by its exact name: 'builder')\n"
                   "Change those lines (or write those parts of stages.yaml by hand).\n")


def test_plain_init_writes_a_starter_that_validates_and_renders(tmp_path: Path) -> None:
    config = tmp_path / "stages.yaml"
    assert invoke("init", "-c", str(config)) == (
        0, f"wrote {config}\nnext: mkgen render -c {config}\n", "")
    assert config.read_text().startswith("# The single source of this project's Docker build")
    code, out, _ = invoke("validate", "-c", str(config))
    assert (code, out) == (0, f"{config}: valid (1 stages, 0 target families)\n")
    assert invoke("render", "-c", str(config))[0] == 0


def test_init_never_overwrites_a_stages_yaml(tmp_path: Path) -> None:
    config = tmp_path / "stages.yaml"
    config.write_text("mine\n")
    for extra in ([], ["--from", str(REPO / "docker" / "Dockerfile.multi")]):
        assert invoke("init", "-c", str(config), *extra) == (
            2, "", f"mkgen: {config} already exists; mkgen init never overwrites it. Move it "
                   "away first, or pass -c to write another file.\n")
    assert config.read_text() == "mine\n"


def test_a_missing_dockerfile_exits_2(tmp_path: Path) -> None:
    assert invoke("init", "-c", str(tmp_path / "stages.yaml"), "--from",
                  str(tmp_path / "nope"))[::2] == (2, f"mkgen: {tmp_path / 'nope'}: cannot read:"
                                                      " No such file or directory\n")
