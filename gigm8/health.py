"""/health/ and /health/live/: the views. They only read: the probes (gigm8.probes) and the apps'
selectors (sources, schedules); who may see the detail is metrics_access's decision.

`/health/` answers anyone with the liveness of each part. `/health/?detail=1` adds, for staff
(or whoever may read /metrics, see gigm8.metrics_views.metrics_access): each source's health state
(ingestion.selectors.source_health, as the staff console shows it) and last runs,
each beat schedule's last run against when it was due and how its last run ended, and the depth
of each Celery queue.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gigm8.api_errors import RETRY_AFTER_SECONDS
from gigm8.metrics_views import metrics_access
from gigm8.probes import queue_depths, run_checks
from ingestion.selectors import SourceRuns, schedules_state, source_health, source_runs_summary


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def health_detail() -> dict[str, Any]:
    """Sources, schedules and queues; a part that cannot be read reports its error instead."""
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
        # A restart or a failover is over in seconds: say when to look again.
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
