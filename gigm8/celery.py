"""The Celery app: settings from Django's (CELERY_*), schedules from django-celery-beat."""

import os
from typing import Any

from celery import Celery
from django.conf import settings

from gigm8 import logs, metrics

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigm8.settings.local")

app = Celery("gigm8")
# Lazy: settings are read when the app first needs them (CELERY_TASK_QUEUES, CELERY_TASK_ROUTES
# among them), not at import, so a bad setting still fails in manage.py's one-line handler.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()  # each app's one tasks.py


QUEUES: tuple[str, ...]  # the queue names, settings.TASK_QUEUES: read when asked for, by __getattr__


def __getattr__(name: str) -> Any:
    if name == "QUEUES":
        return tuple(settings.TASK_QUEUES)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Task ids on every log line a task writes, task outcomes counted, and Django's LOGGING kept in
# workers and beat (Celery would otherwise install its own root handler).
logs.connect_celery()
metrics.connect_celery()
# ingestion's own handlers (schedule outcomes) are connected by its AppConfig.ready().
