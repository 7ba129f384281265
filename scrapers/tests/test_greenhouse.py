"""The Greenhouse spider against a local board API: normalized jobs, failures, re-crawls, expiry."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gigm8.tests.xss import DIRTY_DESCRIPTION_HTML, assert_sanitized
from ingestion.choices import SyncStatus
from jobs.choices import AtsKind, EmploymentType, JobLevel, JobStatus, Remote, SalaryPeriod
from jobs.models import Job
from jobs.tests.factories import CompanyFactory, JobFactory
from scrapers.tests.fakes import greenhouse_board, greenhouse_job, greenhouse_pay, html_reply, json_reply

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _acme_jobs() -> list[dict]:
    return [
        greenhouse_job(
            101,
            "Senior Backend Engineer",
            location="San Francisco, CA",
            metadata=[{"id": 1, "name": "Location Type", "value": "Hybrid", "value_type": "single_select"}],
            content="<p>Build our APIs in Python.</p>" + greenhouse_pay("$180,000", "$220,000"),
        ),
        greenhouse_job(102, "Software Engineering Intern", location="Remote, United States"),
        greenhouse_job(103, None),  # malformed: no title
    ]


def _serve(site, jobs):
    site.routes["/v1/boards/acme/jobs"] = json_reply(greenhouse_board(jobs))
    site.routes["/v1/boards/busy/jobs"] = [
        json_reply({"status": 429, "error": "Too Many Requests"}, 429, {"Retry-After": "1"}),
        json_reply(greenhouse_board([greenhouse_job(201, "Account Executive", location="London, UK")])),
    ]
    # /v1/boards/gone/jobs is not routed: 404, as Greenhouse answers for an unknown board.
    site.routes["/v1/boards/down/jobs"] = json_reply({"error": "upstream"}, 502)
    site.routes["/v1/boards/garbled/jobs"] = html_reply("<html>Maintenance</html>")  # 200, not JSON


def test_greenhouse_boards_land_normalized_and_a_failed_board_expires_nothing(fake_site, run_spider):
    CompanyFactory(name="Acme Robotics", ats_kind=AtsKind.GREENHOUSE, board_token="acme")
    CompanyFactory(name="Busy Corp", ats_kind=AtsKind.GREENHOUSE, board_token="busy")
    CompanyFactory(name="Gone Inc", ats_kind=AtsKind.GREENHOUSE, board_token="gone")
    CompanyFactory(name="Down Ltd", ats_kind=AtsKind.GREENHOUSE, board_token="down")
    CompanyFactory(name="Garbled", ats_kind=AtsKind.GREENHOUSE, board_token="garbled")
    CompanyFactory(name="Paused", ats_kind=AtsKind.GREENHOUSE, board_token="paused", is_enabled=False)
    kept = [
        JobFactory(source="greenhouse", board=board, external_id=f"old-{board}", title="Old but maybe alive")
        for board in ("gone", "down", "garbled")
    ]
    _serve(fake_site, _acme_jobs())

    log = run_spider("greenhouse", GREENHOUSE_BASE_URL=fake_site.url)

    assert log.status == SyncStatus.PARTIAL  # three boards of five failed
    assert log.message == "3 of 5 boards failed"
    boards = log.details["boards"]
    assert boards["acme"]["status"] == "complete"
    assert boards["busy"]["status"] == "complete"
    assert boards["busy"]["http"] == {"429": 1, "200": 1}  # retried after Retry-After
    assert boards["gone"]["status"] == "failed"
    assert "HTTP 404" in boards["gone"]["errors"][0]
    assert boards["down"]["status"] == "failed"
    assert boards["down"]["http"] == {"502": 4}  # the first try and RETRY_TIMES retries
    assert "HTTP 502" in boards["down"]["errors"][0]
    assert boards["garbled"]["status"] == "failed"
    assert "unparsable" in boards["garbled"]["errors"][0]
    assert "paused" not in boards
    assert fake_site.asked("/v1/boards/paused/jobs") == 0
    assert log.details["dropped"] == {"missing title": 1}
    assert log.skipped == 1
    assert any("missing title" in line for line in log.error_sample)
    assert any("gone" in line and "404" in line for line in log.error_sample)

    senior = Job.objects.get(source="greenhouse", external_id="101")
    assert senior.board == "acme"
    assert senior.company.name == "Acme Robotics"
    assert senior.job_level == JobLevel.EXPERIENCED
    assert senior.remote == Remote.HYBRID
    assert (senior.salary_min, senior.salary_max) == (Decimal("180000"), Decimal("220000"))
    assert (senior.salary_currency, senior.salary_period) == ("USD", SalaryPeriod.YEAR)
    assert (senior.city, senior.country) == ("San Francisco", "US")
    assert senior.apply_url == "https://job-boards.greenhouse.io/acme/jobs/101"
    assert "Build our APIs in Python." in senior.description
    assert "<p>" in senior.description_html  # stored as HTML, not entities
    intern = Job.objects.get(source="greenhouse", external_id="102")
    assert intern.is_internship and intern.employment_type == EmploymentType.INTERN
    assert intern.remote == Remote.REMOTE
    assert Job.objects.get(source="greenhouse", external_id="201").board == "busy"
    for job in kept:  # their boards failed: nothing of them is expired
        job.refresh_from_db()
        assert job.status == JobStatus.ACTIVE


def test_greenhouse_recrawl_is_idempotent_and_a_vanished_posting_expires(fake_site, run_spider):
    CompanyFactory(name="Acme Robotics", ats_kind=AtsKind.GREENHOUSE, board_token="acme")
    jobs = _acme_jobs()
    _serve(fake_site, jobs)
    first = run_spider("greenhouse", args={"boards": "acme"}, GREENHOUSE_BASE_URL=fake_site.url)
    assert (first.created, first.status) == (2, SyncStatus.SUCCESS)
    rows = {j.external_id: (j.pk, j.title, j.salary_min) for j in Job.objects.filter(source="greenhouse")}

    again = run_spider("greenhouse", args={"boards": "acme"}, GREENHOUSE_BASE_URL=fake_site.url)
    assert (again.created, again.updated, again.unchanged, again.expired) == (0, 0, 2, 0)
    assert {j.external_id: (j.pk, j.title, j.salary_min) for j in Job.objects.filter(source="greenhouse")} == rows

    _serve(fake_site, [jobs[0]])  # the intern posting is taken down
    last = run_spider("greenhouse", args={"boards": "acme"}, GREENHOUSE_BASE_URL=fake_site.url)
    assert last.expired == 1
    assert Job.objects.get(source="greenhouse", external_id="102").status == JobStatus.EXPIRED
    assert Job.objects.get(source="greenhouse", external_id="101").status == JobStatus.ACTIVE
    assert last.details["boards"]["acme"]["expired"] == 1


def test_a_crawled_description_is_stored_sanitized(fake_site, run_spider):
    CompanyFactory(name="Acme Robotics", ats_kind=AtsKind.GREENHOUSE, board_token="acme")
    dirty = greenhouse_job(301, "Data Engineer", content=DIRTY_DESCRIPTION_HTML)
    fake_site.routes["/v1/boards/acme/jobs"] = json_reply(greenhouse_board([dirty]))

    log = run_spider("greenhouse", GREENHOUSE_BASE_URL=fake_site.url)

    assert log.status == SyncStatus.SUCCESS
    job = Job.objects.get(source="greenhouse", external_id="301")
    assert_sanitized(job.description_html)
    assert "alert(" not in job.description


def test_a_whole_board_in_one_answer_has_its_own_size_limit(fake_site, run_spider):
    # Greenhouse has no paging: a big board is one big answer, allowed past the general limit.
    jobs = [greenhouse_job(n, f"Engineer {n}", content="<p>" + "Ship it. " * 300 + "</p>") for n in range(1, 4)]
    fake_site.routes["/v1/boards/big/jobs"] = json_reply(greenhouse_board(jobs))
    settings = {"GREENHOUSE_BASE_URL": fake_site.url, "DOWNLOAD_MAXSIZE": 2000}

    log = run_spider("greenhouse", args={"boards": "big"}, **settings)
    assert (log.status, log.created) == (SyncStatus.SUCCESS, 3)

    small = run_spider("greenhouse", args={"boards": "big"}, GREENHOUSE_DOWNLOAD_MAXSIZE=2000, **settings)
    assert small.status == SyncStatus.FAILED  # over its own limit, the board fails, whole
    assert small.details["boards"]["big"]["status"] == "failed"
