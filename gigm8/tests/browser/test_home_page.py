"""The landing page in a real Chromium after `load_demo`: the demo jobs by source, marked as demo
data with how to remove them, and links that lead to the API, its docs and the health page."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from ingestion.services.demo import REMOVE_COMMAND

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_landing_page_shows_the_demo_data_and_where_to_go(
    live_server, browser_page, screenshots, celery_broker_prefix, transactional_db
):
    # celery_broker_prefix: the embedding task the import queues goes where the fixture clears it.
    call_command("load_demo", stdout=io.StringIO())
    page = browser_page
    page.goto(f"{live_server.url}/")
    expect(page.locator("main")).to_contain_text("360 active jobs in the listing.")
    demo_rows = page.locator("tr.demo")
    expect(demo_rows).to_have_count(2)
    expect(demo_rows.first).to_contain_text("demo data")
    note = page.locator("#demo-data")
    expect(note).to_be_visible()
    expect(note).to_contain_text(REMOVE_COMMAND)
    expect(page.locator("main")).to_contain_text("createsuperuser")
    screenshots(page, "landing-with-demo-data")

    page.get_by_role("link", name="jobs within 50 km of London").click()
    # DRF's browsable API: the JSON answer, shown as text.
    answer = page.locator(".response-info pre").inner_text()
    listing = json.loads(answer[answer.index("{") :])
    assert listing["count"] >= 5
    assert {job["location"]["city"] for job in listing["results"]} <= {"London", "Brighton"}
    screenshots(page, "jobs-near-london")

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Health").click()
    expect(page.locator("body")).to_contain_text("database")

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="API docs (Swagger UI)").click()
    expect(page.locator(".opblock").first).to_be_visible(timeout=30_000)
