"""Celery tasks of alerting (queue ingest). Thin: each calls ingestion.services.alerts."""

from __future__ import annotations

from celery import shared_task

from ingestion.choices import TriggerKind
from ingestion.services.alerts import alerts_check_schedules


@shared_task(ignore_result=True)
def check_overdue_schedules(triggered_by: str = TriggerKind.SCHEDULE) -> int:
    """Alert on beat schedules that have not run when due; returns how many incidents opened."""
    return len(alerts_check_schedules())
