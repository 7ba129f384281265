"""The Celery tasks of ingestion, each routed to its queue by name (settings.CELERY_TASK_ROUTES).

Thin: each calls a service. All are safe to run twice: runs are guarded by their SyncLog (a live
run of the same source is not started again, sync_log_lock keeps a second copy of a message
off a run already taken up) and Adzuna pieces are claimed under a row lock, so no page is
fetched twice. Remotive's and USAJobs' runs go through one helper (_feed_task). acks_late where
a redelivered copy resumes the work (a worker that dies hands its task to another); not on
crawl_spider (see there).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import Task, shared_task

from clients.errors import PermanentError
from ingestion.choices import SyncStatus, TriggerKind
from ingestion.models import SyncLog
from ingestion.services.adzuna import AdzunaAlreadyRunning, adzuna_fetch, adzuna_work
from ingestion.services.alerts import SourcePaused, alerts_check_schedules, source_check_not_paused
from ingestion.services.crawl import CrawlAlreadyRunning, CrawlError, crawl_run
from ingestion.services.cts_sync import cts_sync
from ingestion.services.expiry import expiry_run
from ingestion.services.feeds import FeedAlreadyRunning
from ingestion.services.refresh import refresh_run, refresh_start
from ingestion.services.remotive import remotive_fetch
from ingestion.services.retention import RetentionBusy, retention_run
from ingestion.services.runs import sync_log_lock
from ingestion.services.usajobs import usajobs_fetch

logger = logging.getLogger(__name__)


def _running_log(sync_log_id: int) -> SyncLog | None:
    log = SyncLog.objects.filter(pk=sync_log_id).first()
    if log is None or log.status != SyncStatus.RUNNING:
        logger.info("sync log %s is not running; nothing to do", sync_log_id)
        return None
    return log


@shared_task(bind=True, acks_late=True)
def refresh_jobs(self, sync_log_id: int | None = None, triggered_by: str = TriggerKind.SCHEDULE) -> int | None:
    """The full refresh. With sync_log_id, continue the run its caller opened (run_enqueue)."""
    if sync_log_id is not None:
        log = _running_log(sync_log_id)
    else:
        log, started = refresh_start(triggered_by=triggered_by, task_id=self.request.id or "")
        if not started:
            logger.info("a refresh is already running (sync log %s)", log.pk)
            return None
    if log is None:
        return None
    with sync_log_lock(sync_log=log) as held:
        if not held:
            logger.info("refresh %s is being run by another worker", log.pk)
            return None
        return refresh_run(sync_log=log, distribute=True).pk


@shared_task(bind=True, acks_late=True)
def fetch_adzuna(self, sync_log_id: int | None = None, triggered_by: str = TriggerKind.SCHEDULE) -> int | None:
    """An Adzuna run with settings' countries and terms, its pieces shared with helper tasks.

    With sync_log_id, continue the run its caller opened (run_enqueue: the admin's button)."""
    from django.conf import settings

    log = None
    if sync_log_id is not None:
        log = _running_log(sync_log_id)
        if log is None:
            return None
    else:
        try:
            source_check_not_paused(source="adzuna")
        except SourcePaused as exc:
            logger.warning("skipped: %s", exc)
            return None
    try:
        log = adzuna_fetch(
            triggered_by=triggered_by,
            helpers=settings.ADZUNA_HELPER_TASKS,
            task_id=self.request.id or "",
            sync_log=log,
        )
    except AdzunaAlreadyRunning as exc:
        logger.info("%s", exc)
        return None
    return log.pk


@shared_task(acks_late=True)
def adzuna_help(sync_log_id: int) -> int:
    """Work on the pending pieces of a running Adzuna run; returns how many this worker did."""
    log = _running_log(sync_log_id)
    if log is None:
        return 0
    try:
        return adzuna_work(sync_log=log)
    except PermanentError:
        return 0  # recorded in the run's log; the run's starter closes it


def _feed_task(
    *, source: str, fetch: Callable[..., SyncLog], task_id: str, sync_log_id: int | None, triggered_by: str
) -> int | None:
    """A feed source's run (ingestion.services.feeds): continue sync_log_id's, or open one unless paused."""
    log = None
    if sync_log_id is not None:
        log = _running_log(sync_log_id)
        if log is None:
            return None
    else:
        try:
            source_check_not_paused(source=source)
        except SourcePaused as exc:
            logger.warning("skipped: %s", exc)
            return None
    try:
        log = fetch(triggered_by=triggered_by, task_id=task_id, sync_log=log)
    except FeedAlreadyRunning as exc:
        logger.info("%s", exc)
        return None
    return log.pk


@shared_task(bind=True, acks_late=True)
def fetch_remotive(self, sync_log_id: int | None = None, triggered_by: str = TriggerKind.SCHEDULE) -> int | None:
    """A Remotive run (skipped within REMOTIVE_MIN_INTERVAL_HOURS of the last successful one)."""
    return _feed_task(
        source="remotive",
        fetch=remotive_fetch,
        task_id=self.request.id or "",
        sync_log_id=sync_log_id,
        triggered_by=triggered_by,
    )


@shared_task(bind=True, acks_late=True)
def fetch_usajobs(self, sync_log_id: int | None = None, triggered_by: str = TriggerKind.SCHEDULE) -> int | None:
    """A USAJobs run over USAJOBS_KEYWORDS (skipped while USAJOBS_API_KEY or USAJOBS_USER_AGENT is unset)."""
    return _feed_task(
        source="usajobs",
        fetch=usajobs_fetch,
        task_id=self.request.id or "",
        sync_log_id=sync_log_id,
        triggered_by=triggered_by,
    )


@shared_task(bind=True, acks_late=True)
def expire_jobs(self, sync_log_id: int | None = None, triggered_by: str = TriggerKind.SCHEDULE) -> int | None:
    """Expire jobs past expires_at or unseen for JOB_EXPIRY_DAYS (continuing sync_log_id's run if given)."""
    log = None
    if sync_log_id is not None:
        log = _running_log(sync_log_id)
        if log is None:
            return None
    return expiry_run(triggered_by=triggered_by, task_id=self.request.id or "", sync_log=log).pk


# Not acks_late: a crawl can outlast the broker's visibility timeout, and a redelivered copy
# would crawl the same boards a second time while the first is still at it; a run whose worker
# died is known dead by its owner and lease (ingestion.services.runs) instead. The spider runs
# in a child process (Twisted's reactor cannot be restarted inside a worker).
@shared_task(bind=True, ignore_result=True)
def crawl_spider(
    self,
    spider: str,
    args: dict[str, str] | None = None,
    sync_log_id: int | None = None,
    triggered_by: str = TriggerKind.SCHEDULE,
) -> int | None:
    """Run one spider to its end; returns its SyncLog id (None when it was already running).

    With sync_log_id, run into the log the caller opened (run_enqueue: the admin button
    shows it at once); without, open one unless the spider is already running.
    """
    sync_log = None
    if sync_log_id is None:  # a schedule's tick; a caller that opened a log checked first
        try:
            source_check_not_paused(source=spider)
        except SourcePaused as exc:
            logger.warning("skipped: %s", exc)
            return None
    else:
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


# acks_late: a worker that dies mid-sync leaves the message to another worker, which sends
# what the first did not record (the sync is safe to run twice).
@shared_task(bind=True, ignore_result=True, acks_late=True)
def sync_cts(
    self: Task,
    *,
    full: bool = False,
    limit: int | None = None,
    sync_log_id: int | None = None,
    triggered_by: str = TriggerKind.SCHEDULE,
) -> int | None:
    """Sync jobs to CTS; returns the SyncLog id (None when CTS is not configured or a sync runs).

    `sync_log_id`: a log the caller opened (the admin's "Sync to CTS now"); otherwise the run
    opens its own, marked `triggered_by` (the schedule passes "schedule").
    """
    if sync_log_id is None:
        try:
            source_check_not_paused(source="cts")
        except SourcePaused as exc:
            logger.warning("skipped: %s", exc)
            return None
    sync_log = None
    if sync_log_id is not None:
        sync_log = SyncLog.objects.get(pk=sync_log_id)
        if sync_log.status != SyncStatus.RUNNING:
            return sync_log.pk  # a redelivered message of a run that already ended
    log = cts_sync(full=full, limit=limit, triggered_by=triggered_by, sync_log=sync_log, task_id=self.request.id or "")
    return log.pk if log is not None else None


# Idempotent (it deletes what is old enough, whatever ran before), so acks_late: a worker that
# dies mid-purge leaves the message for another worker, which resumes where this one stopped.
@shared_task(acks_late=True)
def purge_old_records(*, triggered_by: str = TriggerKind.SCHEDULE) -> dict[str, dict[str, int]]:
    """Delete (and archive, with RETENTION_ARCHIVE_DIR) long-expired jobs and old SyncLogs."""
    try:
        results = retention_run()
    except RetentionBusy:
        logger.info("retention purge skipped: another purge is running", extra={"triggered_by": triggered_by})
        return {}
    return {kind: {"deleted": r.deleted, "archived": r.archived, "kept": r.kept} for kind, r in results.items()}


@shared_task(ignore_result=True)
def check_overdue_schedules(triggered_by: str = TriggerKind.SCHEDULE) -> int:
    """Alert on beat schedules that have not run when due; returns how many incidents opened."""
    return len(alerts_check_schedules())
