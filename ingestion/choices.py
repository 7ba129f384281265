"""Enumerations of the ingestion app."""

from django.db import models


class SyncKind(models.TextChoices):
    SOURCE = "source", "Source fetch"
    SPIDER = "spider", "Spider crawl"
    CTS = "cts", "Cloud Talent Solution sync"
    EXPIRY = "expiry", "Expiry"
    REFRESH = "refresh", "Full refresh"
    IMPORT = "import", "File import"


class SyncStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCESS = "success", "Success"
    PARTIAL = "partial", "Partial"
    FAILED = "failed", "Failed"
    # Not run: its source is not configured (no keys, no boards). Neither a failure nor a success.
    SKIPPED = "skipped", "Skipped"


class TriggerKind(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    COMMAND = "command", "Management command"
    STAFF = "staff", "Staff member"
    API = "api", "API call"


class AlertKind(models.TextChoices):
    FAILED_RUNS = "failed_runs", "Failed runs in a row"
    ZERO_RESULTS = "zero_results", "Zero results where many are usual"
    OVERDUE_SCHEDULE = "overdue", "Schedule overdue"


class HealthState(models.TextChoices):
    HEALTHY = "healthy", "Healthy"
    DEGRADED = "degraded", "Degraded"
    FAILING = "failing", "Failing"
    PAUSED = "paused", "Paused"


# How the staff console colours a run's status and a source's health.
STATUS_COLOURS: dict[str, str] = {
    SyncStatus.RUNNING: "#205493",
    SyncStatus.SUCCESS: "#2e7d32",
    SyncStatus.PARTIAL: "#b26a00",
    SyncStatus.FAILED: "#c62828",
    SyncStatus.SKIPPED: "#666",
}
HEALTH_COLOURS: dict[str, str] = {
    HealthState.HEALTHY: "#2e7d32",
    HealthState.DEGRADED: "#b26a00",
    HealthState.FAILING: "#c62828",
    HealthState.PAUSED: "#666",
}
