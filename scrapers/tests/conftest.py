from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ingestion.choices import TriggerKind
from ingestion.models import SyncLog
from ingestion.services.crawl import crawl_run
from scrapers.tests.fakes import FakeSite

# What every test crawl changes: no pauses (the fakes are local), fast retries.
FAST = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "MICROSOFT_CAREERS_REQUEST_INTERVAL": "0",
    "RETRY_BACKOFF_BASE": "0.05",
    "HTTPCACHE_ENABLED": "False",
    "LOG_LEVEL": "WARNING",
}


@pytest.fixture
def fake_site() -> Iterator[FakeSite]:
    site = FakeSite().start()
    yield site
    site.stop()


@pytest.fixture
def run_spider() -> Callable[..., SyncLog]:
    """Run a spider to its end in a child process, as the command and the task do."""

    def run(spider: str, *, args: dict[str, str] | None = None, **overrides: Any) -> SyncLog:
        settings = {**FAST, **{k: str(v) for k, v in overrides.items()}}
        return crawl_run(spider=spider, args=args, triggered_by=TriggerKind.COMMAND, settings_overrides=settings)

    return run
