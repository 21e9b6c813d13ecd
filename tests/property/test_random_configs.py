"""Property: every valid stages.yaml renders to a Makefile GNU make runs and a Dockerfile
BuildKit's parser accepts, with exactly the declared stages in a valid order.

Random configurations: stage DAGs declared in any order (edges through `from`, COPY --from
and RUN --mount=...,from=), target families with per-action overrides and platforms,
variables with awkward values (quotes, `$`, `#`, `%`, `\\`, blanks, non-ASCII) referring to
each other, build arguments and secrets. MKGEN_EXAMPLES sets the number of examples.
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mkgen.api import load_config
from mkgen.bake import bake_name
from mkgen.model import ACTIONS
from mkgen.render import render_all
from mkgen.validate_variables import CREDENTIAL
from tests.bake_fields import bake_print, build_fields, real_docker
from tests.property.checks import stage_order
from tests.support import install_standin, parse_log

pytestmark = [pytest.mark.slow]

EXAMPLES = int(os.environ.get("MKGEN_EXAMPLES", "200"))
BUILDX = "docker"  # the docker client with the buildx plugin, set by the fixture below
IMAGES = ["debian:12", "alpine", "scratch", "ghcr.io/org/img:1.0", "busybox@sha256:" + "a" * 64]
PLATFORMS = ["linux/amd64", "linux/arm64", "linux/arm/v7"]
# Overridable built-ins whose defaults refer to no user variable, so no cycle can form.
OVERRIDABLE = ["IMAGE_TAG", "CONTAINER_NAME", "RUN_CMD", "DOCKER_RUN_ARGS", "IMAGE_NAME"]

# Anything one line can hold: no control characters (tab aside), no line breaks.
awkward_text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), whitelist_characters="\t",
                  blacklist_characters="\n\r\x85"),
    max_size=10)
stage_names = st.from_regex(r"[a-z][a-z0-9_.-]{0,6}", fullmatch=True)
family_names = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,6}", fullmatch=True)
variable_names = st.from_regex(r"V[A-Z0-9_]{0,5}", fullmatch=True).filter(
    lambda n: not CREDENTIAL.search(n))


def yaml_literal(text: str) -> str:
    """How a user writes literal text in stages.yaml: `$$` for `$`."""
    return text.replace("$", "$$")


@dataclass
class Generated:
    config: dict
    build_args: dict[str, str] = field(default_factory=dict)  # name -> literal value
    targets: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)


@st.composite
def values(draw, earlier: list[str]) -> str:
    """A stages.yaml value: awkward literal pieces and references to earlier variables."""
    pieces = draw(st.lists(st.one_of(awkward_text.map(yaml_literal),
                                     st.sampled_from(earlier).map(lambda n: f"$({n})")
                                     if earlier else awkward_text.map(yaml_literal)),
                           max_size=3))
    return "".join(pieces)


# Case patterns: a word, maybe with one `%` (any text), or empty (the value is blank).
case_patterns = st.from_regex(r"[a-z0-9_.:/-]{0,3}%?[a-z0-9_.:/-]{0,3}", fullmatch=True)


@st.composite
def selects(draw, plain: list[str], build_args: list[str]) -> dict:
    """A select on an earlier variable, whose cases and default refer to earlier ones."""
    cases = draw(st.dictionaries(case_patterns, values(plain), max_size=3))
    return {"select": draw(st.sampled_from(plain + build_args)), "cases": cases,
            "default": draw(values(plain))}


@st.composite
def configs(draw) -> Generated:
    # Variables: plain ones refer only to earlier ones; build args and secrets are literal.
    names = draw(st.lists(variable_names, max_size=6, unique=True))
    variables: dict[str, dict] = {}
    plain: list[str] = []
    build_args: dict[str, str] = {}
    secrets: list[str] = []
    for name in names:
        kind = draw(st.sampled_from(["plain", "build_arg", "secret", "select"]))
        if kind == "select" and not (plain or build_args):
            kind = "plain"
        if kind == "build_arg":
            literal = draw(awkward_text)
            build_args[name] = literal
            variables[name] = {"default": yaml_literal(literal), "build_arg": True}
        elif kind == "secret":
            secrets.append(name)
            variables[name] = {"secret": True, "help": draw(awkward_text)}
        elif kind == "select":
            variables[name] = draw(selects(plain, sorted(build_args)))
            plain.append(name)
        else:
            variables[name] = {"default": draw(values(plain)), "help": draw(awkward_text)}
            plain.append(name)

    # Stages: a DAG generated in dependency order, declared in a shuffled order.
    order = draw(st.lists(stage_names, min_size=1, max_size=5, unique=True))
    stages: dict[str, dict] = {}
    for i, name in enumerate(order):
        before = order[:i]
        base = draw(st.sampled_from(before + IMAGES) if before else st.sampled_from(IMAGES))
        args = draw(st.lists(st.sampled_from(sorted(build_args)), unique=True)
                    if build_args else st.just([]))
        steps = draw(st.lists(step(before, args, secrets), max_size=4))
        stage: dict = {"from": base}
        if args:
            stage["args"] = args
        if steps:
            stage["steps"] = "\n".join(steps) + "\n"
        actions = draw(st.lists(st.sampled_from(ACTIONS), unique=True, max_size=4))
        if actions != list(ACTIONS) or draw(st.booleans()):
            stage["actions"] = actions
        stage.update(draw(per_action(actions, plain)))
        stages[name] = stage
    declared = draw(st.permutations(order))

    families: dict[str, dict] = {}
    for name in draw(st.lists(family_names.filter(lambda n: n not in order), max_size=3,
                              unique=True)):
        platforms = draw(st.lists(st.sampled_from(PLATFORMS), unique=True, max_size=2))
        allowed = [*ACTIONS, "manifest"] if platforms else list(ACTIONS)
        actions = draw(st.lists(st.sampled_from(allowed), unique=True, min_size=1))
        family: dict = {"stage": draw(st.sampled_from(order)), "actions": actions}
        if platforms:
            family["platforms"] = platforms
        overrides = draw(overrides_of(plain))
        if overrides:
            family["variables"] = overrides
        family.update(draw(per_action(actions, plain)))
        families[name] = family

    config = {"project": {"name": "prop"}, "variables": variables,
              "stages": {n: stages[n] for n in declared}}
    if families:
        config["targets"] = families
    targets = [f"{n}_{a}" for n in declared for a in stages[n].get("actions", ACTIONS)]
    targets += [f"{n}_{a}" for n, f in families.items() for a in f["actions"]]
    return Generated(config, build_args, targets, list(order))


def step(before: list[str], args: list[str], secrets: list[str]) -> st.SearchStrategy[str]:
    words = st.from_regex(r"[a-z0-9_./-]{1,8}", fullmatch=True)
    options = [words.map(lambda w: f"RUN echo {w}"), words.map(lambda w: f"WORKDIR /{w}"),
               words.map(lambda w: f"ENV K_{abs(hash(w)) % 100}={w}")]
    if before:
        options.append(st.sampled_from(before).map(lambda s: f"COPY --from={s} /out /in"))
        options.append(st.sampled_from(before).map(
            lambda s: f"RUN --mount=type=bind,from={s},target=/m \\\n    ls /m"))
    if args:
        options.append(st.sampled_from(args).map(lambda a: f'RUN echo "${{{a}}}"'))
    if secrets:
        options.append(st.sampled_from(secrets).map(
            lambda s: f"RUN --mount=type=secret,id={s} cat /run/secrets/{s}"))
    return st.one_of(options)


@st.composite
def overrides_of(draw, plain: list[str]) -> dict[str, str]:
    # A variable's override refers only to variables declared before it: no cycle can form.
    names = draw(st.lists(st.sampled_from(plain + OVERRIDABLE), unique=True, max_size=2))
    return {n: draw(values(plain[:plain.index(n)] if n in plain else plain)) for n in names}


@st.composite
def per_action(draw, actions: list[str], plain: list[str]) -> dict:
    out: dict = {}
    for action in draw(st.lists(st.sampled_from(actions), unique=True, max_size=2)
                       if actions else st.just([])):
        settings_: dict = {}
        overrides = draw(overrides_of(plain))
        if overrides:
            settings_["variables"] = overrides
        if action == "run" and draw(st.booleans()):
            settings_["workdir"] = "/w/" + draw(st.from_regex(r"[a-z0-9_.-]{1,6}", fullmatch=True))
        out[action] = settings_ or None
    return out


def run_make(docker: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "-C", str(docker), *args], env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=60)


@pytest.fixture(scope="module", autouse=True)
def buildx() -> None:
    global BUILDX
    BUILDX = real_docker()


@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(configs())
def test_every_valid_config_renders_files_make_and_buildkit_accept(gen: Generated) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "stages.yaml").write_text(yaml.safe_dump(gen.config, allow_unicode=True,
                                                         sort_keys=False), encoding="utf-8")
        outputs = {o.name: o.text for o in render_all(load_config(root / "stages.yaml"))}
        docker = root / "docker"
        docker.mkdir()
        for name, text in outputs.items():
            (docker / name).write_text(text, encoding="utf-8")

        assert stage_order(outputs["Dockerfile.multi"]) and \
            sorted(stage_order(outputs["Dockerfile.multi"])) == sorted(gen.stages)

        install_standin(root / "bin")
        env = {"PATH": f"{root / 'bin'}:{os.environ['PATH']}", "LC_ALL": "C.UTF-8",
               "MKGEN_DOCKER_LOG": str(root / "log"), "HOME": tmp}
        # Every generated target in one make run (-n: print, do not run).
        result = run_make(docker, "-n", "help", *gen.targets, env=env)
        assert (result.returncode, result.stderr) == (0, "")  # no error, and no warning

        # And for real, through the stand-in: build arguments reach docker as written.
        builds = [t for t in gen.targets if t.endswith("_build") and
                  t.removesuffix("_build") in gen.stages]
        if builds:
            (root / "log").write_text("")
            result = run_make(docker, builds[0], env=env)
            assert result.returncode == 0, result.stderr
            [argv] = parse_log((root / "log").read_text())
            passed = [argv[i + 1] for i, a in enumerate(argv) if a == "--build-arg"]
            assert passed == [f"{n}={v}" for n, v in gen.build_args.items() if v]
        check_bake_builds_what_make_builds(gen, docker, env)


def check_bake_builds_what_make_builds(gen: Generated, docker: Path, env: dict[str, str]) -> None:
    """The first stage build and the first family build: `docker buildx bake --print`, with
    nothing in its environment that make knows, reads as make's docker argv, awkward values
    and per-target overrides included."""
    builds = [t for t in gen.targets if t.endswith("_build")]
    families = [t for t in builds if t.removesuffix("_build") not in gen.stages]
    for target in dict.fromkeys(builds[:1] + families[:1]):
        log = Path(env["MKGEN_DOCKER_LOG"])
        log.write_text("")
        result = run_make(docker, target, env=env)
        assert result.returncode == 0, result.stderr
        [argv] = parse_log(log.read_text())
        built = build_fields(argv)
        printed = bake_print(BUILDX, docker / "docker-bake.hcl",
                             bake_name(target.removesuffix("_build")),
                             Path(str(built["context"])), env)
        assert printed == built
