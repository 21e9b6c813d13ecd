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


@pytest.mark.parametrize(("declared", "stage", "where"), [
    ("  LABELS: {default: --label npm=$(NPM_TOKEN)}\n", "  app: debian:12\n",
     "stages.yaml:4:21: variables.LABELS.default"),
    ("  LABELS: --label npm=$(NPM_TOKEN)\n", "  app: debian:12\n",
     "stages.yaml:4:11: variables.LABELS"),
    ("", "  app:\n    from: debian:12\n    build:\n      variables:\n"
         "        DOCKER_BUILD_ARGS: --label npm=$(NPM_TOKEN)\n",
     "stages.yaml:9:28: stages.app.build.variables.DOCKER_BUILD_ARGS"),
    ("", "  app:\n    from: debian:12\n    run: {workdir: /w/$(NPM_TOKEN)}\n",
     "stages.yaml:7:20: stages.app.run.workdir"),
    ("  OPTS:\n    select: IMAGE_TAG\n    cases: {latest: $(NPM_TOKEN)}\n",
     "  app: debian:12\n", "stages.yaml:6:21: variables.OPTS.cases.latest"),
    ("  OPTS:\n    append: [--label n=$(NPM_TOKEN)]\n", "  app: debian:12\n",
     "stages.yaml:5:14: variables.OPTS.append"),
])
def test_a_value_that_refers_to_a_secret_is_refused_since_make_would_echo_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, declared: str, stage: str,
        where: str) -> None:
    code, err = _render(tmp_path, "project: {name: app}\nvariables:\n  NPM_TOKEN: {secret: "
                        f"true}}\n{declared}stages:\n{stage}", monkeypatch)
    assert (code, err) == (2, f"{where}: refers to the secret $(NPM_TOKEN) (hint: make prints "
                              "every command it runs and docker's arguments are visible to "
                              "every process; a secret reaches the build only through RUN "
                              "--mount=type=secret,id=NPM_TOKEN)\n")
    assert not (tmp_path / "docker").exists()


def test_a_recipe_command_that_refers_to_a_secret_is_refused_with_the_shell_way_as_hint(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, err = _render(tmp_path, """\
project: {name: app}
variables:
  NPM_TOKEN: {secret: true}
stages:
  app: debian:12
recipes:
  login:
    commands:
      - echo $(NPM_TOKEN) | docker login --password-stdin registry.local
      - echo "$$NPM_TOKEN" | docker login --password-stdin registry.local
""", monkeypatch)
    assert (code, err) == (2, "stages.yaml:9:9: recipes.login.commands: refers to the secret "
                              "$(NPM_TOKEN) (hint: make prints every command it runs; write "
                              "$$NPM_TOKEN: the shell reads the exported secret from its "
                              "environment, make never prints it)\n")


@pytest.mark.parametrize("key", ["cases", "append"])
def test_a_secret_that_takes_text_from_stages_yaml_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    value = "cases: {latest: x}, select: IMAGE_TAG" if key == "cases" else "append: [x]"
    code, err = _render(tmp_path, f"project: {{name: app}}\nvariables:\n  NPM_TOKEN: "
                        f"{{secret: true, {value}}}\nstages:\n  app: debian:12\n", monkeypatch)
    assert code == 2
    assert f"variables.NPM_TOKEN.{key}: a secret cannot have '{key}' (hint: " in err
