"""The Refresh page of a fresh install in a real browser: unconfigured sources shown as such,
with the reason and the next step, their buttons disabled; then, with one Greenhouse board, a
full refresh that stays running while the crawl it handed to a real Celery worker runs, its
step's status live on its page, and ends with it. Screenshots in test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import expect

from gigm8.tests.browser.curator import log_in_curator
from ingestion.choices import SyncStatus
from ingestion.models import SyncLog
from jobs.choices import AtsKind
from jobs.models import Job
from jobs.tests.factories import CompanyFactory
from scrapers.tests.fakes import FakeSite, greenhouse_board, greenhouse_job, json_reply

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def gated_board():
    """A Greenhouse board that answers only once the test opens the gate (or after two minutes)."""
    site = FakeSite().start()
    gate = threading.Event()

    def board(query):
        gate.wait(120)
        return json_reply(greenhouse_board([greenhouse_job(n, f"Data Analyst {n}") for n in range(1, 4)]))

    site.routes["/v1/boards/acme/jobs"] = board
    site.gate = gate
    try:
        yield site
    finally:
        gate.set()
        site.stop()


@pytest.fixture
def nothing_configured(settings):
    settings.ADZUNA_APP_ID = settings.ADZUNA_APP_KEY = ""
    settings.GCP_PROJECT_ID = settings.GCP_TENANT_ID = ""


def test_unconfigured_sources_are_shown_as_such_and_a_refresh_follows_its_crawl(
    live_server,
    browser_page,
    screenshots,
    curator_group,
    celery_worker_process,
    gated_board,
    nothing_configured,
):
    page = browser_page
    log_in_curator(page, live_server.url, next_path="/admin/ingestion/synclog/refresh/")

    # 1. Nothing yet: the page says what to do; every source is "Not configured", with why and where.
    expect(page.locator("#gigm8-empty")).to_contain_text("No jobs yet")
    for source in ("adzuna", "greenhouse", "lever", "ashby", "microsoft", "careers", "cts"):
        expect(page.locator(f".gigm8-source-row[data-source='{source}']")).to_contain_text("Not configured")
    expect(page.locator(".gigm8-source-row[data-source='lever']")).to_contain_text("No Lever boards")
    expect(page.locator(".gigm8-source-row[data-source='lever'] a", has_text="Companies")).to_have_attribute(
        "href", "/admin/jobs/company/?ats_kind__exact=lever"
    )
    for label in ("Fetch Adzuna now", "Sync to CTS now", "Crawl now"):
        expect(page.get_by_role("button", name=label)).to_be_disabled()
    expect(page.locator("form[data-key='adzuna'] .gigm8-why")).to_contain_text("set ADZUNA_APP_ID and ADZUNA_APP_KEY")
    expect(page.get_by_role("button", name="Full refresh now")).to_be_enabled()
    screenshots(page, "refresh-page-nothing-configured")

    # 2. One Greenhouse board: ready everywhere; a full refresh hands its crawl to a worker.
    CompanyFactory(name="Acme", ats_kind=AtsKind.GREENHOUSE, board_token="acme")
    celery_worker_process(queues="ingest,default,scrape", GREENHOUSE_BASE_URL=gated_board.url, CRAWL_HTTP_CACHE="false")
    page.reload()
    expect(page.locator(".gigm8-source-row[data-source='greenhouse']")).to_contain_text("Ready")
    expect(page.get_by_role("button", name="Crawl now")).to_be_enabled()
    page.get_by_role("button", name="Full refresh now").click()
    expect(page).to_have_url(re.compile(r"/admin/ingestion/synclog/\d+/change/$"))

    # 3. The refresh is running while its crawl is: the step's status follows the crawl, live.
    step = page.locator("li.synclog-step[data-step='spider:greenhouse'] .synclog-step-status")
    expect(step).to_have_text("Running", timeout=60_000)
    expect(page.locator("#synclog-live-status")).to_have_text("Running")
    expect(page.locator("#synclog-live-detail")).to_contain_text("waiting for spider:greenhouse", timeout=10_000)
    expect(page.locator("li.synclog-step[data-step='adzuna'] .synclog-step-status")).to_have_text("Skipped")
    steps = page.locator("li.synclog-step")
    expect(steps.first).to_have_attribute("data-step", "adzuna")  # in the order they run
    expect(steps.last).to_have_attribute("data-step", "cts")
    refresh = SyncLog.objects.get(source="refresh")
    assert refresh.status == SyncStatus.RUNNING
    screenshots(page, "refresh-waiting-for-its-crawl")

    # 4. The board answers: the crawl ends, and with it the refresh, from its children.
    gated_board.gate.set()
    expect(page.locator("#synclog-live-status")).to_have_text("Success", timeout=90_000)
    expect(page.locator("#synclog-live[data-running='']")).to_have_count(1, timeout=10_000)
    expect(step).to_have_text("Success")
    screenshots(page, "refresh-ended-with-its-crawl")
    refresh.refresh_from_db()
    crawl = SyncLog.objects.get(source="greenhouse")
    assert (refresh.status, refresh.created, crawl.parent_id) == (SyncStatus.SUCCESS, 3, refresh.pk)
    assert refresh.finished_at >= crawl.finished_at
    assert Job.objects.filter(source="greenhouse").count() == 3
