"""The board catalog, crawled: a full refresh against a local server answering for every catalog board.

The crawls keep the shipped politeness (AutoThrottle, download delay, robots.txt), so this takes
about a minute: ~135 boards at 2-3 requests/s, one host per ATS.
"""

from __future__ import annotations

import collections

import pytest
from django.core.management import call_command

from ingestion.choices import SyncKind, SyncStatus, TriggerKind
from ingestion.models import SyncLog
from ingestion.services.catalog import catalog_entries
from ingestion.services.refresh import refresh_run, refresh_start
from jobs.choices import AtsKind
from jobs.models import Company, Job
from scrapers.tests.fakes import board_path, serve_boards

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_full_refresh_crawls_every_catalog_board_the_fake_serves(fake_site, monkeypatch, settings):
    settings.REFRESH_STEP_MODULES = ["ingestion.services.crawl", "ingestion.services.expiry"]
    # The crawl children read the base URLs through gigm8/env.py, as a worker's would; the shipped
    # politeness settings (AutoThrottle, per-host concurrency, robots.txt) stay as they are.
    for name in ("GREENHOUSE_BASE_URL", "LEVER_BASE_URL", "ASHBY_BASE_URL"):
        monkeypatch.setenv(name, fake_site.url)
    monkeypatch.setenv("CRAWL_HTTP_CACHE", "false")
    call_command("setup_sources", verbosity=0)
    # Microsoft Careers, Workday (a host per board) and SmartRecruiters (a detail request per
    # posting) have their own tests (test_board_apis, test_workday, test_smartrecruiters); the three
    # list-only ATS kinds here.
    others = (AtsKind.MICROSOFT, AtsKind.WORKDAY, AtsKind.SMARTRECRUITERS)
    Company.objects.filter(ats_kind__in=others).delete()
    entries = [entry for entry in catalog_entries() if entry.ats_kind not in others]
    boards = [(entry.ats_kind, entry.board_token) for entry in entries]
    # Every board but one of each kind answers; the missing ones are boards that moved away (404).
    gone = {next(b for b in boards if b[0] == kind) for kind in ("greenhouse", "lever", "ashby")}
    served = serve_boards(fake_site, [b for b in boards if b not in gone])

    refresh, _ = refresh_start(triggered_by=TriggerKind.STAFF)
    refresh = refresh_run(sync_log=refresh)

    crawls = {log.source: log for log in SyncLog.objects.filter(kind=SyncKind.SPIDER)}
    assert set(crawls) == {"greenhouse", "lever", "ashby"}
    for kind, log in crawls.items():
        states = log.details["boards"]
        assert {token for k, token in boards if k == kind} == set(states)  # every catalog board asked for
        failed = {token for token, state in states.items() if state["status"] != "complete"}
        assert failed == {token for k, token in gone if k == kind}
        assert log.status == SyncStatus.PARTIAL  # one board of each failed, the others were read
    for kind, token in boards:
        assert fake_site.asked(board_path(kind, token)) == 1  # once each: no retries of a good board
    titles = collections.Counter(Job.objects.values_list("title", flat=True))
    assert set(titles) == {title for board in served.values() for title in board}
    assert set(titles.values()) == {1}
    by_company = dict(Job.objects.values_list("company__board_token", "company__name"))
    assert len(by_company) == len(served)
    assert refresh.status == SyncStatus.PARTIAL
    assert refresh.created == len(served)
