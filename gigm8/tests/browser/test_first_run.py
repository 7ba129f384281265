"""A newcomer's first run, in a real Chromium: `make run` on a fresh database with no service URLs and no keys.

The README's Quick start, followed literally: `make run` (an embedded PostgreSQL in a new folder,
migrations, the default schedules and sources, the demo data, then the web server, a Celery
worker and beat), the landing page, a match for a pasted resume in the browsable API, a staff login
made with `createsuperuser`, the demo jobs in the staff console, and the Refresh page showing the
sources that are not set up as such. Screenshots in test-artifacts/screenshots/first_run…/.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
import uuid

import pytest
from playwright.sync_api import expect

from gigm8.tests.stack import ROOT, free_port, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOG = ROOT / "test-artifacts" / "first-run-make-run.log"
RESUME = (
    "Backend developer, Leeds. Skills: Python, Django, PostgreSQL, Docker, Kubernetes, AWS, REST APIs, CI/CD. "
    "Five years building web services for a logistics company."
)
PASSWORD = "first-run-Password-1"


@pytest.fixture
def first_run():
    """`make run` as the README says, on a var folder of its own; stopped (and its PostgreSQL with it) after."""
    var_dir = ROOT / "var" / f"first-run-{uuid.uuid4().hex[:8]}"
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DEMO_DATA"}
    }
    env.update(GIGM8_VAR_DIR=str(var_dir), PORT=str(port), PYTHONUNBUFFERED="1")
    LOG.parent.mkdir(parents=True, exist_ok=True)
    log = LOG.open("w")
    make = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def answers() -> bool:
        if make.poll() is not None:
            raise RuntimeError(f"make run exited with {make.returncode}: {LOG.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    try:
        wait_for(answers, seconds=300, what="make run to serve /")
        yield f"http://127.0.0.1:{port}", env
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGTERM)
            try:
                make.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(make.pid, signal.SIGKILL)
                make.wait(timeout=10)
        log.close()
        # The last process holding the embedded PostgreSQL stops it; then the folder can go.
        pid_file = var_dir / "postgres" / "postmaster.pid"
        deadline = time.monotonic() + 30
        while pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.3)
        shutil.rmtree(var_dir, ignore_errors=True)


def test_make_run_on_a_fresh_machine_shows_a_working_job_board(first_run, browser_page, screenshots):
    base, env = first_run
    output = LOG.read_text()
    assert "embedded defaults in use" in output
    assert "Demo data: 372 fictional jobs" in output, output[-3000:]
    page = browser_page

    # The landing page: what gigm8 holds, by source, the demo marked as such.
    page.goto(f"{base}/")
    expect(page.locator("main")).to_contain_text("360 active jobs in the listing.")
    expect(page.locator("tr.demo").first).to_contain_text("demo data")
    screenshots(page, "landing-page")

    # The API's listing as a browser shows it, and a match for a pasted resume from its form.
    page.goto(f"{base}/api/jobs/?page_size=5")
    listing = _browsable_json(page)
    assert listing["count"] == 360
    page.goto(f"{base}/api/match/resume/")
    form = page.locator("#post-generic-content-form form")
    form.locator("[name=_content_type]").select_option("application/json")
    form.locator("[name=_content]").fill(json.dumps({"resume_text": RESUME, "limit": 5}))
    with page.expect_navigation():
        form.get_by_role("button", name="POST").click()
    match = _browsable_json(page)
    assert match.get("jobs"), match
    best = match["jobs"][0]
    assert "Python" in best["matched_skills"], best
    screenshots(page, "match-for-a-pasted-resume")

    # A staff login, made as the Quick start says, and the demo jobs in the staff console.
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "createsuperuser", "--noinput"],
        cwd=ROOT,
        env={
            **env,
            "DJANGO_SUPERUSER_USERNAME": "newcomer",
            "DJANGO_SUPERUSER_EMAIL": "new@example.org",
            "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
        },
        check=True,
        capture_output=True,
        timeout=120,
    )
    page.goto(f"{base}/admin/")
    page.fill("#id_username", "newcomer")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{base}/admin/jobs/job/")
    screenshots(page, "staff-console-jobs")
    expect(page.locator("#result_list tbody tr")).to_have_count(50)
    expect(page.locator("#changelist .paginator")).to_contain_text("372 jobs")

    # The Refresh page: what is not set up says so, and nothing there is a failure.
    page.goto(f"{base}/admin/ingestion/synclog/refresh/")
    rows = page.locator("#gigm8-sources tr.gigm8-source-row")
    expect(rows.filter(has_text="Adzuna")).to_contain_text("Not configured")
    expect(rows.filter(has_text="Cloud Talent Solution")).to_contain_text("Not configured")
    expect(rows.filter(has_text="Greenhouse")).to_contain_text("Ready")  # the catalog's boards
    expect(rows.filter(has_text="Demo data").first).to_contain_text("never by a refresh")
    expect(page.get_by_role("button", name="Fetch Adzuna now")).to_be_disabled()
    expect(page.get_by_role("button", name="Sync to CTS now")).to_be_disabled()
    screenshots(page, "refresh-page")


def _browsable_json(page) -> dict:
    """The JSON answer DRF's browsable API shows as text."""
    text = page.locator(".response-info pre").inner_text()
    return json.loads(text[text.index("{") :])
