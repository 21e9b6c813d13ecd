"""Reference cycles among Make variables, globally and in one target's view only."""
from __future__ import annotations

from pathlib import Path

from mkgen.builtin_variables import builtin_variables
from mkgen.model import ActionSettings, Config, Project, Stage, Variable
from mkgen.plan import make_plan
from mkgen.variable_cycles import cycles, find_cycle

PROJECT = Project(name="app")


def found(*variables: Variable, stage_values: tuple[tuple[str, str], ...] = (),
          run_values: tuple[tuple[str, str], ...] = ()) -> list:
    stage = Stage(name="app", base="debian:12", variables=stage_values,
                  per_action=(ActionSettings("run", run_values),) if run_values else ())
    config = Config(source=Path("s.yaml"), project=PROJECT,
                    variables=builtin_variables(PROJECT) + variables, stages=(stage,))
    return cycles(config, make_plan(config))


def test_find_cycle_walks_references_and_ignores_other_loops() -> None:
    graph = {"A": ["B"], "B": ["C", "D"], "C": ["A"], "D": ["D"]}
    assert find_cycle(graph, "A") == ["A", "B", "C", "A"]
    assert find_cycle(graph, "D") == ["D", "D"]
    assert find_cycle({"A": ["B"], "B": []}, "A") is None


def test_a_global_cycle_is_blamed_on_each_variable_in_it() -> None:
    assert found(Variable("X", default="$(Y)"), Variable("Y", default="a-$(X)")) == [
        (("variables", "X"), ["X", "Y", "X"]), (("variables", "Y"), ["Y", "X", "Y"])]


def test_a_cycle_in_one_target_only_is_blamed_on_the_override() -> None:
    assert found(stage_values=(("CODE_DIR", "$(WORK_DIR)"),),
                 run_values=(("WORK_DIR", "$(CODE_DIR)/x"),)) == [
        (("stages", "app", "variables", "CODE_DIR"), ["CODE_DIR", "WORK_DIR", "CODE_DIR"]),
        (("stages", "app", "run", "workdir"), ["WORK_DIR", "CODE_DIR", "WORK_DIR"])]


def test_a_computed_built_in_counts_the_variables_its_helper_refers_to() -> None:
    # USER_NAME's helper falls back to user$(USER_ID): an override of USER_ID that refers
    # to USER_NAME closes a loop make would only find at run time.
    assert found(stage_values=(("USER_ID", "$(USER_NAME)"),)) == [
        (("stages", "app", "variables", "USER_ID"), ["USER_ID", "USER_NAME", "USER_ID"])]


def test_values_read_from_a_command_or_a_file_refer_to_nothing() -> None:
    assert found(Variable("X", shell="echo $(X)"), Variable("Y", files=("v",), key="Y")) == []
