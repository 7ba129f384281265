"""The refresh: registered steps in order, one failing step does not stop the rest, one run at a time."""

import pytest

from ingestion.choices import SyncKind, SyncStatus, TriggerKind
from ingestion.models import SyncLog
from ingestion.services import refresh as refresh_module
from ingestion.services.refresh import refresh_run, refresh_start, refresh_steps
from ingestion.services.runs import run_enqueue, sync_log_add, sync_log_finish, sync_log_start
from ingestion.tests.fake_adzuna import adzuna_result

pytestmark = pytest.mark.django_db

CALLS: list[str] = []


@refresh_module.register_refresh_step("test-broken", order=150)
def broken_step(ctx):
    CALLS.append("broken")
    raise RuntimeError("board API changed its shape")


@refresh_module.register_refresh_step("test-source", order=200)
def source_step(ctx):
    CALLS.append("source")
    log = sync_log_start(kind=SyncKind.SPIDER, source="test-source", triggered_by=ctx.triggered_by)
    sync_log_add(sync_log=log, fetched=2, created=2)
    return sync_log_finish(sync_log=log)


@refresh_module.register_refresh_step("test-off", order=300, not_ready=lambda: "off for this test")
def disabled_step(ctx):
    CALLS.append("off")


@pytest.fixture
def steps(settings, fake_adzuna):
    settings.REFRESH_STEP_MODULES = [
        "ingestion.services.adzuna",
        "ingestion.services.expiry",
        "ingestion.tests.test_refresh",
    ]
    CALLS.clear()
    return fake_adzuna


def test_steps_come_in_order_from_the_listed_modules(steps, settings):
    assert [s.name for s in refresh_steps()] == ["adzuna", "test-broken", "test-source", "test-off", "expiry"]
    settings.REFRESH_STEP_MODULES = ["ingestion.services.expiry"]
    assert [s.name for s in refresh_steps()] == ["expiry"]


def test_a_failing_step_is_recorded_and_the_others_still_run(steps):
    steps.set_jobs("gb", [adzuna_result(i) for i in range(3)])
    log, started = refresh_start(triggered_by=TriggerKind.STAFF)
    log = refresh_run(sync_log=log)
    assert started and CALLS == ["broken", "source"]
    assert log.status == SyncStatus.PARTIAL
    assert log.created == 5 and log.errors == 1
    assert "board API changed its shape" in log.error_sample[0]
    outcome = log.details["steps"]
    assert outcome["adzuna"]["status"] == SyncStatus.SUCCESS
    assert outcome["test-broken"]["status"] == SyncStatus.FAILED
    assert outcome["test-off"]["status"] == "skipped"
    assert outcome["expiry"]["status"] == SyncStatus.SUCCESS
    assert SyncLog.objects.get(pk=outcome["adzuna"]["log"]).created == 3


def test_run_enqueue_of_a_refresh_starts_one_run_and_returns_it_again(steps, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first, started = run_enqueue(source="refresh", triggered_by=TriggerKind.STAFF)
        second, started_again = run_enqueue(source="refresh", triggered_by=TriggerKind.API)
    assert first.pk == second.pk and first.status == SyncStatus.RUNNING
    assert (started, started_again) == (True, False)
    assert len(callbacks) == 1  # one task enqueued, after commit
