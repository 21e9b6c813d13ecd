"""bake.py: how each kind of make variable becomes HCL (docs/fleet.md, "Variables")."""
from __future__ import annotations

from pathlib import Path

import pytest

from mkgen import bake
from mkgen.api import load_config
from mkgen.plan import make_plan

CONFIG = """\
project: {name: demo}
variables:
  REGISTRY: {default: reg.example}
  REPO: {default: "$(REGISTRY)/team"}
  COMMIT: {shell: git rev-parse HEAD, build_arg: true}
  FLAVOUR: {default: plain, build_arg: true}
  CHANNEL:
    select: FLAVOUR
    cases: {"gpu": "$(REPO)/gpu"}
    default: "$(REPO)/cpu"
  PATTERNED:
    select: FLAVOUR
    cases: {"g%": "yes"}
    default: "no"
  TOKEN: {secret: true}
stages:
  app:
    from: alpine
    args: [FLAVOUR, COMMIT]
targets:
  nightly:
    stage: app
    platforms: [linux/amd64, linux/arm/v7]
    variables:
      FLAVOUR: gpu
      IMAGE_WITH_TAG: "$(CHANNEL):$(STEM)-$${x}"
"""


@pytest.fixture
def exprs(tmp_path: Path) -> bake.Expressions:
    (tmp_path / "stages.yaml").write_text(CONFIG)
    config = load_config(tmp_path / "stages.yaml")
    return bake.Expressions(config, make_plan(config))


def hcl_variables(exprs: bake.Expressions, *roots: str) -> dict[str, tuple[str, str]]:
    plan = make_plan(exprs.config)
    return {v.name: (v.default, v.note) for v in exprs.variables(list(roots), plan.groups)}


def test_plain_variables_keep_their_default_with_references(
        exprs: bake.Expressions) -> None:
    found = hcl_variables(exprs, "REPO")
    assert found == {"REGISTRY": ('"reg.example"', ""), "REPO": ('"${REGISTRY}/team"', "")}


def test_a_variable_some_target_sets_is_null_and_each_target_reads_its_own_value(
        exprs: bake.Expressions) -> None:
    assert hcl_variables(exprs, "FLAVOUR")["FLAVOUR"][0] == "null"
    nightly = {"FLAVOUR": "gpu", "STAGE": "app", "STEM": "nightly"}
    assert exprs.expression("FLAVOUR", nightly) == '(FLAVOUR != null ? FLAVOUR : "gpu")'
    assert exprs.expression("FLAVOUR", {"STAGE": "app", "STEM": "app"}) == \
        '(FLAVOUR != null ? FLAVOUR : "plain")'


def test_select_with_exact_cases_is_a_condition_and_follows_the_target(
        exprs: bake.Expressions) -> None:
    context = {"FLAVOUR": "gpu", "STAGE": "app", "STEM": "nightly"}
    channel = exprs.expression("CHANNEL", context)
    assert channel.startswith('(CHANNEL != null ? CHANNEL : (length(regexall("(^|[ ')
    assert channel.endswith('"gpu"))) > 0 ? "${REPO}/gpu" : "${REPO}/cpu"))')
    # A `%` in a case stands for any text of one word.
    assert 'g[^ ' in exprs.expression("PATTERNED", context)


def test_values_make_computes_are_empty_and_passed_by_make(exprs: bake.Expressions) -> None:
    found = hcl_variables(exprs, "COMMIT", "TOKEN")
    assert found["COMMIT"] == ('""', "computed by make; `make <target>_bake` passes it")
    assert found["TOKEN"] == ('""', "a secret: bake reads it from the environment")


def test_stage_and_stem_are_the_target_s_own_text_and_literals_stay_literal(
        exprs: bake.Expressions) -> None:
    context = {"FLAVOUR": "gpu", "STAGE": "app", "STEM": "nightly",
               "IMAGE_WITH_TAG": "$(CHANNEL):$(STEM)-$${x}"}
    tag = exprs.expression("IMAGE_WITH_TAG", context)
    assert tag.startswith('(IMAGE_WITH_TAG != null ? IMAGE_WITH_TAG : "${(CHANNEL != null')
    assert tag.endswith(':nightly-$${x}")')  # `$$` in stages.yaml is one literal `$`


def test_bake_target_names() -> None:
    assert bake.bake_name("api.v1") == "api_v1"
    assert bake.platform_suffix("linux/arm/v7") == "arm-v7"
    assert bake.platform_suffix("linux/amd64") == "amd64"


# (value of the selecting variable, case pattern): make's `$(filter ...)` / `$(if ...)` decide.
MATCH_CASES = [(v, p) for v in ["gpu", "a gpu b", "xgpuy", "gpux", "  ", "", "g\tpu", "g-1 h",
                                "a.b", "aXb", "gpu ", " gpu"]
               for p in ["gpu", "g%", "%u", "g%u", "%", "", "a.b", "g-%"]]


def test_case_tests_decide_as_make_does(tmp_path: Path) -> None:
    """Each (value, pattern): GNU make's own test of a select case and bake's reading of
    bake._matches, both for real."""
    import json
    import subprocess

    from mkgen import escape
    from tests.bake_fields import real_docker

    docker = real_docker()
    make_lines, hcl_lines = [], []
    for i, (value, pattern) in enumerate(MATCH_CASES):
        test = f"$(filter {pattern},$(V{i}))" if pattern else f"$(if $(V{i}),,x)"
        make_lines += [f"V{i} := {escape.make_literal(value)}$(mkgen_empty)",
                       f"$(info {i}={'$(if ' + test + ',yes,no)'})"]
        hcl_lines.append(f'    C{i} = {bake._matches(escape.hcl_string(value), pattern)} '
                         f'? "yes" : "no"')
    (tmp_path / "Makefile").write_text("mkgen_empty :=\n" + "\n".join(make_lines) +
                                       "\nall: ;\n")
    made = subprocess.run(["make", "-s", "-f", "Makefile"], cwd=tmp_path, capture_output=True,
                          text=True, check=True).stdout.split()
    (tmp_path / "docker-bake.hcl").write_text(
        'target "t" {\n  args = {\n' + "\n".join(hcl_lines) + "\n  }\n}\n")
    baked = subprocess.run([docker, "buildx", "bake", "--file", "docker-bake.hcl", "--print",
                            "t"], cwd=tmp_path, capture_output=True, text=True, check=True)
    args = json.loads(baked.stdout)["target"]["t"]["args"]
    assert [args[f"C{i}"] for i in range(len(MATCH_CASES))] == [
        line.split("=")[1] for line in made]
