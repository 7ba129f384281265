"""An Adzuna run: countries x search terms x page ranges, shared by any number of workers.

A run is planned into pieces (one country, one search term, a range of pages) kept in its
SyncLog's details. Whoever works on the run (the command, the task that started it, helper
tasks on other workers) claims the next pending piece under a row lock on the log, so no
page is fetched twice. The starter waits for the pieces others hold, then expires the jobs
of every feed ("country:what", Job.board) that was read to its end without an error.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clients.errors import CredentialsError, PermanentError, TransientError
from ingestion import normalize
from ingestion.choices import SyncKind, SyncStatus
from ingestion.clients.adzuna import MAX_RESULTS_PER_PAGE, AdzunaClient
from ingestion.models import SyncLog
from ingestion.services.expiry import board_expire_unseen
from ingestion.services.feeds import raw_hash, raw_records
from ingestion.services.ingest import ingest_records
from ingestion.services.refresh import RefreshContext, register_refresh_step
from ingestion.services.runs import (
    sync_log_error,
    sync_log_finish,
    sync_log_lock,
    sync_log_skip,
    sync_log_start_unless_running,
)
from jobs.types import JobData, SkippedRecord, UnchangedRecord

logger = logging.getLogger(__name__)

SOURCE = "adzuna"
PENDING, RUNNING, DONE, FAILED, CANCELLED = "pending", "running", "done", "failed", "cancelled"


class AdzunaAlreadyRunning(Exception):
    def __init__(self, sync_log: SyncLog) -> None:
        super().__init__(f"an Adzuna run is already under way (sync log #{sync_log.pk})")
        self.sync_log = sync_log


@dataclasses.dataclass(frozen=True, slots=True)
class Piece:
    country: str
    what: str
    first_page: int
    last_page: int
    where: str = ""

    @property
    def board(self) -> str:
        return adzuna_board(country=self.country, what=self.what, where=self.where)

    @property
    def key(self) -> str:
        return f"{self.board}:{self.first_page}-{self.last_page}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Piece:
        return cls(data["country"], data["what"], data["first_page"], data["last_page"], data.get("where", ""))


def adzuna_board(*, country: str, what: str, where: str = "") -> str:
    """Job.board of a search: "gb:python", or "gb:python@London" for a search around a place."""
    return f"{country}:{what}" + (f"@{where}" if where else "")


NOT_CONFIGURED = "Adzuna is not configured: set ADZUNA_APP_ID and ADZUNA_APP_KEY (free keys at developer.adzuna.com)."


def adzuna_not_ready() -> str | None:
    """Why Adzuna cannot run (no API keys), or None."""
    return None if settings.ADZUNA_APP_ID and settings.ADZUNA_APP_KEY else NOT_CONFIGURED


def adzuna_enabled() -> bool:
    return adzuna_not_ready() is None


def adzuna_plan(
    *, countries: list[str], terms: list[str], max_pages: int, pages_per_piece: int, where: str = ""
) -> list[Piece]:
    pieces = []
    for country in countries:
        for what in terms or [""]:
            for first in range(1, max_pages + 1, pages_per_piece):
                last = min(first + pages_per_piece - 1, max_pages)
                pieces.append(Piece(country.lower(), what, first, last, where))
    return pieces


# --- One result → JobData -----------------------------------------------------------------


def _object_field(raw: dict[str, Any], key: str) -> dict[str, Any]:
    """raw[key] when it is an object, else an empty one."""
    value = raw.get(key)
    return value if isinstance(value, dict) else {}


def adzuna_record(raw: dict[str, Any], *, country: str, board: str = "") -> JobData:
    """One search result as JobData; raises normalize.InvalidPosting when it has no id or title."""
    if not isinstance(raw, dict):
        raise normalize.InvalidPosting("result is not an object")
    company = _object_field(raw, "company")
    location = _object_field(raw, "location")
    category = _object_field(raw, "category")
    area = [str(a) for a in location.get("area") or [] if a]
    data = normalize.build_job_data(
        source=SOURCE,
        external_id=raw.get("id"),
        title=raw.get("title"),
        company_name=company.get("display_name"),
        # Search results carry a truncated snippet that may hold HTML entities.
        description=raw.get("description"),
        location=location.get("display_name"),
        location_area=area or None,
        country=country,
        latitude=raw.get("latitude"),
        longitude=raw.get("longitude"),
        employment_type=[raw.get("contract_time"), raw.get("contract_type")],
        salary_min=raw.get("salary_min"),
        salary_max=raw.get("salary_max"),
        salary_period="year",  # Adzuna gives annual figures
        salary_is_predicted=raw.get("salary_is_predicted"),
        category=category.get("label"),
        apply_url=raw.get("redirect_url"),
        posted_at=raw.get("created"),
    )
    data.board = board
    return data


# What adzuna_record reads. adref and __CLASS__ are left out: adref differs between two searches
# that list the same posting, and would make every posting look changed on every run.
_RAW_FIELDS = (
    "id",
    "title",
    "description",
    "created",
    "redirect_url",
    "salary_min",
    "salary_max",
    "salary_is_predicted",
    "contract_time",
    "contract_type",
    "latitude",
    "longitude",
    "category",
    "company",
    "location",
)


def adzuna_source_hash(raw: dict[str, Any]) -> str:
    """A hash of what we read from one search result (JobData.source_hash)."""
    return raw_hash({key: raw.get(key) for key in _RAW_FIELDS}, module_file=__file__)


def adzuna_page_records(
    results: list[Any], *, country: str, board: str, check_unchanged: bool = True
) -> list[JobData | SkippedRecord | UnchangedRecord]:
    """One page of results for the upsert: a posting sent exactly as last time is not normalized again."""
    return raw_records(
        results,
        source=SOURCE,
        external_id=lambda raw: raw.get("id"),
        source_hash=adzuna_source_hash,
        record=lambda raw: adzuna_record(raw, country=country, board=board),
        check_unchanged=check_unchanged,
    )


# --- Runs ---------------------------------------------------------------------------------


@dataclasses.dataclass(slots=True)
class AdzunaOptions:
    countries: list[str]
    terms: list[str]
    where: str = ""
    max_pages: int = 20
    pages_per_piece: int = 5
    max_days_old: int = 0

    @classmethod
    def from_settings(cls, **overrides: Any) -> AdzunaOptions:
        values: dict[str, Any] = {
            "countries": list(settings.ADZUNA_COUNTRY),
            "terms": list(settings.ADZUNA_WHAT) or [""],
            "where": settings.ADZUNA_WHERE,
            "max_pages": settings.ADZUNA_MAX_PAGES,
            "pages_per_piece": settings.ADZUNA_PAGES_PER_PIECE,
            "max_days_old": settings.ADZUNA_MAX_DAYS_OLD,
        }
        values.update({k: v for k, v in overrides.items() if v not in (None, [], ())})
        values["countries"] = [c.lower() for c in values["countries"]]
        return cls(**values)


def adzuna_run_start(
    *,
    options: AdzunaOptions,
    triggered_by: str,
    user: Any = None,
    task_id: str = "",
    sync_log: SyncLog | None = None,
) -> SyncLog:
    """Open a run (or take the one its caller opened) and its plan; AdzunaAlreadyRunning if a live run exists."""
    pieces = adzuna_plan(
        countries=options.countries,
        terms=options.terms,
        max_pages=options.max_pages,
        pages_per_piece=options.pages_per_piece,
        where=options.where,
    )
    if sync_log is None:
        sync_log, started = sync_log_start_unless_running(
            kind=SyncKind.SOURCE,
            source=SOURCE,
            triggered_by=triggered_by,
            user=user,
            params=dataclasses.asdict(options),
            task_id=task_id,
        )
        if not started:
            raise AdzunaAlreadyRunning(sync_log)
    elif sync_log.details.get("pieces"):
        return sync_log  # a redelivered task: the plan is made, its pieces are claimed as they are
    sync_log.params = dataclasses.asdict(options)
    sync_log.details = {"pieces": {p.key: {**dataclasses.asdict(p), "state": PENDING} for p in pieces}}
    sync_log.save(update_fields=["params", "details"])
    return sync_log


def _claim(sync_log: SyncLog) -> Piece | None:
    with transaction.atomic():
        log = SyncLog.objects.select_for_update().only("status", "details").get(pk=sync_log.pk)
        if log.status != SyncStatus.RUNNING:
            return None
        pieces = log.details.get("pieces", {})
        exhausted = {Piece.from_dict(p).board: p["end_page"] for p in pieces.values() if p.get("end_page")}
        claimed = None
        for state in pieces.values():
            if state["state"] != PENDING:
                continue
            piece = Piece.from_dict(state)
            if piece.board in exhausted and piece.first_page > exhausted[piece.board]:
                state.update(state=DONE, pages=0, note="after the last page")
                continue
            state.update(state=RUNNING, claimed_at=timezone.now().isoformat())
            claimed = piece
            break
        SyncLog.objects.filter(pk=log.pk).update(details=log.details, heartbeat_at=timezone.now())
        return claimed


def _settle(sync_log: SyncLog, piece: Piece, **outcome: Any) -> None:
    with transaction.atomic():
        log = SyncLog.objects.select_for_update().only("details").get(pk=sync_log.pk)
        log.details["pieces"][piece.key].update(outcome)
        SyncLog.objects.filter(pk=log.pk).update(details=log.details, heartbeat_at=timezone.now())


def _cancel_pending(sync_log: SyncLog, reason: str) -> None:
    with transaction.atomic():
        log = SyncLog.objects.select_for_update().only("details").get(pk=sync_log.pk)
        for state in log.details.get("pieces", {}).values():
            if state["state"] == PENDING:
                state.update(state=CANCELLED, error=reason)
        SyncLog.objects.filter(pk=log.pk).update(details=log.details)


def adzuna_run_piece(
    *,
    sync_log: SyncLog | None,
    piece: Piece,
    options: AdzunaOptions,
    client: AdzunaClient,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Fetch a piece's pages and ingest them; returns its outcome (end_page when the results ran out).

    With sync_log None nothing is written (a dry run): the outcome counts what would be.
    """
    outcome: dict[str, Any] = {"pages": 0, "fetched": 0, "valid": 0, "skipped": 0, "skip_reasons": []}
    for page_number in range(piece.first_page, piece.last_page + 1):
        page = client.search(
            country=piece.country,
            page=page_number,
            what=piece.what,
            where=options.where,
            results_per_page=settings.ADZUNA_RESULTS_PER_PAGE,
            max_days_old=options.max_days_old or None,
        )
        outcome["pages"] += 1
        records = adzuna_page_records(
            page.results, country=piece.country, board=piece.board, check_unchanged=sync_log is not None
        )
        outcome["fetched"] += len(records)
        if sync_log is None:
            skipped = [r.reason for r in records if isinstance(r, SkippedRecord)]
            outcome["skipped"] += len(skipped)
            outcome["skip_reasons"].extend(skipped)
            outcome["valid"] += len(records) - len(skipped)
            if progress:
                progress(len(records))
        elif records:
            ingest_records(records=records, sync_log=sync_log, progress=progress)
        per_page = min(settings.ADZUNA_RESULTS_PER_PAGE, MAX_RESULTS_PER_PAGE)
        if len(page.results) < per_page or page_number * per_page >= page.count:
            outcome["end_page"] = page_number
            break
    return outcome


def adzuna_work(
    *, sync_log: SyncLog, client: AdzunaClient | None = None, progress: Callable[[int], None] | None = None
) -> int:
    """Claim and run pending pieces of a run until none is left; returns how many this caller ran.

    Rejected credentials cancel the rest of the run and raise PermanentError.
    """
    options = AdzunaOptions(**sync_log.params)
    client = client or AdzunaClient.from_settings()
    ran = 0
    while (piece := _claim(sync_log)) is not None:
        ran += 1
        try:
            outcome = adzuna_run_piece(
                sync_log=sync_log, piece=piece, options=options, client=client, progress=progress
            )
        except PermanentError as exc:
            sync_log_error(sync_log=sync_log, error=f"{piece.key}: {exc}")
            _settle(sync_log, piece, state=FAILED, error=str(exc)[:300])
            if isinstance(exc, CredentialsError):
                _cancel_pending(sync_log, str(exc))
                raise
        except TransientError as exc:
            sync_log_error(sync_log=sync_log, error=f"{piece.key}: {exc}")
            _settle(sync_log, piece, state=FAILED, error=str(exc)[:300])
        else:
            outcome.pop("skip_reasons", None)
            _settle(sync_log, piece, state=DONE, **outcome)
    return ran


def _wait_for_others(sync_log: SyncLog, *, timeout: float, poll: float = 1.0) -> None:
    """Wait while other workers hold pieces; a piece held past the timeout counts as failed."""
    deadline = time.monotonic() + timeout
    while True:
        sync_log.refresh_from_db()
        running = [k for k, s in sync_log.details.get("pieces", {}).items() if s["state"] == RUNNING]
        if not running:
            return
        if time.monotonic() >= deadline:
            with transaction.atomic():
                log = SyncLog.objects.select_for_update().only("details").get(pk=sync_log.pk)
                for key in running:
                    log.details["pieces"][key].update(state=FAILED, error="no answer from the worker holding it")
                SyncLog.objects.filter(pk=log.pk).update(details=log.details)
            for key in running:
                sync_log_error(sync_log=sync_log, error=f"{key}: no answer from the worker holding it")
            return
        time.sleep(poll)


def complete_boards(details: dict[str, Any]) -> list[str]:
    """Feeds read to their end with no failed piece: what they did not list is gone.

    A feed that listed nothing at all is left out: an empty answer is likelier a glitch at the
    source than every job of a search gone at once (those jobs expire by JOB_EXPIRY_DAYS).
    """
    boards: dict[str, list[dict[str, Any]]] = {}
    for state in details.get("pieces", {}).values():
        boards.setdefault(Piece.from_dict(state).board, []).append(state)
    return sorted(
        board
        for board, states in boards.items()
        if all(s["state"] == DONE for s in states)
        and any(s.get("end_page") for s in states)
        and sum(s.get("fetched", 0) for s in states) > 0
    )


def adzuna_run_finish(*, sync_log: SyncLog, wait_seconds: float | None = None) -> SyncLog:
    """Wait for other workers' pieces, expire what complete feeds no longer list, close the log."""
    if wait_seconds is None:
        wait_seconds = settings.SYNC_STALE_MINUTES * 60
    _wait_for_others(sync_log, timeout=wait_seconds)
    sync_log.refresh_from_db()
    if sync_log.status != SyncStatus.RUNNING:
        return sync_log
    # A search limited to recent postings (max_days_old) is never the whole feed: what it does not
    # list may simply be older. Those jobs expire by JOB_EXPIRY_DAYS instead.
    boards = [] if sync_log.params.get("max_days_old") else complete_boards(sync_log.details)
    for board in boards:
        board_expire_unseen(sync_log=sync_log, source=SOURCE, board=board, seen_since=sync_log.started_at)
    return sync_log_finish(sync_log=sync_log)


def _enqueue_helpers(sync_log: SyncLog, count: int) -> None:
    from ingestion.tasks import adzuna_help

    for _ in range(count):
        transaction.on_commit(lambda: adzuna_help.delay(sync_log_id=sync_log.pk))


def adzuna_fetch(
    *,
    triggered_by: str,
    user: Any = None,
    options: AdzunaOptions | None = None,
    helpers: int = 0,
    client: AdzunaClient | None = None,
    progress: Callable[[int], None] | None = None,
    task_id: str = "",
    sync_log: SyncLog | None = None,
) -> SyncLog:
    """A whole Adzuna run in this process (with `helpers` Celery tasks sharing its pieces).

    `sync_log`: a run its caller opened (run_enqueue), continued here; else a new one.
    """
    options = options or AdzunaOptions.from_settings()
    reason = adzuna_not_ready() if client is None else None
    if reason is not None:
        return sync_log_skip(
            kind=SyncKind.SOURCE,
            source=SOURCE,
            reason=reason,
            triggered_by=triggered_by,
            user=user,
            task_id=task_id,
            sync_log=sync_log,
        )
    try:
        client = client or AdzunaClient.from_settings()
    except PermanentError as exc:
        sync_log = adzuna_run_start(
            options=options, triggered_by=triggered_by, user=user, task_id=task_id, sync_log=sync_log
        )
        _cancel_pending(sync_log, str(exc))
        return sync_log_finish(sync_log=sync_log, status=SyncStatus.FAILED, message=str(exc))
    sync_log = adzuna_run_start(
        options=options, triggered_by=triggered_by, user=user, task_id=task_id, sync_log=sync_log
    )
    # This process owns the run (its lease); helper tasks only work on its pieces.
    with sync_log_lock(sync_log=sync_log) as held:
        if not held:
            return sync_log  # a redelivered task while the first copy still runs it
        if helpers:
            _enqueue_helpers(sync_log, min(helpers, len(sync_log.details["pieces"]) - 1))
        try:
            adzuna_work(sync_log=sync_log, client=client, progress=progress)
        except PermanentError as exc:
            _wait_for_others(sync_log, timeout=settings.SYNC_STALE_MINUTES * 60)
            return sync_log_finish(sync_log=sync_log, status=SyncStatus.FAILED, message=str(exc))
        except BaseException as exc:
            # Interrupted (Ctrl-C, a database error): say so now rather than leave it to the lease.
            sync_log_finish(sync_log=sync_log, status=SyncStatus.FAILED, message=f"interrupted: {exc!r}"[:300])
            raise
        return adzuna_run_finish(sync_log=sync_log)


@dataclasses.dataclass(slots=True)
class DryRunResult:
    pages: int = 0
    fetched: int = 0
    valid: int = 0
    skipped: int = 0
    skip_reasons: list[str] = dataclasses.field(default_factory=list)


def adzuna_dry_run(
    *,
    options: AdzunaOptions | None = None,
    client: AdzunaClient | None = None,
    progress: Callable[[int], None] | None = None,
) -> DryRunResult:
    """Fetch and normalize as a run would, writing nothing."""
    options = options or AdzunaOptions.from_settings()
    client = client or AdzunaClient.from_settings()
    result = DryRunResult()
    for piece in adzuna_plan(
        countries=options.countries,
        terms=options.terms,
        max_pages=options.max_pages,
        pages_per_piece=options.max_pages,
        where=options.where,
    ):
        outcome = adzuna_run_piece(sync_log=None, piece=piece, options=options, client=client, progress=progress)
        result.pages += outcome["pages"]
        result.fetched += outcome["fetched"]
        result.valid += outcome["valid"]
        result.skipped += outcome["skipped"]
        result.skip_reasons.extend(outcome["skip_reasons"])
    return result


@register_refresh_step("adzuna", order=100, not_ready=adzuna_not_ready)
def adzuna_refresh_step(ctx: RefreshContext) -> SyncLog | None:
    progress = (lambda n: ctx.progress("adzuna", n)) if ctx.progress else None
    try:
        return adzuna_fetch(
            triggered_by=ctx.triggered_by,
            user=ctx.user,
            helpers=settings.ADZUNA_HELPER_TASKS if ctx.distribute else 0,
            progress=progress,
        )
    except AdzunaAlreadyRunning as exc:
        # A separate fetch_adzuna is under way: its run stands for this refresh's.
        return exc.sync_log
