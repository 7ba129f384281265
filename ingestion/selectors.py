"""Reads about sources: each one's health, from its runs, its jobs, its pause and its open alerts.

The staff console's source health table and `/health/?detail=1` both show `source_health()`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from ingestion.choices import HEALTH_COLOURS, STATUS_COLOURS, AlertKind, HealthState, SyncKind, SyncStatus
from ingestion.models import Alert, SourceState, SyncLog
from ingestion.services.alerts import alerts_open, failed_streak, health_state
from jobs.choices import JobStatus
from jobs.models import Job

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
            .exclude(status=SyncStatus.RUNNING)
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
