"""The Cloud Talent Solution sync as a Celery task (queue `cts`, routed in settings)."""

from __future__ import annotations

from celery import Task, shared_task

from ingestion.choices import TriggerKind
from ingestion.models import SyncLog
from ingestion.services.cts_sync import cts_sync

# The hourly schedule's task; beat drops a run still queued when the next one is due.
SYNC_CTS_EXPIRES = 50 * 60


@shared_task(bind=True, name="ingestion.cts_tasks.sync_cts", ignore_result=True)
def sync_cts(
    self: Task,
    *,
    full: bool = False,
    limit: int | None = None,
    sync_log_id: int | None = None,
    triggered_by: str = TriggerKind.SCHEDULE,
) -> int | None:
    """Sync jobs to CTS; returns the SyncLog id (None when CTS is not configured or a sync runs).

    `sync_log_id`: a log the caller opened (the admin's "sync to CTS now"); otherwise the run
    opens its own, marked `triggered_by` (the schedule passes "schedule"). Safe to run twice: the second run
    sends only what the first did not record.
    """
    sync_log = SyncLog.objects.get(pk=sync_log_id) if sync_log_id is not None else None
    log = cts_sync(full=full, limit=limit, triggered_by=triggered_by, sync_log=sync_log, task_id=self.request.id or "")
    return log.pk if log is not None else None
