"""The property tests here need what tests/property needs: pytest-golden's assertion pass hook
switched off while a test runs (it makes each hypothesis example about 20 times slower)."""
from __future__ import annotations

from tests.property.conftest import pytest_runtest_call  # noqa: F401  (a hook, by its name)
