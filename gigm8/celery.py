"""The Celery app: settings from Django's (CELERY_*), schedules from django-celery-beat."""

import os

from celery import Celery
from django.conf import settings
from kombu import Queue

from gigm8 import health, logs, metrics

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigm8.settings.local")

app = Celery("gigm8")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The queues are settings.TASK_QUEUES; read once here, after Django's settings are configured.
QUEUES: tuple[str, ...] = tuple(settings.TASK_QUEUES)
app.conf.task_queues = [Queue(name) for name in QUEUES]
app.autodiscover_tasks()  # each app's one tasks.py

# Task ids on every log line a task writes, task outcomes counted, and Django's LOGGING kept in
# workers and beat (Celery would otherwise install its own root handler).
logs.connect_celery()
metrics.connect_celery()
health.connect_celery()
