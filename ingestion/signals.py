"""Celery signal handlers of ingestion: remember how each beat schedule's last run ended.

Connected by the Celery app (gigm8.celery) in every worker; read by
ingestion.selectors.schedules_state (the detailed health view and the overdue-schedule alert).
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.utils import timezone

from ingestion.selectors import schedule_outcome_key


def record_schedule_outcome(task: Any = None, state: str | None = None, **kwargs: Any) -> None:
    """task_postrun: remember how the last run a beat schedule sent ended, by the schedule's name.

    django-celery-beat sends each task with a `periodic_task_name` header, which the worker
    sets as an attribute of the task's request. Tasks sent any other way are not recorded.
    """
    name = getattr(getattr(task, "request", None), "periodic_task_name", None)
    if not name or not state:
        return
    key, now = schedule_outcome_key(name), timezone.now().isoformat()
    outcome = cache.get(key) or {}
    outcome.update(last_outcome=state.lower(), last_finished_at=now)
    if state == "SUCCESS":
        outcome["last_success_at"] = now
    cache.set(key, outcome, timeout=None)


def connect_celery() -> None:
    """Record each scheduled task's outcome for the detailed health view (in workers)."""
    from celery import signals

    signals.task_postrun.connect(record_schedule_outcome, weak=False, dispatch_uid="ingestion.signals.schedule_outcome")
