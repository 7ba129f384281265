"""The Workable and Recruitee spiders against local servers speaking their public job APIs."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ingestion.choices import SyncStatus
from jobs.choices import AtsKind, EmploymentType, JobStatus, Remote, SalaryPeriod
from jobs.models import Job
from jobs.tests.factories import CompanyFactory
from scrapers.tests.fakes import json_reply, recruitee_offer, workable_account, workable_job

pytestmark = [pytest.mark.django_db(transaction=True)]

ACCOUNT = "/api/v1/widget/accounts/acmelabs"
OFFERS = "/acme/api/offers/"


def _workable_jobs() -> list[dict]:
    return [
        workable_job("A1B2C3D4E5", "Senior Platform Engineer"),
        workable_job(
            "F6G7H8I9J0",
            "Customer Success Manager",
            telecommuting=True,
            employment_type="Contract",
            city="",
            state="",
            locations=[
                {"country": "Germany", "countryCode": "DE", "city": "Berlin", "region": "", "hidden": False},
                {"country": "Spain", "countryCode": "ES", "city": "Madrid", "region": "", "hidden": False},
            ],
        ),
        workable_job("", "No shortcode"),  # malformed: skipped and counted
    ]


def _recruitee_offers() -> list[dict]:
    return [
        recruitee_offer(
            101,
            "Data Engineer",
            hybrid=True,
            on_site=False,
            salary={"min": "60000", "max": "75000", "currency": "EUR", "period": "year"},
        ),
        recruitee_offer(102, "Marketing Intern", employment_type_code="internship", close_at="2026-09-01 00:00:00 UTC"),
        recruitee_offer(103, None),  # malformed: no title
    ]


@pytest.mark.slow
def test_workable_accounts_land_normalized_and_recrawl_gives_the_same_rows(fake_site, run_spider):
    CompanyFactory(name="Acme Labs", ats_kind=AtsKind.WORKABLE, board_token="acmelabs")
    CompanyFactory(name="Down Co", ats_kind=AtsKind.WORKABLE, board_token="downco")
    jobs = _workable_jobs()
    fake_site.routes[ACCOUNT] = [
        json_reply({"error": "Too Many Requests"}, 429, {"Retry-After": "1"}),
        json_reply(workable_account(jobs)),
    ]
    fake_site.routes["/api/v1/widget/accounts/downco"] = json_reply({"error": "upstream"}, 500)
    settings = {"WORKABLE_BASE_URL": fake_site.url}

    log = run_spider("workable", **settings)

    assert log.status == SyncStatus.PARTIAL and log.message == "1 of 2 boards failed"
    assert log.details["boards"]["acmelabs"]["http"] == {"429": 1, "200": 1}
    assert log.details["boards"]["downco"]["http"] == {"500": 4}
    assert log.details["dropped"] == {"missing external id": 1}
    senior = Job.objects.get(source="workable", external_id="A1B2C3D4E5")
    assert (senior.company.name, senior.city, senior.region, senior.country) == ("Acme Labs", "Athens", "Attica", "GR")
    assert (senior.remote, senior.employment_type) == (Remote.ONSITE, EmploymentType.FULL_TIME)
    assert senior.posted_at == datetime(2026, 7, 9, tzinfo=UTC)
    assert senior.apply_url == "https://apply.workable.com/j/A1B2C3D4E5/apply"
    assert "build the product" in senior.description
    csm = Job.objects.get(source="workable", external_id="F6G7H8I9J0")
    assert (csm.remote, csm.employment_type, csm.city, csm.country) == (
        Remote.REMOTE,
        EmploymentType.CONTRACTOR,
        "Berlin",
        "DE",
    )

    rows = {j.external_id: (j.pk, j.title, j.city) for j in Job.objects.filter(source="workable")}
    again = run_spider("workable", args={"boards": "acmelabs"}, **settings)
    assert (again.created, again.updated, again.unchanged, again.expired) == (0, 0, 2, 0)
    assert {j.external_id: (j.pk, j.title, j.city) for j in Job.objects.filter(source="workable")} == rows

    fake_site.routes[ACCOUNT] = json_reply(workable_account(jobs[1:]))
    last = run_spider("workable", args={"boards": "acmelabs"}, **settings)
    assert last.expired == 1
    assert Job.objects.get(source="workable", external_id="A1B2C3D4E5").status == JobStatus.EXPIRED


@pytest.mark.slow
def test_recruitee_offers_land_normalized_and_recrawl_gives_the_same_rows(fake_site, run_spider):
    CompanyFactory(name="Acme BV", ats_kind=AtsKind.RECRUITEE, board_token="acme")
    CompanyFactory(name="Down BV", ats_kind=AtsKind.RECRUITEE, board_token="down")
    offers = _recruitee_offers()
    fake_site.routes[OFFERS] = [
        json_reply({"error": "Too Many Requests"}, 429, {"Retry-After": "1"}),
        json_reply({"offers": offers}),
    ]
    fake_site.routes["/down/api/offers/"] = json_reply({"error": "upstream"}, 502)
    settings = {"RECRUITEE_BASE_URL": f"{fake_site.url}/{{company}}"}

    log = run_spider("recruitee", **settings)

    assert log.status == SyncStatus.PARTIAL and log.message == "1 of 2 boards failed"
    assert log.details["boards"]["acme"]["http"] == {"429": 1, "200": 1}
    assert log.details["boards"]["down"]["http"] == {"502": 4}
    assert log.details["dropped"] == {"missing title": 1}
    data = Job.objects.get(source="recruitee", external_id="101")
    assert (data.company.name, data.city, data.country, data.remote) == ("Acme BV", "Amsterdam", "NL", Remote.HYBRID)
    assert (data.salary_min, data.salary_max, data.salary_currency) == (Decimal("60000"), Decimal("75000"), "EUR")
    assert data.salary_period == SalaryPeriod.YEAR
    assert data.posted_at == datetime(2026, 7, 10, 12, 0, tzinfo=UTC)  # "2026-07-10 12:00:00 UTC"
    assert data.employment_type == EmploymentType.FULL_TIME  # fulltime_permanent
    assert data.apply_url == "https://acme.recruitee.com/o/data-engineer/c/new"
    assert "join us" in data.description and "Python" in data.description
    intern = Job.objects.get(source="recruitee", external_id="102")
    assert intern.is_internship and intern.remote == Remote.ONSITE
    assert intern.expires_at == datetime(2026, 9, 1, tzinfo=UTC)

    rows = {j.external_id: (j.pk, j.title, j.salary_min) for j in Job.objects.filter(source="recruitee")}
    again = run_spider("recruitee", args={"boards": "acme"}, **settings)
    assert (again.created, again.updated, again.unchanged, again.expired) == (0, 0, 2, 0)
    assert {j.external_id: (j.pk, j.title, j.salary_min) for j in Job.objects.filter(source="recruitee")} == rows

    fake_site.routes[OFFERS] = json_reply({"offers": offers[1:]})
    last = run_spider("recruitee", args={"boards": "acme,evil.example/x"}, **settings)
    assert last.expired == 1
    assert Job.objects.get(source="recruitee", external_id="101").status == JobStatus.EXPIRED
    # A token that is not one DNS label fails its board before any request (it would become the host).
    assert "expected the company's subdomain" in last.details["boards"]["evil.example/x"]["errors"][0]


@pytest.mark.parametrize("token", ["evil.example/x", "acme.recruitee.com", "a@b", "-acme"])
def test_the_admin_refuses_a_recruitee_token_that_is_not_a_subdomain(token):
    with pytest.raises(ValidationError, match="subdomain"):
        CompanyFactory.build(name="Acme", ats_kind=AtsKind.RECRUITEE, board_token=token).clean()
