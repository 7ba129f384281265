"""The SyncLog lifecycle: start, count, record errors, finish; and runs that died.

A running log carries a heartbeat (bumped by every count). One whose heartbeat is older
than SYNC_STALE_MINUTES belongs to a process that died: the next start of any run marks it
failed, so no log stays "running" forever.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from gigm8 import logs
from ingestion.choices import SyncStatus
from ingestion.models import SyncLog
from ingestion.services.alerts import alerts_after_run
from jobs.types import UpsertResult

ERROR_SAMPLE_SIZE = 50
COUNTS = ("fetched", "created", "updated", "unchanged", "skipped", "expired", "deleted", "errors")


def _stale_before(now: datetime) -> datetime:
    return now - timedelta(minutes=settings.SYNC_STALE_MINUTES)


def _running(source: str | None) -> Any:
    qs = SyncLog.objects.filter(status=SyncStatus.RUNNING)
    return qs.filter(source=source) if source is not None else qs


def sync_log_fail_abandoned(*, source: str | None = None) -> int:
    """Mark running logs without a recent heartbeat as failed; return how many."""
    now = timezone.now()
    stale = _running(source).annotate(alive=Coalesce("heartbeat_at", "started_at")).filter(alive__lt=_stale_before(now))
    count = 0
    for log in stale:
        alive = log.heartbeat_at or log.started_at
        failed = SyncLog.objects.filter(pk=log.pk, status=SyncStatus.RUNNING).update(
            status=SyncStatus.FAILED,
            finished_at=max(now, log.started_at),
            message=f"Abandoned: no sign of life since {alive:%Y-%m-%d %H:%M} UTC (the process died or was killed).",
        )
        count += failed
        if failed:
            log.refresh_from_db()
            alerts_after_run(sync_log=log)  # a worker that keeps dying is a source failing too
    return count


def sync_log_is_running(*, source: str) -> bool:
    """Whether a live run of this source is under way."""
    cutoff = _stale_before(timezone.now())
    return (
        _running(source)
        .filter(Q(heartbeat_at__gte=cutoff) | Q(heartbeat_at__isnull=True, started_at__gte=cutoff))
        .exists()
    )


def sync_log_start(
    *,
    kind: str,
    source: str,
    triggered_by: str,
    user: Any = None,
    params: dict[str, Any] | None = None,
    task_id: str = "",
) -> SyncLog:
    """Open a log for a run (after failing the abandoned runs of the same source)."""
    sync_log_fail_abandoned(source=source)
    sync_log = SyncLog.objects.create(
        kind=kind,
        source=source,
        triggered_by=triggered_by,
        triggered_by_user=user if getattr(user, "is_authenticated", False) else None,
        params=params or {},
        task_id=task_id or "",
        status=SyncStatus.RUNNING,
        heartbeat_at=timezone.now(),
    )
    logs.run_started(sync_log_id=sync_log.pk, source=source)
    return sync_log


def sync_log_start_unless_running(
    *,
    kind: str,
    source: str,
    triggered_by: str,
    user: Any = None,
    params: dict[str, Any] | None = None,
    task_id: str = "",
) -> tuple[SyncLog, bool]:
    """Start a run unless a live one of the same source exists: (log, started).

    Two callers at once (two clicks, two beat ticks) serialize on a PostgreSQL advisory
    lock keyed by the source, so exactly one of them starts a run.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(f"synclog:{source}".encode())])
        sync_log_fail_abandoned(source=source)
        current = _running(source).order_by("-started_at").first()
        if current is not None:
            return current, False
        log = sync_log_start(
            kind=kind, source=source, triggered_by=triggered_by, user=user, params=params, task_id=task_id
        )
        return log, True


def sync_log_add(*, sync_log: SyncLog, result: UpsertResult | None = None, **counts: int) -> None:
    """Add counts (and an upsert's counts and skip reasons) to a log; bumps its heartbeat.

    Increments happen in the database, so several workers can count into one log.
    """
    unknown = set(counts) - set(COUNTS)
    if unknown:
        raise TypeError(f"unknown counts: {', '.join(sorted(unknown))}")
    totals = dict.fromkeys(COUNTS, 0)
    totals.update(counts)
    samples: list[str] = []
    if result is not None:
        totals["created"] += result.created
        totals["updated"] += result.updated
        totals["unchanged"] += result.unchanged
        totals["skipped"] += result.skipped
        samples = result.errors
    updates: dict[str, Any] = {name: F(name) + value for name, value in totals.items() if value}
    updates["heartbeat_at"] = timezone.now()
    with transaction.atomic():
        SyncLog.objects.filter(pk=sync_log.pk).update(**updates)
        if samples:
            _append_samples(sync_log.pk, samples)
    sync_log.refresh_from_db()


def _append_samples(pk: int, samples: list[str]) -> None:
    log = SyncLog.objects.select_for_update().only("error_sample").get(pk=pk)
    room = ERROR_SAMPLE_SIZE - len(log.error_sample)
    if room > 0:
        log.error_sample = [*log.error_sample, *(line[:300] for line in samples[:room])]
        SyncLog.objects.filter(pk=pk).update(error_sample=log.error_sample)


def sync_log_error(*, sync_log: SyncLog, error: str) -> None:
    """Count one error of the run (a page that failed, a step that raised) and keep its line."""
    with transaction.atomic():
        SyncLog.objects.filter(pk=sync_log.pk).update(errors=F("errors") + 1, heartbeat_at=timezone.now())
        _append_samples(sync_log.pk, [error])
    sync_log.refresh_from_db()


def sync_log_update_details(*, sync_log: SyncLog, **details: Any) -> None:
    """Merge keys into a log's details (under a row lock: workers may write at once)."""
    with transaction.atomic():
        log = SyncLog.objects.select_for_update().only("details").get(pk=sync_log.pk)
        log.details = {**log.details, **details}
        SyncLog.objects.filter(pk=sync_log.pk).update(details=log.details, heartbeat_at=timezone.now())
    sync_log.refresh_from_db()


def sync_log_derive_status(*, sync_log: SyncLog) -> str:
    """failed if errors and nothing worked, partial if some errors, else success."""
    if not sync_log.errors:
        return SyncStatus.SUCCESS
    worked = sync_log.created + sync_log.updated + sync_log.unchanged + sync_log.expired + sync_log.deleted
    return SyncStatus.PARTIAL if worked else SyncStatus.FAILED


def sync_log_finish(*, sync_log: SyncLog, status: str | None = None, message: str = "") -> SyncLog:
    """Close a running log with its status (derived from its counts when not given).

    A log that is no longer running (failed as abandoned meanwhile) is left as it is.
    """
    logs.run_finished(sync_log_id=sync_log.pk)
    sync_log.refresh_from_db()
    if sync_log.status != SyncStatus.RUNNING:
        return sync_log
    status = status or sync_log_derive_status(sync_log=sync_log)
    now = timezone.now()
    SyncLog.objects.filter(pk=sync_log.pk, status=SyncStatus.RUNNING).update(
        status=status,
        finished_at=max(now, sync_log.started_at),
        heartbeat_at=now,
        message=(message or sync_log.message)[:1000],
    )
    sync_log.refresh_from_db()
    alerts_after_run(sync_log=sync_log)
    return sync_log


@contextlib.contextmanager
def sync_log_lock(*, sync_log: SyncLog) -> Iterator[bool]:
    """Hold a PostgreSQL session lock on a run while working on it; yields False if another process holds it.

    A broker may deliver an acks_late task again while the first copy still runs (a long
    refresh outliving the visibility timeout): the second copy finds the lock taken and stops.
    If the worker dies, its connection closes and the lock is free for the redelivered copy.
    """
    key = zlib.crc32(f"synclog-run:{sync_log.pk}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        held = cursor.fetchone()[0]
    try:
        # The process that works on a run (often not the one that opened it) logs under its id.
        with logs.bound(sync_log_id=sync_log.pk, source=sync_log.source):
            yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
