import gzip
import json
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from gigm8.celery import app as celery_app
from ingestion.choices import SyncStatus
from ingestion.models import SyncLog
from ingestion.services import retention
from ingestion.services.retention import (
    ArchiveError,
    RetentionBusy,
    job_purge_expired,
    parse_cutoff,
    sync_log_purge,
)
from ingestion.services.schedules import default_schedules
from ingestion.tasks import purge_old_records
from ingestion.tests.factories import SyncLogFactory
from jobs.choices import JobStatus
from jobs.models import Job
from jobs.tests.factories import CompanyFactory, JobFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CUTOFF = NOW - timedelta(days=180)
LONG_AGO = NOW - timedelta(days=400)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def expired(days_ago=400, **kwargs):
    return JobFactory(status=JobStatus.EXPIRED, expired_at=NOW - timedelta(days=days_ago), **kwargs)


def read_archive(path):
    with gzip.open(path, "rt") as f:
        return [json.loads(line) for line in f]


# --- Jobs: what goes, what stays ----------------------------------------------------------------


def test_purge_deletes_long_expired_jobs_only_in_batches():
    old = [expired() for _ in range(5)]
    recent = expired(days_ago=30)
    active = JobFactory(last_seen_at=LONG_AGO)
    hidden = JobFactory(status=JobStatus.HIDDEN, expired_at=LONG_AGO)
    batches = []

    result = job_purge_expired(expired_before=CUTOFF, batch_size=2, progress=batches.append)

    assert (result.matched, result.deleted, result.batches, result.kept) == (5, 5, 3, 0)
    assert batches == [2, 2, 1]
    assert not Job.objects.filter(pk__in=[j.pk for j in old]).exists()
    assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk, active.pk, hidden.pk}


def test_jobs_still_in_cts_or_canonical_of_a_live_duplicate_are_kept():
    in_cts = expired(cts_name="projects/p/tenants/t/jobs/1")
    canonical = expired()
    live_duplicate = JobFactory(source="greenhouse", duplicate_of=canonical)
    dead_canonical = expired()
    dead_duplicate = expired(source="lever", duplicate_of=dead_canonical, days_ago=30)

    result = job_purge_expired(expired_before=CUTOFF)

    assert (result.deleted, result.kept) == (1, 2)
    assert set(Job.objects.values_list("pk", flat=True)) == {
        in_cts.pk,
        canonical.pk,
        live_duplicate.pk,
        dead_duplicate.pk,
    }
    dead_duplicate.refresh_from_db()
    assert dead_duplicate.duplicate_of_id is None  # detached from the purged canonical
    live_duplicate.refresh_from_db()
    assert live_duplicate.duplicate_of_id == canonical.pk


def test_dry_run_counts_and_changes_nothing(tmp_path):
    expired()
    expired(cts_name="projects/p/tenants/t/jobs/2")
    archive = tmp_path / "jobs.jsonl.gz"
    result = job_purge_expired(expired_before=CUTOFF, archive=archive, dry_run=True)
    assert (result.matched, result.kept, result.deleted, result.dry_run) == (1, 1, 0, True)
    assert Job.objects.count() == 2
    assert not archive.exists()


# --- Archive ----------------------------------------------------------------------------------------


def test_archive_holds_every_purged_job_once_and_a_rerun_adds_nothing(tmp_path):
    company = CompanyFactory(name="Acme Robotics")
    jobs = [expired(company=company, skills=["python"]) for _ in range(5)]
    archive = tmp_path / "jobs.jsonl.gz"

    first = job_purge_expired(expired_before=CUTOFF, archive=archive, batch_size=2)
    size = archive.stat().st_size
    second = job_purge_expired(expired_before=CUTOFF, archive=archive, batch_size=2)

    assert (first.archived, first.deleted, second.archived, second.deleted) == (5, 5, 0, 0)
    assert archive.stat().st_size == size
    records = read_archive(archive)
    assert sorted(r["id"] for r in records) == sorted(j.pk for j in jobs)
    record = records[0]
    assert record["company_name"] == "Acme Robotics" and record["company_id"] == company.pk
    assert record["status"] == "expired" and record["skills"] == ["python"] and record["title"]
    assert record["expired_at"].startswith(LONG_AGO.date().isoformat())
    assert "embedding" not in record and "search_vector" not in record


def test_rows_archived_before_a_crash_are_deleted_but_not_archived_again(tmp_path):
    # The state a purge killed between its fsync and its commit leaves: the last member holds
    # rows that are still in the database.
    jobs = [expired() for _ in range(3)]
    archive = tmp_path / "jobs.jsonl.gz"
    retention._Archive(archive).append([retention._job_record(job) for job in jobs[:2]])

    result = job_purge_expired(expired_before=CUTOFF, archive=archive)

    assert (result.deleted, result.archived) == (3, 1)
    assert sorted(r["id"] for r in read_archive(archive)) == sorted(j.pk for j in jobs)
    assert not Job.objects.exists()


def test_a_write_torn_by_a_crash_is_cut_off_and_its_rows_archived_again(tmp_path):
    purged_earlier = expired()
    job_purge_expired(expired_before=CUTOFF, archive=(archive := tmp_path / "jobs.jsonl.gz"))
    jobs = [expired() for _ in range(3)]
    # A member cut in half, as a process killed in the middle of writing it leaves it.
    torn = tmp_path / "torn.jsonl.gz"
    retention._Archive(torn).append([retention._job_record(job) for job in jobs])
    with archive.open("ab") as f:
        f.write(torn.read_bytes()[: torn.stat().st_size // 2])

    result = job_purge_expired(expired_before=CUTOFF, archive=archive)

    assert (result.deleted, result.archived) == (3, 3)
    assert sorted(r["id"] for r in read_archive(archive)) == sorted([purged_earlier.pk, *(j.pk for j in jobs)])


def test_an_interrupted_purge_resumes_without_loss_or_duplicates(tmp_path):
    jobs = [expired() for _ in range(5)]
    archive = tmp_path / "jobs.jsonl.gz"

    def stop_after_first_batch(count):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        job_purge_expired(expired_before=CUTOFF, archive=archive, batch_size=2, progress=stop_after_first_batch)
    assert Job.objects.count() == 3
    job_purge_expired(expired_before=CUTOFF, archive=archive, batch_size=2)

    assert not Job.objects.exists()
    assert sorted(r["id"] for r in read_archive(archive)) == sorted(j.pk for j in jobs)


def test_a_file_that_is_not_a_gzip_archive_is_refused(tmp_path):
    expired()
    archive = tmp_path / "jobs.jsonl.gz"
    archive.write_text('{"id": 1}\n')
    with pytest.raises(ArchiveError, match="not a gzip archive"):
        job_purge_expired(expired_before=CUTOFF, archive=archive)
    assert Job.objects.count() == 1
    assert archive.read_text() == '{"id": 1}\n'


def test_only_one_purge_runs_at_a_time():
    expired()
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [retention._LOCK_KEY])
        with pytest.raises(RetentionBusy):
            job_purge_expired(expired_before=CUTOFF)
        # Released explicitly: a closed connection's backend lets its locks go a moment later.
        other.execute("SELECT pg_advisory_unlock(%s)", [retention._LOCK_KEY])
    assert Job.objects.count() == 1
    assert job_purge_expired(expired_before=CUTOFF).deleted == 1


# --- Sync logs ---------------------------------------------------------------------------------------


def finished_log(source, status, days_ago):
    at = NOW - timedelta(days=days_ago)
    with time_machine.travel(at - timedelta(minutes=5), tick=False):
        return SyncLogFactory(source=source, status=status, finished_at=at)


def test_sync_log_purge_keeps_each_sources_latest_and_latest_successful_run(tmp_path):
    old_ok = finished_log("adzuna", SyncStatus.SUCCESS, 300)
    latest_ok = finished_log("adzuna", SyncStatus.PARTIAL, 200)
    latest = finished_log("adzuna", SyncStatus.FAILED, 150)
    recent = finished_log("adzuna", SyncStatus.SUCCESS, 10)
    lonely_old = finished_log("lever", SyncStatus.FAILED, 300)
    with time_machine.travel(LONG_AGO, tick=False):
        running = SyncLogFactory(source="greenhouse", status=SyncStatus.RUNNING)
    archive = tmp_path / "synclogs.jsonl.gz"

    result = sync_log_purge(finished_before=NOW - timedelta(days=90), archive=archive)

    # adzuna's latest runs are the recent ones now, so its old ones all go; lever's only run stays.
    assert set(SyncLog.objects.values_list("pk", flat=True)) == {recent.pk, lonely_old.pk, running.pk}
    assert (result.deleted, result.archived, result.kept) == (3, 3, 1)
    assert sorted(r["id"] for r in read_archive(archive)) == sorted([old_ok.pk, latest_ok.pk, latest.pk])
    assert read_archive(archive)[0]["source"] == "adzuna"


def test_sync_log_purge_keeps_the_latest_success_even_when_older_than_the_date():
    only_success = finished_log("adzuna", SyncStatus.SUCCESS, 300)
    finished_log("adzuna", SyncStatus.FAILED, 250)
    latest = finished_log("adzuna", SyncStatus.FAILED, 200)
    result = sync_log_purge(finished_before=NOW - timedelta(days=90))
    assert result.deleted == 1
    assert set(SyncLog.objects.values_list("pk", flat=True)) == {only_success.pk, latest.pk}


# --- Cut-off dates and the commands -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-31", datetime(2026, 1, 31, tzinfo=UTC)),
        ("2026-01-31T06:30:00", datetime(2026, 1, 31, 6, 30, tzinfo=UTC)),
        ("2026-01-31T06:30:00+02:00", datetime(2026, 1, 31, 4, 30, tzinfo=UTC)),
        ("90d", NOW - timedelta(days=90)),
    ],
)
def test_cutoffs_are_dates_date_times_or_days_ago(text, expected):
    assert parse_cutoff(text) == expected


@pytest.mark.parametrize(("text", "message"), [("last year", "expected a date"), ("2027-01-01", "in the future")])
def test_bad_cutoffs_are_refused(text, message):
    with pytest.raises(ValueError, match=message):
        parse_cutoff(text)


def test_purge_jobs_command_archives_deletes_and_says_so(tmp_path, capsys):
    expired()
    expired()
    expired(cts_name="projects/p/tenants/t/jobs/3")
    archive = tmp_path / "old.jsonl.gz"

    call_command("purge_jobs", "--expired-before", "180d", "--dry-run")
    assert "Would delete 2 jobs expired before 2026-05-24 12:00 UTC; kept 1" in capsys.readouterr().out
    assert Job.objects.count() == 3

    call_command("purge_jobs", "--expired-before", "2026-05-24", "--archive", str(archive), "--batch-size", "1")
    out = capsys.readouterr().out
    assert f"Deleted 2 jobs expired before 2026-05-24 00:00 UTC, archived 2 to {archive}; kept 1" in out
    assert len(read_archive(archive)) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--expired-before", "soon"], "--expired-before: expected a date like 2026-01-31"),
        (["--expired-before", "2030-01-01"], "--expired-before: '2030-01-01' is in the future"),
        (["--expired-before", "90d", "--archive", "/no/such/folder/x.jsonl.gz"], "does not exist"),
        (["--expired-before", "90d", "--archive", "jobs.json"], "ending in .jsonl.gz"),
        (["--expired-before", "90d", "--batch-size", "0"], "--batch-size: must be at least 1"),
    ],
)
def test_purge_jobs_command_refuses_bad_input_in_one_line(args, message):
    expired()
    with pytest.raises(CommandError, match=message):
        call_command("purge_jobs", *args)
    assert Job.objects.count() == 1


def test_purge_synclogs_command(capsys):
    finished_log("adzuna", SyncStatus.SUCCESS, 300)
    finished_log("adzuna", SyncStatus.SUCCESS, 200)
    call_command("purge_synclogs", "--before", "90d")
    assert "Deleted 1 sync logs finished before 2026-08-22 12:00 UTC; kept 1" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--before: expected a date"):
        call_command("purge_synclogs", "--before", "yesterday")


# --- The scheduled task ----------------------------------------------------------------------------------


def test_scheduled_task_purges_by_the_retention_settings_into_monthly_archives(settings, tmp_path):
    settings.RETENTION_JOB_DAYS = 180
    settings.RETENTION_SYNCLOG_DAYS = 30
    settings.RETENTION_ARCHIVE_DIR = str(tmp_path / "archive")
    expired(days_ago=200)
    kept = expired(days_ago=100)
    finished_log("adzuna", SyncStatus.SUCCESS, 60)
    finished_log("adzuna", SyncStatus.SUCCESS, 5)

    outcome = purge_old_records.apply(kwargs={"triggered_by": "schedule"}).get()

    assert outcome["jobs"] == {"deleted": 1, "archived": 1, "kept": 0}
    assert outcome["synclogs"]["deleted"] == 1
    assert list(Job.objects.values_list("pk", flat=True)) == [kept.pk]
    assert len(read_archive(tmp_path / "archive" / "jobs-2026-11.jsonl.gz")) == 1
    assert len(read_archive(tmp_path / "archive" / "synclogs-2026-11.jsonl.gz")) == 1


def test_retention_schedule_names_a_registered_task_routed_to_the_ingest_queue():
    (schedule,) = [s for s in default_schedules() if s.task == "ingestion.tasks.purge_old_records"]
    assert schedule.task in celery_app.tasks
    assert celery_app.amqp.router.route({}, schedule.task)["queue"].name == "ingest"
    assert schedule.expire_seconds < 24 * 3600
