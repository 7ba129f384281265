"""The one pipeline: check each posting, normalize it, and hand batches to the ingestion service.

Nothing here writes SQL: the writes are ingestion.services.crawl's (which calls the one upsert
and the expiry). Scrapy runs an asyncio event loop, in which Django refuses synchronous ORM
calls, so each service call runs in asgiref's one shared worker thread (thread_sensitive):
one thread, one database connection, for the whole run.
"""

from __future__ import annotations

import collections
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.db import close_old_connections, connections
from django.utils import timezone
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from ingestion.normalize import InvalidPosting, build_job_data
from ingestion.services.crawl import (
    HEARTBEAT_SECONDS,
    crawl_heartbeat,
    crawl_ingest,
    crawl_log_close,
    crawl_log_open,
)
from ingestion.services.expiry import board_expire_unseen
from jobs.types import JobData, SkippedRecord
from scrapers.items import JobItem
from scrapers.netguard import crawler_guard

logger = logging.getLogger(__name__)
T = TypeVar("T")

# build_job_data's keyword arguments a spider may fill (source comes from the spider's name).
POSTING_FIELDS = frozenset(
    {
        "external_id",
        "title",
        "company_name",
        "description",
        "description_html",
        "location",
        "country",
        "latitude",
        "longitude",
        "remote",
        "remote_locations",
        "employment_type",
        "salary_text",
        "salary_min",
        "salary_max",
        "salary_currency",
        "salary_period",
        "category",
        "skills",
        "apply_url",
        "posted_at",
        "expires_at",
        "city",
        "region",
    }
)


def posting_problem(posting: dict[str, Any]) -> str | None:
    """A spider that yields a field the normalizer does not take has a bug: say which, per item.

    Whether the posting itself is usable (an id, a title, an absolute apply URL…) is the
    normalizer's rule alone (ingestion.normalize.build_job_data raises InvalidPosting).
    """
    unknown = set(posting) - POSTING_FIELDS
    if unknown:
        return f"unknown fields {', '.join(sorted(unknown))}"
    return None


async def _db(func: Callable[..., T], **kwargs: Any) -> T:
    return await sync_to_async(func, thread_sensitive=True)(**kwargs)


def _close_connections() -> None:
    close_old_connections()
    connections.close_all()


class JobIngestPipeline:
    """Validate → build_job_data → batched ingest; at the end, expire complete boards and close the log."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.batch_size = crawler.settings.getint("INGEST_BATCH_SIZE", 500)
        self.sync_log_id = crawler.settings.getint("CRAWL_SYNC_LOG_ID") or None
        # One buffer for every board: batches stay full however small the boards, and the
        # upserts overlap the crawl instead of all waiting for its end.
        self.buffer: list[JobData | SkippedRecord] = []
        self.counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        self.dropped: collections.Counter[str] = collections.Counter()
        self.sync_log: Any = None
        self.started_at: datetime | None = None
        self.last_beat = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JobIngestPipeline:
        return cls(crawler)

    @property
    def spider(self) -> Any:
        return self.crawler.spider

    async def open_spider(self) -> None:
        # Jobs this run sees get last_seen_at after this instant; the ones a complete board
        # did not list keep an older one and are expired at the end.
        self.started_at = timezone.now()
        params = {"args": dict(getattr(self.spider, "spider_args", {}) or {})}
        self.sync_log = await _db(crawl_log_open, spider=self.spider.name, sync_log_id=self.sync_log_id, params=params)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, JobItem):
            return item
        problem = posting_problem(item.posting)
        record: JobData | SkippedRecord
        if problem is None:
            try:
                record = build_job_data(source=self.spider.name, **item.posting)
            except InvalidPosting as exc:
                problem = exc.reason
            else:
                record.board = item.board
        counts = self.counts[item.board]
        counts["items"] += 1
        if problem is not None:
            self.dropped[problem] += 1
            counts["dropped"] += 1
            ident = str(item.posting.get("external_id") or "?")[:60]
            record = SkippedRecord(reason=f"{self.spider.name}:{item.board}:{ident}: {problem}")
        self.buffer.append(record)
        if len(self.buffer) >= self.batch_size:
            await self._flush()
        elif time.monotonic() - self.last_beat > HEARTBEAT_SECONDS:
            # A slow, paced crawl (Microsoft) may take longer than a batch: show it is alive.
            await _db(crawl_heartbeat, sync_log=self.sync_log)
            self.last_beat = time.monotonic()
        if problem is not None:
            raise DropItem(problem)
        return item

    async def _flush(self) -> None:
        records, self.buffer = self.buffer, []
        if records:
            await _db(crawl_ingest, sync_log=self.sync_log, records=records)  # counted into the log
            self.last_beat = time.monotonic()

    async def close_spider(self) -> None:
        try:
            await self._close()
        finally:
            await _db(_close_connections)

    async def _close(self) -> None:
        await self._flush()
        spider = self.spider
        boards: dict[str, dict[str, Any]] = {}
        errors: list[str] = [spider.start_error] if getattr(spider, "start_error", "") else []
        for token, state in getattr(spider, "boards", {}).items():
            counts = self.counts.get(token, collections.Counter())
            expired = 0
            if state.complete:
                expired = await _db(
                    board_expire_unseen,
                    sync_log=self.sync_log,
                    source=spider.name,
                    board=token,
                    seen_since=self.started_at,
                )
            elif state.failed:
                errors.append(f"{token}: {state.errors[0] if state.errors else 'failed'}"[:300])
            boards[token] = {
                "status": state.status,
                "items": counts["items"],
                "dropped": counts["dropped"],
                "expired": expired,
                "http": dict(state.http),
                "errors": state.errors[:5],
            }
        # What the address guard refused (the middleware's and the browser's egress proxy's):
        # each distinct line becomes an error of the run, so staff see it on the run's page.
        guard = crawler_guard(self.crawler)
        errors += [line for line in guard.refusals if not any(line in error for error in errors)]
        prefix = "downloader/response_status_count/"
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        http = {key.removeprefix(prefix): value for key, value in stats.items() if key.startswith(prefix)}
        extra = {"http": http, "dropped": dict(self.dropped), "refused": guard.refused}
        self.sync_log = await _db(crawl_log_close, sync_log=self.sync_log, boards=boards, extra=extra, errors=errors)
        logger.info(
            "%s: %d boards (%d complete), sync log #%s %s",
            spider.name,
            len(boards),
            sum(1 for b in boards.values() if b["status"] == "complete"),
            self.sync_log.pk,
            self.sync_log.status,
        )
