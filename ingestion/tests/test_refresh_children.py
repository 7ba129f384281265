"""A full refresh is the parent of its steps' runs: running while one runs, then success, partial
or failed from theirs; each step's status follows its run, live."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from ingestion.admin_views import sync_log_status_payload
from ingestion.choices import SyncKind, SyncStatus, TriggerKind
from ingestion.models import SyncLog
from ingestion.services import refresh as refresh_module
from ingestion.services.refresh import refresh_run, refresh_start
from ingestion.services.runs import (
    sync_log_add,
    sync_log_fail_abandoned,
    sync_log_finish,
    sync_log_start,
)

pytestmark = pytest.mark.django_db

HANDED_OFF: list[SyncLog] = []


@refresh_module.register_refresh_step("test-handoff", order=100)
def handoff_step(ctx):
    """Like a crawl handed to the scrape queue: its run is still going when the step returns."""
    log = sync_log_start(kind=SyncKind.SPIDER, source="test-handoff", triggered_by=ctx.triggered_by)
    HANDED_OFF.append(log)
    return log


@refresh_module.register_refresh_step("test-inline", order=200)
def inline_step(ctx):
    log = sync_log_start(kind=SyncKind.SPIDER, source="test-inline", triggered_by=ctx.triggered_by)
    sync_log_add(sync_log=log, fetched=2, created=2)
    return sync_log_finish(sync_log=log)


@refresh_module.register_refresh_step("test-unready", order=300, not_ready=lambda: "No Test boards: add one.")
def unready_step(ctx):
    raise AssertionError("a step that is not ready never runs")


@pytest.fixture
def refresh(settings):
    settings.REFRESH_STEP_MODULES = ["ingestion.tests.test_refresh_children"]
    HANDED_OFF.clear()
    log, _ = refresh_start(triggered_by=TriggerKind.STAFF)
    log = refresh_run(sync_log=log)
    (child,) = HANDED_OFF
    return log, child


def test_the_refresh_runs_until_the_step_it_handed_off_ends_then_succeeds(refresh):
    log, child = refresh
    assert log.status == SyncStatus.RUNNING  # not "Success in 0 s" while its crawl goes on
    assert log.message == "waiting for test-handoff"
    assert log.details["steps"]["test-handoff"] == {"status": "running", "log": child.pk, "message": ""}
    assert log.details["steps"]["test-inline"]["status"] == SyncStatus.SUCCESS
    assert log.details["steps"]["test-unready"] == {"status": "skipped", "message": "No Test boards: add one."}
    assert log.created == 2
    assert set(log.children.values_list("source", flat=True)) == {"test-handoff", "test-inline"}

    sync_log_add(sync_log=child, fetched=3, created=3)
    sync_log_finish(sync_log=child)  # in another worker: its end settles the refresh

    log.refresh_from_db()
    assert (log.status, log.created, log.fetched, log.errors) == (SyncStatus.SUCCESS, 5, 5, 0)
    assert log.details["steps"]["test-handoff"]["status"] == SyncStatus.SUCCESS
    assert log.message == "skipped: test-unready"
    assert log.finished_at >= SyncLog.objects.get(pk=child.pk).finished_at


def test_a_step_that_fails_later_makes_the_refresh_partial(refresh):
    log, child = refresh
    sync_log_finish(sync_log=child, status=SyncStatus.FAILED, message="every board failed (1)")
    log.refresh_from_db()
    assert (log.status, log.errors) == (SyncStatus.PARTIAL, 1)
    assert log.error_sample == ["test-handoff: every board failed (1)"]
    assert log.message == "failed: test-handoff; skipped: test-unready"


def test_a_waiting_refresh_lives_by_its_steps_and_ends_when_a_dead_one_is_failed(refresh):
    log, child = refresh
    long_ago = timezone.now() - timedelta(minutes=django_settings.SYNC_STALE_MINUTES + 5)
    SyncLog.objects.filter(pk=log.pk).update(heartbeat_at=long_ago)
    assert sync_log_fail_abandoned() == 0  # its own silence does not matter while its step lives
    log.refresh_from_db()
    assert log.status == SyncStatus.RUNNING and log.owner_pid is None

    SyncLog.objects.filter(pk=child.pk).update(heartbeat_at=long_ago, started_at=long_ago)
    assert sync_log_fail_abandoned() == 1  # the step's run died: failed, and it settles the refresh
    log.refresh_from_db()
    assert log.status == SyncStatus.PARTIAL
    assert log.details["steps"]["test-handoff"]["status"] == SyncStatus.FAILED
    assert log.error_sample[0].startswith("test-handoff: Abandoned")


def test_the_status_payload_carries_each_step_live(refresh):
    log, child = refresh
    steps = {s["name"]: s for s in sync_log_status_payload(log)["steps"]}
    assert (steps["test-handoff"]["status"], steps["test-handoff"]["log"]) == ("running", child.pk)
    assert steps["test-unready"]["status_display"] == "Skipped"
    # The step's run ends but nothing settled the refresh yet (an update racing the page): the page
    # still shows the run's own status.
    SyncLog.objects.filter(pk=child.pk).update(status=SyncStatus.PARTIAL, finished_at=timezone.now())
    steps = {s["name"]: s for s in sync_log_status_payload(log)["steps"]}
    assert steps["test-handoff"]["status"] == SyncStatus.PARTIAL
    assert steps["test-handoff"]["url"].endswith(f"/{child.pk}/change/")
