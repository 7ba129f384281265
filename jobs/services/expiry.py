"""Expiry: jobs their source no longer lists, or not seen for JOB_EXPIRY_DAYS, leave the listing (kept, not deleted)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from jobs.choices import JobStatus
from jobs.models import Job
from jobs.services.duplicates import duplicates_promote


def _expire(where: str, params: list[Any], now: datetime) -> int:
    table = Job._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, expired_at = %s, updated_at = %s WHERE status = %s AND ({where}) "
            "RETURNING id",
            [JobStatus.EXPIRED, now, now, JobStatus.ACTIVE, *params],
        )
        expired_ids = [r[0] for r in cursor.fetchall()]
        duplicates_promote(cursor=cursor, expired_ids=expired_ids)
    return len(expired_ids)


def job_expire_unseen(*, source: str, board: str | None, seen_since: datetime, now: datetime | None = None) -> int:
    """Expire active jobs of a source (or one board of it) not seen since `seen_since`.

    Call it only after a complete run of that feed: whatever it did not list is gone.
    Hidden jobs stay hidden. Returns the number of jobs expired.
    """
    now = now or timezone.now()
    where, params = "source = %s AND last_seen_at < %s", [source, seen_since]
    if board is not None:
        where += " AND board = %s"
        params.append(board)
    return _expire(where, params, now)


def job_expire_stale(*, now: datetime | None = None) -> int:
    """Expire active jobs past their expires_at, or not seen for JOB_EXPIRY_DAYS days."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.JOB_EXPIRY_DAYS)
    return _expire("expires_at < %s OR last_seen_at < %s", [now, cutoff], now)
