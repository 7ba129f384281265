"""Sync logs in the admin: read-only records of every run, with live status and source health."""

from __future__ import annotations

import json

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from gigm8.admin_views import EstimatedCountPaginator, PermissionMessageMixin
from ingestion import admin_views
from ingestion.choices import HEALTH_COLOURS, STATUS_COLOURS, HealthState, SyncKind, TriggerKind
from ingestion.models import Alert, SourceState, SyncLog
from ingestion.selectors import SourceHealth, source_health
from ingestion.services.alerts import source_pause, source_resume
from ingestion.services.runs import STEPS_DONE, sync_log_fail_abandoned
from ingestion.sources import SOURCES


class ReadOnlyAdmin(PermissionMessageMixin, admin.ModelAdmin):
    """Records the system writes (runs, incidents): staff look, nobody edits or deletes."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SyncLog)
class SyncLogAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "kind",
        "source",
        "coloured_status",
        "started_at",
        "duration_display",
        "fetched",
        "created",
        "updated",
        "expired",
        "errors",
        "trigger",
    )
    list_display_links = ("id", "source")
    list_filter = ("status", "kind", "source", "triggered_by")
    search_fields = ("source", "message", "task_id")
    list_select_related = ("triggered_by_user",)
    ordering = ("-started_at", "-id")
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    date_hierarchy = None
    fieldsets = (
        (None, {"fields": ("kind", "source", "coloured_status", "message", "trigger", "task_id", "params")}),
        ("Time", {"fields": ("started_at", "heartbeat_at", "finished_at", "duration_display")}),
        ("Process", {"fields": (("owner_host", "owner_pid"),)}),
        ("Counts", {"fields": (SyncLog.COUNTS[:4], SyncLog.COUNTS[4:])}),
        ("Errors and details", {"fields": ("error_lines", "steps", "details_display")}),
    )
    readonly_fields = ("coloured_status", "duration_display", "trigger", "error_lines", "steps", "details_display")

    @admin.display(description="Status", ordering="status")
    def coloured_status(self, obj: SyncLog) -> str:
        colour = STATUS_COLOURS.get(obj.status, "#333")
        return format_html(
            '<strong class="synclog-status" data-status="{}" style="color: {}">{}</strong>',
            obj.status,
            colour,
            obj.get_status_display(),
        )

    @admin.display(description="Duration")
    def duration_display(self, obj: SyncLog) -> str:
        if obj.duration is None:
            return "running…" if obj.status == "running" else "—"
        seconds = int(obj.duration.total_seconds())
        minutes, seconds = divmod(seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}h {minutes:02d}m {seconds:02d}s" if hours else f"{minutes}m {seconds:02d}s"

    @admin.display(description="Triggered by", ordering="triggered_by")
    def trigger(self, obj: SyncLog) -> str:
        if obj.triggered_by == TriggerKind.STAFF and obj.triggered_by_user is not None:
            return f"{obj.get_triggered_by_display()} ({obj.triggered_by_user.get_username()})"
        return obj.get_triggered_by_display()

    @admin.display(description="Errors (sample)")
    def error_lines(self, obj: SyncLog) -> str:
        if not obj.error_sample:
            return "—"
        return format_html(
            '<ul class="synclog-errors">{}</ul>',
            format_html_join("", "<li>{}</li>", ((line,) for line in obj.error_sample)),
        )

    @admin.display(description="Steps")
    def steps(self, obj: SyncLog) -> str:
        """A refresh's steps, each linked to its own run, with that run's status (updated live)."""
        rows = admin_views.sync_log_step_rows(obj)
        if not rows and obj.kind != SyncKind.REFRESH:
            return "—"  # a refresh gets its list even before its first step: the page fills it in live
        items = format_html_join(
            "",
            '<li class="synclog-step" data-step="{}">{}: <strong class="synclog-step-status" data-status="{}" '
            'style="color: {}">{}</strong> <a class="synclog-step-run" href="{}"{}>{}</a> '
            '<span class="synclog-step-message">{}</span></li>',
            (
                (
                    row["name"],
                    row["name"],
                    row["status"],
                    row["colour"],
                    row["status_display"],
                    row["url"] or "#",
                    "" if row["url"] else mark_safe(" hidden"),
                    f"run #{row['log']}" if row["log"] else "",
                    row["message"],
                )
                for row in rows
            ),
        )
        return format_html('<ul class="synclog-steps">{}</ul>', items)

    @admin.display(description="Details")
    def details_display(self, obj: SyncLog) -> str:
        details = {key: value for key, value in (obj.details or {}).items() if key not in ("steps", STEPS_DONE)}
        if not details:
            return "—"
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', json.dumps(details, indent=2)[:20_000])

    def changelist_view(self, request, extra_context=None):
        sync_log_fail_abandoned()  # the list shows no dead run as running
        health = _every_source(source_health())
        extra_context = {
            **(extra_context or {}),
            "health": health,
            "health_summary": _health_summary(health),
            "is_nav_sidebar_enabled": False,  # twelve columns beside the filters on a 1366 px screen
            "can_pause": request.user.has_perm(admin_views.PAUSE_PERMISSION),
        }
        return super().changelist_view(request, extra_context=extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if object_id.isdigit():
            # A run whose process died shows as failed now, not when the next run of its source starts.
            sync_log_fail_abandoned(pk=int(object_id))
        status = (
            SyncLog.objects.filter(pk=object_id).values_list("status", flat=True).first()
            if object_id.isdigit()
            else None
        )
        extra_context = {**(extra_context or {}), "status_colour": STATUS_COLOURS.get(status or "", "#333")}
        return super().change_view(request, object_id, form_url, extra_context=extra_context)

    def refresh_view(self, request):
        return admin_views.refresh_page_view(request, admin_site=self.admin_site)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("refresh/", view(self.refresh_view), name="ingestion_synclog_refresh"),
            path("refresh/<str:key>/", view(admin_views.run_start_view), name="ingestion_synclog_run"),
            path("pause/", view(admin_views.source_pause_view), name="ingestion_synclog_pause"),
            path("<int:object_id>/status/", view(admin_views.sync_log_status_view), name="ingestion_synclog_status"),
            *super().get_urls(),
        ]


def _every_source(health: list[SourceHealth]) -> list[SourceHealth]:
    """The health rows plus one for each source in the sources table that has never run (the demo aside)."""
    known = {h.source for h in health}
    # The demo files are not a source to watch until they are loaded.
    never_run = [SourceHealth(source=name) for name, row in SOURCES.items() if name not in known and not row.demo]
    return sorted([*health, *never_run], key=lambda h: h.source)


def _health_summary(health: list[SourceHealth]) -> list[dict[str, object]]:
    """One line's worth: how many sources are in each state, naming those that need a look."""
    never = [h.source for h in health if h.last_run is None and h.pause is None]
    by_state: dict[str, list[str]] = {}
    for h in health:
        if h.source not in never:
            by_state.setdefault(h.state, []).append(h.source)
    parts: list[dict[str, object]] = [
        {
            "label": HealthState(state).label.lower(),
            "colour": HEALTH_COLOURS.get(state, "#333"),
            "count": len(sources),
            "sources": "" if state == HealthState.HEALTHY else ", ".join(sources),
        }
        for state, sources in sorted(by_state.items(), key=lambda item: list(HealthState.values).index(item[0]))
    ]
    if never:
        parts.append({"label": "never run", "colour": "#666", "count": len(never), "sources": ""})
    return parts


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    """Incidents, read-only: opened and resolved by ingestion.services.alerts."""

    list_display = ("id", "kind", "source", "opened_at", "resolved_at", "run_link")
    list_filter = ("kind", ("resolved_at", admin.EmptyFieldListFilter), "source")
    search_fields = ("source", "message")
    readonly_fields = ("kind", "source", "opened_at", "resolved_at", "run_link", "message")
    fields = readonly_fields

    @admin.display(description="Run")
    def run_link(self, obj: Alert) -> str:
        if obj.last_sync_log_id is None:
            return "—"
        url = reverse("admin:ingestion_synclog_change", args=[obj.last_sync_log_id])
        return format_html('<a href="{}">run #{}</a>', url, obj.last_sync_log_id)


@admin.register(SourceState)
class SourceStateAdmin(PermissionMessageMixin, admin.ModelAdmin):
    """Paused sources; pause or resume with the actions here or the buttons on the Refresh page.

    Folded into the source health table (the Sync logs and Refresh pages), which lists every
    known source with its pause state and a Pause/Resume button: this list, which only ever had
    the sources once paused, is left out of the menu, and opening it leads to that table.
    """

    list_display = ("source", "paused", "paused_by", "paused_at", "reason")
    list_filter = ("paused",)
    readonly_fields = ("source", "paused", "paused_by", "paused_at")
    fields = ("source", "paused", "paused_by", "paused_at", "reason")
    actions = ("pause_sources", "resume_sources")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_model_perms(self, request):
        return {}  # not in the menu: the health table is where sources are paused and resumed

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET" and request.user.has_perm("ingestion.view_synclog"):
            return redirect(f"{reverse('admin:ingestion_synclog_changelist')}#source-health")
        return super().changelist_view(request, extra_context)

    @admin.action(description="Pause the selected sources", permissions=["change"])
    def pause_sources(self, request, queryset):
        for state in queryset:
            source_pause(source=state.source, user=request.user, reason=state.reason)
        self.message_user(request, f"Paused {len(queryset)} source(s).")

    @admin.action(description="Resume the selected sources", permissions=["change"])
    def resume_sources(self, request, queryset):
        for state in queryset:
            source_resume(source=state.source)
        self.message_user(request, f"Resumed {len(queryset)} source(s).")
