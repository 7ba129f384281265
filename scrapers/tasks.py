"""Celery tasks of the scrape queue (routed by settings.CELERY_TASK_ROUTES). Thin: they call the crawl service.

A spider runs in a child process (Twisted's reactor cannot be restarted inside a worker).
Not acks_late: a crawl can outlast the broker's visibility timeout, and a redelivered copy
would crawl the same boards a second time while the first is still at it; a run whose worker
died is closed as abandoned by its SyncLog's heartbeat instead.
"""

from __future__ import annotations

import logging

from celery import shared_task

from ingestion.choices import SyncStatus, TriggerKind
from ingestion.models import SyncLog
from ingestion.services.alerts import SourcePaused, source_check_not_paused
from ingestion.services.crawl import CrawlAlreadyRunning, CrawlError, crawl_run

logger = logging.getLogger(__name__)


@shared_task(bind=True, ignore_result=True)
def crawl_spider(
    self,
    spider: str,
    args: dict[str, str] | None = None,
    sync_log_id: int | None = None,
    triggered_by: str = TriggerKind.SCHEDULE,
) -> int | None:
    """Run one spider to its end; returns its SyncLog id (None when it was already running).

    With sync_log_id, run into the log the caller opened (crawl_enqueue: the admin button
    shows it at once); without, open one unless the spider is already running.
    """
    try:
        source_check_not_paused(source=spider)
    except SourcePaused as exc:
        logger.warning("skipped: %s", exc)
        return None
    sync_log = None
    if sync_log_id is not None:
        sync_log = SyncLog.objects.filter(pk=sync_log_id, source=spider).first()
        if sync_log is None or sync_log.status != SyncStatus.RUNNING:
            logger.info("crawl %s: sync log %s is not running; nothing to do", spider, sync_log_id)
            return None
    try:
        log = crawl_run(
            spider=spider, args=args, triggered_by=triggered_by, sync_log=sync_log, task_id=self.request.id or ""
        )
    except CrawlAlreadyRunning as exc:
        logger.info("%s", exc)
        return None
    except CrawlError as exc:  # a bad spider name or argument: retrying cannot help
        logger.error("crawl %s: %s", spider, exc)
        return None
    return log.pk
