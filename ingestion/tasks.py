"""Celery tasks of the ingest queue (routed in settings.CELERY_TASK_ROUTES). Thin: each calls a service.

All are safe to run twice (acks_late, so a worker that dies hands its task to another): runs
are guarded by their SyncLog (a live run of the same source is not started again) and Adzuna
pieces are claimed under a row lock, so no page is fetched twice.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from clients.errors import PermanentError
from ingestion.choices import SyncStatus, TriggerKind
from ingestion.models import SyncLog
from ingestion.services.adzuna import AdzunaAlreadyRunning, adzuna_fetch, adzuna_work
from ingestion.services.alerts import SourcePaused, source_check_not_paused
from ingestion.services.expiry import expiry_run
from ingestion.services.refresh import refresh_run, refresh_start
from ingestion.services.runs import sync_log_lock

logger = logging.getLogger(__name__)


def _running_log(sync_log_id: int) -> SyncLog | None:
    log = SyncLog.objects.filter(pk=sync_log_id).first()
    if log is None or log.status != SyncStatus.RUNNING:
        logger.info("sync log %s is not running; nothing to do", sync_log_id)
        return None
    return log


@shared_task(bind=True, acks_late=True)
def refresh_jobs(self, sync_log_id: int | None = None, triggered_by: str = TriggerKind.SCHEDULE) -> int | None:
    """The full refresh. With sync_log_id, continue the run its caller opened (refresh_enqueue)."""
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


def _user(user_id: int | None) -> Any:
    """The staff member who started a run (None when unknown or since deleted)."""
    if user_id is None:
        return None
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=user_id).first()


@shared_task(bind=True, acks_late=True)
def fetch_adzuna(self, triggered_by: str = TriggerKind.SCHEDULE, user_id: int | None = None) -> int | None:
    """An Adzuna run with settings' countries and terms, its pieces shared with helper tasks.

    user_id: the staff member who pressed the button, recorded on the run's log."""
    from django.conf import settings

    try:
        source_check_not_paused(source="adzuna")
    except SourcePaused as exc:
        logger.warning("skipped: %s", exc)
        return None
    try:
        log = adzuna_fetch(
            triggered_by=triggered_by,
            user=_user(user_id),
            helpers=settings.ADZUNA_HELPER_TASKS,
            task_id=self.request.id or "",
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


@shared_task(bind=True, acks_late=True)
def expire_jobs(self, triggered_by: str = TriggerKind.SCHEDULE, user_id: int | None = None) -> int:
    """Expire jobs past expires_at or unseen for JOB_EXPIRY_DAYS (user_id: who pressed the button)."""
    return expiry_run(triggered_by=triggered_by, user=_user(user_id), task_id=self.request.id or "").pk
