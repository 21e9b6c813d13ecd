"""Property: on random multi-stage Dockerfiles (tests/adopt/strategies.py), mkgen's parser and
BuildKit's agree instruction by instruction, and the parse gives back what the generator put
in: the stages in file order, every heredoc (delimiter, `<<-`, quoting, body byte for byte),
and the exact source text.
MKGEN_EXAMPLES sets the number of examples (100 by default)."""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings

from mkgen.dockerfile_instructions import from_clause
from mkgen.dockerfile_parser import parse
from tests.adopt import crosscheck
from tests.adopt.strategies import Generated, dockerfiles

EXAMPLES = int(os.environ.get("MKGEN_EXAMPLES", "100"))
fast = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.skipif(crosscheck.dockerfile is None,
                    reason="the `dockerfile` package (test extra) is missing")
@fast
@given(dockerfiles())
def test_agrees_with_buildkit(generated: Generated) -> None:
    text = generated.text
    assert crosscheck.buildkit_error(text) is None
    assert crosscheck.our_view(text) == crosscheck.buildkit_view(text)


@fast
@given(dockerfiles())
def test_gives_back_what_was_generated(generated: Generated) -> None:
    df = parse(generated.text)
    froms = [from_clause(i) for i in df.instructions if i.keyword == "FROM"]
    assert [f.name for f in froms] == generated.stages
    assert [(h.name, h.strip_tabs, h.quoted, h.body) for i in df.instructions
            for h in i.heredocs] == generated.heredocs
    assert df.escape == generated.escape
    assert "".join(df.lines) == generated.text
    for ins in df.instructions:
        assert ins.source == "".join(df.lines[ins.start_line - 1:ins.end_line])
