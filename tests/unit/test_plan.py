"""The plan: every target once, the values each sets in make's order, and value sources."""
from __future__ import annotations

from pathlib import Path

from mkgen.api import load_config
from mkgen.model import Variable
from mkgen.plan import make_plan, target_name, value_source
from tests.support import SMALL


def small_plan(tmp_path: Path):
    (tmp_path / "stages.yaml").write_text(SMALL)
    return make_plan(load_config(tmp_path / "stages.yaml"))


def test_every_target_in_help_order_with_its_stage_and_family(tmp_path: Path) -> None:
    plan = small_plan(tmp_path)
    assert [(t.name, t.stage, t.family) for t in plan.targets] == [
        ("deps_build", "deps", None), ("deps_push", "deps", None), ("deps_run", "deps", None),
        ("deps_pull", "deps", None), ("deps_user", "deps", None), ("deps_bake", "deps", None),
        ("app_build", "app", None), ("app_push", "app", None), ("app_run", "app", None),
        ("app_pull", "app", None), ("app_user", "app", None), ("app_bake", "app", None),
        ("nightly_build", "app", "nightly"), ("nightly_push", "app", "nightly")]
    assert plan.targets_of("push") == ("deps_push", "app_push", "nightly_push")
    assert plan.actions == ("build", "push", "run", "pull", "user", "bake")
    assert target_name("ngc-devel", "run") == "ngc-devel_run"


def test_overrides_come_in_make_order_with_their_origin(tmp_path: Path) -> None:
    plan = small_plan(tmp_path)
    push = plan.target("nightly_push")
    assert push is not None
    assert [(o.variable, o.value, o.origin, o.path) for o in push.overrides] == [
        ("IMAGE_TAG", "nightly", "family nightly", ("targets", "nightly", "variables",
                                                    "IMAGE_TAG")),
        ("IMAGE_NAME", "registry.local/small", "family nightly, push action",
         ("targets", "nightly", "push", "variables", "IMAGE_NAME"))]
    run = plan.target("app_run")
    assert run is not None
    assert {n: o.origin for n, o in run.origins().items()} == {"WORK_DIR": "stage app, run action"}
    assert plan.target("nightly_build").origins().keys() == {"IMAGE_TAG"}  # type: ignore[union-attr]


def test_each_value_source_is_said_one_way_for_help_and_one_for_explain() -> None:
    cases = {
        Variable("A", default="x"): ("default", "x", "default"),
        Variable("B"): ("default", "(empty)", "default"),
        Variable("C", shell="git rev-parse HEAD", tag_safe=True):
            ("shell", "$(shell git rev-parse HEAD) made tag-safe",
             "shell: git rev-parse HEAD (not run), made tag-safe"),
        Variable("D", files=("v.py",), key="V"): ("file", "V in v.py", "file: V in v.py"),
        Variable("E", secret=True): ("secret", "(secret: from the environment or the command "
                                     "line)", "secret, from the environment"),
        Variable("F", computed="tty"): ("computed", "(computed)", "make: test -t 0 (not run)"),
    }
    for var, expected in cases.items():
        source = value_source(var)
        assert (source.kind, source.summary, source.origin) == expected
