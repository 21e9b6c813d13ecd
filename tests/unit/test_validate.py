"""The loader and validator beyond the tests/bad corpus: marks, aliases, limits, the model."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mkgen import loader
from mkgen.errors import ConfigError
from mkgen.loader import load_text
from mkgen.validate import validate
from tests.support import FLAGSHIP, REPO, invoke

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


def test_an_alias_is_built_once_and_shared() -> None:
    data = load_text("a: &a [x, y]\nb: [*a, *a]\n", "s.yaml")
    shared = data["b"][0] is data["b"][1] is data["a"]
    assert shared


def test_a_billion_laughs_is_refused_in_linear_time_naming_the_alias() -> None:
    text = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 40))
    with pytest.raises(ConfigError) as info:
        load_text(text, "s.yaml")  # 9**40 leaves if aliases were copied
    assert str(info.value) == (
        "s.yaml:7:5: a6[0]: with the alias *a5 (1,129,312 characters), aliases repeat more than "
        "2,000,000 characters in all (hint: an alias stands for a copy of its anchor's whole "
        "content wherever it is used; write the shared part once (a stage the others start "
        "FROM, a variable))")


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


@pytest.mark.parametrize("name", ["Makefile", "makefile", "MAKEFILE", "Dockerfile.user",
                                  "dockerfile.USER", "GNUmakefile", ".mkgen.lock"])
def test_a_dockerfile_name_that_collides_with_another_output_is_refused(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "stages.yaml").write_text(SMALL.replace("name: app", f"name: app\n  dockerfile: "
                                                        f"{name}"))
    monkeypatch.chdir(tmp_path)
    code, out, err = invoke("render")
    assert (code, out) == (2, "")
    assert err.startswith(f"stages.yaml:3:3: project.dockerfile: '{name}' ")
    assert not (tmp_path / "docker").exists()


@pytest.mark.parametrize("name", ["sub/Dockerfile", "../Dockerfile", "a\\b", ".", ".."])
def test_a_dockerfile_name_that_is_a_path_is_refused(name: str) -> None:
    text = SMALL.replace("name: app", f"name: app\n  dockerfile: '{name}'")
    assert problems(text) == ["s.yaml:3:3: project.dockerfile: must be a file name, not a path "
                              "(hint: the file is written into project.output; set that to "
                              "change the folder)"]


def test_a_project_name_with_a_registry_port_is_valid_but_a_tag_is_not() -> None:
    text = SMALL.replace("name: app", "name: localhost:5000/team/app")
    assert validate(load_text(text, "s.yaml"), Path("s.yaml")).project.name == \
        "localhost:5000/team/app"
    assert problems(text.replace("team/app", "team/app:1.0")) == [
        "s.yaml:2:3: project.name: 'localhost:5000/team/app:1.0' has a tag or digest; "
        "project.name is the image name alone (hint: the tag is IMAGE_TAG: make TARGET "
        "IMAGE_TAG=...)"]


def test_a_nul_byte_is_reported_at_its_own_line_and_column_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "stages.yaml").write_bytes(SMALL.replace("debian", "deb\0ian").encode())
    code, out, err = invoke("validate", "-c", str(tmp_path / "stages.yaml"))
    assert (code, out) == (2, "")
    assert err == (f"{tmp_path}/stages.yaml:5:14: invalid YAML: character U+0000 (a control "
                   "character) (hint: remove it; stages.yaml is text)\n")


@pytest.mark.parametrize("before", ["", "é€😀 "])  # libyaml counts bytes; columns count characters
def test_a_control_character_after_non_ascii_text_is_at_its_character_column(
        before: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_text(f"a: b\nc: '{before}x\x1b'\n", "s.yaml")
    assert str(info.value).startswith(f"s.yaml:2:{6 + len(before)}: invalid YAML: character "
                                      "U+001B (a control character)")


def test_a_latin1_byte_is_reported_at_its_own_line_and_column_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "stages.yaml").write_bytes(SMALL.replace("name: app", "name: app\n  # café "
                                                         "au lait").encode("latin-1"))
    code, out, err = invoke("validate", "-c", str(tmp_path / "stages.yaml"))
    assert (code, out) == (2, "")
    assert err == (f"{tmp_path}/stages.yaml:3:8: byte 0xe9 is not UTF-8 text (Latin-1 or another "
                   "encoding?) (hint: save the file as UTF-8)\n")


def test_aliases_of_tagged_scalars_count_too() -> None:
    text = 'a: [!!str &l "' + "x" * 1000 + '"' + ", *l" * 2000 + "]\n"
    with pytest.raises(ConfigError, match=r"^s\.yaml:1:4: a\[1999\]: with the alias \*l "
                                          r"\(1,001 characters\)"):
        load_text(text, "s.yaml")


WARNED = SMALL.replace("stages:", "variables:\n  API_TOKEN:\n    build_arg: true\nstages:") + \
    "    args: [API_TOKEN]\n"


def test_warnings_do_not_stop_validation_and_read_like_errors() -> None:
    config = validate(load_text(WARNED, "s.yaml"), Path("s.yaml"))
    assert [str(w) for w in config.warnings] == [
        "s.yaml:4:3: warning: variables.API_TOKEN: looks like a credential but is a build "
        "argument (hint: build arguments stay in the image history; declare it 'secret: true' "
        "and mount it (RUN --mount=type=secret) instead)"]


def test_errors_are_reported_with_the_warnings_found_beside_them() -> None:
    assert problems(WARNED + "    actions: [baek]\n") == [
        "s.yaml:4:3: warning: variables.API_TOKEN: looks like a credential but is a build "
        "argument (hint: build arguments stay in the image history; declare it 'secret: true' "
        "and mount it (RUN --mount=type=secret) instead)",
        "s.yaml:10:15: stages.app.actions: unknown action 'baek' (hint: did you mean 'bake'?)"]


NULLS_AND_MERGES = """\
a: ~
b: null
c: Null
d: NULL
e:
f: ""
g: "null"
h: 'NULL'
i: nulL
j: !!str null
k: !!null ""
l: [~, null, "~", '', x]
m: {<<: {x: 1}, "<<": 2}
n: yes
o: 0x10
p: 2001-01-01
q: <<
"""


def _tags(node: yaml.Node) -> list[tuple[str, str]]:
    """(value, tag) of every scalar, in order, for the tags mkgen reads (null, merge)."""
    if isinstance(node, yaml.ScalarNode):
        read = node.tag if node.tag in (loader.NULL_TAG, loader.MERGE_TAG) else "text"
        return [(node.value, read)]
    items = node.value if isinstance(node, yaml.SequenceNode) else \
        [n for pair in node.value for n in pair]
    return [tag for item in items for tag in _tags(item)]


@pytest.mark.parametrize("name", ["own", "flagship", "example"])
def test_the_loader_tells_nulls_and_merge_keys_as_the_safe_loader_does(name: str) -> None:
    text = {"own": NULLS_AND_MERGES, "flagship": (REPO / "stages.yaml").read_text(),
            "example": (REPO / "examples" / "hello" / "stages.yaml").read_text()}[name]
    ours = _tags(yaml.compose(text, Loader=loader._Loader))
    assert ours == _tags(yaml.compose(text, Loader=yaml.SafeLoader))
    if name == "own":
        assert [v for v, tag in ours if tag == loader.NULL_TAG] == ["~", "null", "Null", "NULL",
                                                                     "", "", "~", "null"]
        assert [v for v, tag in ours if tag == loader.MERGE_TAG] == ["<<", "<<"]
