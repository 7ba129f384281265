"""The SmartRecruiters spider against a local server speaking its Posting API: pages, then each posting."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ingestion.choices import SyncStatus
from jobs.choices import AtsKind, EmploymentType, JobStatus, Remote
from jobs.models import Job
from jobs.tests.factories import CompanyFactory
from scrapers.tests.fakes import json_reply, smartrecruiters_detail, smartrecruiters_listed, smartrecruiters_pages

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

LIST = "/v1/companies/AcmeCorp/postings"


def _serve(site, listed: list[dict]) -> None:
    site.routes[LIST] = smartrecruiters_pages([*listed, {"name": "No id"}])
    for posting in listed:
        site.routes[f"{LIST}/{posting['id']}"] = json_reply(smartrecruiters_detail(posting))
    first = f"{LIST}/{listed[0]['id']}"
    site.routes[first] = [json_reply({"message": "slow down"}, 429, {"Retry-After": "1"}), site.routes[first]]
    broken = next((p for p in listed if p["name"] == "Support Specialist"), None)
    if broken:
        site.routes[f"{LIST}/{broken['id']}"] = json_reply({"message": "upstream"}, 503)


def _listed() -> list[dict]:
    return [
        smartrecruiters_listed("744000010000001", "Senior Backend Engineer"),
        smartrecruiters_listed(
            "744000010000002",
            "Account Executive",
            location={"city": "London", "country": "gb", "remote": True},
            typeOfEmployment={"id": "contract", "label": "Contract"},
        ),
        smartrecruiters_listed("744000010000003", "Support Specialist", releasedDate="2026-07-01T08:00:00.000Z"),
    ]


def _run(run_spider, site, **settings):
    return run_spider("smartrecruiters", SMARTRECRUITERS_BASE_URL=site.url, SMARTRECRUITERS_PAGE_SIZE=2, **settings)


def test_smartrecruiters_pages_fetches_each_posting_and_lands_normalized_jobs(fake_site, run_spider):
    CompanyFactory(name="Acme Corp", ats_kind=AtsKind.SMARTRECRUITERS, board_token="AcmeCorp")
    CompanyFactory(name="Gone Ltd", ats_kind=AtsKind.SMARTRECRUITERS, board_token="GoneLtd")  # 404
    listed = _listed()
    _serve(fake_site, listed)

    log = _run(run_spider, fake_site)

    assert log.status == SyncStatus.PARTIAL and log.message == "1 of 2 boards failed"
    board = log.details["boards"]["AcmeCorp"]
    assert board["status"] == "complete"
    assert fake_site.asked(LIST) == 2  # 4 listed at 2 a page
    assert board["http"]["429"] == 1 and board["http"]["503"] == 4
    assert any("no description" in e for e in board["errors"])
    assert "HTTP 404" in log.details["boards"]["GoneLtd"]["errors"][0]
    assert log.details["dropped"] == {"missing external id": 1}
    assert log.created == 3

    senior = Job.objects.get(source="smartrecruiters", external_id="744000010000001")
    assert (senior.company.name, senior.board, senior.category) == ("Acme Corp", "AcmeCorp", "Engineering")
    assert (senior.city, senior.region, senior.country, senior.remote) == ("Austin", "TX", "US", Remote.ONSITE)
    assert senior.employment_type == EmploymentType.FULL_TIME
    assert senior.posted_at == datetime(2026, 7, 10, 14, 22, 31, tzinfo=UTC)
    assert senior.apply_url == "https://jobs.smartrecruiters.com/AcmeCorp/744000010000001-role"
    assert "As a Senior Backend Engineer, you ship." in senior.description and "Qualifications" in senior.description
    account = Job.objects.get(source="smartrecruiters", external_id="744000010000002")
    assert (account.remote, account.country, account.employment_type) == (
        Remote.REMOTE,
        "GB",
        EmploymentType.CONTRACTOR,
    )
    support = Job.objects.get(source="smartrecruiters", external_id="744000010000003")  # its detail failed
    assert (support.description, support.status) == ("", JobStatus.ACTIVE)
    assert support.apply_url == "https://jobs.smartrecruiters.com/AcmeCorp/744000010000003"


def test_smartrecruiters_crawled_twice_gives_the_same_rows_and_a_vanished_posting_expires(fake_site, run_spider):
    CompanyFactory(name="Acme Corp", ats_kind=AtsKind.SMARTRECRUITERS, board_token="AcmeCorp")
    listed = _listed()
    _serve(fake_site, listed)
    first = _run(run_spider, fake_site)
    assert (first.status, first.created) == (SyncStatus.SUCCESS, 3)
    rows = {j.external_id: (j.pk, j.title, j.posted_at) for j in Job.objects.filter(source="smartrecruiters")}

    again = _run(run_spider, fake_site)
    assert (again.created, again.updated, again.unchanged, again.expired) == (0, 0, 3, 0)
    assert {j.external_id: (j.pk, j.title, j.posted_at) for j in Job.objects.filter(source="smartrecruiters")} == rows

    _serve(fake_site, listed[1:])
    last = _run(run_spider, fake_site)
    assert last.expired == 1
    assert Job.objects.get(source="smartrecruiters", external_id="744000010000001").status == JobStatus.EXPIRED
