"""The Cloud Talent Solution sync as a Celery task (queue `cts`, routed in settings)."""

from __future__ import annotations

import logging

from celery import Task, shared_task

from ingestion.choices import SyncStatus, TriggerKind
from ingestion.models import SyncLog
from ingestion.services.alerts import SourcePaused, source_check_not_paused
from ingestion.services.cts_sync import cts_sync

logger = logging.getLogger(__name__)


# acks_late: a worker that dies mid-sync leaves the message to another worker, which sends
# what the first did not record (the sync is safe to run twice).
@shared_task(bind=True, name="ingestion.cts_tasks.sync_cts", ignore_result=True, acks_late=True)
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
