"""The Jinja environment: its bytecode cache, and filters that the templates really use."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2.sandbox import SecurityError

from mkgen import templating
from mkgen.templating import FILTERS, builtin_templates


def test_every_filter_is_used_by_a_built_in_template() -> None:
    text = "".join(p.read_text() for p in builtin_templates().glob("*.j2"))
    used = set(re.findall(r"\|\s*([a-z_]+)", text))
    assert set(FILTERS) <= used, set(FILTERS) - used


def test_compiled_templates_are_cached_outside_the_project_and_follow_edits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    from mkgen import api

    cache = tmp_path / "tmp"
    cache.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(cache))
    project = tmp_path / "project"
    (project / "templates").mkdir(parents=True)
    (project / "stages.yaml").write_text("project:\n  name: app\nstages:\n  app: debian:12\n")
    template = project / "templates" / "Makefile.j2"

    def makefile(marker: str) -> str:
        template.write_text('{% extends "mkgen/Makefile.j2" %}\n'
                            f"{{% block extra_targets %}}\n# {marker}\n{{% endblock %}}\n")
        return api.render(api.load_config(project / "stages.yaml"))[0].text

    assert "# first" in makefile("first")
    assert "# second" in makefile("second")
    assert list(cache.glob("_jinja2-cache-*/mkgen-*.cache"))
    assert sorted(p.name for p in project.rglob("*")) == ["Makefile.j2", "stages.yaml",
                                                          "templates"]


def test_a_project_template_that_is_not_utf8_is_reported_at_its_line_and_column(
        tmp_path: Path) -> None:
    from tests.support import invoke

    (tmp_path / "templates").mkdir()
    (tmp_path / "stages.yaml").write_text("project:\n  name: app\nstages:\n  app: debian:12\n")
    (tmp_path / "templates" / "Dockerfile.user.j2").write_bytes(b"FROM x\n# caf\xe9\n")
    code, out, err = invoke("render", "-c", str(tmp_path / "stages.yaml"))
    assert (code, out) == (2, "")
    assert err == (f"mkgen: {tmp_path}/templates/Dockerfile.user.j2:2:6: byte 0xe9 is not UTF-8 "
                   "text (Latin-1 or another encoding?); save the template as UTF-8\n")
    assert not (tmp_path / "docker").exists()


# Classic server-side template injection payloads, and resource bombs.
ESCAPES = [
    "{{ cycler.__init__.__globals__.os.system('touch MARK') }}",
    "{{ joiner.__init__.__globals__.os.popen('touch MARK').read() }}",
    "{{ lipsum.__globals__['os'].system('touch MARK') }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ().__class__.__base__.__subclasses__() }}",
    "{{ self._TemplateReference__context }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ refs.__globals__ }}",
    "{{ config.items() }}",
    "{{ request.application.__globals__ }}",
    "{{ source.format.__self__ }}",
    # str.format reads attributes itself: the sandbox wraps it on every read.
    "{{ 'x'.format() }}{{ '{0.__class__.__mro__}'.format(source) }}",
    "{{ 'x'.format_map({}) }}{{ '{a.__init__.__globals__}'.format_map({'a': cycler}) }}",
    "{{ range(10**10) | list }}",
    "{% for x in range(10**10) %}{% endfor %}",
    "{{ 'x' * 10**9 }}",
    "{{ 10**(10**10) }}",
]


@pytest.mark.parametrize("command", ["check", "validate", "explain"])
@pytest.mark.parametrize("payload", ESCAPES)
def test_a_project_template_cannot_escape_the_sandbox(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, payload: str, command: str) -> None:
    from tests.support import invoke

    project = tmp_path / "project"
    (project / "templates").mkdir(parents=True)
    (project / "stages.yaml").write_text("project:\n  name: app\nstages:\n  app: debian:12\n")
    template = project / "templates" / "Dockerfile.user.j2"
    template.write_text(f"FROM x\n# a comment\n{payload.replace('MARK', str(tmp_path / 'x'))}\n")
    monkeypatch.chdir(project)
    args = [command, "app_build"] if command == "explain" else [command]
    code, out, err = invoke(*args)
    assert (code, out) == (2, "")
    assert err.startswith(f"mkgen: {Path('templates/Dockerfile.user.j2')}:3: ")
    assert len(err.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]
    assert sorted(p.name for p in project.iterdir()) == ["stages.yaml", "templates"]


@pytest.mark.parametrize("target", ["/etc/hostname", "/proc/self/environ"])
def test_a_project_template_linking_outside_the_project_is_refused_unread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    """`mkgen check` prints the rendered files' diff: a template that is a link to a file
    elsewhere would print that file (CI's environment, a key) into the CI log."""
    from tests.support import invoke

    (tmp_path / "templates").mkdir()
    (tmp_path / "stages.yaml").write_text("project:\n  name: app\nstages:\n  app: debian:12\n")
    (tmp_path / "templates" / "Makefile.j2").symlink_to(target)
    monkeypatch.chdir(tmp_path)
    code, out, err = invoke("check")
    assert (code, out) == (2, "")
    assert err == (f"mkgen: templates/Makefile.j2: a link to {Path(target).resolve()}, outside "
                   "the project; templates are read from the folder that holds stages.yaml "
                   "only\n")


def test_a_project_template_linking_inside_the_project_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support import invoke

    (tmp_path / "templates").mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "user.j2").write_text("FROM {{ source }}\n")
    (tmp_path / "stages.yaml").write_text("project:\n  name: app\nstages:\n  app: debian:12\n")
    (tmp_path / "templates" / "Dockerfile.user.j2").symlink_to("../shared/user.j2")
    monkeypatch.chdir(tmp_path)
    assert invoke("render")[0] == 0
    assert (tmp_path / "docker" / "Dockerfile.user").read_text() == "FROM stages.yaml\n"


def test_a_str_format_method_is_wrapped_whatever_was_read_before() -> None:
    """The sandbox answers an attribute it judged safe for a type without asking again, but a
    `format` that is a str.format method is still wrapped (it would read `__class__`)."""
    class Box:
        def __init__(self, format: object) -> None:
            self.format = format

    env = templating.environment([], sandbox=True)
    template = env.from_string("{{ plain.format }} {{ method.format(1) }}")
    with pytest.raises(SecurityError, match="__class__"):
        template.render(plain=Box("safe"), method=Box("{0.__class__}".format))


REPO = Path(__file__).resolve().parents[2]


def _configs_without_templates(tmp_path: Path) -> list[Path]:
    """The flagship, the example and every golden case's stages.yaml that has no templates
    folder of its own."""
    import yaml

    found = [REPO / "stages.yaml", REPO / "examples" / "hello" / "stages.yaml"]
    for case in sorted((REPO / "tests" / "golden" / "cases").glob("*.yml")):
        data = yaml.safe_load(case.read_text(encoding="utf-8"))
        if "input" in data:
            (tmp_path / case.stem).mkdir()
            found.append(tmp_path / case.stem / "stages.yaml")
            found[-1].write_text(data["input"], encoding="utf-8")
    return found


def test_mkgen_s_own_templates_render_the_same_with_and_without_the_sandbox(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside the sandbox only when every template is mkgen's, and then byte for byte what
    the sandbox renders: mkgen's templates need nothing the sandbox refuses."""
    from mkgen import api

    configs = _configs_without_templates(tmp_path)
    assert len(configs) > 8
    for path in configs:
        config = api.load_config(path)
        plain = api.render(config)
        with monkeypatch.context() as patch:
            patch.setattr(templating, "builtins_only", lambda search: False)
            sandboxed = api.render(config)
        assert plain == sandboxed, path


def test_a_project_s_own_templates_folder_means_the_sandbox(tmp_path: Path) -> None:
    from jinja2.sandbox import SandboxedEnvironment

    assert not isinstance(templating.environment([]), SandboxedEnvironment)
    assert not isinstance(templating.environment([builtin_templates()]), SandboxedEnvironment)
    (tmp_path / "templates").mkdir()
    assert isinstance(templating.environment([tmp_path / "templates"]), SandboxedEnvironment)
    assert isinstance(templating.environment([tmp_path / "absent"]), SandboxedEnvironment)
