"""Reads about sources: each one's health, from its runs, its jobs, its pause and its open alerts.

The staff console's source health table and `/health/?detail=1` both show `source_health()`.
"""

from __future__ import annotations

import dataclasses

from django.db.models import Count

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
