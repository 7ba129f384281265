"""The staff console on a 1366x768 laptop screen: the job list fits without scrolling sideways,
long titles are cut with the whole title on hover, and the Sync logs are not pushed below the
fold by the source health table. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gigm8.tests.browser.curator import log_in_curator
from ingestion.choices import SyncKind, SyncStatus
from ingestion.tests.factories import SyncLogFactory
from jobs.choices import EmploymentType, Remote
from jobs.tests.factories import CompanyFactory, JobFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LONG_TITLE = "Senior Staff Software Engineer, Distributed Storage and Streaming Infrastructure (Remote, EMEA)"
LAPTOP = {"width": 1366, "height": 768}


def _scrolls_sideways(page, selector: str) -> bool:
    return page.eval_on_selector(selector, "el => el.scrollWidth > el.clientWidth")


def test_job_list_fits_a_1366_screen_with_whole_titles_on_hover(live_server, browser_page, screenshots, curator_group):
    page = browser_page
    page.set_viewport_size(LAPTOP)
    company = CompanyFactory(name="Consolidated International Widget Manufacturing Holdings")
    canonical = JobFactory(
        title=LONG_TITLE,
        company=company,
        location="Frankfurt am Main, Hesse, Germany",
        employment_type=EmploymentType.FULL_TIME,
        remote=Remote.HYBRID,
        salary_min=85000,
        salary_max=120000,
        salary_currency="EUR",
        salary_period="year",
        posted_at=timezone.now() - timedelta(days=2),
        is_featured=True,
    )
    JobFactory(title=LONG_TITLE, company=company, source="lever", duplicate_of=canonical)
    JobFactory.create_batch(8, employment_type=EmploymentType.CONTRACTOR, remote=Remote.REMOTE)
    log_in_curator(page, live_server.url)

    page.goto(f"{live_server.url}/admin/jobs/job/")
    expect(page.locator("#result_list tbody tr")).to_have_count(10)
    screenshots(page, "job-list-1366")

    assert not _scrolls_sideways(page, "html"), "the page scrolls sideways at 1366 px"
    assert not _scrolls_sideways(page, "#changelist .results"), "the job table scrolls sideways at 1366 px"
    table = page.locator("#result_list").bounding_box()
    assert table is not None and table["x"] + table["width"] <= LAPTOP["width"]

    cut = page.locator("#result_list th.field-title_display span[title]").first
    assert cut.get_attribute("title") == LONG_TITLE  # the browser's tooltip on hover
    assert cut.inner_text() != LONG_TITLE and cut.inner_text().endswith("…")
    cut.hover()
    screenshots(page, "title-hovered")
    company_cell = page.locator("#result_list td.field-company_display span[title]").first
    assert company_cell.get_attribute("title") == company.name

    duplicate = page.locator("#result_list .gigm8-duplicate a")
    expect(duplicate).to_have_count(1)
    expect(duplicate).to_have_text(f"#{canonical.pk}")
    duplicate.click()
    expect(page).to_have_url(f"{live_server.url}/admin/jobs/job/{canonical.pk}/change/")


def test_sync_logs_stay_above_the_fold_under_the_folded_health_table(
    live_server, browser_page, screenshots, curator_group
):
    page = browser_page
    page.set_viewport_size(LAPTOP)
    finished = timezone.now() + timedelta(minutes=1)  # after the factory stamps started_at
    for source in ("adzuna", "greenhouse", "lever", "ashby", "microsoft", "careers", "expiry", "cts"):
        SyncLogFactory(
            source=source,
            kind=SyncKind.SPIDER if source not in ("adzuna", "expiry", "cts") else SyncKind.SOURCE,
            status=SyncStatus.SUCCESS if source != "lever" else SyncStatus.FAILED,
            finished_at=finished,
        )
    log_in_curator(page, live_server.url)

    page.goto(f"{live_server.url}/admin/ingestion/synclog/")
    summary = page.locator("#source-health summary")
    expect(summary).to_contain_text("Source health")
    expect(page.locator("#source-health table")).to_be_hidden()
    assert not _scrolls_sideways(page, "html")
    assert not _scrolls_sideways(page, "#changelist .results"), "the runs table scrolls sideways at 1366 px"
    first_run = page.locator("#result_list tbody tr").first.bounding_box()
    assert first_run is not None and first_run["y"] + first_run["height"] <= LAPTOP["height"]
    screenshots(page, "sync-logs-1366")

    summary.click()
    expect(page.locator("#source-health table")).to_be_visible()
    for source in ("adzuna", "lever", "careers"):
        expect(page.locator(f"#source-health tr[data-source='{source}']")).to_have_count(1)
    screenshots(page, "sync-logs-health-open")
