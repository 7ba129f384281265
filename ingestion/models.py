"""Records of every run that brings jobs in or sends them out."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ingestion.choices import AlertKind, SyncKind, SyncStatus, TriggerKind


class SyncLog(models.Model):
    """One run: what ran, who started it, how it ended and what it counted."""

    # The run's counts, in the order they are shown: the admin, the progress lines, the runs
    # service (sync_log_add), health and metrics all read this one tuple.
    COUNTS = ("fetched", "created", "updated", "unchanged", "skipped", "expired", "deleted", "errors")

    kind = models.CharField(max_length=10, choices=SyncKind.choices)
    source = models.CharField(max_length=50, help_text="adzuna, a spider's name, cts, expiry, …")
    triggered_by = models.CharField(max_length=10, choices=TriggerKind.choices)
    triggered_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    params = models.JSONField(default=dict, blank=True, help_text="The run's arguments.")
    task_id = models.CharField(max_length=255, blank=True)
    # A step of a bigger run (a full refresh): its end settles the parent's status.
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        help_text="The run that started this one as one of its steps (a full refresh).",
    )

    status = models.CharField(max_length=10, choices=SyncStatus.choices, default=SyncStatus.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last sign of life of a running run.")
    # The process that has taken the run up (gigm8.lib.processes): its lease is heartbeat_at.
    owner_host = models.CharField(max_length=255, blank=True, help_text="Host of the process running it.")
    owner_pid = models.PositiveIntegerField(null=True, blank=True, help_text="Pid of the process running it.")
    owner_token = models.CharField(
        max_length=100,
        blank=True,
        help_text="Boot, pid namespace and start time of that pid: tells a reused pid apart.",
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    fetched = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    expired = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    error_sample = models.JSONField(default=list, blank=True, help_text="The first errors, each a short line.")
    details = models.JSONField(default=dict, blank=True, help_text="Per-board or per-page counts.")
    message = models.TextField(
        blank=True, help_text="Why a run failed or was skipped (or which steps it waits for), in one line."
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["source", "-started_at"], name="synclog_source_started_idx"),
            models.Index(fields=["status"], name="synclog_running_idx", condition=Q(status=SyncStatus.RUNNING)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(finished_at__gte=models.F("started_at")),
                name="synclog_finished_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status=SyncStatus.RUNNING) | Q(finished_at__isnull=False),
                name="synclog_ended_has_finished_at",
            ),
        ]

    def __str__(self) -> str:
        kind = self.get_kind_display()
        # Expiry, CTS and refresh runs are their own source: "Expiry #10", not "Expiry expiry #10".
        named = self.source.lower() in kind.lower().split() or self.source == self.kind
        return f"{kind}{'' if named else ' ' + self.source} #{self.pk} ({self.status})"

    @property
    def duration(self):
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at


class Alert(models.Model):
    """One incident: a source failing runs in a row, finding nothing, or a schedule overdue.

    Staff hear of an incident once, when it opens; it stays open (later runs only move
    last_sync_log) until it resolves. At most one open incident per source and kind.
    """

    source = models.CharField(max_length=200, help_text="The run's source, or the schedule's name when overdue.")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    opened_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    last_sync_log = models.ForeignKey(SyncLog, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind"], condition=Q(resolved_at__isnull=True), name="alert_one_open_per_source_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.source}"


class SourceState(models.Model):
    """A source staff paused: its refresh step, scheduled task and command skip it until resumed."""

    source = models.CharField(max_length=50, unique=True)
    paused = models.BooleanField(default=False)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.source} ({'paused' if self.paused else 'active'})"


class CatalogBoard(models.Model):
    """A board catalog entry (ingestion/data/boards.csv) once loaded, and the values it gave its company.

    `setup_sources` reads it to keep staff edits: a company whose fields still equal these values
    is untouched and follows a changed catalog; one staff edited is left alone; one staff deleted
    (company now null) is not created again unless `--reset` is asked for.
    """

    key = models.CharField(max_length=255, unique=True, help_text="The entry's normalized company name.")
    company = models.ForeignKey("jobs.Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    name = models.CharField(max_length=255)
    website = models.CharField(max_length=500, blank=True)
    ats_kind = models.CharField(max_length=20)
    board_token = models.CharField(max_length=200)
    is_enabled = models.BooleanField(default=True)
    loaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.ats_kind}: {self.board_token})"
