"""Spider runs: which boards to crawl, the pipeline's writes, and running a spider in a child process.

Scrapy's Twisted reactor cannot be restarted in a process, so every run (the `crawl` command,
the Celery task, a refresh step) starts `python -m scrapers.runner` as a child and waits for
it. The parent opens the run's SyncLog first (so an admin button can show it at once) and
closes it as failed if the child dies before closing it itself.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import hashlib
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterable, Sequence
from typing import Any, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.db.models import Q

from ingestion.choices import SyncKind, SyncStatus, TriggerKind
from ingestion.models import SyncLog
from ingestion.services.ingest import ingest_records
from ingestion.services.refresh import RefreshContext, register_refresh_step
from ingestion.services.runs import (
    run_enqueue,
    sync_log_add,
    sync_log_error,
    sync_log_finish,
    sync_log_lock,
    sync_log_skip,
    sync_log_start,
    sync_log_start_unless_running,
    sync_log_update_details,
)
from ingestion.sources import SOURCES, SPIDERS, spider_for_ats_kind
from jobs.choices import AtsKind
from jobs.models import Company, Job
from jobs.types import JobData, SkippedRecord, UpsertResult

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 60
BOARD_KEY_LIMIT = cast(int, Job._meta.get_field("board").max_length)  # a CharField: always set


class CrawlError(Exception):
    """A crawl could not be started as asked (unknown spider, bad argument)."""


class CrawlAlreadyRunning(CrawlError):
    def __init__(self, sync_log: SyncLog) -> None:
        super().__init__(f"{sync_log.source} is already running (sync log #{sync_log.pk})")
        self.sync_log = sync_log


@dataclasses.dataclass(frozen=True, slots=True)
class BoardRef:
    """A board to crawl: its token (or careers URL) and the company it belongs to, if known."""

    token: str
    company_name: str = ""
    url: str = ""  # the careers page, for the careers spider (its token is this URL, shortened)


def short_key(value: str, limit: int) -> str:
    """A value cut to `limit` characters, kept unique by a hash of the whole (ids, board keys)."""
    if len(value) <= limit:
        return value
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"{value[: limit - len(digest) - 1]}#{digest}"


def _ref(token_or_url: str, company_name: str, *, careers: bool) -> BoardRef:
    if careers:
        return BoardRef(token=short_key(token_or_url, BOARD_KEY_LIMIT), company_name=company_name, url=token_or_url)
    return BoardRef(token=token_or_url, company_name=company_name)


# --- Boards -------------------------------------------------------------------------------


def _crawlable(ats_kind: str) -> Any:
    qs = Company.objects.filter(ats_kind=ats_kind, is_enabled=True, is_blocked=False)
    if ats_kind == AtsKind.CAREERS:
        return qs.exclude(careers_url="")
    return qs.exclude(board_token="")


def _board_of(company: Company) -> str:
    return company.careers_url if company.ats_kind == AtsKind.CAREERS else company.board_token


def crawl_boards(*, spider: str, tokens: Sequence[str] | None = None) -> list[BoardRef]:
    """The boards a spider crawls: the ones named, or every enabled, unblocked company's.

    Named boards are crawled even without a Company row; the row's name is used when there
    is one. For the careers spider a board is a careers-page URL.
    """
    ats_kind = _ats_kind(spider)
    if tokens:
        if ats_kind == AtsKind.CAREERS:
            for url in tokens:
                if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
                    raise CrawlError(f"not an http(s) URL: {url!r}")
            known = Company.objects.filter(ats_kind=ats_kind, careers_url__in=tokens)
        else:
            known = Company.objects.filter(ats_kind=ats_kind, board_token__in=tokens)
        names = {_board_of(c): c.name for c in known}
        careers = ats_kind == AtsKind.CAREERS
        return [_ref(t, names.get(t, ""), careers=careers) for t in dict.fromkeys(tokens)]
    careers = ats_kind == AtsKind.CAREERS
    return [_ref(_board_of(c), c.name, careers=careers) for c in _crawlable(ats_kind).order_by("pk")]


def crawl_has_boards(*, spider: str) -> bool:
    return _crawlable(_ats_kind(spider)).exists()


def crawl_not_ready(*, spider: str) -> str | None:
    """Why the spider has nothing to crawl (no enabled company with a board of its kind), or None."""
    if crawl_has_boards(spider=spider):
        return None
    row = SOURCES[spider]
    kind = AtsKind(row.ats_kind).label
    if row.ats_kind == AtsKind.CAREERS:
        return f"No {row.label.lower()}: set ATS kind “{kind}” and a careers URL on a company."
    return f"No {row.label} boards: set ATS kind “{kind}” and board token on a company."


def crawl_enabled_spiders() -> list[str]:
    """Spiders with at least one enabled, unblocked company to crawl."""
    kinds = set(
        Company.objects.filter(is_enabled=True, is_blocked=False)
        .filter(
            (Q(ats_kind=AtsKind.CAREERS) & ~Q(careers_url="")) | (~Q(ats_kind=AtsKind.CAREERS) & ~Q(board_token=""))
        )
        .values_list("ats_kind", flat=True)
        .distinct()
    )
    return [name for name in SPIDERS if SOURCES[name].ats_kind in kinds]


def _ats_kind(spider: str) -> str:
    if spider not in SPIDERS:
        raise CrawlError(f"unknown spider {spider!r}; choose one of {', '.join(SPIDERS)}")
    return SOURCES[spider].ats_kind


# --- What the pipeline calls (in the child process) -----------------------------------------


def crawl_log_open(*, spider: str, sync_log_id: int | None, params: dict[str, Any]) -> SyncLog:
    """The run's log: the one the parent opened, or a new one for a bare `scrapy crawl`."""
    if sync_log_id:
        return SyncLog.objects.get(pk=sync_log_id)
    return sync_log_start(kind=SyncKind.SPIDER, source=spider, triggered_by=TriggerKind.COMMAND, params=params)


def crawl_ingest(*, sync_log: SyncLog, records: Iterable[JobData | SkippedRecord]) -> UpsertResult:
    return ingest_records(records=records, sync_log=sync_log)


def crawl_heartbeat(*, sync_log: SyncLog) -> None:
    sync_log_add(sync_log=sync_log)  # no counts: only the heartbeat moves


def crawl_log_close(
    *, sync_log: SyncLog, boards: dict[str, dict[str, Any]], extra: dict[str, Any], errors: Sequence[str]
) -> SyncLog:
    """Record per-board outcomes (with zero-result streaks and last success) and close the log."""
    previous = (
        SyncLog.objects.filter(source=sync_log.source, kind=SyncKind.SPIDER)
        .exclude(pk=sync_log.pk)
        .exclude(status=SyncStatus.RUNNING)
        .order_by("-started_at", "-pk")
        .first()
    )
    before = (previous.details.get("boards") or {}) if previous else {}
    now_iso = sync_log.started_at.isoformat()
    for token, board in boards.items():
        old = before.get(token) or {}
        complete = board.get("status") == "complete"
        board["zero_streak"] = (old.get("zero_streak", 0) + 1) if complete and not board.get("items") else 0
        board["last_success"] = now_iso if complete else old.get("last_success")
    for error in errors:
        sync_log_error(sync_log=sync_log, error=error)
    sync_log_update_details(sync_log=sync_log, boards=boards, **extra)
    sync_log.refresh_from_db()
    message = ""
    failed = [t for t, b in boards.items() if b.get("status") == "failed"]
    if boards and len(failed) == len(boards):
        status = SyncStatus.FAILED
        message = f"every board failed ({len(failed)})"
    elif failed:
        status = SyncStatus.PARTIAL
        message = f"{len(failed)} of {len(boards)} boards failed"
    else:
        status = None  # derived from the counts
    return sync_log_finish(sync_log=sync_log, status=status, message=message)


# --- Running a spider -------------------------------------------------------------------------


def _runner_command(
    *, spider: str, sync_log: SyncLog, args: dict[str, str], settings_overrides: dict[str, Any]
) -> list[str]:
    command = [sys.executable, "-m", "scrapers.runner", spider, "--sync-log-id", str(sync_log.pk)]
    command += ["--parent-pid", str(os.getpid())]
    # The child uses the database this process uses (a test database under pytest).
    command += ["--database-name", str(connection.settings_dict["NAME"])]
    for key, value in args.items():
        command += ["-a", f"{key}={value}"]
    for key, value in settings_overrides.items():
        command += ["-s", f"{key}={value}"]
    return command


def _pump(stream: Any, tail: collections.deque[str], echo: bool) -> None:
    for line in iter(stream.readline, ""):
        tail.append(line.rstrip())
        if echo:
            sys.stderr.write(line)
    stream.close()


def _run_child(command: list[str], *, timeout: int, echo: bool) -> tuple[int | None, str]:
    """Run the child to its end or the timeout; (exit code or None on timeout, last log lines).

    The run's lease is kept by this process (sync_log_lock's thread), not the child: this
    process opened the run, closes it when the child fails and holds the timeout, so the run
    lives exactly as long as it does. The child dies with it (scrapers.runner's --parent-pid):
    a crawl left running by a killed worker would go on writing into a run known dead, beside
    the next one.
    """
    tail: collections.deque[str] = collections.deque(maxlen=30)
    process = subprocess.Popen(
        command, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace"
    )
    pump = threading.Thread(target=_pump, args=(process.stderr, tail, echo), daemon=True)
    pump.start()
    code: int | None = None
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    pump.join(timeout=5)
    return code, "\n".join(tail)


def _failure_line(tail: str) -> str:
    """The child's line that says why it failed: the runner's own, else the last error, else the last line."""
    lines = [line.strip() for line in tail.splitlines() if line.strip()]
    for marker in ("crawl failed:", "Error", "error"):
        found = [line for line in lines if marker in line]
        if found:
            return found[-1]
    return lines[-1] if lines else ""


def _check_args(spider: str, args: dict[str, str]) -> None:
    """Refuse arguments the child would refuse, before starting it."""
    for key in args:
        if not key.isidentifier():
            raise CrawlError(f"bad spider argument name {key!r}")
    if spider == "careers":
        for url in split_urls(args.get("urls", "") or args.get("boards", "")):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise CrawlError(f"not an http(s) URL: {url!r}")


def split_urls(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def crawl_run(
    *,
    spider: str,
    args: dict[str, str] | None = None,
    triggered_by: str = TriggerKind.COMMAND,
    user: Any = None,
    sync_log: SyncLog | None = None,
    settings_overrides: dict[str, Any] | None = None,
    task_id: str = "",
    echo: bool = False,
) -> SyncLog:
    """Run one spider to its end in a child process and return its closed SyncLog.

    Without `sync_log` a new log is opened, unless a live run of the spider exists
    (CrawlAlreadyRunning). `echo` relays the child's log to stderr (the command does).
    """
    _ats_kind(spider)
    args = dict(args or {})
    _check_args(spider, args)
    if sync_log is None:
        sync_log, started = sync_log_start_unless_running(
            kind=SyncKind.SPIDER,
            source=spider,
            triggered_by=triggered_by,
            user=user,
            params={"args": args},
            task_id=task_id,
        )
        if not started:
            raise CrawlAlreadyRunning(sync_log)
    reason = None if args.get("boards") or args.get("urls") else crawl_not_ready(spider=spider)
    if reason is not None:
        # Asked to crawl every board while there is none: say so rather than succeed with 0 jobs.
        return sync_log_skip(
            kind=SyncKind.SPIDER, source=spider, reason=reason, triggered_by=triggered_by, sync_log=sync_log
        )
    command = _runner_command(spider=spider, sync_log=sync_log, args=args, settings_overrides=settings_overrides or {})
    logger.info("crawl %s (sync log #%s): %s", spider, sync_log.pk, " ".join(command[1:]))
    with sync_log_lock(sync_log=sync_log) as held:
        if not held:
            raise CrawlAlreadyRunning(sync_log)  # another process has taken this run up
        code, tail = _run_child(command, timeout=settings.CRAWL_TIMEOUT, echo=echo)
        sync_log.refresh_from_db()
        if sync_log.status == SyncStatus.RUNNING:
            # The child died before closing its log (crash, kill, timeout): say so, in one line.
            last = _failure_line(tail)
            reason = (
                f"timed out after {settings.CRAWL_TIMEOUT}s"
                if code is None
                else f"crawl process exited with code {code}: {last[:300]}"
            )
            sync_log_error(sync_log=sync_log, error=reason)
            sync_log = sync_log_finish(sync_log=sync_log, status=SyncStatus.FAILED, message=reason)
    return sync_log


def crawl_enqueue(
    *, spider: str, args: dict[str, str] | None = None, triggered_by: str, user: Any = None
) -> tuple[SyncLog, bool]:
    """Check a crawl's arguments, then start it on the `scrape` queue (run_enqueue): (log, started).

    When the spider is already running, its live log is returned with started False.
    """
    _ats_kind(spider)
    _check_args(spider, dict(args or {}))
    return run_enqueue(source=spider, triggered_by=triggered_by, user=user, params={"args": dict(args or {})})


def crawl_company_enqueue(*, company: Company, triggered_by: str, user: Any = None) -> tuple[SyncLog, bool]:
    """Crawl one company's board now (its ATS kind names the spider); CrawlError if it has none."""
    spider = spider_for_ats_kind(company.ats_kind)
    board = company.careers_url if company.ats_kind == AtsKind.CAREERS else company.board_token
    if spider is None or not board:
        raise CrawlError(f"{company.name} has no board to crawl: set its ATS kind and board token (or careers URL).")
    try:
        return crawl_enqueue(spider=spider, args={"boards": board}, triggered_by=triggered_by, user=user)
    except CrawlError as exc:  # a board the crawl refuses (an ftp:// careers URL saved before validation)
        raise CrawlError(f"Cannot crawl {company.name}: {exc}.") from None


# --- The refresh: one step per spider, enabled when it has companies to crawl --------------------


def _register_refresh_steps() -> None:
    for order, spider in enumerate(SPIDERS, start=300):

        def run(ctx: RefreshContext, spider: str = spider) -> SyncLog | None:
            if ctx.distribute:
                # In a worker: hand the crawl to the scrape queue; the refresh records its log.
                sync_log, _ = crawl_enqueue(spider=spider, triggered_by=ctx.triggered_by, user=ctx.user)
                return sync_log
            try:
                return crawl_run(spider=spider, triggered_by=ctx.triggered_by, user=ctx.user)
            except CrawlAlreadyRunning as exc:
                return exc.sync_log

        register_refresh_step(
            f"spider:{spider}", order=order, not_ready=functools.partial(crawl_not_ready, spider=spider)
        )(run)


_register_refresh_steps()
