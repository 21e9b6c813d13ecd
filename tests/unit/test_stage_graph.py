"""The stage graph: edges from FROM, COPY --from and RUN --mount from=, dependency order."""
from __future__ import annotations

import pytest

from mkgen.model import Stage
from mkgen.stage_graph import (
    CycleError,
    Edge,
    edges,
    late_edges,
    parents,
    stage_order,
    step_references,
)


def stage(name: str, base: str = "debian:12", *steps: str) -> Stage:
    return Stage(name=name, base=base, steps=steps)


def names(stages: list[Stage]) -> list[str]:
    return [s.name for s in stages]


def test_edges_come_from_from_copy_and_mount_once_each() -> None:
    stages = (stage("a"), stage("b"),
              stage("c", "a", "COPY --from=b /x /x\nCOPY --from=b /y /y",
                    "RUN --mount=type=bind,from=b,target=/m \\\n    true",
                    "COPY --from=busybox:1.36 /bin/sh /sh"))
    assert edges(stages) == [Edge("a", "c", "from"), Edge("b", "c", "copy"),
                             Edge("b", "c", "mount")]
    assert parents(stages) == {"a": [], "b": [], "c": ["a", "b"]}


def test_order_puts_parents_first_and_keeps_declaration_order_otherwise() -> None:
    stages = (stage("app", "base", "COPY --from=assets /a /a"), stage("tools"),
              stage("assets", "base"), stage("base"))
    assert names(stage_order(stages)) == ["base", "assets", "app", "tools"]


def test_a_long_chain_declared_child_first_needs_no_recursion() -> None:
    count = 3000
    stages = tuple(stage(f"s{i}", f"s{i + 1}" if i + 1 < count else "debian:12")
                   for i in range(count))
    assert names(stage_order(stages)) == [f"s{i}" for i in reversed(range(count))]


def test_a_cycle_is_reported_with_its_path() -> None:
    stages = (stage("a", "c"), stage("b", "a"), stage("c", "debian:12", "COPY --from=b /x /x"))
    with pytest.raises(CycleError) as info:
        stage_order(stages)
    assert info.value.cycle == ["a", "c", "b", "a"]


def test_copy_and_mount_find_stages_in_any_case_and_copy_by_number_above() -> None:
    stages = (stage("builder"), stage("tools"),
              stage("app", "debian:12", "COPY --from=Builder /a /a\nCOPY --from=1 /t /t\n"
                    "COPY --from=2 /self /self\nCOPY --from=7 /none /none",
                    "RUN --mount=type=bind,from=TOOLS,target=/t --mount=from=0,target=/z x"))
    assert edges(stages) == [Edge("builder", "app", "copy"), Edge("tools", "app", "copy"),
                             Edge("tools", "app", "mount")]


def test_from_finds_a_stage_by_its_exact_name_only() -> None:
    assert edges((stage("builder"), stage("app", "Builder"))) == []


def test_a_stage_declared_after_a_stage_that_needs_it_is_moved_up() -> None:
    stages = (stage("app", "debian:12", "COPY --from=assets /a /a"), stage("assets"),
              stage("last"))
    assert late_edges(stages) == [Edge("assets", "app", "copy")]
    assert names(stage_order(stages)) == ["assets", "app", "last"]
    assert late_edges(stage_order(stages)) == []


def test_heredoc_bodies_and_the_backtick_escape() -> None:
    body = "RUN <<EOF\nCOPY --from=tools /x /x\nEOF\nCOPY --from=tools `\n    /y /y"
    stages = (stage("tools"), stage("app", "debian:12", body))
    assert edges(stages, "`") == [Edge("tools", "app", "copy")]
    assert step_references(stages[1], "`") == [("tools", "copy")]
