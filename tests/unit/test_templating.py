"""The Jinja environment: its bytecode cache, and filters that the templates really use."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

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
