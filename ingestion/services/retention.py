"""Retention: delete long-expired jobs and old SyncLogs, in batches, optionally archiving them first.

What goes:
- jobs expired before a date (status expired; active and hidden jobs never). Kept even then:
  a job that Cloud Talent Solution still holds (cts_name set: the CTS sync deletes it there first,
  and would lose track of it otherwise), and the canonical of a duplicate that is not expired
  (expiry promotes duplicates when a canonical expires, so this only happens when a duplicate
  was linked later; the job goes once its duplicates have expired too). Expired duplicates of a
  purged job are detached (duplicate_of set NULL), as the model says.
- SyncLogs that finished before a date, except each source's latest run and latest successful
  run (the health view, /metrics and alerts read those). Running logs never.

The archive (optional) is a gzip file of JSON lines, one object per row with its "id". Each batch
is appended as its own gzip member (a gzip file may hold several; `gzip.open(path, "rt")` reads
them as one stream). Per batch, in one transaction: lock the rows, append and fsync their member,
delete them, commit. So an interruption loses nothing and duplicates nothing:
- killed while writing: the torn member at the end of the file is cut off by the next run, whose
  first batch archives those rows again (they were never deleted);
- killed after the fsync, before the commit: the rows are still in the database and already in
  the last member; the next run reads that member's ids and deletes those rows without writing
  them a second time.
Only one purge runs at a time (a PostgreSQL advisory lock), so only the last member can hold
rows whose delete did not commit. Should such a row have changed in between (a job seen again),
it stays in the database and its archived copy is the older one.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import logging
import os
import re
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from ingestion.choices import SyncStatus
from ingestion.models import SyncLog
from jobs.choices import JobStatus
from jobs.models import Job

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 1000
# Derived columns, rebuilt from the others: not worth their bytes in an archive.
_JOB_FIELDS_NOT_ARCHIVED = frozenset({"search_vector", "search_head", "embedding"})
_LOCK_KEY = 0x67696D38  # "gim8": one purge at a time, whatever it purges
_CHUNK = 1 << 20


class RetentionBusy(RuntimeError):
    """Another purge holds the retention lock."""


class ArchiveError(RuntimeError):
    """The archive file cannot be used (not a gzip file, not writable)."""


@dataclasses.dataclass(slots=True)
class PurgeResult:
    """What a purge did (or, on a dry run, would do)."""

    matched: int = 0  # rows old enough and allowed to go
    kept: int = 0  # rows old enough but kept (see the module docstring)
    archived: int = 0
    deleted: int = 0
    batches: int = 0
    dry_run: bool = False


# --- Cut-off dates --------------------------------------------------------------------------------


def parse_cutoff(value: str, *, now: datetime | None = None) -> datetime:
    """A cut-off from YYYY-MM-DD (midnight UTC), an ISO 8601 date-time (UTC when naive), or Nd (N days ago).

    Raises ValueError with a one-line message for anything else, or for a moment in the future.
    """
    now = now or timezone.now()
    text = value.strip()
    if match := re.fullmatch(r"(\d+)d", text):
        cutoff = now - timedelta(days=int(match[1]))
    else:
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"expected a date like 2026-01-31, a date-time, or a number of days like 90d; got {value!r}"
            ) from None
        cutoff = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if cutoff > now:
        raise ValueError(f"{value!r} is in the future; expected a moment in the past")
    return cutoff


# --- What may go ----------------------------------------------------------------------------------


def _jobs_expired_before(expired_before: datetime) -> QuerySet[Job]:
    return Job.objects.filter(status=JobStatus.EXPIRED, expired_at__lt=expired_before)


def jobs_purgeable(*, expired_before: datetime) -> QuerySet[Job]:
    """Expired jobs that may be deleted: expired before the date, not in CTS, no live duplicate."""
    live_duplicate = Job.objects.filter(duplicate_of=OuterRef("pk")).exclude(status=JobStatus.EXPIRED)
    return _jobs_expired_before(expired_before).filter(cts_name="").exclude(Exists(live_duplicate))


def _sync_logs_finished_before(finished_before: datetime) -> QuerySet[SyncLog]:
    return SyncLog.objects.exclude(status=SyncStatus.RUNNING).filter(finished_at__lt=finished_before)


def sync_logs_purgeable(*, finished_before: datetime) -> QuerySet[SyncLog]:
    """Finished SyncLogs older than the date, except each source's latest and latest successful run."""
    latest = SyncLog.objects.exclude(status=SyncStatus.RUNNING).order_by("source", "-finished_at", "-id")
    latest_ok = latest.filter(status__in=[SyncStatus.SUCCESS, SyncStatus.PARTIAL])
    return (
        _sync_logs_finished_before(finished_before)
        .exclude(pk__in=latest.distinct("source").values("pk"))
        .exclude(pk__in=latest_ok.distinct("source").values("pk"))
    )


# --- Archive ----------------------------------------------------------------------------------------


def _scan_archive(path: Path) -> tuple[int, bytes]:
    """(bytes of complete gzip members at the start of the file, text of the last complete member)."""
    good_end, last_member = 0, b""
    with path.open("rb") as f:
        data, offset = b"", 0  # offset: where `data` starts in the file
        while True:
            if not data:
                data = f.read(_CHUNK)
                if not data:
                    return good_end, last_member
            member = zlib.decompressobj(wbits=31)  # 31: gzip header and trailer
            parts = []
            while True:
                try:
                    parts.append(member.decompress(data))
                except zlib.error:
                    return good_end, last_member  # garbage after the good members
                if member.eof:
                    break
                offset += len(data)
                data = f.read(_CHUNK)
                if not data:
                    return good_end, last_member  # a member cut short: the writer died
            rest = member.unused_data
            offset += len(data) - len(rest)
            data = rest
            good_end, last_member = offset, b"".join(parts)


class _Archive:
    """Appends batches to a gzip JSON-lines file, one member each, safely (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.pending_ids: set[int] = set()
        if not path.exists():
            return
        try:
            good_end, last_member = _scan_archive(path)
        except OSError as exc:
            raise ArchiveError(f"{path}: {exc}") from exc
        size = path.stat().st_size
        if good_end == 0 and size:
            raise ArchiveError(f"{path}: not a gzip archive; refusing to append to it")
        if good_end < size:
            logger.warning("archive %s: cut %d bytes of an interrupted write", path, size - good_end)
            os.truncate(path, good_end)
        # Rows of the last batch whose delete may not have committed.
        self.pending_ids = {json.loads(line)["id"] for line in last_member.splitlines() if line.strip()}

    def append(self, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        start = self.path.stat().st_size if self.path.exists() else 0
        try:
            with self.path.open("ab") as raw:
                with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as member:
                    for record in records:
                        member.write(json.dumps(record, cls=DjangoJSONEncoder, ensure_ascii=False).encode() + b"\n")
                raw.flush()
                os.fsync(raw.fileno())
        except BaseException:
            # Interrupted (Ctrl-C, a full disk): leave the file as it was before this batch.
            with self.path.open("ab") as raw:
                raw.truncate(start)
            raise


def _record(obj: models.Model, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name not in skip}


def _job_record(job: Job) -> dict[str, Any]:
    return {**_record(job, _JOB_FIELDS_NOT_ARCHIVED), "company_name": job.company.name if job.company else ""}


# --- The purge loop -----------------------------------------------------------------------------------


@contextmanager
def _exclusive() -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_LOCK_KEY])
        if not cursor.fetchone()[0]:
            raise RetentionBusy("another purge is running")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])


def _purge(
    *,
    queryset: QuerySet[Any],
    to_record: Callable[[Any], dict[str, Any]],
    archive: Path | None,
    batch_size: int,
    progress: Callable[[int], None] | None,
    result: PurgeResult,
) -> PurgeResult:
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    model = queryset.model
    with _exclusive():
        writer = _Archive(archive) if archive is not None else None
        last_pk = 0
        while True:
            with transaction.atomic():
                # Ordered by id from where the last batch ended: each statement starts on the index.
                batch = queryset.filter(pk__gt=last_pk).order_by("pk")
                if writer is None:
                    ids = list(batch.select_for_update(of=("self",)).values_list("pk", flat=True)[:batch_size])
                else:
                    rows = list(batch.select_for_update(of=("self",))[:batch_size])
                    ids = [row.pk for row in rows]
                    fresh = [to_record(row) for row in rows if row.pk not in writer.pending_ids]
                    writer.append(fresh)
                    result.archived += len(fresh)
                if not ids:
                    break
                model.objects.filter(pk__in=ids).delete()
            last_pk = ids[-1]
            result.deleted += len(ids)
            result.batches += 1
            if progress is not None:
                progress(len(ids))
    return result


def job_purge_expired(
    *,
    expired_before: datetime,
    archive: Path | None = None,
    dry_run: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> PurgeResult:
    """Delete jobs expired before `expired_before` (archiving them first when `archive` is given).

    Safe to interrupt and to run again; see the module docstring for what is kept and why.
    """
    purgeable = jobs_purgeable(expired_before=expired_before)
    matched = purgeable.count()
    result = PurgeResult(matched=matched, kept=_jobs_expired_before(expired_before).count() - matched, dry_run=dry_run)
    if dry_run or not matched:
        return result
    queryset = purgeable.select_related("company").defer(*_JOB_FIELDS_NOT_ARCHIVED)
    _purge(
        queryset=queryset,
        to_record=_job_record,
        archive=archive,
        batch_size=batch_size,
        progress=progress,
        result=result,
    )
    logger.info(
        "purged expired jobs",
        extra={"expired_before": expired_before.isoformat(), "deleted": result.deleted, "kept": result.kept},
    )
    return result


def sync_log_purge(
    *,
    finished_before: datetime,
    archive: Path | None = None,
    dry_run: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> PurgeResult:
    """Delete SyncLogs finished before `finished_before`, keeping each source's latest and latest successful run."""
    purgeable = sync_logs_purgeable(finished_before=finished_before)
    matched = purgeable.count()
    result = PurgeResult(
        matched=matched, kept=_sync_logs_finished_before(finished_before).count() - matched, dry_run=dry_run
    )
    if dry_run or not matched:
        return result
    _purge(
        queryset=purgeable,
        to_record=_record,
        archive=archive,
        batch_size=batch_size,
        progress=progress,
        result=result,
    )
    logger.info(
        "purged sync logs",
        extra={"finished_before": finished_before.isoformat(), "deleted": result.deleted, "kept": result.kept},
    )
    return result


# --- The scheduled purge ---------------------------------------------------------------------------


def retention_run(*, now: datetime | None = None) -> dict[str, PurgeResult]:
    """The scheduled purge: jobs expired RETENTION_JOB_DAYS ago, SyncLogs RETENTION_SYNCLOG_DAYS old.

    With RETENTION_ARCHIVE_DIR set, rows are archived first to one file per kind and month there
    (jobs-2026-11.jsonl.gz, synclogs-2026-11.jsonl.gz), so no file grows without end.
    """
    now = now or timezone.now()
    archive_dir = Path(settings.RETENTION_ARCHIVE_DIR) if settings.RETENTION_ARCHIVE_DIR else None
    if archive_dir is not None:
        archive_dir.mkdir(parents=True, exist_ok=True)

    def archive(kind: str) -> Path | None:
        return archive_dir / f"{kind}-{now:%Y-%m}.jsonl.gz" if archive_dir is not None else None

    return {
        "jobs": job_purge_expired(
            expired_before=now - timedelta(days=settings.RETENTION_JOB_DAYS), archive=archive("jobs")
        ),
        "synclogs": sync_log_purge(
            finished_before=now - timedelta(days=settings.RETENTION_SYNCLOG_DAYS), archive=archive("synclogs")
        ),
    }
