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
from django.core.management import get_commands
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from gigm8.admin_views import require_permission
from ingestion.choices import STATUS_COLOURS, SyncKind, SyncStatus, TriggerKind
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
from ingestion.services.refresh import refresh_steps, source_not_ready
from ingestion.services.runs import run_enqueue, sync_log_fail_abandoned
from ingestion.sources import SOURCES, SPIDERS
from jobs.choices import JobStatus
from jobs.models import Job

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
    # One per API source of the sources table (a spider is a choice of "Crawl now").
    *(
        RunButton(key=name, label=f"Fetch {row.label} now", help=f"Read {row.label}'s configured feeds.", source=name)
        for name, row in SOURCES.items()
        if row.kind == SyncKind.SOURCE and row.api_task
    ),
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


@dataclasses.dataclass(frozen=True)
class ShownButton:
    """A button as a page shows it now: disabled with the reason when its source is not ready."""

    button: RunButton
    not_ready: str | None = None  # why nothing can be started (every choice not ready, for a choice)
    choices: list[tuple[str, str, str | None]] = dataclasses.field(default_factory=list)  # (source, label, why not)

    @property
    def key(self) -> str:
        return self.button.key

    @property
    def label(self) -> str:
        return self.button.label

    @property
    def help(self) -> str:
        return self.button.help


def _shown(button: RunButton) -> ShownButton:
    if button.choices is None:
        return ShownButton(button=button, not_ready=source_not_ready(source=button.source))
    choices = [(name, label, source_not_ready(source=name)) for name, label in button.choices()]
    reasons = [reason for _, _, reason in choices]
    not_ready = None
    if choices and all(reasons):
        not_ready = "Nothing to crawl: set ATS kind and board token (or careers URL) on a company."
    return ShownButton(button=button, not_ready=not_ready, choices=choices)


def run_buttons() -> list[ShownButton]:
    """The buttons with their state now (the one rule: ingestion.services.refresh.source_not_ready)."""
    return [_shown(button) for button in BUTTONS]


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


# --- what each source needs (the Refresh page) -------------------------------------------


@dataclasses.dataclass(frozen=True)
class SourceSetup:
    """A source on the Refresh page: ready, or why not and where to fix it."""

    source: str
    label: str
    not_ready: str | None
    fix_url: str = ""  # the admin page where the next step is done, if there is one
    fix_label: str = ""
    next_step: str = "Runs in the full refresh, and from its button."


DEMO_NEXT_STEP = (
    "Shipped demo postings: loaded by manage.py load_demo, never by a refresh; load_demo --remove removes them."
)


def sources_setup() -> list[SourceSetup]:
    """Every source, ready or not (the one rule: source_not_ready); the demo files said to be what they are."""
    rows = [(name, row.label, row.ats_kind, row.demo) for name, row in SOURCES.items()]
    rows.append(("cts", "Cloud Talent Solution sync", "", False))
    companies = reverse("admin:jobs_company_changelist")
    shown = []
    for name, label, ats_kind, demo in rows:
        not_ready = source_not_ready(source=name)
        fix_url, fix_label = "", ""
        if ats_kind and not_ready is not None:
            fix_url, fix_label = f"{companies}?ats_kind__exact={ats_kind}", "Companies"
        row = SourceSetup(source=name, label=label, not_ready=not_ready, fix_url=fix_url, fix_label=fix_label)
        shown.append(dataclasses.replace(row, next_step=DEMO_NEXT_STEP) if demo else row)
    return shown


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


def sync_log_step_rows(sync_log: SyncLog) -> list[dict[str, Any]]:
    """A run's steps (a full refresh's), each with the live status of its own run."""
    steps: dict[str, dict[str, Any]] = (sync_log.details or {}).get("steps") or {}
    # In the order they run (a jsonb object keeps its keys in an order of its own).
    order = {step.name: index for index, step in enumerate(refresh_steps())}
    steps = dict(sorted(steps.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))
    children = {child.pk: child for child in SyncLog.objects.filter(pk__in=[o.get("log") for o in steps.values()])}
    rows = []
    for name, outcome in steps.items():
        child = children.get(outcome.get("log") or 0)
        status = child.status if child is not None else outcome.get("status", "")
        rows.append(
            {
                "name": name,
                "status": status,
                "status_display": SyncStatus(status).label if status in SyncStatus.values else status,
                "colour": STATUS_COLOURS.get(status, "#666"),
                "log": child.pk if child is not None else None,
                "url": reverse("admin:ingestion_synclog_change", args=[child.pk]) if child is not None else "",
                "message": (child.message if child is not None else outcome.get("message", ""))[:300],
                "running_child": child if child is not None and status == SyncStatus.RUNNING else None,
            }
        )
    return rows


def sync_log_status_payload(sync_log: SyncLog) -> dict[str, Any]:
    end = sync_log.finished_at or timezone.now()
    steps = sync_log_step_rows(sync_log)
    # A run waiting for its steps shows signs of life through theirs.
    children = [row["running_child"] for row in steps if row["running_child"]]
    beats = [log.heartbeat_at or log.started_at for log in (sync_log, *children)]
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
        "quiet_seconds": max(0, round((end - max(beats)).total_seconds())),
        "counts": {name: getattr(sync_log, name) for name in SyncLog.COUNTS},
        "message": sync_log.message,
        "error_sample": sync_log.error_sample[:10],
        "steps": [{key: value for key, value in row.items() if key != "running_child"} for row in steps],
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
    # The page polling a run whose process died sees it fail; a refresh's steps first (their end settles it).
    for child in SyncLog.objects.filter(parent_id=object_id, status=SyncStatus.RUNNING).values_list("pk", flat=True):
        sync_log_fail_abandoned(pk=child)
    sync_log_fail_abandoned(pk=object_id)
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
        "sources": sources_setup(),
        "has_jobs": Job.objects.filter(status=JobStatus.ACTIVE).exists(),
        # The demo set's command, when this install has it (manage.py load_demo).
        "has_demo": "load_demo" in get_commands(),
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
    not_ready = source_not_ready(source=source)
    if not_ready is not None:  # the button was disabled; a page older than the settings may still post
        messages.error(request, f"{label}: {not_ready} Nothing was started.")
        return redirect(reverse("admin:ingestion_synclog_refresh"))
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
