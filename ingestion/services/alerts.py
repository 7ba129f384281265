"""Alerts and source health: hear when a source keeps failing, finds nothing, or a schedule is late.

An incident (ingestion.Alert) opens once per source and kind and is announced once: to
Django's ADMINS by e-mail (mail_admins) and, when ALERT_WEBHOOK_URL is set, as a JSON POST.
Later runs of the same streak only move its last_sync_log; the incident resolves when the
source succeeds again (or fetches jobs again, or the schedule runs), and the next streak
opens a new one. Alerting never breaks a run: sync_log_finish calls `alerts_after_run`, which
catches and logs everything.

Pausing (ingestion.SourceState) is the staff's answer to a failing source: its refresh step,
its scheduled task and its command skip it until resumed.
"""

from __future__ import annotations

import logging
import statistics
from datetime import datetime
from typing import Any

import requests
from django.conf import settings
from django.core.mail import mail_admins
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ingestion.choices import AlertKind, SyncKind, SyncStatus
from ingestion.models import Alert, SourceState, SyncLog
from ingestion.selectors import failed_streak, schedules_state

logger = logging.getLogger(__name__)

# Runs that fetch jobs: only these can "find nothing" (expiry, CTS and refresh fetch nothing by design).
FETCHING_KINDS = (SyncKind.SOURCE, SyncKind.SPIDER)
# Staff-started file imports are not a source that can fail repeatedly on its own.
UNWATCHED_KINDS = (SyncKind.IMPORT,)
USUAL_WINDOW = 5  # successful runs whose median fetched count is "usual"
RESOLVING = (SyncStatus.SUCCESS, SyncStatus.PARTIAL)


class SourcePaused(Exception):
    """A paused source was asked to run."""

    def __init__(self, state: SourceState) -> None:
        self.state = state
        who = state.paused_by.get_username() if state.paused_by_id and state.paused_by else "staff"
        when = timezone.localtime(state.paused_at).strftime("%Y-%m-%d %H:%M") if state.paused_at else "?"
        reason = f": {state.reason}" if state.reason else ""
        super().__init__(f"source {state.source} is paused (by {who} at {when}{reason}); resume it in the admin")


# --- pausing --------------------------------------------------------------------------------------


def source_paused_state(*, source: str) -> SourceState | None:
    """The source's state row when it is paused, else None."""
    return SourceState.objects.select_related("paused_by").filter(source=source, paused=True).first()


def source_check_not_paused(*, source: str) -> None:
    """Raise SourcePaused when staff paused this source."""
    state = source_paused_state(source=source)
    if state is not None:
        raise SourcePaused(state)


def source_pause(*, source: str, user: Any = None, reason: str = "") -> SourceState:
    state, _ = SourceState.objects.update_or_create(
        source=source,
        defaults={
            "paused": True,
            "paused_by": user if getattr(user, "is_authenticated", False) else None,
            "paused_at": timezone.now(),
            "reason": reason[:300],
        },
    )
    logger.warning("source %s paused", source)
    return state


def source_resume(*, source: str) -> SourceState:
    state, _ = SourceState.objects.update_or_create(
        source=source, defaults={"paused": False, "paused_by": None, "paused_at": None, "reason": ""}
    )
    logger.info("source %s resumed", source)
    return state


def paused_sources() -> set[str]:
    return set(SourceState.objects.filter(paused=True).values_list("source", flat=True))


# --- health ---------------------------------------------------------------------------------------


def sync_log_admin_url(sync_log: SyncLog | None) -> str:
    if sync_log is None:
        return ""
    return settings.SITE_URL + reverse("admin:ingestion_synclog_change", args=[sync_log.pk])


def _notify(alert: Alert) -> None:
    """E-mail the admins and POST the webhook; each failure is logged, never raised."""
    link = sync_log_admin_url(alert.last_sync_log)
    subject = f"{alert.get_kind_display()}: {alert.source}"
    body = f"{alert.message}\n\nOpened {alert.opened_at:%Y-%m-%d %H:%M:%S} UTC." + (f"\nRun: {link}" if link else "")
    try:
        mail_admins(subject, body)
    except Exception:  # an SMTP outage must not break the run that finished
        logger.exception("alert e-mail failed: %s", subject)
    if settings.ALERT_WEBHOOK_URL:
        payload: dict[str, Any] = {
            "alert_id": alert.pk,
            "kind": alert.kind,
            "source": alert.source,
            "message": alert.message,
            "opened_at": alert.opened_at.isoformat(),
            "sync_log_id": alert.last_sync_log_id,
            "sync_log_url": link or None,
        }
        try:
            response = requests.post(settings.ALERT_WEBHOOK_URL, json=payload, timeout=settings.ALERT_WEBHOOK_TIMEOUT)
            response.raise_for_status()
        except requests.RequestException as exc:
            logger.warning("alert webhook failed: %s", exc)


def alert_open(*, source: str, kind: str, message: str, sync_log: SyncLog | None = None) -> Alert | None:
    """Open an incident and announce it; None when one is already open (its last run is moved on)."""
    current = Alert.objects.filter(source=source, kind=kind, resolved_at__isnull=True).first()
    if current is not None:
        if sync_log is not None:
            Alert.objects.filter(pk=current.pk).update(last_sync_log=sync_log)
        return None
    try:
        with transaction.atomic():
            alert = Alert.objects.create(source=source, kind=kind, message=message[:2000], last_sync_log=sync_log)
    except IntegrityError:
        return None  # another process opened it a moment ago, and announces it
    logger.warning("alert opened: %s %s: %s", kind, source, message)
    _notify(alert)
    return alert


def alert_resolve(*, source: str, kind: str, now: datetime | None = None) -> int:
    return Alert.objects.filter(source=source, kind=kind, resolved_at__isnull=True).update(
        resolved_at=now or timezone.now()
    )


def _finished(source: str) -> Any:
    """The source's ended runs, newest first; skipped ones (not configured) are no outcome either way."""
    return (
        SyncLog.objects.filter(source=source)
        .exclude(status__in=(SyncStatus.RUNNING, SyncStatus.SKIPPED))
        .order_by("-finished_at", "-id")
    )


def alerts_evaluate_run(*, sync_log: SyncLog) -> list[Alert]:
    """Open or resolve the incidents a finished run bears on; the alerts opened (announced)."""
    # A skipped run (its source not configured) neither fails nor recovers a source.
    if sync_log.kind in UNWATCHED_KINDS or sync_log.status in (SyncStatus.RUNNING, SyncStatus.SKIPPED):
        return []
    source, opened = sync_log.source, []
    if sync_log.status in RESOLVING:
        alert_resolve(source=source, kind=AlertKind.FAILED_RUNS)
    else:
        needed = settings.ALERT_FAILED_RUNS
        statuses = list(_finished(source).values_list("status", flat=True)[:needed])
        streak = failed_streak(statuses)
        if streak >= needed:
            message = (
                f"{source} failed {streak} runs in a row (ALERT_FAILED_RUNS={needed}). "
                f"Last: {sync_log.message or 'no message'}"
            )
            opened.append(alert_open(source=source, kind=AlertKind.FAILED_RUNS, message=message, sync_log=sync_log))
    if sync_log.kind in FETCHING_KINDS:
        if sync_log.fetched:
            alert_resolve(source=source, kind=AlertKind.ZERO_RESULTS)
        elif sync_log.status in RESOLVING:
            usual = list(
                _finished(source)
                .filter(status__in=RESOLVING, fetched__gt=0)
                .exclude(pk=sync_log.pk)
                .values_list("fetched", flat=True)[:USUAL_WINDOW]
            )
            median = statistics.median(usual) if usual else 0
            if median >= settings.ALERT_ZERO_MIN_USUAL:
                message = f"{source} fetched 0 jobs; its last {len(usual)} successful runs fetched {median} (median)."
                opened.append(
                    alert_open(source=source, kind=AlertKind.ZERO_RESULTS, message=message, sync_log=sync_log)
                )
    return [alert for alert in opened if alert is not None]


def alerts_after_run(*, sync_log: SyncLog) -> None:
    """The hook at the end of every run: evaluate alerts, never raise."""
    try:
        with transaction.atomic():  # a savepoint: a database error here leaves the caller's transaction usable
            alerts_evaluate_run(sync_log=sync_log)
    except Exception:  # alerting is a bystander: the run's outcome is already recorded
        logger.exception("alert evaluation failed for sync log %s", sync_log.pk)


def alerts_check_schedules(*, now: datetime | None = None) -> list[Alert]:
    """Open an incident for each overdue beat schedule, resolve those that ran (schedules_state says when due)."""
    opened = []
    for state in schedules_state(now=now):
        name = state["name"]
        if state["overdue"]:
            last = state["last_run_at"]
            message = (
                f"Schedule {name!r} ({state['task']}) has not run when due: due {state['due_at']:%Y-%m-%d %H:%M} UTC, "
                f"last ran {f'{last:%Y-%m-%d %H:%M} UTC' if last else 'never'}. Is celery beat running?"
            )
            alert = alert_open(source=name, kind=AlertKind.OVERDUE_SCHEDULE, message=message)
            if alert is not None:
                opened.append(alert)
        else:
            alert_resolve(source=name, kind=AlertKind.OVERDUE_SCHEDULE, now=now)
    return opened
