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


@pytest.fixture(autouse=True)
def _fresh_api_cache():
    # The API's cached answers are keyed by the listing version, a sequence that a test's
    # rollback does not roll back (and that a new test database starts again): an answer cached
    # by one test must not answer the next. Only our keys: other runs share this Redis.
    from django.core.cache import cache

    from jobs.api.caching import CACHE_PREFIX

    cache.delete_pattern(f"{CACHE_PREFIX}:*")
    yield
