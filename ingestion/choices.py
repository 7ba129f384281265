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


class TriggerKind(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    COMMAND = "command", "Management command"
    STAFF = "staff", "Staff member"
    API = "api", "API call"
