"""Adopt a Dockerfile (`mkgen init --from`, through the API), render it again, and compare the
two files through BuildKit's own parser (the `dockerfile` package), instruction by instruction.

`differences` returns the documented normalisations it found (docs/adopt.md, "What init
normalises"), each checked to be exactly that; any other difference fails an assertion. The
stages must be the same, in the same order, with the same instructions, flags and values.
"""
from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mkgen.api import load_config, render
from mkgen.dockerfile_parser import parse
from mkgen.dockerfile_variables import expand
from mkgen.errors import Problem
from mkgen.scaffold import new_config
from tests.adopt import crosscheck

# The normalisations docs/adopt.md lists, by the name the tests use.
UNNAMED_STAGE = "an unnamed stage gets the name stageN"
AS_CASE = "AS is written in capitals"
NAME_CASE = "a stage name is written in lower case"
ARG_QUOTES = "a global ARG's literal default is quoted only when it needs quotes"
ARG_SPLIT = "a global ARG line with several names becomes one line per name"
DIRECTIVE_ORDER = "parser directives are written in the order syntax, escape, check"
DOCUMENTED = (UNNAMED_STAGE, AS_CASE, NAME_CASE, ARG_QUOTES, ARG_SPLIT, DIRECTIVE_ORDER)

_GENERATED_NAME = re.compile(r"stage[0-9]+(-[0-9]+)?")


@dataclass(frozen=True)
class Adopted:
    stages_yaml: str
    rendered: str  # the Dockerfile mkgen renders from it
    warnings: tuple[Problem, ...]
    next_step: str


def adopt(text: str, name: str = "Dockerfile") -> Adopted:
    """`mkgen init --from` on `text` in a fresh folder, then the render; MkgenError
    propagates (a refusal)."""
    folder = Path(tempfile.mkdtemp(prefix="mkgen-adopt-"))
    try:
        source = folder / name
        source.write_text(text, encoding="utf-8", newline="")
        new = new_config(folder / "stages.yaml", source)
        (folder / "stages.yaml").write_text(new.text, encoding="utf-8")
        config = load_config(folder / "stages.yaml")
        outputs = {o.name: o.text for o in render(config)}
        return Adopted(new.text, outputs[config.project.dockerfile], new.warnings,
                       new.next_step)
    finally:
        shutil.rmtree(folder)


def _view(c: crosscheck.View) -> tuple:
    keyword, trigger, json, flags, value, _, _, heredocs, _ = c
    return keyword, trigger, json, flags, value, heredocs


def _split_global_args(views: list[tuple], found: set[str]) -> list[tuple]:
    """The original's global ARG lines, one name each (as mkgen writes them)."""
    out = []
    for i, view in enumerate(views):
        if view[0] == "FROM":
            return out + views[i:]
        if len(view[4]) > 1:
            found.add(ARG_SPLIT)
        out += [(*view[:4], (word,), view[5]) for word in view[4]]
    return out


def _default(word: str, escape: str) -> str | None:
    name, eq, default = word.partition("=")
    return expand(default, {}, escape) if eq else None


def _from_difference(ours: tuple, theirs: tuple, found: set[str]) -> None:
    before, after = ours[4], theirs[4]
    assert ours[:4] == theirs[:4] and before[0] == after[0], (ours, theirs)
    if len(before) == 1:
        assert len(after) == 3 and after[1] == "AS" and _GENERATED_NAME.fullmatch(after[2]), \
            (ours, theirs)
        found.add(UNNAMED_STAGE)
        return
    assert after[1] == "AS" and after[2] == before[2].lower(), (ours, theirs)
    found |= {AS_CASE} if before[1] != "AS" else set()
    found |= {NAME_CASE} if before[2] != after[2] else set()


def differences(original: str, rendered: str) -> set[str]:
    """The documented normalisations between `original` and `rendered`; asserts that there
    is no other difference."""
    found: set[str] = set()
    theirs_df, ours_df = parse(original), parse(rendered)
    assert dict((d.name, d.value) for d in theirs_df.directives) == \
        dict((d.name, d.value) for d in ours_df.directives)
    if [d.name for d in theirs_df.directives] != [d.name for d in ours_df.directives]:
        found.add(DIRECTIVE_ORDER)
    before = _split_global_args([_view(v) for v in crosscheck.buildkit_view(original)], found)
    after = [_view(v) for v in crosscheck.buildkit_view(rendered)]
    assert [v[0] for v in before] == [v[0] for v in after], "not the same instructions"
    in_globals = True
    for theirs, ours in zip(before, after, strict=True):
        in_globals = in_globals and theirs[0] != "FROM"
        if theirs == ours:
            continue
        if theirs[0] == "FROM":
            _from_difference(theirs, ours, found)
        else:
            assert in_globals and theirs[0] == "ARG", (theirs, ours)
            [a], [b] = theirs[4], ours[4]
            assert a.partition("=")[0] == b.partition("=")[0]
            assert _default(a, theirs_df.escape) == _default(b, ours_df.escape), (a, b)
            found.add(ARG_QUOTES)
    return found
