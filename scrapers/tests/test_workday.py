"""The Workday spider against a local server speaking its CXS API: listing pages, then each posting's detail."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from ingestion.choices import SyncStatus
from jobs.choices import AtsKind, EmploymentType, JobLevel, JobStatus, Remote
from jobs.models import Job
from jobs.tests.factories import CompanyFactory
from scrapers.tests.fakes import json_reply, workday_detail, workday_listed, workday_listing, workday_serve

pytestmark = [pytest.mark.django_db(transaction=True)]

HOST = "acme.wd5.myworkdayjobs.com"
TOKEN = f"{HOST}/acme/External"
LISTING = f"/{HOST}/wday/cxs/acme/External/jobs"


def _postings() -> list[dict]:
    return [
        workday_listed("Data-Engineer_R100", "Data Engineer", place="USA DC Washington"),
        workday_listed("Senior-Analyst--Hybrid-_R101", "Senior Analyst (Hybrid)", place="USA NC Fort Bragg"),
        workday_listed("Software-Intern_R102", "Software Engineering Intern", place="2 Locations"),
        workday_listed("Cloud-Engineer_R103", "Cloud Engineer", place="DEU Wiesbaden - Wiesbaden Army Airfield"),
        workday_listed("Field-Technician_R104", "Field Technician", postedOn="Posted 30+ Days Ago"),
    ]


def _serve(site, postings: list[dict]) -> dict[str, str]:
    details = {p["externalPath"]: workday_detail(p) for p in postings}
    by_slug = {path.rpartition("/")[2].partition("_")[0]: detail["jobPostingInfo"] for path, detail in details.items()}
    if "Software-Intern" in by_slug:
        by_slug["Software-Intern"].update(
            location="USA CA San Jose", additionalLocations=["USA TX Austin"], timeType="Part time"
        )
    if "Cloud-Engineer" in by_slug:
        germany = {"descriptor": "Germany", "id": "dcc5b7608d8644b3a93716604e78e995", "alpha2Code": "DE"}
        by_slug["Cloud-Engineer"]["jobRequisitionLocation"]["country"] = germany
    paths = workday_serve(site, HOST, "acme", "External", details)
    site.routes[LISTING] = workday_listing([*postings, {"title": "No path", "postedOn": "Posted Today"}])
    for external_path, path in paths.items():
        if "Data-Engineer" in external_path:  # throttled once (Retry-After)
            site.routes[path] = [
                json_reply({"error": "Too Many Requests"}, 429, {"Retry-After": "1"}),
                json_reply(details[external_path]),
            ]
        elif "Field-Technician" in external_path:  # always fails
            site.routes[path] = json_reply({"error": "upstream"}, 502)
    return paths


def _run(run_spider, site, **settings):
    return run_spider("workday", WORKDAY_BASE_URL=f"{site.url}/{{host}}", WORKDAY_PAGE_SIZE=2, **settings)


@pytest.mark.slow
def test_workday_lists_pages_fetches_each_detail_and_lands_normalized_jobs(fake_site, run_spider):
    CompanyFactory(name="Acme Defense", ats_kind=AtsKind.WORKDAY, board_token=TOKEN)
    CompanyFactory(name="Down Corp", ats_kind=AtsKind.WORKDAY, board_token="down.wd1.myworkdayjobs.com/down/Jobs")
    postings = _postings()
    paths = _serve(fake_site, postings)
    fake_site.routes["/down.wd1.myworkdayjobs.com/wday/cxs/down/Jobs/jobs"] = json_reply({"error": "x"}, 503)

    log = _run(run_spider, fake_site)

    assert log.status == SyncStatus.PARTIAL and log.message == "1 of 2 boards failed"
    board = log.details["boards"][TOKEN]
    assert board["status"] == "complete"
    # 6 listed (one malformed) at 2 a page: 3 listing pages, though pages after the first say total 0.
    assert fake_site.asked(LISTING) == 3
    # acme's offsets 0, 2, 4; the down board's offset 0 tried four times (503, then RETRY_TIMES retries).
    assert sorted(body["offset"] for body in fake_site.posted) == [0, 0, 0, 0, 0, 2, 4]
    assert fake_site.posted[0] == {"appliedFacets": {}, "limit": 2, "offset": 0, "searchText": ""}
    assert fake_site.asked(paths[postings[0]["externalPath"]]) == 2  # retried after its 429
    assert board["http"]["429"] == 1 and board["http"]["502"] == 4
    assert any("no description" in e and "502" in e for e in board["errors"])
    assert log.details["boards"]["down.wd1.myworkdayjobs.com/down/Jobs"]["status"] == "failed"
    assert log.details["dropped"] == {"missing external id": 1}
    assert log.created == 5

    data = Job.objects.get(source="workday", external_id="acme:Data-Engineer_R100")
    assert (data.board, data.company.name, data.title) == (TOKEN, "Acme Defense", "Data Engineer")
    assert (data.city, data.region, data.country) == ("Washington", "DC", "US")
    assert data.posted_at == datetime(2026, 7, 7, tzinfo=UTC)  # the detail's startDate
    assert data.employment_type == EmploymentType.FULL_TIME
    assert data.apply_url == f"https://{HOST}/External/job/USA-DC-Washington/Data-Engineer_R100"
    assert "About the role: Data Engineer." in data.description
    hybrid = Job.objects.get(source="workday", external_id="acme:Senior-Analyst--Hybrid-_R101")
    assert (hybrid.remote, hybrid.job_level, hybrid.city) == (Remote.HYBRID, JobLevel.EXPERIENCED, "Fort Bragg")
    intern = Job.objects.get(source="workday", external_id="acme:Software-Intern_R102")
    assert intern.is_internship and intern.employment_type == EmploymentType.INTERN
    assert (intern.city, intern.region) == ("San Jose", "CA")  # the detail's place, not "2 Locations"
    cloud = Job.objects.get(source="workday", external_id="acme:Cloud-Engineer_R103")
    assert (cloud.city, cloud.country) == ("Wiesbaden", "DE")
    # The technician's detail failed: kept from the listing, no description, no date ("30+ days" is no date).
    tech = Job.objects.get(source="workday", external_id="acme:Field-Technician_R104")
    assert (tech.description, tech.posted_at, tech.status) == ("", None, JobStatus.ACTIVE)
    assert tech.apply_url == f"https://{HOST}/External/job/USA-VA-Chantilly/Field-Technician_R104"


@pytest.mark.slow
def test_workday_crawled_twice_gives_the_same_rows_and_a_vanished_posting_expires(fake_site, run_spider):
    CompanyFactory(name="Acme Defense", ats_kind=AtsKind.WORKDAY, board_token=TOKEN)
    postings = _postings()
    _serve(fake_site, postings)

    first = _run(run_spider, fake_site)
    assert (first.status, first.created) == (SyncStatus.SUCCESS, 5)
    rows = {j.external_id: (j.pk, j.title, j.posted_at, j.city) for j in Job.objects.filter(source="workday")}

    again = _run(run_spider, fake_site)
    assert (again.created, again.updated, again.unchanged, again.expired) == (0, 0, 5, 0)
    assert {j.external_id: (j.pk, j.title, j.posted_at, j.city) for j in Job.objects.filter(source="workday")} == rows

    _serve(fake_site, postings[1:])  # the data engineer posting is taken down
    last = _run(run_spider, fake_site)
    assert last.expired == 1
    assert Job.objects.get(source="workday", external_id="acme:Data-Engineer_R100").status == JobStatus.EXPIRED


@pytest.mark.slow
def test_workday_paging_cut_short_expires_nothing(fake_site, run_spider):
    CompanyFactory(name="Acme Defense", ats_kind=AtsKind.WORKDAY, board_token=TOKEN)
    postings = _postings()
    _serve(fake_site, postings)
    _run(run_spider, fake_site)

    log = _run(run_spider, fake_site, WORKDAY_MAX_PAGES=1)  # the first page of three only

    assert log.details["boards"][TOKEN]["status"] == "incomplete"
    assert log.expired == 0 and fake_site.asked(LISTING) == 4
    assert not Job.objects.filter(source="workday", status=JobStatus.EXPIRED).exists()


@pytest.mark.slow
def test_a_malformed_workday_board_fails_with_the_expected_form(run_spider):
    log = run_spider("workday", args={"boards": "acme.wd5.myworkdayjobs.com/External"})
    board = log.details["boards"]["acme.wd5.myworkdayjobs.com/External"]
    assert board["status"] == "failed"
    assert "expected host/tenant/site, e.g. gdit.wd5.myworkdayjobs.com/gdit/External_Career_Site" in board["errors"][0]


@pytest.mark.parametrize(
    "token",
    [
        "acme.wd5.myworkdayjobs.com/External",  # two parts
        "intranet.local/acme/External",  # not a Workday host: the token decides where a crawl connects
        "acme.wd5.myworkdayjobs.com/acme/External/more",
        "acme.wd5.myworkdayjobs.com/ac me/External",
    ],
)
def test_the_admin_refuses_a_malformed_workday_token(token):
    company = CompanyFactory.build(name="Acme", ats_kind=AtsKind.WORKDAY, board_token=token)
    with pytest.raises(ValidationError, match="host/tenant/site"):
        company.clean()
