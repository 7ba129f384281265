"""A curator's session in a real browser: log in, filter and search jobs, edit a title, press
"Full refresh now", watch the run succeed through a real Celery worker fed by a local fake
Adzuna, and find the edited title still there. Screenshots of each step go to
test-artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from gigm8.tests.browser.curator import log_in_curator
from ingestion.choices import SyncStatus, TriggerKind
from ingestion.models import SyncLog
from ingestion.tests.fake_adzuna import APP_ID, APP_KEY, FakeAdzuna, adzuna_result
from jobs.models import Job

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CURATED_TITLE = "Senior Python Developer (curated)"


@pytest.fixture
def fake_adzuna_server():
    server = FakeAdzuna().start()
    yield server
    server.stop()


@pytest.fixture
def adzuna_settings(settings, fake_adzuna_server):
    """This process's settings and the worker's environment, both pointing at the fake."""
    values = {
        "ADZUNA_BASE_URL": fake_adzuna_server.url,
        "ADZUNA_APP_ID": APP_ID,
        "ADZUNA_APP_KEY": APP_KEY,
        "ADZUNA_COUNTRY": "gb",
        "ADZUNA_MAX_PAGES": "2",
        "ADZUNA_PAGES_PER_PIECE": "1",
        "ADZUNA_HELPER_TASKS": "1",
        "ADZUNA_BACKOFF": "0",
        "ADZUNA_RESULTS_PER_PAGE": "50",
    }
    settings.ADZUNA_BASE_URL = fake_adzuna_server.url
    settings.ADZUNA_APP_ID = APP_ID
    settings.ADZUNA_APP_KEY = APP_KEY
    settings.ADZUNA_COUNTRY = ["gb"]
    settings.ADZUNA_WHAT = []
    settings.ADZUNA_MAX_PAGES = 2
    settings.ADZUNA_PAGES_PER_PIECE = 1
    settings.ADZUNA_BACKOFF = 0
    return values


def _postings(*, description_suffix: str = "") -> list[dict]:
    postings = [adzuna_result(n) for n in range(1, 6)]
    postings.append(adzuna_result(6, title="Data Engineer", location={"display_name": "Leeds, UK", "area": ["UK"]}))
    for posting in postings:
        posting["description"] += description_suffix
    return postings


def _wait_for_the_end(page) -> None:
    """The log page polls until the run ends, then reloads as a finished (non-polling) page."""
    expect(page.locator("#synclog-live-status")).to_have_text("Success", timeout=90_000)
    expect(page.locator("#synclog-live[data-running='']")).to_have_count(1, timeout=10_000)
    expect(page.locator("#synclog-live-status")).to_have_text("Success")


def test_curator_edits_a_title_runs_a_refresh_and_the_title_survives(
    live_server,
    browser_page,
    screenshots,
    curator_group,
    celery_worker_process,
    fake_adzuna_server,
    adzuna_settings,
):
    page = browser_page
    fake_adzuna_server.set_jobs("gb", _postings())
    celery_worker_process(**adzuna_settings)

    # 1. Log in as a curator.
    user = log_in_curator(page, live_server.url)
    screenshots(page, "logged-in")

    # 2. A first refresh brings the fake Adzuna's postings in.
    page.goto(f"{live_server.url}/admin/ingestion/synclog/refresh/")
    screenshots(page, "refresh-page")
    page.get_by_role("button", name="Full refresh now").click()
    expect(page).to_have_url(re.compile(r"/admin/ingestion/synclog/\d+/change/$"))
    _wait_for_the_end(page)
    screenshots(page, "first-refresh-success")
    assert Job.objects.filter(source="adzuna").count() == 6

    # 3. Filter the job list by source and search it.
    page.goto(f"{live_server.url}/admin/jobs/job/")
    page.locator("#changelist-filter details[data-filter-title='source'] a", has_text="adzuna").click()
    expect(page).to_have_url(re.compile(r"source(__exact)?=adzuna"))
    page.fill("#searchbar", "Data Engineer")
    page.press("#searchbar", "Enter")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text("Data Engineer")
    page.fill("#searchbar", "Python Developer 3")
    page.press("#searchbar", "Enter")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    screenshots(page, "filtered-and-searched")

    # 4. Edit the job's title; the field is locked and marked so.
    page.locator("#result_list tbody tr th a").first.click()
    page.fill("#id_title", CURATED_TITLE)
    page.click("input[name=_continue]")
    expect(page.locator("label[for=id_title]")).to_contain_text("(locked)")
    screenshots(page, "title-edited-and-locked")
    job = Job.objects.get(source="adzuna", title=CURATED_TITLE)
    assert job.locked_fields == ["title"]

    # 5. The source changes its text; a refresh from the job list's button picks it up.
    fake_adzuna_server.set_jobs("gb", _postings(description_suffix=" Updated at the source."))
    page.goto(f"{live_server.url}/admin/jobs/job/")
    page.get_by_role("button", name="Full refresh now").click()
    expect(page).to_have_url(re.compile(r"/admin/ingestion/synclog/\d+/change/$"))
    screenshots(page, "second-refresh-running")
    _wait_for_the_end(page)
    screenshots(page, "second-refresh-success")
    run = SyncLog.objects.filter(source="refresh").latest("started_at")
    assert (run.status, run.triggered_by, run.triggered_by_user) == (SyncStatus.SUCCESS, TriggerKind.STAFF, user)

    # The sync log list: every run, coloured, with each source's health above.
    page.goto(f"{live_server.url}/admin/ingestion/synclog/")
    expect(page.locator(".gigm8-health-row[data-source='adzuna'] .jobs-active")).to_have_text("6")
    expect(page.locator(".gigm8-health-row[data-source='adzuna'] .zero-streak")).to_have_text("0")
    screenshots(page, "sync-logs-and-source-health")

    # 6. The staff title survived; the unlocked description followed the source.
    job.refresh_from_db()
    assert job.title == CURATED_TITLE
    assert job.description.endswith("Updated at the source.")
    page.goto(f"{live_server.url}/admin/jobs/job/{job.pk}/change/")
    expect(page.locator("#id_title")).to_have_value(CURATED_TITLE)
    screenshots(page, "title-survived-refresh")


def test_a_second_press_while_running_starts_nothing(live_server, browser_page, screenshots, curator_group):
    page = browser_page
    running = SyncLog.objects.create(kind="refresh", source="refresh", triggered_by=TriggerKind.SCHEDULE)
    log_in_curator(page, live_server.url)
    page.goto(f"{live_server.url}/admin/jobs/job/")
    page.get_by_role("button", name="Full refresh now").click()
    expect(page).to_have_url(re.compile(rf"/admin/ingestion/synclog/{running.pk}/change/$"))
    expect(page.locator(".messagelist")).to_contain_text("already going")
    screenshots(page, "second-press-refused")
    assert SyncLog.objects.count() == 1


def test_company_autocomplete_and_posted_range_filters(live_server, browser_page, screenshots, curator_group):
    from datetime import timedelta

    from django.utils import timezone

    from jobs.tests.factories import CompanyFactory, JobFactory

    page = browser_page
    now = timezone.now()
    acme = CompanyFactory(name="Acme Widgets")
    JobFactory(title="Acme old", company=acme, posted_at=now - timedelta(days=40))
    JobFactory(title="Acme new", company=acme, posted_at=now)
    JobFactory(title="Globex job", company=CompanyFactory(name="Globex"), posted_at=now)
    log_in_curator(page, live_server.url)
    page.goto(f"{live_server.url}/admin/jobs/job/")

    # The company filter searches as you type (the admin's select2 against Company's search).
    page.locator("#changelist-filter .select2-selection").click()
    page.locator(".select2-search__field").fill("acme")
    page.locator(".select2-results__option", has_text="Acme Widgets").click()
    expect(page).to_have_url(re.compile(rf"company__id__exact={acme.pk}"))
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    screenshots(page, "company-autocomplete-filter")

    # Posted within the last week, on top of the company filter.
    since = (now - timedelta(days=7)).date().isoformat()
    page.fill("input[name=posted_at__range_from]", since)
    page.locator("form.gigm8-range-filter input[type=submit]").click()
    expect(page).to_have_url(re.compile(r"posted_at__range_from="))
    expect(page).to_have_url(re.compile(rf"company__id__exact={acme.pk}"))
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text("Acme new")
    screenshots(page, "posted-range-filter")


def test_saving_a_job_unchanged_in_the_browser_locks_nothing(live_server, browser_page, screenshots, curator_group):
    """Chromium posts the description textarea with CRLF line breaks: that is no change."""
    from jobs.tests.factories import JobFactory

    page = browser_page
    text = "About the role.\n\nYou will:\n- care for residents\n- keep records"
    job = JobFactory(description=text, description_html="<p>About the role.</p>\n<ul><li>care</li></ul>")
    log_in_curator(page, live_server.url)
    page.goto(f"{live_server.url}/admin/jobs/job/{job.pk}/change/")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    screenshots(page, "saved-unchanged")
    job.refresh_from_db()
    assert job.locked_fields == []
    assert job.description == text
    expect(page.locator("label[for=id_description]")).not_to_contain_text("(locked)")

    # A real edit in the textarea locks the description, stored with LF line breaks.
    page.fill("#id_description", "About the role.\nYou will care for residents.")
    page.click("input[name=_continue]")
    expect(page.locator("label[for=id_description]")).to_contain_text("(locked)")
    job.refresh_from_db()
    assert job.locked_fields == ["description"]
    assert job.description == "About the role.\nYou will care for residents."
