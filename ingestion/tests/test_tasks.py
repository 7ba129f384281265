"""The Celery tasks run the services; a second one for the same run does nothing."""

import pytest

from ingestion.choices import SyncKind, SyncStatus, TriggerKind
from ingestion.models import SyncLog
from ingestion.services.adzuna import AdzunaOptions, adzuna_run_start
from ingestion.tasks import adzuna_help, expire_jobs, fetch_adzuna, fetch_remotive, fetch_usajobs, refresh_jobs
from ingestion.tests.fake_adzuna import adzuna_result
from jobs.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def only_our_steps(settings):
    settings.REFRESH_STEP_MODULES = ["ingestion.services.adzuna", "ingestion.services.expiry"]
    settings.ADZUNA_HELPER_TASKS = 0


def test_refresh_task_continues_the_log_its_caller_opened(fake_adzuna, only_our_steps):
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(3)])
    log = SyncLog.objects.create(kind=SyncKind.REFRESH, source="refresh", triggered_by=TriggerKind.STAFF)
    assert refresh_jobs.apply(kwargs={"sync_log_id": log.pk}).get() == log.pk
    log.refresh_from_db()
    assert log.status == SyncStatus.SUCCESS and Job.objects.count() == 3
    # Delivered again (acks_late after a lost ack): the run is over, nothing happens.
    assert refresh_jobs.apply(kwargs={"sync_log_id": log.pk}).get() is None
    assert len(fake_adzuna.requests) == 1


def test_a_scheduled_refresh_is_not_started_twice(fake_adzuna, only_our_steps):
    running = SyncLog.objects.create(kind=SyncKind.REFRESH, source="refresh", triggered_by=TriggerKind.SCHEDULE)
    assert refresh_jobs.apply().get() is None
    assert SyncLog.objects.filter(kind=SyncKind.REFRESH).count() == 1 and running.status == SyncStatus.RUNNING


def test_fetch_adzuna_task_and_helper(fake_adzuna, only_our_steps):
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(2)])
    log_id = fetch_adzuna.apply().get()
    assert SyncLog.objects.get(pk=log_id).created == 2
    # A helper for a finished run does nothing; for a live run it takes the pending pieces.
    assert adzuna_help.apply(kwargs={"sync_log_id": log_id}).get() == 0
    live = adzuna_run_start(options=AdzunaOptions.from_settings(), triggered_by=TriggerKind.SCHEDULE)
    assert adzuna_help.apply(kwargs={"sync_log_id": live.pk}).get() >= 1
    assert fetch_adzuna.apply().get() is None  # the live run stands


def test_fetch_adzuna_continues_the_log_run_enqueue_opened(fake_adzuna, only_our_steps, django_user_model):
    from ingestion.services.runs import run_enqueue

    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(2)])
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    log, started = run_enqueue(source="adzuna", triggered_by=TriggerKind.STAFF, user=staff)
    assert started and log.params == {}
    assert fetch_adzuna.apply(kwargs={"sync_log_id": log.pk}).get() == log.pk
    log.refresh_from_db()
    assert (log.status, log.created, log.triggered_by_user) == (SyncStatus.SUCCESS, 2, staff)
    assert log.params["countries"] == ["gb"]  # the run's options, recorded as a command's are
    assert SyncLog.objects.count() == 1
    # Delivered again after it ended: nothing happens.
    assert fetch_adzuna.apply(kwargs={"sync_log_id": log.pk}).get() is None
    assert len(fake_adzuna.requests) == 1


def test_fetch_remotive_continues_the_log_run_enqueue_opened_and_a_tick_opens_its_own(
    remotive_jobs, fake_feeds, django_user_model
):
    from ingestion.services.runs import run_enqueue
    from ingestion.tests.fake_feeds import remotive_job

    remotive_jobs.extend(remotive_job(i) for i in range(2))
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    log, started = run_enqueue(source="remotive", triggered_by=TriggerKind.STAFF, user=staff)
    assert started
    assert fetch_remotive.apply(kwargs={"sync_log_id": log.pk}).get() == log.pk
    log.refresh_from_db()
    assert (log.status, log.created, log.triggered_by_user) == (SyncStatus.SUCCESS, 2, staff)
    assert log.params["boards"] == ["all"]
    assert fetch_remotive.apply(kwargs={"sync_log_id": log.pk}).get() is None  # delivered again: nothing
    # A schedule's tick right after: a run of its own, skipped for Remotive's rate.
    tick = SyncLog.objects.get(pk=fetch_remotive.apply().get())
    assert tick.status == SyncStatus.SKIPPED and tick.triggered_by == TriggerKind.SCHEDULE
    assert len(fake_feeds.requests) == 1


def test_fetch_usajobs_runs_and_a_paused_source_is_not_asked(usajobs_items, fake_feeds):
    from ingestion.services.alerts import source_pause
    from ingestion.tests.fake_feeds import usajobs_item

    usajobs_items.append(usajobs_item(1))
    log = SyncLog.objects.get(pk=fetch_usajobs.apply().get())
    assert (log.source, log.status, log.created, log.triggered_by) == ("usajobs", SyncStatus.SUCCESS, 1, "schedule")
    source_pause(source="usajobs", reason="maintenance")
    assert fetch_usajobs.apply().get() is None
    assert len(fake_feeds.requests) == 1


def test_run_enqueue_sends_a_crawl_to_the_scrape_queue_with_its_log(django_capture_on_commit_callbacks):
    from ingestion.services.runs import run_enqueue
    from ingestion.tests.test_admin import isolated_broker

    with isolated_broker() as broker:
        with django_capture_on_commit_callbacks(execute=True):
            args = {"boards": "acme"}
            log, started = run_enqueue(source="lever", triggered_by=TriggerKind.API, params={"args": args})
        assert started
        (message,) = broker.messages("scrape")
    assert message["task"] == "ingestion.tasks.crawl_spider"
    assert message["kwargs"] == {"spider": "lever", "args": {"boards": "acme"}, "sync_log_id": log.pk}
    assert (log.kind, log.params) == (SyncKind.SPIDER, {"args": {"boards": "acme"}})
    with pytest.raises(ValueError, match="no run can be started"):
        run_enqueue(source="monster", triggered_by=TriggerKind.API)


def test_expire_jobs_task_writes_an_expiry_log():
    log_id = expire_jobs.apply().get()
    log = SyncLog.objects.get(pk=log_id)
    assert log.kind == SyncKind.EXPIRY and log.status == SyncStatus.SUCCESS


def test_a_redelivered_refresh_task_does_not_run_beside_the_first(fake_adzuna, only_our_steps):
    import psycopg
    from django.db import connection

    from ingestion.services.runs import sync_log_lock

    log = SyncLog.objects.create(kind=SyncKind.REFRESH, source="refresh", triggered_by=TriggerKind.SCHEDULE)
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        # The first copy of the task, in another worker, holds the run's lock.
        from zlib import crc32

        key = crc32(f"synclog-run:{log.pk}".encode())
        other.execute("SELECT pg_advisory_lock(%s)", [key])
        assert refresh_jobs.apply(kwargs={"sync_log_id": log.pk}).get() is None
        assert fake_adzuna.requests == []
        # Released explicitly: a closed connection's backend lets its locks go a moment later.
        other.execute("SELECT pg_advisory_unlock(%s)", [key])
    with sync_log_lock(sync_log=log) as held:
        assert held
