"""The SyncLog lifecycle: start, count, record errors, finish; and runs that died.

How a run is known dead (one rule, `_dead_reason`, used by the next start of the source, the
admin's run and refresh pages, and the sweep at every expiry):

- A process that takes a run up (`sync_log_lock`) records itself as its owner (host, pid and a
  token that tells a reused pid apart, gigm8.lib.processes) and renews a lease: a thread of that
  process bumps heartbeat_at every sixth of SYNC_LEASE_SECONDS while it holds the run. A thread,
  not the run's own steps, because a step may take longer than any lease while the process is
  well (a COPY of 50k rows, a crawl waiting on its child, a lock wait): the thread beats as long
  as the process lives, and stops when it is killed.
- Dead at once: the owner is in this process table (same host and container) and no longer
  runs (a pid gone, a zombie, or a new process with the same pid). Killed with SIGKILL, a run is
  failed by the next start or page view, seconds later.
- Dead within the lease: the owner is elsewhere (another container or host) and its lease was
  not renewed for SYNC_LEASE_SECONDS (90 s): it died, its host did, or it lost the database.
- A run no process has taken up yet (opened by the admin, queued for a worker) has no owner and
  no lease: waiting in a busy queue is not dying. It is given up after SYNC_STALE_MINUTES.

Not used as evidence: whether the run's advisory session lock is free. PostgreSQL releases it
when the holder's connection closes, which a killed process does at once, but so does a database
restart or a dropped connection while the process lives on; the lease renewal survives those
(the thread reconnects), the lock would not.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import threading
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, cast

from celery import current_app
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from gigm8 import logs
from gigm8.lib.processes import current_process, process_alive
from ingestion.choices import SyncKind, SyncStatus
from ingestion.models import SyncLog
from ingestion.services.alerts import alerts_after_run
from ingestion.sources import SOURCES
from jobs.types import UpsertResult

logger = logging.getLogger(__name__)

ERROR_SAMPLE_SIZE = 50
HOST_LIMIT = cast(int, SyncLog._meta.get_field("owner_host").max_length)  # a CharField: always set
BEATS_PER_LEASE = 6  # a lease survives five missed beats (a busy database, a long GIL-holding step)


def _running(source: str | None) -> Any:
    qs = SyncLog.objects.filter(status=SyncStatus.RUNNING)
    return qs.filter(source=source) if source is not None else qs


def _dead_reason(log: SyncLog, *, now: datetime) -> str | None:
    """Why a running log's run is dead, in one line; None while it may be alive.

    A run that has done its own work and waits for its steps (details["steps_done"], see
    sync_log_settle) has no process of its own: it lives as long as one of its children does.
    """
    reason = _own_dead_reason(log, now=now)
    waiting = reason is not None and log.details.get(STEPS_DONE)
    if waiting and any(_dead_reason(child, now=now) is None for child in _running(None).filter(parent=log)):
        return None
    return reason


def _own_dead_reason(log: SyncLog, *, now: datetime) -> str | None:
    alive_at = log.heartbeat_at or log.started_at
    if log.owner_pid is None:
        if alive_at < now - timedelta(minutes=settings.SYNC_STALE_MINUTES):
            return (
                f"Abandoned: no process took it up; no sign of life since {alive_at:%Y-%m-%d %H:%M} UTC "
                f"(more than SYNC_STALE_MINUTES={settings.SYNC_STALE_MINUTES})."
            )
        return None
    owner = f"{log.owner_host or '?'} pid {log.owner_pid}"
    if process_alive(pid=log.owner_pid, token=log.owner_token) is False:
        return f"Abandoned: the process running it died ({owner}; killed, or it crashed)."
    if alive_at < now - timedelta(seconds=settings.SYNC_LEASE_SECONDS):
        return (
            f"Abandoned: the process running it ({owner}) stopped renewing its lease at {alive_at:%H:%M:%S} UTC "
            f"(SYNC_LEASE_SECONDS={settings.SYNC_LEASE_SECONDS}): it died, or lost its host or the database."
        )
    return None


def sync_log_fail_abandoned(*, source: str | None = None, pk: int | None = None) -> int:
    """Mark running logs whose run is dead (see the module's rule) as failed; return how many."""
    now = timezone.now()
    # Steps' runs before their parents: a step failed settles its parent, which then ends by its steps.
    candidates = _running(source).order_by(F("parent").asc(nulls_last=True), "-started_at")
    if pk is not None:
        candidates = candidates.filter(pk=pk)
    count = 0
    for log in candidates:
        log.refresh_from_db(fields=["status"])
        if log.status != SyncStatus.RUNNING:
            continue  # settled meanwhile, by a step of its failed here
        reason = _dead_reason(log, now=now)
        if reason is None:
            continue
        failed = SyncLog.objects.filter(pk=log.pk, status=SyncStatus.RUNNING).update(
            status=SyncStatus.FAILED, finished_at=max(now, log.started_at), message=reason
        )
        count += failed
        if failed:
            log.refresh_from_db()
            alerts_after_run(sync_log=log)  # a worker that keeps dying is a source failing too
            if log.parent_id is not None:
                sync_log_settle(pk=log.parent_id)
    return count


def sync_log_is_running(*, source: str) -> bool:
    """Whether a live run of this source is under way."""
    now = timezone.now()
    return any(_dead_reason(log, now=now) is None for log in _running(source))


def _sync_log_create(
    *, kind: str, source: str, triggered_by: str, user: Any, params: dict[str, Any] | None, task_id: str
) -> SyncLog:
    """A new running log (its heartbeat now); a signed-in user is recorded, an anonymous one is not."""
    return SyncLog.objects.create(
        kind=kind,
        source=source,
        triggered_by=triggered_by,
        triggered_by_user=user if getattr(user, "is_authenticated", False) else None,
        params=params or {},
        task_id=task_id or "",
        status=SyncStatus.RUNNING,
        heartbeat_at=timezone.now(),
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
    sync_log = _sync_log_create(
        kind=kind, source=source, triggered_by=triggered_by, user=user, params=params, task_id=task_id
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
    unknown = set(counts) - set(SyncLog.COUNTS)
    if unknown:
        raise TypeError(f"unknown counts: {', '.join(sorted(unknown))}")
    totals = dict.fromkeys(SyncLog.COUNTS, 0)
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
    if sync_log.parent_id is not None:
        sync_log_settle(pk=sync_log.parent_id)
    return sync_log


def sync_log_skip(
    *,
    kind: str,
    source: str,
    reason: str,
    triggered_by: str,
    user: Any = None,
    params: dict[str, Any] | None = None,
    task_id: str = "",
    sync_log: SyncLog | None = None,
) -> SyncLog:
    """Record a run that was not run because its source is not ready (no keys, no boards).

    Closes `sync_log` (a log its caller opened) as skipped, or records a new, already closed
    one: a run asked for by a schedule, the API or a command leaves a trace saying why nothing
    happened. Skipped is neither a failure nor a success: alerts and source health pass over it.
    """
    if sync_log is not None:
        return sync_log_finish(sync_log=sync_log, status=SyncStatus.SKIPPED, message=reason)
    sync_log = _sync_log_create(
        kind=kind, source=source, triggered_by=triggered_by, user=user, params=params, task_id=task_id
    )
    # Ended as it began (started_at is set by the database row's creation).
    SyncLog.objects.filter(pk=sync_log.pk).update(
        status=SyncStatus.SKIPPED, finished_at=F("started_at"), message=reason[:1000]
    )
    sync_log.refresh_from_db()
    logger.info("%s run #%s skipped: %s", source, sync_log.pk, reason)
    return sync_log


# --- Runs made of steps (a full refresh) -------------------------------------------------------

# details["steps"] of a run made of steps: name -> {"status", "log" (the step's own run), "message"}.
# details["steps_done"]: the run has started every step; it ends when the last of them does.
STEPS_DONE = "steps_done"
# The counts a step's run adds to its parent (CTS deletions and the children's errors are theirs).
STEP_COUNTS = ("fetched", "created", "updated", "unchanged", "skipped", "expired")


def sync_log_steps_status(statuses: list[str]) -> str:
    """A run's status from its steps': failed if all failed, partial if any failed or partly did,
    else success; skipped steps do not count (a run of skipped steps only is a success)."""
    ran = [status for status in statuses if status != SyncStatus.SKIPPED]
    if ran and all(status == SyncStatus.FAILED for status in ran):
        return SyncStatus.FAILED
    if any(status in (SyncStatus.FAILED, SyncStatus.PARTIAL) for status in ran):
        return SyncStatus.PARTIAL
    return SyncStatus.SUCCESS


def sync_log_link_child(*, parent: SyncLog, child: SyncLog) -> None:
    """Make `child` a step of `parent`: its end settles the parent (a run already a step stays its parent's)."""
    SyncLog.objects.filter(pk=child.pk, parent__isnull=True).exclude(pk=parent.pk).update(parent=parent)
    child.refresh_from_db(fields=["parent"])


def sync_log_settle(*, pk: int) -> SyncLog | None:
    """Bring a running run made of steps up to date with its steps' runs, and end it once they all have.

    Each step takes its run's current status and message; the counts are the sum of the step
    runs' counts; errors are the failed steps. Once the run has started every step
    (details["steps_done"]) and none is running, it ends with the status its steps give
    (sync_log_steps_status). Called by the run itself when it has started its steps, and by
    every step's run as it ends (sync_log_finish, sync_log_fail_abandoned), under a row lock on
    the parent: two steps ending at once settle it one after the other.
    """
    with transaction.atomic():
        log = SyncLog.objects.select_for_update().filter(pk=pk).first()
        if log is None or log.status != SyncStatus.RUNNING:
            return log
        steps: dict[str, dict[str, Any]] = {name: dict(o) for name, o in (log.details.get("steps") or {}).items()}
        children = {child.pk: child for child in SyncLog.objects.filter(pk__in=[o.get("log") for o in steps.values()])}
        totals = dict.fromkeys(STEP_COUNTS, 0)
        for outcome in steps.values():
            child = children.get(outcome.get("log") or 0)
            if child is None:
                continue
            outcome["status"] = child.status
            outcome["message"] = child.message[:300]
            for name in STEP_COUNTS:
                totals[name] += getattr(child, name)
        failed = sorted(
            ((name, o) for name, o in steps.items() if o.get("status") == SyncStatus.FAILED), key=lambda item: item[0]
        )
        waiting = [name for name, o in steps.items() if o.get("status") == SyncStatus.RUNNING]
        done = bool(log.details.get(STEPS_DONE)) and not waiting
        updates: dict[str, Any] = {
            **totals,
            "details": {**log.details, "steps": steps},
            "errors": len(failed),
            "error_sample": [f"{name}: {o.get('message') or 'failed'}"[:300] for name, o in failed][:ERROR_SAMPLE_SIZE],
            "heartbeat_at": timezone.now(),
        }
        if done:
            updates["message"] = ""  # the "waiting for" line: the end's own message replaces it
        elif log.details.get(STEPS_DONE):
            # Its own work is done and no process holds it any more: it lives by its steps
            # (_dead_reason), and says which it waits for.
            updates.update(owner_host="", owner_pid=None, owner_token="", message=f"waiting for {', '.join(waiting)}")
        SyncLog.objects.filter(pk=pk).update(**updates)
        log.refresh_from_db()
        if not done:
            return log
        skipped = sorted(name for name, o in steps.items() if o.get("status") == SyncStatus.SKIPPED)
        message = "; ".join(
            part
            for part in (
                f"failed: {', '.join(name for name, _ in failed)}" if failed else "",
                f"skipped: {', '.join(skipped)}" if skipped else "",
            )
            if part
        )
        status = sync_log_steps_status([o.get("status", "") for o in steps.values()])
        return sync_log_finish(sync_log=log, status=status, message=message)


class _LeaseKeeper:
    """The heartbeat of the runs this process holds: one thread renews all their leases.

    The thread lives while the process holds a run and exits (closing its connection) when it
    holds none; a forked child (a Celery pool process) starts with none.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._mutex = threading.Lock()
        self._held: collections.Counter[int] = collections.Counter()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def hold(self, pk: int) -> None:
        with self._mutex:
            self._held[pk] += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._beat, name=f"synclog-lease-{pk}", daemon=True)
                self._thread.start()

    def release(self, pk: int) -> None:
        with self._mutex:
            self._held[pk] -= 1
            if self._held[pk] <= 0:
                del self._held[pk]
            if not self._held:
                self._wake.set()  # let the thread go now rather than at its next beat

    def _beat(self) -> None:
        try:
            while True:
                self._wake.wait(settings.SYNC_LEASE_SECONDS / BEATS_PER_LEASE)
                self._wake.clear()
                with self._mutex:
                    held = list(self._held)
                    if not held:
                        self._thread = None
                        return
                try:
                    _renew_leases(held)
                except Exception:  # the database away for a moment: the next beat tries again
                    logger.warning("could not renew the lease of runs %s", held, exc_info=True)
                    connection.close()  # this thread's: reconnect on the next beat
        finally:
            connections.close_all()  # this thread's connections only (they are per thread)


def _renew_leases(pks: list[int]) -> None:
    with transaction.atomic():
        # SKIP LOCKED: a row another transaction is writing misses one beat rather than stall
        # the thread (and with it the leases of the other runs) behind that transaction.
        live = SyncLog.objects.filter(pk__in=pks, status=SyncStatus.RUNNING).select_for_update(skip_locked=True)
        SyncLog.objects.filter(pk__in=live.values("pk")).update(heartbeat_at=timezone.now())


_lease_keeper = _LeaseKeeper()
os.register_at_fork(after_in_child=_lease_keeper.reset)


@contextlib.contextmanager
def sync_log_lock(*, sync_log: SyncLog) -> Iterator[bool]:
    """Take a run up: hold its PostgreSQL session lock, record this process as its owner and keep
    its lease while working on it; yields False (and does none of that) if another process holds it.

    A broker may deliver an acks_late task again while the first copy still runs (a long
    refresh outliving the visibility timeout): the second copy finds the lock taken and stops.
    If the worker dies, its connection closes and the lock is free for the redelivered copy;
    the run itself is known dead by its owner and lease (see the module's docstring).
    """
    key = zlib.crc32(f"synclog-run:{sync_log.pk}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        held = cursor.fetchone()[0]
    if held:
        me = current_process()
        SyncLog.objects.filter(pk=sync_log.pk, status=SyncStatus.RUNNING).update(
            owner_host=me.host[:HOST_LIMIT], owner_pid=me.pid, owner_token=me.token, heartbeat_at=timezone.now()
        )
        sync_log.refresh_from_db(fields=["owner_host", "owner_pid", "owner_token", "heartbeat_at"])
        _lease_keeper.hold(sync_log.pk)
    try:
        # The process that works on a run (often not the one that opened it) logs under its id.
        with logs.bound(sync_log_id=sync_log.pk, source=sync_log.source):
            yield held
    finally:
        if held:
            _lease_keeper.release(sync_log.pk)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


# --- Starting a run in a worker ------------------------------------------------------------

# The runs besides the sources' (ingestion.sources): their SyncLog kind and Celery task.
OTHER_RUNS: dict[str, tuple[str, str]] = {
    "refresh": (SyncKind.REFRESH, "ingestion.tasks.refresh_jobs"),
    "expiry": (SyncKind.EXPIRY, "ingestion.tasks.expire_jobs"),
    "cts": (SyncKind.CTS, "ingestion.tasks.sync_cts"),
}


def run_task(*, source: str) -> tuple[str, str, dict[str, Any]]:
    """A run's SyncLog kind, its task's name and the task's fixed arguments; ValueError if unknown."""
    if source in OTHER_RUNS:
        kind, task = OTHER_RUNS[source]
        return kind, task, {}
    row = SOURCES.get(source)
    if row is None or not row.task:
        raise ValueError(f"no run can be started for {source!r}")
    return row.kind, row.task, ({"spider": source} if row.is_spider else {})


def run_enqueue(
    *, source: str, triggered_by: str, user: Any = None, params: dict[str, Any] | None = None
) -> tuple[SyncLog, bool]:
    """Start a run in a worker: open its SyncLog now and enqueue its task after commit; (log, started).

    The one way every caller starts a run (the admin's buttons, the API's refresh, the refresh
    command's --async, a refresh step handing a crawl to the scrape queue). The log is opened
    under sync_log_start_unless_running's lock, so a source already running is not started
    twice: its live log is returned with started False. The task gets `params` as its
    arguments and continues the log (sync_log_id); a schedule's tick calls the task without one
    and the task opens its own. The task is sent by name: the tasks module imports the
    services, so a service cannot import it.
    """
    kind, task, fixed = run_task(source=source)
    params = dict(params or {})
    sync_log, started = sync_log_start_unless_running(
        kind=kind, source=source, triggered_by=triggered_by, user=user, params=params
    )
    if started:
        kwargs = {**fixed, **params, "sync_log_id": sync_log.pk}
        transaction.on_commit(lambda: current_app.send_task(task, kwargs=kwargs))
    return sync_log, started
