"""Every task has one module (its app's tasks.py), one route by its full name, and stored
schedules follow a task when it moves."""

import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from gigm8.celery import QUEUES, app
from ingestion.services.schedules import default_schedules

rename = importlib.import_module("ingestion.migrations.0004_rename_task_paths")


def _our_tasks() -> set[str]:
    app.loader.import_default_modules()
    return {name for name in app.tasks if not name.startswith("celery.") and ".tests." not in name}


def test_every_task_is_routed_by_its_full_name_to_a_declared_queue():
    routes = settings.CELERY_TASK_ROUTES
    assert set(routes) == _our_tasks()  # no task left on the default queue by accident, no stale route
    assert tuple(settings.TASK_QUEUES) == QUEUES == tuple(queue.name for queue in app.conf.task_queues)
    for name, route in routes.items():
        assert route["queue"] in QUEUES, name
        assert name.split(".")[1] == "tasks", f"{name}: one tasks module per app"


def test_default_schedules_name_registered_tasks():
    assert {s.task for s in default_schedules()} <= _our_tasks()


@pytest.mark.django_db
def test_stored_schedules_of_the_moved_tasks_are_renamed_and_back():
    every = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    for number, old in enumerate(rename.RENAMED):
        PeriodicTask.objects.create(name=f"old {number}", task=old, interval=every)
    PeriodicTask.objects.create(name="staff's own crawl", task="scrapers.tasks.crawl_spider", interval=every)
    PeriodicTask.objects.create(name="untouched", task="ingestion.tasks.refresh_jobs", interval=every)

    rename.forwards(apps, None)
    tasks = dict(PeriodicTask.objects.values_list("name", "task"))
    assert tasks["staff's own crawl"] == "ingestion.tasks.crawl_spider"
    assert tasks["untouched"] == "ingestion.tasks.refresh_jobs"
    assert set(tasks.values()) <= _our_tasks()  # beat sends only names a worker knows

    rename.backwards(apps, None)
    assert sorted(PeriodicTask.objects.values_list("task", flat=True)) == sorted(
        [*rename.RENAMED, "scrapers.tasks.crawl_spider", "ingestion.tasks.refresh_jobs"]
    )
