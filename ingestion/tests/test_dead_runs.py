"""Runs whose process is killed (SIGKILL: nothing gets to close the log) are known dead within
seconds, and the next run of the source starts; a live run longer than the lease is not dead.

Real processes on this test database: `manage.py import_jobs` and `manage.py crawl` (which
runs `python -m scrapers.runner` as its child) against a local fake job board.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from gigm8.tests.browser.conftest import _database_url
from gigm8.tests.stack import wait_for
from ingestion.choices import SyncStatus
from ingestion.models import SyncLog
from ingestion.services.runs import sync_log_is_running
from ingestion.tests.test_admin import isolated_broker
from jobs.choices import AtsKind
from jobs.models import Company, Job
from jobs.tests.factories import CompanyFactory
from scrapers.tests.conftest import FAST
from scrapers.tests.fakes import FakeSite, greenhouse_board, greenhouse_job, json_reply

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SOURCE = "bulkfeed"
BOARD_PATH = "/v1/boards/acme/jobs"
DIED = "the process running it died"


def _env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gigm8.settings.test",
        "DATABASE_URL": _database_url(),  # the test database this process uses
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def _manage(*argv: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *argv],
        cwd=settings.BASE_DIR,
        env=_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def _running_log(source: str) -> SyncLog | None:
    return SyncLog.objects.filter(source=source, status=SyncStatus.RUNNING).first()


def _admin_page_status(client, log: SyncLog) -> str:
    page = client.get(reverse("admin:ingestion_synclog_change", args=[log.pk])).content.decode()
    return page.split('class="synclog-status" data-status="', 1)[1].split('"', 1)[0]


def _elsewhere(log: SyncLog) -> None:
    """Make the owner look like a process of another container: only its lease can speak for it."""
    SyncLog.objects.filter(pk=log.pk).update(owner_token="another-boot:1/1")


# --- import_jobs -----------------------------------------------------------------------------------


@pytest.fixture
def import_file(tmp_path) -> Path:
    path = tmp_path / "feed.csv"
    rows = [f"{n},Data Engineer {n},Acme,Sydney,Builds pipelines number {n}." for n in range(1, 201)]
    path.write_text("external_id,title,company,location,description\n" + "\n".join(rows) + "\n")
    return path


@pytest.fixture
def jobs_table_held():
    """Writes to jobs_job wait (reads do not) while the test holds this lock: an import stands
    still inside its transaction, mid-run, for as long as the test wants."""
    db = settings.DATABASES["default"]
    lock = psycopg.connect(
        host=db["HOST"], port=db.get("PORT") or None, user=db["USER"], password=db.get("PASSWORD"), dbname=db["NAME"]
    )
    lock.execute("LOCK TABLE jobs_job IN EXCLUSIVE MODE")
    try:
        yield lock
    finally:
        lock.rollback()
        lock.close()


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def _start_blocked_import(import_file: Path, **env: str) -> tuple[subprocess.Popen, SyncLog]:
    process = _manage("import_jobs", str(import_file), "--source", SOURCE, "--verbosity", "0", **env)
    log = wait_for(lambda: _running_log(SOURCE), seconds=60, what="the import to open its log")
    wait_for(_waiting_on_a_lock, seconds=30, what="the import to wait on the jobs table, mid-run")
    return process, log


def test_a_killed_import_is_failed_at_once_and_the_next_import_starts(import_file, jobs_table_held, admin_client):
    process, killed = _start_blocked_import(import_file)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    jobs_table_held.rollback()  # the table is free again; the killed import's transaction is gone

    # The run page says so at once (not SYNC_STALE_MINUTES later), with the reason.
    assert _admin_page_status(admin_client, killed) == SyncStatus.FAILED
    killed.refresh_from_db()
    assert killed.status == SyncStatus.FAILED and DIED in killed.message, killed.message
    assert not Job.objects.filter(source=SOURCE).exists()  # nothing half-imported

    call_command("import_jobs", str(import_file), "--source", SOURCE, "--verbosity", "0")
    latest = SyncLog.objects.filter(source=SOURCE).exclude(pk=killed.pk).get()
    assert (latest.status, latest.created) == (SyncStatus.SUCCESS, 200)


def test_an_import_longer_than_the_lease_stays_alive_and_a_killed_one_elsewhere_dies_with_its_lease(
    import_file, jobs_table_held, settings
):
    settings.SYNC_LEASE_SECONDS = 3  # beats every 0.5 s
    process, live = _start_blocked_import(import_file, SYNC_LEASE_SECONDS="3")
    _elsewhere(live)  # no pid check from here: the lease alone must keep it alive
    first_beat = SyncLog.objects.get(pk=live.pk).heartbeat_at

    # Three leases long, standing still in one statement: its owner's thread keeps the lease.
    threading.Event().wait(9)
    with pytest.raises(CommandError, match="already running"):
        call_command("import_jobs", str(import_file), "--source", SOURCE, "--verbosity", "0")
    live.refresh_from_db()
    assert live.status == SyncStatus.RUNNING and live.heartbeat_at > first_beat

    # Killed, with no way to look at its pid: dead once its lease runs out, seconds later.
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    jobs_table_held.rollback()
    killed_at = time.monotonic()
    wait_for(lambda: not sync_log_is_running(source=SOURCE), seconds=15, what="the lease to run out")
    assert time.monotonic() - killed_at < 3 + 2
    call_command("import_jobs", str(import_file), "--source", SOURCE, "--verbosity", "0")
    live.refresh_from_db()
    assert live.status == SyncStatus.FAILED and "stopped renewing its lease" in live.message, live.message
    assert SyncLog.objects.filter(source=SOURCE, status=SyncStatus.SUCCESS).count() == 1


# --- crawls: `manage.py crawl` (the parent, the run's owner) and its scrapers.runner child ----------


@pytest.fixture
def slow_board():
    """A Greenhouse board that answers only when the test lets it (or after a minute)."""
    site = FakeSite().start()
    answer = threading.Event()

    def board(query):
        answer.wait(60)
        return json_reply(greenhouse_board([greenhouse_job(1, "Data Analyst")]))

    site.routes[BOARD_PATH] = board
    site.answer_now = answer
    try:
        yield site
    finally:
        answer.set()
        site.stop()


def _start_crawl(site: FakeSite, **env: str) -> tuple[subprocess.Popen, int, SyncLog]:
    overrides = [arg for key, value in FAST.items() for arg in ("-s", f"{key}={value}")]
    parent = _manage(
        "crawl",
        "greenhouse",
        "-a",
        "boards=acme",
        *overrides,
        GREENHOUSE_BASE_URL=site.url,
        CRAWL_HTTP_CACHE="false",
        **env,
    )
    log = wait_for(lambda: _running_log("greenhouse"), seconds=60, what="the crawl to open its log")
    wait_for(lambda: site.asked(BOARD_PATH), seconds=60, what="the child to ask for the board, mid-run")
    [child] = _children(parent.pid)
    return parent, child, log


def _crawl_now(client) -> str:
    if not Company.objects.filter(ats_kind=AtsKind.GREENHOUSE, board_token="acme").exists():
        CompanyFactory(name="Acme", ats_kind=AtsKind.GREENHOUSE, board_token="acme")  # the button needs a board
    with isolated_broker():  # the task is queued where no worker takes it
        response = client.post(reverse("admin:ingestion_synclog_run", args=["crawl"]), {"choice": "greenhouse"})
    return " ".join(str(m) for m in response.wsgi_request._messages)


def test_a_killed_crawl_child_fails_its_run_and_crawl_now_is_accepted(slow_board, admin_client):
    parent, child, killed = _start_crawl(slow_board)
    os.kill(child, signal.SIGKILL)
    parent.wait(timeout=30)  # the parent, alive, closes the run itself

    killed.refresh_from_db()
    assert killed.status == SyncStatus.FAILED and "exited with code -9" in killed.message, killed.message
    assert "started as run" in _crawl_now(admin_client)


def test_a_killed_crawl_parent_takes_its_child_down_and_crawl_now_is_accepted(slow_board, admin_client):
    parent, child, killed = _start_crawl(slow_board)
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=10)

    # The child does not crawl on, orphaned, into a run nobody owns any more.
    wait_for(lambda: not _alive(child), seconds=5, what="the child to die with its parent")
    assert _admin_page_status(admin_client, killed) == SyncStatus.FAILED
    killed.refresh_from_db()
    assert DIED in killed.message, killed.message
    assert "started as run" in _crawl_now(admin_client)


def test_a_crawl_longer_than_the_lease_stays_alive_while_its_parent_waits(slow_board, admin_client, settings):
    settings.SYNC_LEASE_SECONDS = 3
    parent, _child, live = _start_crawl(slow_board, SYNC_LEASE_SECONDS="3")
    _elsewhere(live)  # the lease alone speaks for it

    threading.Event().wait(9)  # three leases, the child still waiting on the board
    assert "already going" in _crawl_now(admin_client)
    assert _admin_page_status(admin_client, live) == SyncStatus.RUNNING

    slow_board.answer_now.set()
    output, _ = parent.communicate(timeout=60)
    live.refresh_from_db()
    assert (live.status, live.created) == (SyncStatus.SUCCESS, 1), (live.message, output)
