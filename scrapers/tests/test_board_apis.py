"""Lever, Ashby and Microsoft Careers spiders against local servers speaking their APIs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingestion.choices import SyncStatus
from jobs.choices import AtsKind, EmploymentType, JobLevel, JobStatus, Remote, SalaryPeriod
from jobs.models import Job
from jobs.tests.factories import CompanyFactory, JobFactory
from scrapers.tests.fakes import (
    ashby_board,
    ashby_job,
    json_reply,
    lever_pages,
    lever_posting,
    microsoft_details,
    microsoft_position,
    microsoft_search,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_lever_pages_through_skip_and_limit_and_reads_salary_ranges(fake_site, run_spider):
    CompanyFactory(name="Acme Music", ats_kind=AtsKind.LEVER, board_token="acme")
    postings = [lever_posting(f"id-{n}", f"Backend Engineer {n}") for n in range(4)]
    postings.append(
        lever_posting(
            "id-hourly",
            "Warehouse Associate",
            workplaceType="hybrid",
            categories={"commitment": "Part-time", "location": "New York, NY", "team": "Ops"},
            country="US",
            salaryRange={"min": 18, "max": 22.5, "currency": "USD", "interval": "per-hour-wage"},
        )
    )
    fake_site.routes["/v0/postings/acme"] = lever_pages(postings)

    log = run_spider("lever", LEVER_BASE_URL=fake_site.url, LEVER_PAGE_SIZE=2)

    assert (log.status, log.created) == (SyncStatus.SUCCESS, 5)
    assert fake_site.asked("/v0/postings/acme") == 3  # 2 + 2 + 1: the short page is the last
    assert log.details["boards"]["acme"]["status"] == "complete"
    hourly = Job.objects.get(source="lever", external_id="id-hourly")
    assert (hourly.salary_min, hourly.salary_max) == (Decimal("18"), Decimal("22.5"))
    assert (hourly.salary_currency, hourly.salary_period) == ("USD", SalaryPeriod.HOUR)
    assert hourly.salary_annual_min > Decimal("30000")
    assert hourly.remote == Remote.HYBRID
    assert hourly.employment_type == EmploymentType.PART_TIME
    assert (hourly.city, hourly.country) == ("New York", "US")
    assert hourly.apply_url == "https://jobs.lever.co/acme/id-hourly/apply"
    assert hourly.company.name == "Acme Music"
    assert "Ship features" in hourly.description
    onsite = Job.objects.get(source="lever", external_id="id-0")
    assert onsite.remote == Remote.ONSITE  # real payloads say "onsite"
    assert onsite.employment_type == EmploymentType.FULL_TIME  # "Permanent"
    assert onsite.country == "GB"


@pytest.mark.parametrize(
    ("route", "max_pages", "asked", "listed"),
    [
        ("same page whatever the skip", 100, 2, 2),  # an API ignoring skip: its second page brings nothing new
        ("pages", 2, 2, 4),  # LEVER_MAX_PAGES reached with more behind
    ],
)
def test_lever_paging_stops_and_expires_nothing_when_it_cannot_reach_the_end(
    fake_site, run_spider, route, max_pages, asked, listed
):
    CompanyFactory(name="Acme Music", ats_kind=AtsKind.LEVER, board_token="acme")
    stale = JobFactory(source="lever", board="acme", external_id="gone", title="Listed last week")
    postings = [lever_posting(f"id-{n}", f"Backend Engineer {n}") for n in range(5)]
    fake_site.routes["/v0/postings/acme"] = (
        json_reply(postings[:2]) if route == "same page whatever the skip" else lever_pages(postings)
    )

    log = run_spider("lever", LEVER_BASE_URL=fake_site.url, LEVER_PAGE_SIZE=2, LEVER_MAX_PAGES=max_pages)

    assert fake_site.asked("/v0/postings/acme") == asked
    assert log.details["boards"]["acme"]["status"] == "incomplete"
    assert Job.objects.filter(source="lever").exclude(pk=stale.pk).count() == listed
    stale.refresh_from_db()
    assert stale.status == JobStatus.ACTIVE  # a partial read expires nothing


def test_ashby_reads_compensation_and_skips_unlisted_jobs(fake_site, run_spider):
    fake_site.routes["/posting-api/job-board/acme"] = json_reply(
        ashby_board(
            [
                ashby_job("a-1", "Director, Performance Marketing"),
                ashby_job(
                    "a-2",
                    "Account Executive",
                    location="London",
                    isRemote=False,
                    workplaceType="OnSite",
                    employmentType="Contract",
                    address={"postalAddress": {"addressCountry": "United Kingdom", "addressLocality": "London"}},
                    compensation={"summaryComponents": []},
                ),
                ashby_job("a-3", "Hidden role", isListed=False),
            ]
        )
    )

    log = run_spider("ashby", args={"boards": "acme"}, ASHBY_BASE_URL=fake_site.url)

    assert (log.status, log.created) == (SyncStatus.SUCCESS, 2)
    director = Job.objects.get(source="ashby", external_id="a-1")
    assert director.job_level == JobLevel.DIRECTOR
    assert director.remote == Remote.REMOTE
    assert director.employment_type == EmploymentType.FULL_TIME
    assert (director.salary_min, director.salary_max, director.salary_currency) == (
        Decimal("151000"),
        Decimal("231000"),
        "USD",
    )
    assert director.salary_period == SalaryPeriod.YEAR
    assert director.country == "US"
    assert director.apply_url.endswith("/a-1/application")
    account = Job.objects.get(source="ashby", external_id="a-2")
    assert (account.remote, account.employment_type, account.country) == (
        Remote.ONSITE,
        EmploymentType.CONTRACTOR,
        "GB",
    )
    assert account.salary_min is None
    assert not Job.objects.filter(source="ashby", external_id="a-3").exists()


def test_microsoft_pages_fetches_descriptions_backs_off_on_429_and_drops_malformed(fake_site, run_spider):
    positions = [microsoft_position(1970393556922900 + n, f"Software Engineer II {n}") for n in range(4)]
    positions.append(microsoft_position(1970393556922999, None))  # malformed: no name
    positions[1]["workLocationOption"] = "remote"
    positions[2]["name"] = "Research Intern - Security"
    fake_site.routes["/api/pcsx/search"] = microsoft_search(positions, page_size=3)
    details = microsoft_details({str(p["id"]): f"<p>About {p['name']}</p>" for p in positions[:3]})
    throttled = [json_reply({"status": 429, "error": {"message": "slow down"}}, 429, {"Retry-After": "1"})]
    fake_site.routes["/api/pcsx/position_details"] = lambda query: throttled.pop() if throttled else details(query)

    CompanyFactory(name="Microsoft", ats_kind=AtsKind.MICROSOFT, board_token="microsoft.com")
    log = run_spider("microsoft", MICROSOFT_CAREERS_BASE_URL=fake_site.url)

    board = log.details["boards"]["microsoft.com"]
    assert board["status"] == "complete"
    assert board["http"]["429"] == 1
    assert log.details["dropped"] == {"missing title": 1}
    assert fake_site.asked("/api/pcsx/search") == 2  # start=0 and start=3 of count 5
    assert log.created == 4
    first = Job.objects.get(source="microsoft", external_id=str(positions[0]["id"]))
    assert first.company.name == "Microsoft"
    assert first.description == f"About {positions[0]['name']}"
    assert (first.city, first.region, first.country) == ("Redmond", "WA", "US")
    assert first.apply_url == f"{fake_site.url}/careers/job/{positions[0]['id']}"
    assert first.posted_at.timestamp() == 1790838000
    assert Job.objects.get(source="microsoft", external_id=str(positions[1]["id"])).remote == Remote.REMOTE
    intern = Job.objects.get(source="microsoft", external_id=str(positions[2]["id"]))
    assert intern.is_internship
    # The fourth position's details 404: kept from the listing, without a description.
    fourth = Job.objects.get(source="microsoft", external_id=str(positions[3]["id"]))
    assert fourth.description == "" and fourth.status == JobStatus.ACTIVE
    assert any("no description" in e for e in board["errors"])
