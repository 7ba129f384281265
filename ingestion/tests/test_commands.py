"""The management commands: exit codes, one-line errors, quiet at --verbosity 0."""

import io
import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django_celery_beat.models import PeriodicTask

from ingestion.choices import SyncKind, SyncStatus
from ingestion.models import SyncLog
from ingestion.services.schedules import default_schedules
from ingestion.tests.fake_adzuna import adzuna_result
from jobs.choices import JobStatus
from jobs.models import Job
from jobs.tests.factories import JobFactory

pytestmark = pytest.mark.django_db


def exit_code(*argv: str) -> int:
    """Run manage.py in-process (same test database) and return its exit status.

    manage.py closes the database connections when it ends: tests that call this use
    django_db(transaction=True), so the next query simply reconnects.
    """
    try:
        ManagementUtility(["manage.py", *argv]).execute()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.mark.django_db(transaction=True)
def test_fetch_adzuna_exits_0_and_says_what_it_did(fake_adzuna):
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(3)])
    out = io.StringIO()
    call_command("fetch_adzuna", "--what", "python", "--country", "gb", "--pages", "2", stdout=out)
    assert "created 3" in out.getvalue()
    assert fake_adzuna.requests[0]["what"] == "python"
    assert exit_code("fetch_adzuna", "--verbosity", "0") == 0


@pytest.mark.django_db(transaction=True)
def test_fetch_adzuna_with_rejected_credentials_exits_1_with_one_line(fake_adzuna, settings, capsys):
    settings.ADZUNA_APP_KEY = "wrong"
    assert exit_code("fetch_adzuna") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Adzuna rejected the credentials" in err[0]
    assert SyncLog.objects.get().status == SyncStatus.FAILED


def test_fetch_adzuna_refuses_bad_input_and_missing_configuration(fake_adzuna, settings):
    with pytest.raises(CommandError, match="two-letter"):
        call_command("fetch_adzuna", "--country", "gbr")
    with pytest.raises(CommandError, match="--pages"):
        call_command("fetch_adzuna", "--pages", "0")
    settings.ADZUNA_APP_ID = ""
    with pytest.raises(CommandError, match="ADZUNA_APP_ID"):
        call_command("fetch_adzuna")


@pytest.mark.django_db(transaction=True)
def test_fetch_feed_reads_the_named_source_and_says_what_it_did(remotive_jobs, usajobs_items, fake_feeds):
    from ingestion.tests.fake_feeds import remotive_job, usajobs_item

    remotive_jobs.extend(remotive_job(i) for i in range(2))
    usajobs_items.append(usajobs_item(1))
    out = io.StringIO()
    call_command("fetch_feed", "remotive", stdout=out)
    assert "remotive" in out.getvalue() and "created 2" in out.getvalue()
    call_command("fetch_feed", "usajobs", stdout=out)
    assert "created 1" in out.getvalue()
    # Again at once: Remotive's terms hold it back, which is not a failure.
    call_command("fetch_feed", "remotive", stdout=out)
    assert "skipped" in out.getvalue() and "less than 6 hours ago" in out.getvalue()
    assert len(fake_feeds.requests) == 2
    assert exit_code("fetch_feed", "remotive", "--verbosity", "0") == 0


@pytest.mark.django_db(transaction=True)
def test_fetch_feed_with_rejected_credentials_exits_1_with_one_line(usajobs_items, settings, capsys):
    settings.USAJOBS_API_KEY = "revoked"
    assert exit_code("fetch_feed", "usajobs") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "USAJobs rejected the credentials" in err[0]
    assert SyncLog.objects.get().status == SyncStatus.FAILED


def test_fetch_feed_refuses_an_unknown_source_and_a_missing_configuration(settings):
    with pytest.raises(CommandError, match="unknown feed source 'adzuna': one of remotive, usajobs"):
        call_command("fetch_feed", "adzuna")
    settings.USAJOBS_API_KEY = ""
    with pytest.raises(CommandError, match="USAJOBS_API_KEY"):
        call_command("fetch_feed", "usajobs")
    assert not SyncLog.objects.exists()


def test_fetch_adzuna_dry_run_writes_nothing(fake_adzuna):
    fake_adzuna.set_jobs("gb", [adzuna_result(1), adzuna_result(2, title="")])
    out = io.StringIO()
    call_command("fetch_adzuna", "--dry-run", stdout=out)
    assert "2 postings, 1 valid, 1 skipped" in out.getvalue()
    assert not Job.objects.exists() and not SyncLog.objects.exists()


def test_quiet_at_verbosity_0(fake_adzuna):
    fake_adzuna.set_jobs("gb", [adzuna_result(1)])
    out = io.StringIO()
    call_command("fetch_adzuna", verbosity=0, stdout=out)
    call_command("expire_jobs", verbosity=0, stdout=out)
    assert out.getvalue() == ""


def test_expire_jobs_expires_stale_jobs(settings):
    settings.JOB_EXPIRY_DAYS = 10
    with time_machine.travel(datetime(2026, 5, 1, tzinfo=UTC), tick=False):
        JobFactory(last_seen_at=datetime(2026, 4, 1, tzinfo=UTC))
        JobFactory(last_seen_at=datetime(2026, 4, 28, tzinfo=UTC))
        out = io.StringIO()
        call_command("expire_jobs", stdout=out)
    assert "expired 1" in out.getvalue()
    assert Job.objects.filter(status=JobStatus.EXPIRED).count() == 1
    assert SyncLog.objects.get(kind=SyncKind.EXPIRY).expired == 1


def test_refresh_jobs_runs_every_source_then_expiry(fake_adzuna, settings):
    settings.REFRESH_STEP_MODULES = ["ingestion.services.adzuna", "ingestion.services.expiry"]
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(4)])
    out = io.StringIO()
    call_command("refresh_jobs", stdout=out)
    log = SyncLog.objects.get(kind=SyncKind.REFRESH)
    assert log.status == SyncStatus.SUCCESS and log.created == 4
    assert list(log.details["steps"])[:2] == ["adzuna", "expiry"]
    assert "adzuna: success" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_refresh_jobs_exits_1_when_every_source_fails(fake_adzuna, settings, capsys):
    settings.REFRESH_STEP_MODULES = ["ingestion.services.adzuna"]
    settings.ADZUNA_APP_KEY = "wrong"
    assert exit_code("refresh_jobs", "--verbosity", "0") == 1
    assert "refresh failed" in capsys.readouterr().err


def test_setup_schedules_is_idempotent_and_keeps_staff_edits(settings):
    from datetime import time

    settings.JOB_REFRESH_TIME = time(4, 15)
    call_command("setup_schedules", stdout=io.StringIO())
    refresh = PeriodicTask.objects.get(name="Daily job refresh")
    assert (refresh.crontab.hour, refresh.crontab.minute) == ("4", "15")
    assert refresh.task == "ingestion.tasks.refresh_jobs"
    assert json.loads(refresh.kwargs) == {"triggered_by": "schedule"}
    assert PeriodicTask.objects.filter(task="ingestion.tasks.expire_jobs").count() == 1
    refresh.enabled = False  # staff pause it in the admin
    refresh.save()
    out = io.StringIO()
    call_command("setup_schedules", stdout=out)
    assert "kept: Daily job refresh" in out.getvalue()
    assert PeriodicTask.objects.filter(name="Daily job refresh", enabled=False).count() == 1
    assert PeriodicTask.objects.count() == len(default_schedules())  # none twice
    call_command("setup_schedules", "--reset", stdout=io.StringIO())
    assert PeriodicTask.objects.get(name="Daily job refresh").enabled


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_progress_bar_on_a_terminal_only(fake_adzuna, tmp_path):
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(3)])
    terminal = Terminal()
    call_command("fetch_adzuna", stdout=terminal)
    assert "jobs" in terminal.getvalue() and "\r" in terminal.getvalue()  # tqdm redraws in place
    path = tmp_path / "jobs.jsonl"
    path.write_text('{"title": "Nurse", "external_id": "n1"}\n', encoding="utf-8")
    terminal = Terminal()
    call_command("import_jobs", str(path), "--source", "x", stdout=terminal)
    assert "\r" in terminal.getvalue()
    plain = io.StringIO()
    call_command("import_jobs", str(path), "--source", "x", stdout=plain)
    assert "\r" not in plain.getvalue()


def test_a_commands_summary_line_shows_every_count_of_the_run():
    # A CTS sync or a retention purge counts what it deleted: the command's summary says so.
    from ingestion.management.progress import describe

    log = SyncLog(kind=SyncKind.CTS, source="cts", status=SyncStatus.SUCCESS, pk=7, created=2, deleted=3)
    line = describe(log)
    assert "deleted 3" in line
    assert [part.split()[-2] for part in line.split(": ", 1)[1].split(", ")] == list(SyncLog.COUNTS)
