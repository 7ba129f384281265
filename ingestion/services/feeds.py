"""What the API sources share: raw postings to records, and the run of a source read feed by feed.

Raw postings to records (`raw_records`, used by Adzuna, Remotive and USAJobs): a posting whose
raw fields hash as last time (`raw_hash`, which includes the version of our normalizing code) is
not normalized again; one that cannot be read is skipped and counted with its reason.

A feed source (Remotive, USAJobs) is read as a list of feeds (Job.board: "all", a keyword…),
each page by page, by `feed_run`: it records a skipped run when the source is not configured or
was read too recently, opens the run's SyncLog (one live run per source), takes its lease, ingests
each page as it comes, and at the end expires the jobs of every feed that was read to its end,
without an error, and listed something (an empty answer is likelier a glitch at the source than
every posting gone at once). A feed that fails is counted as an error and the next feed is read;
rejected credentials end the run at once. Adzuna's own runs (pieces shared by workers) are in
ingestion.services.adzuna.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
import json
import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

import skills
from clients.errors import ClientError, CredentialsError
from gigm8.lib import html as html_lib
from ingestion import normalize
from ingestion.choices import SyncKind, SyncStatus
from ingestion.models import SyncLog
from ingestion.services.expiry import board_expire_unseen
from ingestion.services.ingest import ingest_records
from ingestion.services.refresh import RefreshContext
from ingestion.services.runs import (
    sync_log_error,
    sync_log_finish,
    sync_log_lock,
    sync_log_skip,
    sync_log_start_unless_running,
)
from ingestion.sources import SOURCES
from jobs.services.upsert import job_content_hashes
from jobs.types import JobData, SkippedRecord, UnchangedRecord

logger = logging.getLogger(__name__)

Record = JobData | SkippedRecord | UnchangedRecord


# --- Raw postings to records ----------------------------------------------------------------


@functools.cache
def code_version(module_file: str) -> str:
    """Changes with the code that turns a source's raw posting into a job (the source's module, the
    normalizer, its HTML sanitizer, the skills vocabulary), so a new version rewrites every posting
    once instead of trusting old hashes."""
    digest = hashlib.sha256()
    files = [
        *sorted(Path(normalize.__file__).parent.glob("*.py")),
        Path(html_lib.__file__),
        Path(module_file),
        *sorted(Path(skills.__file__).parent.glob("*.py")),
        skills.VOCABULARY_PATH,
    ]
    for path in files:
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def raw_hash(picked: dict[str, Any], *, module_file: str) -> str:
    """A hash of the raw fields a source reads from one posting (JobData.source_hash)."""
    blob = json.dumps(picked, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(f"{code_version(module_file)}\x1e{blob}".encode()).hexdigest()


def raw_records(
    results: list[Any],
    *,
    source: str,
    external_id: Callable[[dict[str, Any]], object],
    source_hash: Callable[[dict[str, Any]], str],
    record: Callable[[dict[str, Any]], JobData],
    check_unchanged: bool = True,
) -> list[Record]:
    """One page of raw postings for the upsert: one sent exactly as last time is not normalized again,
    one that cannot be read is a SkippedRecord with the reason ("remotive:123: missing title")."""
    stored: dict[str, str] = {}
    if check_unchanged:
        ids = [str(ident) for r in results if isinstance(r, dict) and (ident := external_id(r))]
        stored = job_content_hashes(source=source, external_ids=ids) if ids else {}
    records: list[Record] = []
    for raw in results:
        if not isinstance(raw, dict):
            records.append(SkippedRecord(f"{source}:?: result is not an object"))
            continue
        ident = external_id(raw) or "?"
        try:
            hashed = source_hash(raw)
            if stored and stored.get(str(ident)) == hashed:
                records.append(UnchangedRecord(source=source, external_id=str(ident), source_hash=hashed))
                continue
            data = record(raw)
            data.source_hash = hashed
            records.append(data)
        except normalize.InvalidPosting as exc:
            records.append(SkippedRecord(f"{source}:{ident}: {exc}"))
        except (TypeError, ValueError, AttributeError) as exc:
            unreadable = f"unreadable result ({type(exc).__name__}: {str(exc)[:80]})"
            records.append(SkippedRecord(f"{source}:{ident}: {unreadable}"))
    return records


# --- A source read feed by feed -------------------------------------------------------------


@dataclasses.dataclass(slots=True)
class FeedPage:
    results: list[Any]  # raw postings
    last: bool = False  # the feed's end: nothing more to read (a feed cut short never says so)


@dataclasses.dataclass(frozen=True, slots=True)
class FeedSource:
    """How one API source is read; feed_run does the rest."""

    name: str  # its row in ingestion.sources
    # Why it cannot run (not configured), or None: its refresh step's rule too.
    not_ready: Callable[[], str | None]
    boards: Callable[[], list[str]]  # its feeds now (Job.board of their jobs)
    read: Callable[[str], Iterator[FeedPage]]  # one feed's pages; raises ClientError
    external_id: Callable[[dict[str, Any]], object]
    source_hash: Callable[[dict[str, Any]], str]
    record: Callable[[dict[str, Any], str], JobData]  # (raw, board); raises normalize.InvalidPosting
    params: Callable[[], dict[str, Any]] = dict  # what the run reads, kept in its SyncLog
    # The shortest time between two successful runs (a source's terms of use), or None.
    min_interval: Callable[[], timedelta | None] = lambda: None


_FEEDS: dict[str, FeedSource] = {}


def register_feed(feed: FeedSource) -> FeedSource:
    """Make a feed source known by name (the fetch_feed command's choices); returns it."""
    _FEEDS[feed.name] = feed
    return feed


def feed_sources() -> dict[str, FeedSource]:
    """The feed sources by name: those of the modules in REFRESH_STEP_MODULES (importing registers them)."""
    for module in settings.REFRESH_STEP_MODULES:
        importlib.import_module(module)
    return dict(sorted(_FEEDS.items()))


class FeedAlreadyRunning(Exception):
    def __init__(self, sync_log: SyncLog) -> None:
        super().__init__(f"a {sync_log.source} run is already under way (sync log #{sync_log.pk})")
        self.sync_log = sync_log


# A run due by the clock (a schedule's tick every six hours, against a minimum of six) starts a
# little late or early by the queue; this much early still counts as on time.
INTERVAL_GRACE = timedelta(minutes=10)


def feed_too_soon(*, feed: FeedSource) -> str | None:
    """Why the source may not be read yet (its last successful run is too recent), or None."""
    interval = feed.min_interval()
    if not interval:
        return None
    last = (
        SyncLog.objects.filter(source=feed.name, status__in=(SyncStatus.SUCCESS, SyncStatus.PARTIAL))
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    if last is None or timezone.now() - last >= interval - INTERVAL_GRACE:
        return None
    hours = interval.total_seconds() / 3600
    return (
        f"{SOURCES[feed.name].label} was read at {last:%Y-%m-%d %H:%M} UTC, less than {hours:g} hours ago: "
        f"its terms ask for no more (next run from {last + interval - INTERVAL_GRACE:%H:%M} UTC)."
    )


def _read_feed(
    *, feed: FeedSource, board: str, sync_log: SyncLog, progress: Callable[[int], None] | None
) -> tuple[int, bool]:
    """Ingest one feed page by page; (postings fetched, whether it was read to its end)."""
    fetched, ended = 0, False
    for page in feed.read(board):
        records = raw_records(
            page.results,
            source=feed.name,
            external_id=feed.external_id,
            source_hash=feed.source_hash,
            record=lambda raw: feed.record(raw, board),
        )
        fetched += len(records)
        if records:
            ingest_records(records=records, sync_log=sync_log, progress=progress)
        ended = page.last
    return fetched, ended


def feed_run(
    *,
    feed: FeedSource,
    triggered_by: str,
    user: Any = None,
    task_id: str = "",
    sync_log: SyncLog | None = None,
    progress: Callable[[int], None] | None = None,
) -> SyncLog:
    """A whole run of a feed source in this process; its SyncLog.

    `sync_log`: a run its caller opened (run_enqueue), continued here; else a new one, or
    FeedAlreadyRunning when a live run of the source exists.
    """
    reason = feed.not_ready() or feed_too_soon(feed=feed)
    if reason is not None:
        return sync_log_skip(
            kind=SyncKind.SOURCE,
            source=feed.name,
            reason=reason,
            triggered_by=triggered_by,
            user=user,
            task_id=task_id,
            sync_log=sync_log,
        )
    boards = feed.boards()
    params = {**feed.params(), "boards": boards}
    if sync_log is None:
        sync_log, started = sync_log_start_unless_running(
            kind=SyncKind.SOURCE, source=feed.name, triggered_by=triggered_by, user=user, params=params, task_id=task_id
        )
        if not started:
            raise FeedAlreadyRunning(sync_log)
    else:
        SyncLog.objects.filter(pk=sync_log.pk).update(params=params)
        sync_log.params = params
    with sync_log_lock(sync_log=sync_log) as held:
        if not held:
            return sync_log  # a redelivered task while the first copy still runs it
        complete: list[str] = []
        failures: list[str] = []
        try:
            for board in boards:
                try:
                    fetched, ended = _read_feed(feed=feed, board=board, sync_log=sync_log, progress=progress)
                except CredentialsError:
                    raise
                except ClientError as exc:
                    failures.append(f"{board}: {exc}")
                    sync_log_error(sync_log=sync_log, error=failures[-1])
                    continue
                if ended and fetched:
                    complete.append(board)
        except CredentialsError as exc:
            sync_log_error(sync_log=sync_log, error=str(exc))
            return sync_log_finish(sync_log=sync_log, status=SyncStatus.FAILED, message=str(exc))
        except BaseException as exc:
            # Interrupted (Ctrl-C, a database error): say so now rather than leave it to the lease.
            sync_log_finish(sync_log=sync_log, status=SyncStatus.FAILED, message=f"interrupted: {exc!r}"[:300])
            raise
        for board in complete:
            board_expire_unseen(sync_log=sync_log, source=feed.name, board=board, seen_since=sync_log.started_at)
        return sync_log_finish(sync_log=sync_log, message="; ".join(failures))


def feed_refresh(feed: FeedSource, ctx: RefreshContext) -> SyncLog | None:
    """A feed source's refresh step: its own run, or the one already under way (which stands for it)."""
    progress = (lambda n: ctx.progress(feed.name, n)) if ctx.progress else None
    try:
        return feed_run(feed=feed, triggered_by=ctx.triggered_by, user=ctx.user, progress=progress)
    except FeedAlreadyRunning as exc:
        return exc.sync_log
