"""The quick check (freshness.fresh_output) never calls a stale or hand-edited file fresh.

Each case renders a project, changes one input or one output, and compares the quick
verdict with the full one (render, then compare every byte): the quick check may say "not
certain" when the full one says fresh, never "fresh" when it says stale. The edits cover
every input of the stamp (stages.yaml, the project's templates and mkgen's own, mkgen's
version, the configuration's name and place) and every output (body, header, stamp,
whitespace, deletion), and a property test adds random byte edits to all of them.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mkgen import api, freshness, stamp
from mkgen.errors import MkgenError
from mkgen.render import render_all
from tests.support import FLAGSHIP, REPO, SMALL

OUTPUTS = ("Makefile", "Dockerfile.multi", "Dockerfile.user", "docker-bake.hcl")
EXTENDS = '{% extends "mkgen/Makefile.j2" %}\n{% block extra_targets %}\nhello: ; @echo hi\n' \
          '{% endblock %}\n'


def rendered(root: Path, text: str = SMALL, name: str = "stages.yaml") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(text)
    (root / "version.txt").write_text('VERSION = "1.2.3"\n')
    config = api.load_config(root / name)
    api.write(config, api.render(config))
    return root / name


def verdicts(config: Path, version: str | None = None) -> tuple[bool, bool]:
    """(the quick check says fresh, the full comparison says fresh)."""
    quick = freshness.fresh_output(str(config), version) is not None
    try:
        loaded = api.load_config(config)
        outputs = render_all(loaded, version=version) if version else api.render(loaded)
        full = not api.stale(loaded, outputs)
    except MkgenError:
        full = False
    return quick, full


def edit(path: Path, change: Callable[[str], str]) -> None:
    path.write_bytes(change(path.read_text()).encode())


def test_fresh_right_after_a_render_for_every_project(tmp_path: Path) -> None:
    projects = [rendered(tmp_path / "small"),
                rendered(tmp_path / "flagship", FLAGSHIP.read_text()),
                rendered(tmp_path / "hello", (REPO / "examples/hello/stages.yaml").read_text())]
    for config in projects:
        assert verdicts(config) == (True, True), config
        assert freshness.fresh_output(str(config)) == str(config.parent / "docker")
    # The committed ones too: rendered and committed together, as pre-commit will see them.
    assert freshness.fresh_output(str(FLAGSHIP)) == str(REPO / "docker")
    hello = REPO / "examples" / "hello"
    assert freshness.fresh_output(str(hello / "stages.yaml")) == str(hello / "docker")


# ---- Inputs -----------------------------------------------------------------------------

INPUT_EDITS: dict[str, Callable[[Path], None]] = {
    "a value in stages.yaml":
        lambda root: edit(root / "stages.yaml", lambda t: t.replace("name: small", "name: big")),
    "a comment added to stages.yaml":
        lambda root: edit(root / "stages.yaml", lambda t: t + "# a comment\n"),
    "a trailing space in stages.yaml":
        lambda root: edit(root / "stages.yaml", lambda t: t.replace("small\n", "small \n")),
    "stages.yaml with CRLF line endings":
        lambda root: edit(root / "stages.yaml", lambda t: t.replace("\n", "\r\n")),
    "a project template that replaces a built-in one":
        lambda root: (root / "templates").mkdir() or (root / "templates" / "Makefile.j2")
        .write_text(EXTENDS),
    "a project template that only reuses a built-in one":
        lambda root: (root / "templates").mkdir() or (root / "templates" / "Makefile.j2")
        .write_text('{% extends "mkgen/Makefile.j2" %}\n'),
    "a templates: folder named in stages.yaml":
        lambda root: _own_templates(root, "mine", "Dockerfile.user.j2", "# nothing\n")
        or edit(root / "stages.yaml", lambda t: t + "templates: mine\n"),
}


def _own_templates(root: Path, folder: str, name: str, text: str) -> None:
    (root / folder).mkdir()
    (root / folder / name).write_text(text)



@pytest.mark.parametrize("name", INPUT_EDITS)
def test_an_edited_input_is_never_fresh(tmp_path: Path, name: str) -> None:
    config = rendered(tmp_path)
    INPUT_EDITS[name](tmp_path)
    assert verdicts(config) == (False, False)


NEUTRAL_EDITS: dict[str, Callable[[Path], None]] = {
    "stages.yaml rewritten with the same bytes":
        lambda root: edit(root / "stages.yaml", lambda t: t),
    "an empty templates folder": lambda root: (root / "templates").mkdir(),
    "a template the render does not use":
        lambda root: (root / "templates").mkdir() or (root / "templates" / "unused.j2")
        .write_text("{{ nothing }}"),
    "a file: value changed (make reads it, not mkgen)":
        lambda root: (root / "version.txt").write_text('VERSION = "9.9.9"\n'),
    "another file next to the outputs": lambda root: (root / "docker" / "notes").write_text("x"),
}


@pytest.mark.parametrize("name", NEUTRAL_EDITS)
def test_an_input_the_render_does_not_read_keeps_it_fresh(tmp_path: Path, name: str) -> None:
    config = rendered(tmp_path)
    NEUTRAL_EDITS[name](tmp_path)
    assert verdicts(config) == (True, True)


def test_a_project_template_edited_is_never_fresh(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "Makefile.j2").write_text(EXTENDS)
    config = rendered(tmp_path)
    assert verdicts(config) == (True, True)
    edit(tmp_path / "templates" / "Makefile.j2", lambda t: t.replace("hi", "hello"))
    assert verdicts(config) == (False, False)
    edit(tmp_path / "templates" / "Makefile.j2", lambda t: t.replace("hello", "hi") + "{# #}")
    assert verdicts(config) == (False, False)  # no other line changes, but the stamp does
    (tmp_path / "templates" / "Makefile.j2").unlink()
    assert verdicts(config) == (False, False)


@pytest.mark.parametrize("change", [lambda t: t.replace("Usage: ", "Use: "),
                                    lambda t: t + "{# a comment #}\n"],
                         ids=["a line", "a comment"])
def test_a_changed_builtin_template_is_never_fresh(tmp_path: Path, change: Callable[[str], str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    config = rendered(tmp_path / "project")
    builtin = tmp_path / "builtin"
    shutil.copytree(stamp.builtin_templates(), builtin)
    monkeypatch.setattr(stamp, "builtin_templates", lambda: str(builtin))
    assert verdicts(config) == (True, True)
    edit(builtin / "_help.j2", change)
    assert verdicts(config) == (False, False)


def test_another_mkgen_version_is_never_fresh(tmp_path: Path) -> None:
    config = rendered(tmp_path)
    assert verdicts(config, version="9.9.9") == (False, False)


def test_another_configuration_name_is_never_fresh(tmp_path: Path) -> None:
    rendered(tmp_path)
    (tmp_path / "stages.yaml").rename(tmp_path / "other.yaml")
    assert verdicts(tmp_path / "other.yaml") == (False, False)  # the header names the file


def test_a_moved_project_whose_output_is_outside_it_is_never_fresh(tmp_path: Path) -> None:
    text = SMALL.replace("  name: small\n", "  name: small\n  output: ../out\n")
    config = rendered(tmp_path / "project", text)
    assert verdicts(config) == (True, True)
    (tmp_path / "project").rename(tmp_path / "renamed")  # MKGEN_ROOT := .../renamed
    assert verdicts(tmp_path / "renamed" / "stages.yaml") == (False, False)


def test_the_configuration_named_any_way_is_fresh(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    rendered(tmp_path / "p")
    monkeypatch.chdir(tmp_path)
    for spelling in ("p/stages.yaml", "./p/stages.yaml", "p//stages.yaml",
                     str(tmp_path / "p" / "stages.yaml")):
        assert verdicts(Path(spelling)) == (True, True), spelling
        assert freshness.fresh_output(spelling) == str(Path(spelling).parent / "docker")


# ---- Outputs ----------------------------------------------------------------------------

OUTPUT_EDITS: dict[str, Callable[[str], str]] = {
    "a body line": lambda t: t.replace("\n", "\n# hand edit\n", 6),
    "the first header line": lambda t: t.replace("Do not edit", "Please edit", 1),
    "the stamp's version": lambda t: t.replace("# mkgen 1", "# mkgen 0", 1),
    "the stamp's inputs digest": lambda t: _field(t, "inputs"),
    "the stamp's text digest": lambda t: _field(t, "text"),
    "the stamp's templates": lambda t: t.replace(" mkgen/_header.j2", "", 1),
    "the stamp removed": lambda t: stamp.unstamped(t),
    "a trailing space": lambda t: t.replace("\n", " \n", 5).replace(" \n", "\n", 4),
    "the last newline": lambda t: t[:-1],
    "a blank line at the end": lambda t: t + "\n",
    "CRLF line endings": lambda t: t.replace("\n", "\r\n"),
    "deleted": lambda t: "",
}


def _field(text: str, name: str) -> str:
    start = text.index(f"; {name} ") + len(name) + 3
    return text[:start] + ("0" if text[start] != "0" else "1") + text[start + 1:]


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("name", OUTPUT_EDITS)
def test_an_edited_output_is_never_fresh(tmp_path: Path, name: str, output: str) -> None:
    config = rendered(tmp_path)
    path = tmp_path / "docker" / output
    edit(path, OUTPUT_EDITS[name])
    if name == "deleted":
        path.unlink()
    quick, full = verdicts(config)
    assert not quick
    # The full comparison reads text files as text: CRLF endings compare equal there.
    assert full is (name == "CRLF line endings")


# ---- Any byte of any file ---------------------------------------------------------------

FILES = ["stages.yaml", "templates/Makefile.j2", *(f"docker/{o}" for o in OUTPUTS)]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file=st.sampled_from(FILES), where=st.floats(0, 1), cut=st.integers(0, 3),
       insert=st.sampled_from(["", " ", "\n", "x", "#", "0", "é", "{{ 1 }}"]))
def test_random_edits_never_make_the_quick_check_lie(tmp_path_factory: pytest.TempPathFactory,
                                                      file: str, where: float, cut: int,
                                                      insert: str) -> None:
    root = tmp_path_factory.mktemp("p")
    (root / "templates").mkdir()
    (root / "templates" / "Makefile.j2").write_text(EXTENDS)
    config = rendered(root)
    path = root / file
    data = path.read_bytes()
    at = int(where * len(data))
    path.write_bytes(data[:at] + insert.encode() + data[at + cut:])
    quick, full = verdicts(config)
    assert full or not quick
    if path.read_bytes() != data:  # every one of these files is read: any change shows
        assert not quick


def test_the_quick_check_reads_only_stamped_files(tmp_path: Path) -> None:
    """A project template that leaves the stamp out: never quick, still fresh in full."""
    shutil.copytree(REPO / "tests/golden/template_override", tmp_path / "p")
    config = tmp_path / "p" / "stages.yaml"
    loaded = api.load_config(config)
    api.write(loaded, api.render(loaded))
    assert verdicts(config) == (False, True)


# ---- Reading stages.yaml without YAML ---------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("project:\n  name: a\n", ("docker", "Dockerfile.multi", None)),
    ("project:\n    output: out # where\n    dockerfile: 'D.multi'\ntemplates: \"t\"\n",
     ("out", "D.multi", "t")),
    ("# c\nproject:   # the project\n  name: a\n  output: build/x\n\nstages: {}\n",
     ("build/x", "Dockerfile.multi", None)),
    ("project: {name: a, output: out}\n", None),           # flow: not read here
    ("project:\n  output: &o out\n", None),                 # anchors
    ("project:\n  output:\n    out\n", None),               # a value on its own line
    ("project:\n  output: out\n  output: other\n", None),   # a duplicate key
    ("---\nproject:\n  name: a\n", None),                   # documents
    ("project:\n\toutput: out\n", None),                    # tabs
    ("project:\n  name: a\nproject:\n  name: b\n", None),
    ("stages:\n  a: {from: b}\n", None),                    # no project
])
def test_locations_reads_simple_files_and_gives_up_on_the_rest(
        text: str, expected: tuple[str, str, str | None] | None) -> None:
    assert freshness.locations(text) == expected


def test_locations_agrees_with_the_loader_on_every_committed_config() -> None:
    configs = [FLAGSHIP, *REPO.glob("examples/*/stages.yaml"), *REPO.glob("tests/**/*.yaml")]
    read = 0
    for path in configs:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:  # tests/bad's latin1_byte: fresh_output says None first
            continue
        found = freshness.locations(text)
        if found is None:
            continue
        try:
            config = api.load_config(path)
        except MkgenError:
            continue
        read += 1
        assert found == (config.project.output, config.project.dockerfile, config.templates)
    assert read >= 3


def test_the_reader_s_defaults_are_the_key_table_s() -> None:
    from mkgen.keys import PROJECT

    assert freshness._SETTINGS == {key: PROJECT[key].default for key in freshness._SETTINGS}


@pytest.mark.parametrize("path", ["docker", "./docker", "docker/", "a//b/./c", "/abs/x",
                                  "//net/x", "///x", ".", "", "../out", "./../out/"])
def test_shown_paths_read_as_pathlib_prints_them(path: str) -> None:
    assert freshness.shown(path) == str(Path(path))


def test_no_yaml_jinja_or_click_is_imported(tmp_path: Path) -> None:
    """The quick check adds none of these modules to what the interpreter already loaded.

    Measured against the same interpreter's own start-up modules: a site-packages .pth file
    (a virtualenv's, an editable install's) may import pathlib or re before any of mkgen runs.
    """
    import subprocess
    import sys

    config = rendered(tmp_path)
    watched = "('yaml', 'jinja2', 'click', 'pathlib', 'dataclasses', 'typing', 're')"
    probe = ("import sys; before = set(sys.modules); "
             "from mkgen.freshness import fresh_output; "
             f"assert fresh_output({str(config)!r}); "
             "print(sorted(m for m in set(sys.modules) - before if m.split('.')[0] in "
             f"{watched}))")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            env=env, check=True)
    assert result.stdout == "[]\n"
