"""How crawls are started: the command, the Celery task, enqueueing, refresh steps, schedules, dead runs."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django_celery_beat.models import PeriodicTask

from ingestion.choices import SyncKind, SyncStatus, TriggerKind
from ingestion.models import SyncLog
from ingestion.services.crawl import crawl_enabled_spiders, crawl_enqueue
from ingestion.services.refresh import RefreshContext, refresh_steps
from ingestion.services.runs import sync_log_finish, sync_log_start
from ingestion.services.schedules import schedules_setup
from ingestion.tasks import crawl_spider
from jobs.choices import AtsKind
from jobs.models import Job
from jobs.tests.factories import CompanyFactory
from scrapers.tests.conftest import FAST
from scrapers.tests.fakes import ashby_board, ashby_job, greenhouse_board, greenhouse_job, json_reply


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "name one spider"),
        (["greenhouse", "--all"], "name one spider"),
        (["indeed"], "unknown spider 'indeed'"),
        (["greenhouse", "-a", "boards"], "-a expects KEY=VALUE"),
        (["--all", "-a", "boards=x"], "cannot be used with --all"),
        (["careers", "-a", "urls=ftp://example.com/jobs"], r"not an http\(s\) URL"),
    ],
)
def test_crawl_command_refuses_bad_input_in_one_line(argv, message):
    with pytest.raises(CommandError, match=message):
        call_command("crawl", *argv)
    assert not SyncLog.objects.exists()


@pytest.mark.django_db
def test_crawl_command_refuses_a_spider_already_running():
    sync_log_start(kind=SyncKind.SPIDER, source="lever", triggered_by=TriggerKind.STAFF)
    with pytest.raises(CommandError, match="lever is already running"):
        call_command("crawl", "lever")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_crawl_all_runs_each_spider_with_companies(fake_site, capsys):
    CompanyFactory(name="Acme", ats_kind=AtsKind.GREENHOUSE, board_token="acme")
    CompanyFactory(name="Ramp Up", ats_kind=AtsKind.ASHBY, board_token="rampup")
    fake_site.routes["/v1/boards/acme/jobs"] = json_reply(greenhouse_board([greenhouse_job(1, "Data Analyst")]))
    fake_site.routes["/posting-api/job-board/rampup"] = json_reply(ashby_board([ashby_job("r1", "Sales Lead")]))
    assert crawl_enabled_spiders() == ["greenhouse", "ashby"]
    overrides = [
        f"{k}={v}" for k, v in {**FAST, "GREENHOUSE_BASE_URL": fake_site.url, "ASHBY_BASE_URL": fake_site.url}.items()
    ]

    call_command("crawl", "--all", *[arg for pair in overrides for arg in ("-s", pair)])

    out = capsys.readouterr().out
    assert "greenhouse (sync log" in out and "ashby (sync log" in out and "success" in out
    assert set(Job.objects.values_list("source", "title")) == {("greenhouse", "Data Analyst"), ("ashby", "Sales Lead")}
    assert set(SyncLog.objects.values_list("source", "kind", "triggered_by")) == {
        ("greenhouse", SyncKind.SPIDER, TriggerKind.COMMAND),
        ("ashby", SyncKind.SPIDER, TriggerKind.COMMAND),
    }


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_task_crawls_with_base_urls_from_the_environment(fake_site, monkeypatch):
    # The worker's child reads GREENHOUSE_BASE_URL through gigm8/env.py like any setting.
    monkeypatch.setenv("GREENHOUSE_BASE_URL", fake_site.url)
    monkeypatch.setenv("CRAWL_HTTP_CACHE", "false")
    CompanyFactory(name="Acme", ats_kind=AtsKind.GREENHOUSE, board_token="acme")
    fake_site.routes["/v1/boards/acme/jobs"] = json_reply(greenhouse_board([greenhouse_job(1, "Data Analyst")]))

    log_id = crawl_spider.apply(kwargs={"spider": "greenhouse"}).get()

    log = SyncLog.objects.get(pk=log_id)
    assert (log.status, log.created, log.triggered_by) == (SyncStatus.SUCCESS, 1, TriggerKind.SCHEDULE)
    assert fake_site.asked("/robots.txt") == 1  # robots.txt is obeyed by default


@pytest.mark.django_db
def test_task_does_not_start_a_second_run_of_a_spider():
    running = sync_log_start(kind=SyncKind.SPIDER, source="greenhouse", triggered_by=TriggerKind.STAFF)
    assert crawl_spider.apply(kwargs={"spider": "greenhouse"}).get() is None
    assert list(SyncLog.objects.values_list("pk", flat=True)) == [running.pk]
    finished = sync_log_finish(
        sync_log=sync_log_start(kind=SyncKind.SPIDER, source="greenhouse", triggered_by=TriggerKind.STAFF)
    )
    assert crawl_spider.apply(kwargs={"spider": "greenhouse", "sync_log_id": finished.pk}).get() is None


@pytest.mark.django_db
def test_enqueue_opens_the_log_at_once_and_queues_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        log, started = crawl_enqueue(spider="lever", args={"boards": "acme"}, triggered_by=TriggerKind.STAFF)
        again, started_again = crawl_enqueue(spider="lever", triggered_by=TriggerKind.STAFF)
    assert started and not started_again and again.pk == log.pk
    assert (log.status, log.kind, log.params) == (SyncStatus.RUNNING, SyncKind.SPIDER, {"args": {"boards": "acme"}})
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_refresh_has_a_step_per_spider_enabled_by_companies(django_capture_on_commit_callbacks):
    steps = {step.name: step for step in refresh_steps()}
    assert {f"spider:{s}" for s in ("greenhouse", "lever", "ashby", "microsoft", "careers")} <= set(steps)
    assert not steps["spider:lever"].enabled()
    CompanyFactory(name="Acme", ats_kind=AtsKind.LEVER, board_token="acme")
    CompanyFactory(name="Blocked", ats_kind=AtsKind.ASHBY, board_token="blocked", is_blocked=True)
    assert steps["spider:lever"].enabled() and not steps["spider:ashby"].enabled()
    refresh = sync_log_start(kind=SyncKind.REFRESH, source="refresh", triggered_by=TriggerKind.STAFF)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        child = steps["spider:lever"].run(
            RefreshContext(refresh_log=refresh, triggered_by=TriggerKind.STAFF, distribute=True)
        )
    assert (child.source, child.status, len(callbacks)) == ("lever", SyncStatus.RUNNING, 1)


@pytest.mark.django_db
def test_default_schedules_include_each_spider_once():
    schedules_setup()
    schedules_setup()
    crawls = PeriodicTask.objects.filter(task="ingestion.tasks.crawl_spider")
    assert sorted(json.loads(t.kwargs)["spider"] for t in crawls) == [
        "ashby",
        "careers",
        "greenhouse",
        "lever",
        "microsoft",
        "recruitee",
        "smartrecruiters",
        "workable",
        "workday",
    ]
    greenhouse = crawls.get(name="Crawl greenhouse")
    assert json.loads(greenhouse.kwargs) == {"spider": "greenhouse", "triggered_by": TriggerKind.SCHEDULE}
    assert greenhouse.crontab.hour == "*/6" and greenhouse.expire_seconds < 6 * 3600


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_crawl_that_dies_is_closed_failed_and_the_next_run_starts(fake_site, run_spider):
    CompanyFactory(name="Microsoft", ats_kind=AtsKind.MICROSOFT, board_token="microsoft.com")
    dead = run_spider("microsoft", args={"max_positions": "lots"}, MICROSOFT_CAREERS_BASE_URL=fake_site.url)
    assert dead.status == SyncStatus.FAILED
    assert "max_positions: expected a whole number" in dead.message
    fake_site.routes["/api/pcsx/search"] = json_reply({"status": 200, "data": {"positions": [], "count": 0}})
    alive = run_spider("microsoft", MICROSOFT_CAREERS_BASE_URL=fake_site.url)
    assert alive.status == SyncStatus.SUCCESS and alive.pk != dead.pk
    assert alive.details["boards"]["microsoft.com"]["zero_streak"] == 1
