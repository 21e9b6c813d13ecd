"""The loader and validator beyond the tests/bad corpus: marks, aliases, limits, the model."""
from __future__ import annotations

from pathlib import Path

import pytest

from mkgen.errors import ConfigError
from mkgen.loader import load_text
from mkgen.validate import validate
from tests.support import FLAGSHIP

SMALL = "project:\n  name: app\nstages:\n  app:\n    from: debian:12\n"


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        validate(load_text(text, "s.yaml"), Path("s.yaml"))
    return str(info.value).splitlines()


def test_a_block_scalar_value_is_marked_at_its_first_content_line() -> None:
    data = load_text("a: |\n\n    one\n    two\n", "s.yaml")
    mark = data.value_marks["a"]
    assert (mark.line, mark.col) == (3, 5)


def test_a_problem_in_a_step_points_at_its_own_line() -> None:
    text = SMALL + "    steps: |\n      RUN true\n      RUN a \\\n          b\n      RUNN x\n"
    assert problems(text) == ["s.yaml:10:7: stages.app.steps: 'RUNN' is not a Dockerfile "
                              "instruction (hint: did you mean 'RUN'?)"]


def test_an_alias_bomb_loads_in_linear_time() -> None:
    text = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 40))
    data = load_text(text, "s.yaml")  # 9**40 leaves if aliases were copied
    # A bool, not the lists: the assertion pass hook would print 9**39 items.
    shared = data["a39"][0] is data["a39"][1]
    assert shared


def test_deep_nesting_is_a_located_error_not_a_traceback() -> None:
    # Older libyaml recurses until the process segfaults, so mkgen bounds the depth itself;
    # newer wheels ship a libyaml that stops first with its own message. Either way: located.
    with pytest.raises(ConfigError, match=r"^s\.yaml:1:\d+: (nested too deeply|invalid YAML: "
                                          r"exceeded maximum nesting depth)"):
        load_text("x: " + "[" * 20000 + "]" * 20000, "s.yaml")


def test_every_problem_is_reported_once_and_sorted_by_line() -> None:
    text = SMALL.replace("name: app", "name: App") + "    actions: [biuld]\n" \
        + "  web:\n    from: ap\n"
    assert [line.split(": ")[0] for line in problems(text)] == \
        ["s.yaml:2:3", "s.yaml:6:15", "s.yaml:8:11"]


def test_the_flagship_validates_into_the_model() -> None:
    config = validate(load_text(FLAGSHIP.read_text(), str(FLAGSHIP)), FLAGSHIP)
    assert [s.name for s in config.stages] == ["base", "devel", "triton", "tritondevel", "wheel",
                                               "release", "tritonbuild", "tritonrelease"]
    assert [f.name for f in config.families] == [
        "jenkins", "jenkins-aarch64", "jenkins-rockylinux8", "rockylinux8", "ubuntu22",
        "ubuntu24", "trtllm", "ngc-devel", "ngc-release"]
    assert [r.name for r in config.recipes] == ["ngc-manifest_create", "ngc-manifest_push",
                                                "bolt_overlay"]
    assert config.aliases == (("build", "devel_build"), ("push", "devel_push"),
                              ("run", "devel_run"))
    assert config.renamed == (("PLATFORM", "BUILD_PLATFORM"), ("CONTAINER_NAME", "CONTAINER"))


@pytest.mark.parametrize("value", ["$(IMAGE_TAG)-dev", "x-$(WORK_DIR)"])
def test_an_override_may_not_refer_to_itself(value: str) -> None:
    name = "IMAGE_TAG" if "IMAGE_TAG" in value else "WORK_DIR"
    text = SMALL + f"    variables:\n      {name}: {value}\n"
    [line] = problems(text)
    assert line.startswith(f"s.yaml:7:{len(name) + 9}: stages.app.variables.{name}: "
                           f"refers to itself: $({name}) -> $({name})")


WARNED = SMALL.replace("stages:", "variables:\n  API_TOKEN:\n    build_arg: true\nstages:") + \
    "    args: [API_TOKEN]\n"


def test_warnings_do_not_stop_validation_and_read_like_errors() -> None:
    config = validate(load_text(WARNED, "s.yaml"), Path("s.yaml"))
    assert [str(w) for w in config.warnings] == [
        "s.yaml:4:3: warning: variables.API_TOKEN: looks like a credential but is a build "
        "argument (hint: build arguments stay in the image history; declare it 'secret: true' "
        "and mount it (RUN --mount=type=secret) instead)"]


def test_errors_are_reported_with_the_warnings_found_beside_them() -> None:
    assert problems(WARNED + "    actions: [bake]\n") == [
        "s.yaml:4:3: warning: variables.API_TOKEN: looks like a credential but is a build "
        "argument (hint: build arguments stay in the image history; declare it 'secret: true' "
        "and mount it (RUN --mount=type=secret) instead)",
        "s.yaml:10:15: stages.app.actions: unknown action 'bake' (hint: actions: build, push, "
        "run, pull, user)"]
