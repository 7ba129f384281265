"""The staff console's run controls: the Refresh page, its buttons, live status, source health.

Each button starts its run through run_enqueue (ingestion.services.runs), the one way every
caller starts a run: the SyncLog is opened at once (the page redirects to it), records the
staff member, and the task is enqueued after commit to continue it. A source with a live run
already going starts nothing; the button says so and shows that run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from gigm8.admin_views import require_permission
from ingestion.choices import STATUS_COLOURS, SyncStatus, TriggerKind
from ingestion.models import SyncLog
from ingestion.selectors import source_health
from ingestion.services.alerts import (
    SourcePaused,
    paused_sources,
    source_pause,
    source_paused_state,
    source_resume,
)
from ingestion.services.crawl import CrawlError, crawl_company_enqueue
from ingestion.services.runs import run_enqueue, sync_log_fail_abandoned
from ingestion.sources import SOURCES, SPIDERS

START_PERMISSION = "ingestion.add_synclog"  # starting a run creates its SyncLog


# --- the buttons ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RunButton:
    """One "run now" button: the source it starts, or a choice of sources (the spiders)."""

    key: str
    label: str
    help: str
    source: str = ""
    choices: Callable[[], list[tuple[str, str]]] | None = None  # (source, label) to pick from


def _spider_choices() -> list[tuple[str, str]]:
    return [(name, SOURCES[name].label) for name in SPIDERS]


BUTTONS: list[RunButton] = [
    RunButton(key="adzuna", label="Fetch Adzuna now", help="Fetch the configured Adzuna searches.", source="adzuna"),
    RunButton(
        key="crawl",
        label="Crawl now",
        help="Crawl every enabled company's board of the chosen kind.",
        choices=_spider_choices,
    ),
    RunButton(
        key="cts",
        label="Sync to CTS now",
        help="Send new and changed jobs to Google Cloud Talent Solution; delete the ones that left.",
        source="cts",
    ),
    RunButton(
        key="expire",
        label="Expire now",
        help="Expire jobs past their closing date or not seen for the expiry period.",
        source="expiry",
    ),
    RunButton(
        key="refresh",
        label="Full refresh now",
        help="Every enabled source, then expiry, then the CTS sync.",
        source="refresh",
    ),
]


def run_buttons() -> list[RunButton]:
    return list(BUTTONS)


def run_button(key: str) -> RunButton | None:
    return next((b for b in BUTTONS if b.key == key), None)


def _button_source(button: RunButton, request: HttpRequest) -> str:
    """The source the press starts; ValueError with a message for a choice not offered."""
    if button.choices is None:
        return button.source
    choice = request.POST.get("choice", "")
    names = [name for name, _ in button.choices()]
    if choice not in names:
        raise ValueError(f"Choose a spider to crawl: one of {', '.join(names)} (got {choice!r}).")
    return choice


def company_crawl_start(*, company: Any, user: Any) -> tuple[SyncLog, bool]:
    """Crawl one company's board now (its ATS kind names the spider); ValueError if it has none."""
    try:
        return crawl_company_enqueue(company=company, triggered_by=TriggerKind.STAFF, user=user)
    except CrawlError as exc:
        raise ValueError(str(exc)) from exc


# --- pausing a source -----------------------------------------------------------------------

PAUSE_PERMISSION = "ingestion.change_sourcestate"  # the curator group has it (migration 0002)


@require_POST
def source_pause_view(request: HttpRequest) -> HttpResponse:
    """Pause or resume a source (POST source, action=pause|resume, optional reason)."""
    _require(request, PAUSE_PERMISSION)
    source = request.POST.get("source", "").strip()
    action = request.POST.get("action", "")
    back = request.POST.get("next") or reverse("admin:ingestion_synclog_refresh")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("admin:ingestion_synclog_refresh")
    known = set(SyncLog.objects.order_by().values_list("source", flat=True).distinct()) | paused_sources()
    if source not in known or action not in ("pause", "resume"):
        return HttpResponseBadRequest(
            f"Expected a known source and action pause or resume (got {source!r}, {action!r}).",
            content_type="text/plain",
        )
    if action == "pause":
        source_pause(source=source, user=request.user, reason=request.POST.get("reason", "").strip())
        messages.warning(request, f"{source} is paused: its schedule, refresh step and command skip it.")
    else:
        source_resume(source=source)
        messages.success(request, f"{source} is resumed.")
    return redirect(back)


# --- status as JSON -----------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def sync_log_status_payload(sync_log: SyncLog) -> dict[str, Any]:
    end = sync_log.finished_at or timezone.now()
    return {
        "id": sync_log.pk,
        "status": sync_log.status,
        "status_display": sync_log.get_status_display(),
        "colour": STATUS_COLOURS.get(sync_log.status, "#333"),
        "running": sync_log.status == SyncStatus.RUNNING,
        "started_at": _iso(sync_log.started_at),
        "finished_at": _iso(sync_log.finished_at),
        "seconds": round((end - sync_log.started_at).total_seconds(), 1),
        # Time since the run last counted anything: long silence usually means no worker took it.
        "quiet_seconds": round((end - (sync_log.heartbeat_at or sync_log.started_at)).total_seconds()),
        "counts": {name: getattr(sync_log, name) for name in SyncLog.COUNTS},
        "message": sync_log.message,
        "error_sample": sync_log.error_sample[:10],
    }


# --- views (wired by SyncLogAdmin.get_urls, wrapped in admin_site.admin_view) -------------


_GUARDS = {  # what each permission guards, for the 403 page that names it
    START_PERMISSION: "Starting a run",
    PAUSE_PERMISSION: "Pausing or resuming a source",
    "ingestion.view_synclog": "Seeing runs and source health",
}


def _require(request: HttpRequest, permission: str) -> None:
    require_permission(request, permission, doing=_GUARDS.get(permission, "This page"))


@require_GET
def sync_log_status_view(request: HttpRequest, object_id: int) -> JsonResponse:
    _require(request, "ingestion.view_synclog")
    sync_log_fail_abandoned(pk=object_id)  # the page polling a run whose process died sees it fail
    sync_log = get_object_or_404(SyncLog, pk=object_id)
    response = JsonResponse(sync_log_status_payload(sync_log))
    response["Cache-Control"] = "no-store"
    return response


def refresh_page_view(request: HttpRequest, *, admin_site: AdminSite) -> HttpResponse:
    _require(request, "ingestion.view_synclog")
    sync_log_fail_abandoned()
    running = SyncLog.objects.filter(status=SyncStatus.RUNNING).select_related("triggered_by_user")[:20]
    context = {
        **admin_site.each_context(request),
        "title": "Refresh",
        "opts": SyncLog._meta,
        "buttons": run_buttons(),
        "can_start": request.user.has_perm(START_PERMISSION),
        "running": running,
        "health": source_health(),
        "can_pause": request.user.has_perm(PAUSE_PERMISSION),
    }
    return TemplateResponse(request, "admin/ingestion/refresh.html", context)


@require_POST
def run_start_view(request: HttpRequest, key: str) -> HttpResponse:
    _require(request, START_PERMISSION)
    button = run_button(key)
    if button is None:
        return HttpResponseBadRequest(f"Unknown or unavailable run: {key!r}.", content_type="text/plain")
    try:
        source = _button_source(button, request)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect(reverse("admin:ingestion_synclog_refresh"))
    label = button.label.removesuffix(" now")
    paused = source_paused_state(source=source)
    if paused is not None:
        messages.error(request, f"{label}: {SourcePaused(paused)}; nothing was started.")
        return redirect(reverse("admin:ingestion_synclog_refresh"))
    sync_log, started = run_enqueue(source=source, triggered_by=TriggerKind.STAFF, user=request.user)
    if started:
        messages.success(request, f"{label}: started as run #{sync_log.pk}.")
    else:
        started_at = timezone.localtime(sync_log.started_at)
        messages.warning(
            request,
            f"A {source} run is already going (run #{sync_log.pk}, started {started_at:%H:%M:%S}); "
            "nothing was started.",
        )
    return redirect(reverse("admin:ingestion_synclog_change", args=[sync_log.pk]))
