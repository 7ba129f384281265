"""SyncLog lifecycle: counts, derived status, abandoned runs."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from ingestion.choices import SyncKind, SyncStatus, TriggerKind
from ingestion.services.runs import (
    ERROR_SAMPLE_SIZE,
    sync_log_add,
    sync_log_error,
    sync_log_fail_abandoned,
    sync_log_finish,
    sync_log_is_running,
    sync_log_start,
    sync_log_start_unless_running,
)
from jobs.types import UpsertResult

pytestmark = pytest.mark.django_db


def start(source="adzuna"):
    return sync_log_start(kind=SyncKind.SOURCE, source=source, triggered_by=TriggerKind.COMMAND, params={"a": 1})


def test_counts_add_up_and_success_is_derived():
    log = start()
    sync_log_add(
        sync_log=log, result=UpsertResult(created=3, unchanged=2, skipped=1, errors=["x: no title"]), fetched=6
    )
    sync_log_add(sync_log=log, result=UpsertResult(updated=4), fetched=4)
    log = sync_log_finish(sync_log=log)
    assert (log.fetched, log.created, log.updated, log.unchanged, log.skipped) == (10, 3, 4, 2, 1)
    assert log.status == SyncStatus.SUCCESS and log.error_sample == ["x: no title"]
    assert log.finished_at >= log.started_at


def test_errors_make_a_run_partial_or_failed():
    partial = start()
    sync_log_add(sync_log=partial, created=1)
    sync_log_error(sync_log=partial, error="gb:python:3-4: HTTP 500")
    assert sync_log_finish(sync_log=partial).status == SyncStatus.PARTIAL
    failed = start("lever")
    sync_log_error(sync_log=failed, error="board gone")
    assert sync_log_finish(sync_log=failed).status == SyncStatus.FAILED
    assert failed.errors == 1 and failed.error_sample == ["board gone"]


def test_the_error_sample_is_bounded():
    log = start()
    sync_log_add(sync_log=log, result=UpsertResult(skipped=80, errors=[f"row {i}" for i in range(80)]))
    sync_log_error(sync_log=log, error="one more")
    assert len(log.error_sample) == ERROR_SAMPLE_SIZE and log.skipped == 80 and log.errors == 1


def test_unknown_counts_are_refused():
    with pytest.raises(TypeError):
        sync_log_add(sync_log=start(), fetchd=1)


def test_a_finished_log_is_not_reopened_or_changed():
    log = start()
    sync_log_finish(sync_log=log, status=SyncStatus.FAILED, message="boom")
    log = sync_log_finish(sync_log=log, status=SyncStatus.SUCCESS)
    assert log.status == SyncStatus.FAILED and log.message == "boom"


def test_runs_without_a_heartbeat_are_abandoned(settings):
    settings.SYNC_STALE_MINUTES = 30
    with time_machine.travel(datetime(2026, 6, 1, 3, 0, tzinfo=UTC), tick=False):
        old = start()
        other_source = start("lever")
    with time_machine.travel(datetime(2026, 6, 1, 3, 20, tzinfo=UTC), tick=False):
        assert sync_log_is_running(source="adzuna")
        assert sync_log_fail_abandoned(source="adzuna") == 0
    with time_machine.travel(datetime(2026, 6, 1, 3, 45, tzinfo=UTC), tick=False):
        assert not sync_log_is_running(source="adzuna")
        new = start()  # starting a run of the source fails its dead run
        old.refresh_from_db()
        assert old.status == SyncStatus.FAILED and "Abandoned" in old.message
        assert new.status == SyncStatus.RUNNING
        other_source.refresh_from_db()
        assert other_source.status == SyncStatus.RUNNING
        assert sync_log_fail_abandoned() == 1


def test_a_heartbeat_keeps_a_long_run_alive(settings):
    settings.SYNC_STALE_MINUTES = 30
    with time_machine.travel(datetime(2026, 6, 1, 3, 0, tzinfo=UTC), tick=False) as clock:
        log = start()
        for _ in range(4):
            clock.shift(timedelta(minutes=20))
            sync_log_add(sync_log=log, fetched=50)
        assert sync_log_is_running(source="adzuna")


def test_start_unless_running_returns_the_live_run():
    first, started = sync_log_start_unless_running(kind=SyncKind.REFRESH, source="refresh", triggered_by="staff")
    second, started_again = sync_log_start_unless_running(kind=SyncKind.REFRESH, source="refresh", triggered_by="api")
    assert started and not started_again and second.pk == first.pk


def test_expiry_closes_dead_runs_of_every_source(settings):
    from ingestion.services.expiry import expiry_run

    settings.SYNC_STALE_MINUTES = 30
    with time_machine.travel(datetime(2026, 6, 1, 3, 0, tzinfo=UTC), tick=False):
        dead = start("greenhouse")
    with time_machine.travel(datetime(2026, 6, 1, 9, 0, tzinfo=UTC), tick=False):
        log = expiry_run(triggered_by=TriggerKind.SCHEDULE)
    dead.refresh_from_db()
    assert dead.status == SyncStatus.FAILED and log.status == SyncStatus.SUCCESS


def test_log_lines_carry_the_run_id_from_start_to_finish():
    import structlog

    from gigm8.logs import clear_context
    from ingestion.services.runs import sync_log_lock

    clear_context()  # as each request and task starts
    log = sync_log_start(kind=SyncKind.SOURCE, source="adzuna", triggered_by=TriggerKind.COMMAND)
    assert structlog.contextvars.get_contextvars()["sync_log_id"] == log.pk
    sync_log_finish(sync_log=log)
    assert "sync_log_id" not in structlog.contextvars.get_contextvars()

    # A worker picking the run up later logs under its id while it holds the run.
    with sync_log_lock(sync_log=log) as held:
        assert held
        assert structlog.contextvars.get_contextvars()["sync_log_id"] == log.pk
    assert "sync_log_id" not in structlog.contextvars.get_contextvars()


def test_a_run_no_process_took_up_is_given_up_after_the_stale_window_not_the_lease(settings):
    settings.SYNC_STALE_MINUTES, settings.SYNC_LEASE_SECONDS = 30, 90
    with time_machine.travel(datetime(2026, 6, 1, 3, 0, tzinfo=UTC), tick=False) as clock:
        queued = start()  # opened by the admin, waiting for a worker: no owner, no lease
        clock.shift(timedelta(minutes=20))
        assert sync_log_fail_abandoned() == 0
        clock.shift(timedelta(minutes=15))
        assert sync_log_fail_abandoned() == 1
    queued.refresh_from_db()
    assert "no process took it up" in queued.message


def test_an_owner_whose_pid_now_belongs_to_another_process_is_dead():
    from ingestion.services.runs import sync_log_lock

    log = start()
    with sync_log_lock(sync_log=log):
        assert sync_log_is_running(source="adzuna")
        table, _, started = log.owner_token.rpartition("/")
        # The same pid, started at another time: a new process reusing the dead owner's pid.
        type(log).objects.filter(pk=log.pk).update(owner_token=f"{table}/{int(started) - 1}")
        assert not sync_log_is_running(source="adzuna")
        assert sync_log_fail_abandoned(source="adzuna") == 1
    log.refresh_from_db()
    assert log.status == SyncStatus.FAILED and "the process running it died" in log.message
