"""The Content-Security-Policy in a real Chromium: the API docs and the admin pages that run
JavaScript work under it, break none of its rules, and fetch nothing from another host."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from ingestion.choices import SyncKind, SyncStatus, TriggerKind
from ingestion.models import SyncLog
from jobs.tests.factories import CompanyFactory, JobFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
# Recorded by the page itself, from its first script on.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${where})`);
});
"""


@pytest.fixture
def watched_page(browser_page):
    """The page, and what it did wrong: CSP violations (events and console lines) and requests
    to any host but loopback."""
    page = browser_page
    found: dict[str, list[str]] = {"violations": [], "foreign": []}
    page.context.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda msg: "Content Security Policy" in msg.text and found["violations"].append(f"console: {msg.text}"),
    )
    page.on(
        "request",
        lambda request: (
            urlsplit(request.url).scheme in ("http", "https", "ws", "wss")
            and urlsplit(request.url).hostname not in LOOPBACK
            and found["foreign"].append(request.url)
        ),
    )

    def check(where: str) -> None:
        page.wait_for_load_state("networkidle")
        found["violations"] += [f"event: {v}" for v in page.evaluate("window.__cspViolations || []")]
        assert found == {"violations": [], "foreign": []}, where

    page.check_clean = check  # type: ignore[attr-defined]
    return page


def test_swagger_ui_and_redoc_render_under_the_policy_offline(live_server, watched_page, screenshots):
    page = watched_page
    response = page.goto(f"{live_server.url}/api/docs/")
    assert response is not None and response.headers.get("content-security-policy")
    expect(page.locator(".opblock").first).to_be_visible(timeout=30_000)  # an operation block
    expect(page.locator(".opblock-summary-path", has_text="/api/jobs/").first).to_be_visible()
    screenshots(page, "swagger-ui")
    page.check_clean("/api/docs/")

    response = page.goto(f"{live_server.url}/api/redoc/")
    assert response is not None and response.headers.get("content-security-policy")
    expect(page.get_by_role("heading", name=re.compile("gigm8 API")).first).to_be_visible(timeout=30_000)
    expect(page.locator("[role=menuitem]").first).to_be_visible()
    screenshots(page, "redoc")
    page.check_clean("/api/redoc/")


def test_admin_pages_that_run_javascript_work_under_the_policy(
    live_server, watched_page, screenshots, transactional_db
):
    page = watched_page
    User.objects.create_superuser("root", password="pw")
    job = JobFactory(company=CompanyFactory(name="Acme Robotics"))
    running = SyncLog.objects.create(
        kind=SyncKind.SOURCE, source="adzuna", triggered_by=TriggerKind.STAFF, status=SyncStatus.RUNNING
    )

    response = page.goto(f"{live_server.url}/admin/login/")
    assert response is not None and "frame-ancestors 'none'" in response.headers.get("content-security-policy", "")
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text("root")
    page.check_clean("login")

    # The job list: jQuery, select2's company autocomplete (our static filter script submits it).
    page.goto(f"{live_server.url}/admin/jobs/job/")
    page.locator("details[data-filter-title='company'] .select2-selection").click()
    page.keyboard.type("Acme")
    page.locator(".select2-results__option", has_text="Acme Robotics").click()
    expect(page).to_have_url(re.compile(r"company__id__exact=\d+"))
    screenshots(page, "job-list-filtered")
    page.check_clean("job list")

    # The change form: the admin's widgets (date/time shortcuts, related-object links, autocomplete).
    page.goto(f"{live_server.url}/admin/jobs/job/{job.pk}/change/")
    expect(page.locator(".datetimeshortcuts").first).to_be_visible()
    screenshots(page, "job-change-form")
    page.check_clean("job change form")

    # The refresh page, and a running log's live status (our static polling script).
    page.goto(f"{live_server.url}/admin/ingestion/synclog/refresh/")
    page.check_clean("refresh page")
    with page.expect_response(re.compile(rf"/admin/ingestion/synclog/{running.pk}/status")) as status:
        page.goto(f"{live_server.url}/admin/ingestion/synclog/{running.pk}/change/")
    assert status.value.ok
    expect(page.locator("#synclog-live-detail")).to_contain_text("fetched 0", timeout=10_000)
    screenshots(page, "synclog-live")
    page.check_clean("sync log live status")
