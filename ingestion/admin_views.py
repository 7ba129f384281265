"""The staff console's run controls: the Refresh page, its buttons, live status, source health.

Each button starts one Celery task with a SyncLog made first (so the page can redirect to
it at once), records the staff member as the trigger, and enqueues after commit. A source
with a live run already going starts nothing: the SyncLog's advisory-locked
`sync_log_start_unless_running` decides. A button whose task module is not installed is
not shown.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

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
from ingestion.services.runs import sync_log_fail_abandoned
from ingestion.sources import SOURCES, SPIDERS, spider_for_ats_kind

START_PERMISSION = "ingestion.add_synclog"  # starting a run creates its SyncLog


# --- the buttons ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RunButton:
    """One "run now" button: which task, under which SyncLog kind and source."""

    key: str
    label: str
    help: str
    kind: str
    task: str  # "module.attribute" of the Celery task
    source: str = ""
    # Builds (source, task kwargs) from the POST; raises ValueError with a message for bad input.
    parse: Callable[[HttpRequest], tuple[str, dict[str, Any]]] | None = None
    choices: Callable[[], list[tuple[str, str]]] | None = None
    # The flow's own enqueue service, when it has one: (user, source, kwargs) -> (log, started).
    start: Callable[..., tuple[SyncLog, bool]] | None = None

    def task_callable(self) -> Any | None:
        module_name, _, attr = self.task.rpartition(".")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                return None  # not installed yet: the button is absent
            raise
        return getattr(module, attr, None)

    @property
    def available(self) -> bool:
        return self.task_callable() is not None


BUTTONS: list[RunButton] = [
    RunButton(
        key="adzuna",
        label="Fetch Adzuna now",
        help="Fetch the configured Adzuna searches.",
        kind=SyncKind.SOURCE,
        source="adzuna",
        task="ingestion.tasks.fetch_adzuna",
    ),
    RunButton(
        key="crawl",
        label="Crawl now",
        help="Crawl every enabled company's board of the chosen kind.",
        kind=SyncKind.SPIDER,
        task="ingestion.tasks.crawl_spider",
        parse=lambda request: _parse_spider(request),
        choices=lambda: _spider_choices(),
        start=lambda *, user, source, task_kwargs: _crawl_enqueue(user=user, spider=source),
    ),
    RunButton(
        key="cts",
        label="Sync to CTS now",
        help="Send new and changed jobs to Google Cloud Talent Solution; delete the ones that left.",
        kind=SyncKind.CTS,
        source="cts",
        task="ingestion.tasks.sync_cts",
    ),
    RunButton(
        key="expire",
        label="Expire now",
        help="Expire jobs past their closing date or not seen for the expiry period.",
        kind=SyncKind.EXPIRY,
        source="expiry",
        task="ingestion.tasks.expire_jobs",
    ),
    RunButton(
        key="refresh",
        label="Full refresh now",
        help="Every enabled source, then expiry, then the CTS sync.",
        kind=SyncKind.REFRESH,
        source="refresh",
        task="ingestion.tasks.refresh_jobs",
    ),
]


def _spider_choices() -> list[tuple[str, str]]:
    return [(name, SOURCES[name].label) for name in SPIDERS]


def _parse_spider(request: HttpRequest) -> tuple[str, dict[str, Any]]:
    spider = request.POST.get("choice", "")
    names = [name for name, _ in _spider_choices()]
    if spider not in names:
        raise ValueError(f"Choose a spider to crawl: one of {', '.join(names)} (got {spider!r}).")
    return spider, {"spider": spider}


def _crawl_enqueue(*, user: Any, spider: str, boards: str = "") -> tuple[SyncLog, bool]:
    from ingestion.services.crawl import crawl_enqueue

    args = {"boards": boards} if boards else None
    return crawl_enqueue(spider=spider, args=args, triggered_by=TriggerKind.STAFF, user=user)


def company_crawl_start(*, company: Any, user: Any) -> tuple[SyncLog, bool]:
    """Crawl one company's board now (its ATS kind names the spider)."""
    spider = spider_for_ats_kind(company.ats_kind)
    board = company.careers_url if spider == "careers" else company.board_token
    if spider is None or not board:
        raise ValueError(f"{company.name} has no board to crawl: set its ATS kind and board token (or careers URL).")
    return _crawl_enqueue(user=user, spider=spider, boards=board)


def run_buttons() -> list[RunButton]:
    """The buttons whose task exists in this installation."""
    return [button for button in BUTTONS if button.available]


def run_button(key: str) -> RunButton | None:
    return next((b for b in run_buttons() if b.key == key), None)


def _accepts(task: Any, name: str) -> bool:
    return name in inspect.signature(getattr(task, "run", task)).parameters


@dataclasses.dataclass(frozen=True)
class RunStart:
    """What pressing a button did: started or not, and the run to show."""

    started: bool
    sync_log: SyncLog | None = None  # the new run, or the live one that blocked it
    task_id: str = ""  # set when the task opens its own log: the page waits for it


def run_start(*, button: RunButton, user: Any, source: str, task_kwargs: dict[str, Any]) -> RunStart:
    """Open the run's SyncLog and enqueue its task after commit; or return the live run.

    A task that takes `sync_log_id` continues the log opened here, under the advisory lock of
    sync_log_start_unless_running. A task that opens its own log gets triggered_by=staff, the
    staff member's user_id (recorded on the log) and a task id chosen here, which its log
    carries: the page waits for that log to appear.
    """
    from ingestion.services.runs import sync_log_start_unless_running

    task = button.task_callable()
    if task is None:
        raise LookupError(f"{button.task} is not installed")
    if button.start is not None:
        sync_log, started = button.start(user=user, source=source, task_kwargs=task_kwargs)
        return RunStart(started=started, sync_log=sync_log)
    if _accepts(task, "sync_log_id"):
        sync_log, started = sync_log_start_unless_running(
            kind=button.kind, source=source, triggered_by=TriggerKind.STAFF, user=user, params=task_kwargs
        )
        if started:
            kwargs = {**task_kwargs, "sync_log_id": sync_log.pk}
            transaction.on_commit(lambda: task.apply_async(kwargs=kwargs))
        return RunStart(started=started, sync_log=sync_log)
    current = _live_run(source)
    if current is not None:
        return RunStart(started=False, sync_log=current)
    task_id = uuid.uuid4().hex
    kwargs = {**task_kwargs, "triggered_by": TriggerKind.STAFF, "user_id": getattr(user, "pk", None)}
    transaction.on_commit(lambda: task.apply_async(kwargs=kwargs, task_id=task_id))
    return RunStart(started=True, task_id=task_id)


def _live_run(source: str) -> SyncLog | None:
    sync_log_fail_abandoned(source=source)
    return SyncLog.objects.filter(source=source, status=SyncStatus.RUNNING).order_by("-started_at").first()


def run_log_for_task(*, task_id: str) -> SyncLog | None:
    """The log a staff-started task opened, once it exists."""
    return SyncLog.objects.filter(task_id=task_id).first()


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


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


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
        source, task_kwargs = button.parse(request) if button.parse else (button.source, {})
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect(reverse("admin:ingestion_synclog_refresh"))
    label = button.label.removesuffix(" now")
    paused = source_paused_state(source=source)
    if paused is not None:
        messages.error(request, f"{label}: {SourcePaused(paused)}; nothing was started.")
        return redirect(reverse("admin:ingestion_synclog_refresh"))
    outcome = run_start(button=button, user=request.user, source=source, task_kwargs=task_kwargs)
    sync_log = outcome.sync_log
    if outcome.started and sync_log is None:
        messages.success(request, f"{label}: queued; its log opens when a worker starts it.")
        return redirect(reverse("admin:ingestion_synclog_pending", args=[outcome.task_id]))
    if outcome.started:
        messages.success(request, f"{label}: started as run #{sync_log.pk}.")
    else:
        started_at = timezone.localtime(sync_log.started_at)
        messages.warning(
            request,
            f"A {source} run is already going (run #{sync_log.pk}, started {started_at:%H:%M:%S}); "
            "nothing was started.",
        )
    return redirect(reverse("admin:ingestion_synclog_change", args=[sync_log.pk]))


@require_GET
def run_pending_view(request: HttpRequest, task_id: str, *, admin_site: AdminSite) -> HttpResponse:
    """Waits (polling itself) until the task's own log exists, then goes to it."""
    _require(request, "ingestion.view_synclog")
    sync_log = run_log_for_task(task_id=task_id)
    if request.headers.get("Accept") == "application/json":
        url = reverse("admin:ingestion_synclog_change", args=[sync_log.pk]) if sync_log else None
        return JsonResponse({"url": url}, headers={"Cache-Control": "no-store"})
    if sync_log is not None:
        return redirect(reverse("admin:ingestion_synclog_change", args=[sync_log.pk]))
    context = {**admin_site.each_context(request), "title": "Waiting for a worker", "opts": SyncLog._meta}
    return TemplateResponse(request, "admin/ingestion/run_pending.html", context)
