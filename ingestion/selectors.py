"""Reads about sources: each one's health, from its runs, its jobs, its pause and its open alerts.

The staff console's source health table and `/health/?detail=1` both show `source_health()`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from ingestion.choices import HEALTH_COLOURS, STATUS_COLOURS, AlertKind, HealthState, SyncKind, SyncStatus
from ingestion.models import Alert, SourceState, SyncLog
from jobs.choices import JobStatus
from jobs.models import Job


def health_state(*, paused: bool, failed_streak: int, last_status: str, zero_alert_open: bool = False) -> str:
    """paused > failing (ALERT_FAILED_RUNS failures in a row) > degraded (recent trouble) > healthy."""
    if paused:
        return HealthState.PAUSED
    if failed_streak >= settings.ALERT_FAILED_RUNS:
        return HealthState.FAILING
    if failed_streak or last_status == SyncStatus.PARTIAL or zero_alert_open:
        return HealthState.DEGRADED
    return HealthState.HEALTHY


def failed_streak(statuses: list[str]) -> int:
    """Consecutive failures at the head of finished runs' statuses (newest first)."""
    streak = 0
    for status in statuses:
        if status != SyncStatus.FAILED:
            break
        streak += 1
    return streak


def alerts_open() -> list[Alert]:
    return list(Alert.objects.filter(resolved_at__isnull=True).select_related("last_sync_log"))


# --- incidents ------------------------------------------------------------------------------------


STREAK_WINDOW = 50  # runs looked at for the zero-result streak


# --- source health --------------------------------------------------------------------------


@dataclasses.dataclass
class SourceHealth:
    source: str
    last_run: SyncLog | None = None
    last_success: SyncLog | None = None
    last_failure: SyncLog | None = None
    zero_streak: int | None = None  # consecutive finished fetches that found nothing
    jobs_active: int = 0
    running: bool = False
    failed_streak: int = 0  # consecutive finished runs that failed
    state: str = HealthState.HEALTHY  # healthy, degraded, failing or paused (ingestion.services.alerts)
    pause: SourceState | None = None  # the paused row, when staff paused the source
    alerts: list[Alert] = dataclasses.field(default_factory=list)  # open incidents

    @property
    def state_colour(self) -> str:
        return HEALTH_COLOURS.get(self.state, "#333")

    @property
    def last_run_colour(self) -> str:
        return STATUS_COLOURS.get(self.last_run.status, "#333") if self.last_run else "#333"


def source_health() -> list[SourceHealth]:
    """Per source: last run, last success, last failure, zero-result streak, active jobs."""
    rows: dict[str, SourceHealth] = {}

    def row(source: str) -> SourceHealth:
        return rows.setdefault(source, SourceHealth(source=source))

    latest = SyncLog.objects.select_related("triggered_by_user").order_by("source", "-started_at", "-id")
    for log in latest.distinct("source"):
        row(log.source).last_run = log
        row(log.source).running = log.status == SyncStatus.RUNNING
    for log in latest.filter(status=SyncStatus.SUCCESS).distinct("source"):
        row(log.source).last_success = log
    for log in latest.filter(status=SyncStatus.FAILED).distinct("source"):
        row(log.source).last_failure = log
    for item in Job.objects.filter(status=JobStatus.ACTIVE).values("source").annotate(n=Count("id")):
        row(item["source"]).jobs_active = item["n"]
    for state in SourceState.objects.filter(paused=True).select_related("paused_by"):
        row(state.source).pause = state
    for alert in alerts_open():
        if alert.source in rows:  # an overdue schedule's incident is named after the schedule, not a source
            rows[alert.source].alerts.append(alert)
    for health in rows.values():
        finished = list(
            SyncLog.objects.filter(source=health.source)
            .exclude(status__in=(SyncStatus.RUNNING, SyncStatus.SKIPPED))
            .order_by("-started_at", "-id")
            .values_list("fetched", "status")[:STREAK_WINDOW]
        )
        health.failed_streak = failed_streak([status for _, status in finished])
        if health.last_run is not None and health.last_run.kind in (SyncKind.SOURCE, SyncKind.SPIDER):
            # expiry, CTS and refresh runs fetch nothing by design: no zero streak for them
            streak = 0
            for count, _ in finished:
                if count:
                    break
                streak += 1
            health.zero_streak = streak
        health.state = health_state(
            paused=health.pause is not None,
            failed_streak=health.failed_streak,
            last_status=finished[0][1] if finished else "",
            zero_alert_open=any(alert.kind == AlertKind.ZERO_RESULTS for alert in health.alerts),
        )
    return sorted(rows.values(), key=lambda h: h.source)


def source_list() -> list[dict[str, Any]]:
    """Every source with its job counts and its last run, last success and last error (from SyncLog)."""
    jobs = {
        row["source"]: row
        for row in Job.objects.order_by()
        .values("source")
        .annotate(
            jobs=Count("*"),
            active_jobs=Count("pk", filter=Q(status=JobStatus.ACTIVE, duplicate_of__isnull=True)),
            last_seen_at=Max("last_seen_at"),
        )
    }
    # Runs that bring jobs in (not expiry, CTS pushes or the refresh umbrella run).
    runs = SyncLog.objects.filter(kind__in=[SyncKind.SOURCE, SyncKind.SPIDER, SyncKind.IMPORT])

    def latest(queryset: QuerySet[SyncLog]) -> dict[str, SyncLog]:
        # DISTINCT ON (source): one row per source, the newest, in one query.
        return {log.source: log for log in queryset.order_by("source", "-started_at", "-id").distinct("source")}

    last_run = latest(runs)
    last_success = latest(runs.filter(status=SyncStatus.SUCCESS))
    last_error = latest(runs.filter(Q(status__in=[SyncStatus.FAILED, SyncStatus.PARTIAL]) | Q(errors__gt=0)))

    def run(log: SyncLog | None) -> dict[str, Any] | None:
        if log is None:
            return None
        return {
            "id": log.id,
            "kind": log.kind,
            "status": log.status,
            "triggered_by": log.triggered_by,
            "started_at": log.started_at,
            "finished_at": log.finished_at,
            "fetched": log.fetched,
            "created": log.created,
            "updated": log.updated,
            "expired": log.expired,
            "errors": log.errors,
        }

    def error(log: SyncLog | None) -> dict[str, Any] | None:
        if log is None:
            return None
        sample = [str(item) for item in (log.error_sample or [])][:5]
        return {
            "sync_log_id": log.id,
            "at": log.finished_at or log.started_at,
            "message": log.message,
            "sample": sample,
        }

    names: Sequence[str] = sorted(set(jobs) | set(last_run))
    return [
        {
            "source": name,
            "jobs": jobs.get(name, {}).get("jobs", 0),
            "active_jobs": jobs.get(name, {}).get("active_jobs", 0),
            "last_seen_at": jobs.get(name, {}).get("last_seen_at"),
            "last_run": run(last_run.get(name)),
            "last_success_at": (log.finished_at if (log := last_success.get(name)) else None),
            "last_error": error(last_error.get(name)),
        }
        for name in names
    ]


# --- Runs, schedules: for /health/?detail=1, /metrics and the overdue-schedule alert --------------

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


def source_runs_summary(*, now: datetime | None = None) -> dict[str, SourceRuns]:
    """Every source's last finished run, last success, running runs and last 24 hours, in 3 queries."""
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


def schedule_outcome_key(name: str) -> str:
    return f"gigm8:schedule-outcome:{name}"


def schedules_state(*, now: datetime | None = None) -> list[dict[str, Any]]:
    """Each enabled beat schedule: when it last ran, when it was next due, whether it is overdue,
    and how its last run ended (last_outcome, last_finished_at, last_success_at; None until one ends)."""
    now = now or timezone.now()
    states = []
    enabled = PeriodicTask.objects.filter(enabled=True)
    tasks = list(enabled.select_related("interval", "crontab", "solar", "clocked").order_by("name"))
    outcomes = cache.get_many([schedule_outcome_key(task.name) for task in tasks])
    for task in tasks:
        outcome = outcomes.get(schedule_outcome_key(task.name)) or {}
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
