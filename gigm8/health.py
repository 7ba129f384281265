"""Liveness of the parts gigm8 needs: the database, the cache and the Celery broker.

`/health/` answers anyone with the liveness of each part. `/health/?detail=1` adds, for staff
(or whoever may read /metrics, see gigm8.metrics.metrics_access): each source's health state
(ingestion.selectors.source_health, as the staff console shows it) and last runs,
each beat schedule's last run against when it was due and how its last run ended, and the depth
of each Celery queue.
The selectors here (`source_runs_summary`, `job_counts_by_source_status`) also feed /metrics.
"""

from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max, Q, Sum
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

logger = logging.getLogger(__name__)


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    # django-redis is set to ignore Redis errors (the site runs on without its cache): ask Redis
    # itself first, so a failure is seen and named here.
    client: Any = getattr(cache, "client", None)
    if hasattr(client, "get_client"):
        client.get_client(write=True).ping()
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    if cache.get(key) != "ok":
        raise RuntimeError("value written was not read back")
    cache.delete(key)


def _check_broker() -> None:
    with Connection(
        settings.CELERY_BROKER_URL,
        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        connect_timeout=2,
    ) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)


CHECKS: dict[str, Callable[[], None]] = {
    "database": _check_database,
    "cache": _check_cache,
    "broker": _check_broker,
}


def run_checks() -> dict[str, dict[str, object]]:
    results: dict[str, dict[str, object]] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:  # a health check reports every failure, whatever its kind
            logger.warning("health check %s failed: %s", name, exc)
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
        else:
            results[name] = {"ok": True}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return results


# --- Selectors for the detailed view and /metrics ------------------------------------------------

RECENT = timedelta(hours=24)
# A schedule counts as overdue when its due time passed this long ago without a run (beat ticks
# every few seconds; a worker busy with a long task may delay the tick that much).
SCHEDULE_GRACE = timedelta(minutes=15)


@dataclasses.dataclass(slots=True)
class SourceRuns:
    """One source's runs, as the detailed health view and /metrics report them."""

    last_status: str = ""
    last_finished_at: datetime | None = None
    last_duration: timedelta | None = None
    last_success_at: datetime | None = None  # success or partial: data came in
    running: int = 0
    runs_24h: dict[str, int] = dataclasses.field(default_factory=dict)
    rows_24h: dict[str, int] = dataclasses.field(default_factory=dict)


def job_counts_by_source_status() -> dict[tuple[str, str], int]:
    """{(source, status): jobs}, one grouped query."""
    from jobs.models import Job

    rows = Job.objects.order_by().values_list("source", "status").annotate(n=Count("id"))
    return {(source, status): n for source, status, n in rows}


def source_runs_summary(*, now: datetime | None = None) -> dict[str, SourceRuns]:
    """Every source's last finished run, last success, running runs and last 24 hours, in 3 queries."""
    from ingestion.choices import SyncStatus
    from ingestion.models import SyncLog

    COUNTS = SyncLog.COUNTS
    now = now or timezone.now()
    summary: dict[str, SourceRuns] = {}
    last_runs = (
        SyncLog.objects.exclude(status=SyncStatus.RUNNING)
        .order_by("source", "-finished_at", "-id")
        .distinct("source")
        .values_list("source", "status", "started_at", "finished_at")
    )
    for source, status, started_at, finished_at in last_runs:
        info = summary.setdefault(source, SourceRuns())
        info.last_status, info.last_finished_at = status, finished_at
        # Finished runs have finished_at (a check constraint says so).
        info.last_duration = finished_at - started_at if finished_at is not None else None
    by_source = (
        SyncLog.objects.order_by()
        .values("source")
        .annotate(
            last_success_at=Max("finished_at", filter=Q(status__in=[SyncStatus.SUCCESS, SyncStatus.PARTIAL])),
            running=Count("id", filter=Q(status=SyncStatus.RUNNING)),
        )
    )
    for row in by_source:
        info = summary.setdefault(row["source"], SourceRuns())
        info.last_success_at, info.running = row["last_success_at"], row["running"]
    recent = (
        SyncLog.objects.filter(started_at__gte=now - RECENT)
        .order_by()
        .values("source", "status")
        .annotate(n=Count("id"), **{f"sum_{name}": Sum(name) for name in COUNTS})
    )
    for row in recent:
        info = summary.setdefault(row["source"], SourceRuns())
        info.runs_24h[row["status"]] = row["n"]
        for name in COUNTS:
            info.rows_24h[name] = info.rows_24h.get(name, 0) + (row[f"sum_{name}"] or 0)
    return summary


def _schedule_outcome_key(name: str) -> str:
    return f"gigm8:schedule-outcome:{name}"


def _record_schedule_outcome(task: Any = None, state: str | None = None, **kwargs: Any) -> None:
    """task_postrun: remember how the last run a beat schedule sent ended, by the schedule's name.

    django-celery-beat sends each task with a `periodic_task_name` header, which the worker
    sets as an attribute of the task's request. Tasks sent any other way are not recorded.
    """
    name = getattr(getattr(task, "request", None), "periodic_task_name", None)
    if not name or not state:
        return
    key, now = _schedule_outcome_key(name), timezone.now().isoformat()
    outcome = cache.get(key) or {}
    outcome.update(last_outcome=state.lower(), last_finished_at=now)
    if state == "SUCCESS":
        outcome["last_success_at"] = now
    cache.set(key, outcome, timeout=None)


def connect_celery() -> None:
    """Record each scheduled task's outcome for the detailed health view (in workers)."""
    from celery import signals

    signals.task_postrun.connect(_record_schedule_outcome, weak=False, dispatch_uid="gigm8.health.schedule_outcome")


def schedules_state(*, now: datetime | None = None) -> list[dict[str, Any]]:
    """Each enabled beat schedule: when it last ran, when it was next due, whether it is overdue,
    and how its last run ended (last_outcome, last_finished_at, last_success_at; None until one ends)."""
    from django_celery_beat.models import PeriodicTask

    now = now or timezone.now()
    states = []
    enabled = PeriodicTask.objects.filter(enabled=True)
    tasks = list(enabled.select_related("interval", "crontab", "solar", "clocked").order_by("name"))
    outcomes = cache.get_many([_schedule_outcome_key(task.name) for task in tasks])
    for task in tasks:
        outcome = outcomes.get(_schedule_outcome_key(task.name)) or {}
        state: dict[str, Any] = {
            "name": task.name,
            "task": task.task,
            "last_run_at": task.last_run_at,
            "last_outcome": outcome.get("last_outcome"),
            "last_finished_at": outcome.get("last_finished_at"),
            "last_success_at": outcome.get("last_success_at"),
        }
        if task.clocked is not None or task.one_off:
            state.update(due_at=None, overdue=False)  # one-off: due once, no recurring promise to check
        else:
            # Never run: measure from when it was created or last edited (beat resets last_run_at
            # when a schedule is re-enabled).
            since = task.last_run_at or task.start_time or task.date_changed
            due_at = now + task.schedule.remaining_estimate(since)
            state.update(due_at=due_at, overdue=due_at < now - SCHEDULE_GRACE)
        states.append(state)
    return states


# kombu's Redis transport keeps a queue's messages of priority p > 0 under "<queue>\x06\x16<p>".
_PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")


def queue_depths() -> dict[str, int] | None:
    """Messages waiting in each Celery queue (gigm8.celery.QUEUES); None when the broker is not Redis."""
    from redis import Redis

    from gigm8.celery import QUEUES

    if not settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        return None
    client = Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        pipe = client.pipeline(transaction=False)
        for queue in QUEUES:
            for suffix in _PRIORITY_SUFFIXES:
                pipe.llen(queue + suffix)
        lengths = pipe.execute()
    finally:
        client.close()
    step = len(_PRIORITY_SUFFIXES)
    return {queue: sum(lengths[i * step : (i + 1) * step]) for i, queue in enumerate(QUEUES)}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def health_detail() -> dict[str, Any]:
    """Sources, schedules and queues; a part that cannot be read reports its error instead."""
    from ingestion.selectors import source_health

    detail: dict[str, Any] = {}
    try:
        runs = source_runs_summary()
        detail["sources"] = {}
        # source_health has a row for every source that has runs (and for paused ones, and ones
        # with jobs), sorted by name.
        for row in source_health():
            info = runs.get(row.source, SourceRuns())
            detail["sources"][row.source] = {
                "state": row.state,  # healthy, degraded, failing or paused, as the staff console shows it
                "failed_streak": row.failed_streak,
                "paused": row.pause is not None,
                "open_alerts": [alert.kind for alert in row.alerts],
                "jobs_active": row.jobs_active,
                "last_status": info.last_status,
                "last_finished_at": _iso(info.last_finished_at),
                "last_duration_s": info.last_duration.total_seconds() if info.last_duration is not None else None,
                "last_success_at": _iso(info.last_success_at),
                "running": info.running,
                "runs_24h": info.runs_24h,
            }
        detail["schedules"] = [
            {**state, "last_run_at": _iso(state["last_run_at"]), "due_at": _iso(state["due_at"])}
            for state in schedules_state()
        ]
    except Exception as exc:  # the basic checks above already say whether the database is up
        detail["error"] = f"{type(exc).__name__}: {exc}"[:300]
    try:
        detail["queues"] = queue_depths()
    except Exception as exc:  # Redis down: the broker check says so; report it here too
        detail["queues"] = None
        detail["queues_error"] = f"{type(exc).__name__}: {exc}"[:300]
    return detail


@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    """200 while the process answers requests, whatever the state of the parts it leans on.

    The web container's health check: a database or Redis outage is not cured by restarting the
    web process, and the site runs on without Redis; /health/ says what is down.
    """
    return JsonResponse({"status": "alive"})


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """200 with every part's state when all are up; 503 naming the failing parts otherwise
    ("degraded" when the database is up, "unavailable" when it is not).

    ?detail=1 adds sources, schedules and queue depths, for staff or the metrics reader.
    """
    from gigm8.metrics import metrics_access

    detail = request.GET.get("detail", "") not in ("", "0", "false")
    if detail:
        allowed, status, reason = metrics_access(request)
        if not allowed:
            return JsonResponse({"error": {"code": "forbidden", "message": f"detail: {reason}"}}, status=status)
    checks = run_checks()
    failing = [name for name, result in checks.items() if not result["ok"]]
    # degraded: the database answers, so the site does (without its cache, or without queueing work).
    state = "ok" if not failing else "unavailable" if "database" in failing else "degraded"
    body: dict[str, Any] = {"status": state, "failing": failing, "checks": checks}
    if detail:
        body["detail"] = health_detail()
    response = JsonResponse(body, status=503 if failing else 200)
    if failing:
        from gigm8.api_errors import RETRY_AFTER_SECONDS  # not at the top: the Celery app imports this module

        # A restart or a failover is over in seconds: say when to look again.
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
