"""Fixtures for every test in the project."""

import pytest

from gigm8.logs import clear_context


@pytest.fixture(autouse=True)
def _fresh_log_context():
    # Each test starts like a request or a task does: nothing bound from the one before
    # (a run a test opened and never finished would otherwise label the next test's lines).
    clear_context()
    yield
    clear_context()
