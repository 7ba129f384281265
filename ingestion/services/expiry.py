"""Expiry as a run of its own: jobs past expires_at or not seen for JOB_EXPIRY_DAYS."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ingestion.choices import SyncKind
from ingestion.models import SyncLog
from ingestion.services.refresh import RefreshContext, register_refresh_step
from ingestion.services.runs import (
    sync_log_add,
    sync_log_fail_abandoned,
    sync_log_finish,
    sync_log_lock,
    sync_log_start,
)
from ingestion.sources import SOURCES
from jobs.services.expiry import job_expire_stale, job_expire_unseen

SOURCE = "expiry"


def board_expire_unseen(*, sync_log: SyncLog, source: str, board: str, seen_since: datetime) -> int:
    """After a complete read of one board (a crawled board, an API source's feed): expire its jobs the
    read did not see, if its source's row says so (ingestion.sources), counted on the run's log."""
    row = SOURCES.get(source)
    if row is not None and not row.board_expiry:
        return 0
    expired = job_expire_unseen(source=source, board=board, seen_since=seen_since)
    if expired:
        sync_log_add(sync_log=sync_log, expired=expired)
    return expired


def expiry_run(
    *,
    triggered_by: str,
    user: Any = None,
    now: datetime | None = None,
    task_id: str = "",
    sync_log: SyncLog | None = None,
) -> SyncLog:
    """Expire stale jobs, recorded in a SyncLog of its own (`sync_log`: one its caller opened).

    Also closes the logs of every source's dead runs (ingestion.services.runs says which), so
    the admin does not show a run as running until that source happens to start again.
    """
    sync_log_fail_abandoned()
    if sync_log is None:
        sync_log = sync_log_start(
            kind=SyncKind.EXPIRY, source=SOURCE, triggered_by=triggered_by, user=user, task_id=task_id
        )
    with sync_log_lock(sync_log=sync_log) as held:
        if not held:
            return sync_log  # a second copy of the message: the first is expiring
        try:
            expired = job_expire_stale(now=now)
        except BaseException as exc:
            sync_log_finish(sync_log=sync_log, status="failed", message=f"{type(exc).__name__}: {exc}"[:300])
            raise
        sync_log_add(sync_log=sync_log, expired=expired)
        return sync_log_finish(sync_log=sync_log)


@register_refresh_step("expiry", order=900)
def expiry_refresh_step(ctx: RefreshContext) -> SyncLog:
    return expiry_run(triggered_by=ctx.triggered_by, user=ctx.user)
