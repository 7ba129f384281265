"""The default schedules name real tasks, with arguments those tasks accept, on the right queues."""

import inspect
import json

import pytest
from django_celery_beat.models import PeriodicTask

from gigm8.celery import app as celery_app
from ingestion.services.schedules import default_schedules, schedules_setup

pytestmark = pytest.mark.django_db


def test_every_default_schedule_calls_a_registered_task_with_arguments_it_accepts():
    celery_app.loader.import_default_modules()
    schedules_setup()
    for task in PeriodicTask.objects.exclude(name__startswith="celery."):
        assert task.task in celery_app.tasks, f"{task.name}: no task {task.task}"
        signature = inspect.signature(celery_app.tasks[task.task].run)
        signature.bind(*json.loads(task.args or "[]"), **json.loads(task.kwargs or "{}"))  # TypeError if not


def test_each_schedule_expires_before_its_next_tick_and_has_its_own_name():
    schedules = default_schedules()
    assert len({s.name for s in schedules}) == len(schedules)
    for schedule in schedules:
        assert schedule.expire_seconds > 0
        if schedule.hour == "*":
            assert schedule.expire_seconds < 3600, schedule.name


def test_new_and_changed_jobs_are_embedded_on_a_schedule_too():
    tasks = {s.task for s in default_schedules()}
    assert "matching.tasks.index_pending_embeddings" in tasks
    route = celery_app.amqp.router.route({}, "matching.tasks.index_pending_embeddings")
    assert route["queue"].name == "index"


def test_an_api_source_schedule_is_off_until_its_source_is_ready(settings):
    settings.REMOTIVE_ENABLED = False
    schedules_setup()
    fetch = PeriodicTask.objects.get(name="Fetch remotive")
    assert fetch.task == "ingestion.tasks.fetch_remotive" and not fetch.enabled
    assert "REMOTIVE_ENABLED" in fetch.description
    assert json.loads(fetch.kwargs) == {"triggered_by": "schedule"}
    settings.REMOTIVE_ENABLED = True
    assert ("Fetch remotive", "switched on (its source is ready)") in schedules_setup()
    fetch.refresh_from_db()
    assert fetch.enabled and fetch.crontab.hour == "*/6" and fetch.expire_seconds < 6 * 3600
    route = celery_app.amqp.router.route({}, fetch.task)
    assert route["queue"].name == "ingest"


def test_the_usajobs_schedule_waits_for_its_key_and_e_mail(settings):
    settings.USAJOBS_API_KEY, settings.USAJOBS_USER_AGENT = "key", ""
    schedules_setup()
    fetch = PeriodicTask.objects.get(name="Fetch usajobs")
    assert fetch.task == "ingestion.tasks.fetch_usajobs" and not fetch.enabled
    assert "USAJOBS_USER_AGENT" in fetch.description
    settings.USAJOBS_USER_AGENT = "jobs@example.org"
    schedules_setup()
    fetch.refresh_from_db()
    assert fetch.enabled and (fetch.crontab.hour, fetch.crontab.minute) == ("5", "35")
