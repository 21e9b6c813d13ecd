"""The loader's cheap nesting bound is never below the real depth: a file it lets through
unparsed must be shallow enough for libyaml's recursive composer."""
from __future__ import annotations

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mkgen.loader import _BaseLoader, _depth_bound

# Scalars that look like collections or hide their brackets: quoted, commented, plain.
SCALARS = st.sampled_from(["a", "b c", "'[x]'", '"{y: z}"', "'a]'", '"[["', "'}'", "'#['",
                           '"a # ]"'])
BREAKS = st.sampled_from(["", " ", "\n ", " # ] }\n "])  # inside flow: line breaks, comments


def flow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A flow sequence or mapping of `children`, spread over lines or not."""
    items = st.lists(children, max_size=3)
    return st.one_of(
        st.tuples(items, BREAKS).map(lambda t: "[" + t[1] + ("," + t[1]).join(t[0]) + "]"),
        st.tuples(items, BREAKS).map(
            lambda t: "{" + t[1] + ("," + t[1]).join(f"k{i}: {v}" for i, v in enumerate(t[0]))
            + "}"))


FLOW = st.recursive(SCALARS, flow, max_leaves=40)


def block(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A block mapping or sequence of `children`, indented under its parent."""
    def indent(text: str) -> str:
        return text.replace("\n", "\n  ")
    items = st.lists(children, min_size=1, max_size=3)
    return st.one_of(
        items.map(lambda vs: "".join(f"\nk{i}: {indent(v)}" for i, v in enumerate(vs))),
        items.map(lambda vs: "".join(f"\n- {indent(v)}" for v in vs)),
        st.just("|\n  [[[ {{ ]\n  ] } '"), st.just("x[y] ]] #[ z"))


DOCUMENT = st.recursive(FLOW, block, max_leaves=12).map(lambda t: "top: " + t.replace("\n", "\n  "))


def real_depth(text: str) -> int | None:
    """The deepest nesting of the parser's events; None when the text is not YAML."""
    depth = deepest = 0
    try:
        for event in yaml.parse(text, Loader=_BaseLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                deepest = max(deepest, depth)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return None
    return deepest


@settings(max_examples=300, deadline=None)
@given(DOCUMENT)
def test_the_bound_is_never_below_the_depth(text: str) -> None:
    depth = real_depth(text)
    assume(depth is not None)
    assert _depth_bound(text) >= depth


def test_one_line_collections_count_by_pass_not_by_number() -> None:
    text = "".join(f"s{i}:\n  args: [A{i}, B]\n  v: {{env: true}}\n" for i in range(1000))
    assert real_depth(text) == 3
    assert _depth_bound(text) < 40  # was 2000 and more: every file this size parsed twice


@pytest.mark.parametrize("text", [
    "x: " + "[" * 300 + "]" * 300,                      # one line: its width bounds it
    "x: " + "[\n" * 300 + "]\n" * 300,                  # short lines: the openers do
    "x: " + "[[a], {b: c},\n" * 300 + "]\n" * 300,      # flat pairs on every line
    "x: " + "['[', \"]\", # ]\n" * 300 + "]\n" * 300,   # brackets in quotes and comments
], ids=["one-line", "multi-line", "flat-pairs", "quoted"])
def test_deep_nesting_still_counts(text: str) -> None:
    depth = real_depth(text)
    assert depth is not None and depth > 300
    assert _depth_bound(text) >= depth
