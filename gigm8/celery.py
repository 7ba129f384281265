"""The Celery app: settings from Django's (CELERY_*), schedules from django-celery-beat."""

import os

from celery import Celery
from kombu import Queue

from gigm8 import health, logs, metrics

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigm8.settings.local")

# Queues named for the work, so each kind can get its own workers.
QUEUES = ("default", "ingest", "scrape", "index", "cts")

app = Celery("gigm8")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in QUEUES]
app.autodiscover_tasks()
# Task modules outside the apps' own tasks.py: the CTS sync and the Scrapy runner.
app.autodiscover_tasks(["ingestion"], related_name="cts_tasks")
app.autodiscover_tasks(["ingestion"], related_name="retention_tasks")
app.autodiscover_tasks(["ingestion"], related_name="alert_tasks")
app.autodiscover_tasks(["scrapers"])

# Task ids on every log line a task writes, task outcomes counted, and Django's LOGGING kept in
# workers and beat (Celery would otherwise install its own root handler).
logs.connect_celery()
metrics.connect_celery()
health.connect_celery()
