"""Property: a real stages.yaml with hostile edits (keys and values given line breaks,
control characters, quotes, `$`, escapes, heredoc starts...) is either refused with located
problems, one line each, or rendered; never a traceback, and never an error that only a
template finds (validation let something through). The flagship, the example and every
golden case are the starting points. MKGEN_EXAMPLES sets the number of examples.
"""
from __future__ import annotations

import copy
import os
import random
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mkgen import api
from mkgen.errors import ConfigError
from tests.support import REPO

pytestmark = [pytest.mark.slow]

EXAMPLES = int(os.environ.get("MKGEN_EXAMPLES", "200"))
# What a hostile edit inserts: line breaks of every kind, control characters, what make,
# the shell, HCL or BuildKit read specially.
INSERTS = ["\n", "\r", "\t", "\x00", "\x85", "\u2028", "\x7f", "$", "$$", "#", ",", "(", ")",
           ";", "\\", '"', "'", "`", "%", ":", " ", "*", "{", "}", "$(X)", "${X}", "é", "&",
           "|", "<<EOF", "-", "=", "@", "/", ".."]
LOCATED = re.compile(r"^[^\n]*stages\.yaml:\d+:\d+: ")


def _starting_points() -> list[Any]:
    found = [yaml.safe_load((REPO / "stages.yaml").read_text(encoding="utf-8")),
             yaml.safe_load((REPO / "examples" / "hello" / "stages.yaml").read_text())]
    for case in sorted((REPO / "tests" / "golden" / "cases").glob("*.yml")):
        data = yaml.safe_load(case.read_text(encoding="utf-8"))
        if "input" in data:
            found.append(yaml.safe_load(data["input"]))
    return found


STARTS = _starting_points()


def _places(node: Any, at: tuple = ()) -> list[tuple]:
    """Where an edit can go: (path, "key") for a mapping's key, (path, "value") for a text,
    number or boolean."""
    if isinstance(node, dict):
        return [p for key, value in node.items() for p in
                ([(at + (key,), "key")] if isinstance(key, str) else [])
                + _places(value, at + (key,))]
    if isinstance(node, list):
        return [p for i, item in enumerate(node) for p in _places(item, at + (i,))]
    return [(at, "value")] if isinstance(node, (str, bool, int, float)) else []


def _edited(node: Any, rng: random.Random, edits: int) -> Any:
    """A copy of `node` with an insert at `edits` places chosen at random."""
    node = copy.deepcopy(node)
    places = _places(node)
    chosen = rng.sample(places, k=min(edits, len(places)))
    # Values first, then keys from the deepest: no edit renames the way to a later one.
    for at, kind in sorted(chosen, key=lambda p: (p[1] == "key", -len(p[0]))):
        parent = node
        for step in at[:-1]:
            parent = parent[step]
        if kind == "key":
            parent[_insert(at[-1], rng)] = parent.pop(at[-1])
        else:
            parent[at[-1]] = _insert(str(parent[at[-1]]), rng)
    return node


def _insert(text: str, rng: random.Random) -> str:
    """One insert, at either end as often as anywhere between (where anchors and stripping
    work), a line break as often as all the other inserts together."""
    at = rng.choice([0, len(text), rng.randrange(len(text) + 1)])
    return text[:at] + rng.choice([rng.choice(INSERTS), "\n"]) + text[at:]


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(start=st.sampled_from(range(len(STARTS))), seed=st.integers(0, 2**32 - 1),
       edits=st.sampled_from([1, 1, 2, 8]))
def test_hostile_edits_are_refused_at_their_line_or_rendered(
        tmp_path: Path, start: int, seed: int, edits: int) -> None:
    """One edit alone reaches the templates whenever validation lets it through; several
    are mostly refused (every refusal located)."""
    path = tmp_path / "stages.yaml"
    path.write_text(yaml.safe_dump(_edited(STARTS[start], random.Random(seed), edits)),
                    encoding="utf-8")
    try:
        config = api.load_config(path)
    except ConfigError as exc:
        lines = str(exc).split("\n")
        assert lines and all(LOCATED.match(line) for line in lines), str(exc)
        return
    outputs = api.render(config)  # a TemplateError here: validation let something through
    assert [o.name for o in outputs][:2] == ["Makefile", config.project.dockerfile]
