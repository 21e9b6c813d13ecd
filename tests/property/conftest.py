"""Keep the property run fast next to pytest-golden.

pytest-golden implements `pytest_assertion_pass` (so pyproject enables the pass hook), and
pytest rewrites the asserts of every plugin's package, hypothesis included: each passing
assert inside hypothesis's engine then formats an explanation nobody reads, which makes
200 examples take 100 s instead of 10 s. No golden file is written here, so the pass hook
is switched off while these tests run, and only then.
"""
from __future__ import annotations

from collections.abc import Generator

import pytest
from _pytest.assertion import util


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    saved = util._assertion_pass
    util._assertion_pass = None
    try:
        return (yield)
    finally:
        util._assertion_pass = saved
