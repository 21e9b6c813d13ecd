"""Property: random multi-stage Dockerfiles assembled from the features real projects use
(tests/adopt/strategies.py) are adopted by `mkgen init --from` and render again to the same
Dockerfile, but for docs/adopt.md's normalisations (tests/adopt/roundtrip.py checks each).
MKGEN_EXAMPLES sets the number of examples (100 by default)."""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings

from mkgen import stamp
from tests.adopt import crosscheck
from tests.adopt.roundtrip import DOCUMENTED, adopt, differences
from tests.adopt.strategies import Generated, dockerfiles

EXAMPLES = int(os.environ.get("MKGEN_EXAMPLES", "100"))


@pytest.mark.skipif(crosscheck.dockerfile is None,
                    reason="the `dockerfile` package (test extra) is missing")
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(dockerfiles())
def test_random_dockerfiles_round_trip_through_init_and_render(generated: Generated) -> None:
    text = generated.text
    assert crosscheck.buildkit_error(text) is None
    adopted = adopt(text)
    assert differences(text, adopted.rendered) <= set(DOCUMENTED)
    # But for the stamps: the two stages.yaml files differ in their first comment.
    assert stamp.unstamped(adopt(adopted.rendered).rendered) == stamp.unstamped(adopted.rendered)
