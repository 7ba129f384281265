"""The scheduled retention purge (queue ingest; see ingestion.services.retention)."""

from __future__ import annotations

import logging

from celery import shared_task

from ingestion.choices import TriggerKind
from ingestion.services.retention import RetentionBusy, retention_run

logger = logging.getLogger(__name__)


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
