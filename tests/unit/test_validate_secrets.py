"""Secrets never reach a committed file, docker's argv or make's echo through stages.yaml."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import invoke

SECRET = "npm_hunter2_s3cr3t"


def _render(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    (tmp_path / "stages.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke("render")
    return code, err


def test_a_secret_with_a_default_is_refused_and_never_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, err = _render(tmp_path, f"""\
project: {{name: app}}
variables:
  NPM_TOKEN: {{secret: true, default: {SECRET}}}
stages:
  app: debian:12
""", monkeypatch)
    assert (code, err) == (2, "stages.yaml:3:38: variables.NPM_TOKEN.default: a secret cannot "
                              "have a default (hint: the Makefile is committed; give NPM_TOKEN "
                              "in the environment or on the command line, or read it with "
                              "'shell:' or 'file:')\n")
    assert not (tmp_path / "docker").exists()


@pytest.mark.parametrize("where", ["stages.app.variables", "stages.app.build.variables",
                                   "targets.ci.variables", "targets.ci.push.variables"])
def test_a_secret_set_by_a_stage_family_or_action_is_refused_and_never_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    overrides = {"stages.app.variables": f"  app:\n    from: debian:12\n    variables:\n"
                                         f"      NPM_TOKEN: {SECRET}\n",
                 "stages.app.build.variables": f"  app:\n    from: debian:12\n    build:\n"
                                               f"      variables: {{NPM_TOKEN: {SECRET}}}\n",
                 "targets.ci.variables": f"  app: debian:12\ntargets:\n  ci:\n    stage: app\n"
                                         f"    variables: {{NPM_TOKEN: {SECRET}}}\n",
                 "targets.ci.push.variables": f"  app: debian:12\ntargets:\n  ci:\n"
                                              f"    stage: app\n    push:\n"
                                              f"      variables: {{NPM_TOKEN: {SECRET}}}\n"}
    code, err = _render(tmp_path, "project: {name: app}\nvariables:\n  NPM_TOKEN: {secret: "
                        "true}\nstages:\n" + overrides[where], monkeypatch)
    assert code == 2
    assert f": {where}.NPM_TOKEN: a secret cannot be set in stages.yaml (hint: " in err
    assert not (tmp_path / "docker").exists()
