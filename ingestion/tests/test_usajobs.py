"""USAJobs: its real sample and the documented descriptor normalized, and runs against the local fake."""

import json
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import time_machine

from ingestion.choices import SyncKind, SyncStatus, TriggerKind
from ingestion.models import SyncLog
from ingestion.services.ingest import ingest_records
from ingestion.services.runs import sync_log_start
from ingestion.services.usajobs import NOT_CONFIGURED, usajobs_fetch, usajobs_record, usajobs_salary
from ingestion.tests.fake_feeds import USAJOBS_EMAIL, USAJOBS_KEY, USAJOBS_PATH, usajobs_item
from ingestion.tests.quality_remote import SHARED_DATA
from jobs.choices import EmploymentType, GeoPrecision, JobStatus, Remote, SalarySource
from jobs.models import Job

pytestmark = pytest.mark.django_db


def run() -> SyncLog:
    return usajobs_fetch(triggered_by=TriggerKind.COMMAND)


def _sample() -> dict:
    path = SHARED_DATA / "api_fixtures" / "usajobs_jobs.json"
    if not path.is_file():
        pytest.skip(f"{path} is not here (../shared/data holds the real samples; GIGM8_SHARED_DIR points elsewhere)")
    return json.loads(path.read_text(encoding="utf-8"))


# --- normalization --------------------------------------------------------------------------


def test_the_real_sample_becomes_these_jobs():
    items = _sample()["SearchResult"]["SearchResultItems"]
    jobs = {data.external_id: data for data in (usajobs_record(item, "all") for item in items)}
    assert sorted(jobs) == ["AAC-FAA-26-PUB NOT-96468", "FSA-2026-0118", "PHMSA.PSRG-2026-0018"]
    for data in jobs.values():
        assert data.source == "usajobs" and data.board == "all" and data.country == "US"
        assert (data.salary_currency, data.salary_period, data.salary_source) == ("USD", "year", "structured")
        assert data.city == "" and data.region == ""  # the sample has no PositionLocation: nothing to place

    remote = jobs["PHMSA.PSRG-2026-0018"]
    assert remote.title == "General Engineer (Inspector) (Control Room Management) - DIRECT HIRE"
    assert remote.company_name == "Pipeline and Hazardous Materials Safety Administration"
    assert (remote.location, remote.remote) == ("Anywhere in the U.S. (remote job)", Remote.REMOTE)
    assert remote.geo_precision == GeoPrecision.COUNTRY  # the country's centre, not a made-up city
    assert (remote.salary_min, remote.salary_max) == (Decimal("106437"), Decimal("158322"))
    assert remote.apply_url == "https://www.usajobs.gov:443/job/875440800"
    assert remote.posted_at == datetime(2026, 7, 6, tzinfo=UTC) and remote.expires_at is None
    assert remote.description.startswith("The incumbent of this position serves as a General Engineer (Inspector)")

    software = jobs["FSA-2026-0118"]
    assert software.title == (
        'IT Specialist (APPSW) "Software Engineer", GS-2210-15 FPL GS-15 (Direct Hire) (Open Continuous)'
    )
    assert (software.company_name, software.location) == ("Federal Student Aid", "Multiple Locations")
    assert software.remote == Remote.ONSITE  # RemoteIndicator false
    assert (software.salary_min, software.salary_max) == (Decimal("147945"), Decimal("197200"))
    assert software.posted_at == datetime(2026, 7, 1, tzinfo=UTC)

    faa = jobs["AAC-FAA-26-PUB NOT-96468"]
    assert faa.company_name == "Federal Aviation Administration"
    assert faa.location == "May be filled in various FAA duty locations"
    assert (faa.salary_min, faa.salary_annual_max) == (Decimal("52998"), Decimal("172257"))
    assert faa.posted_at == datetime(2025, 12, 12, tzinfo=UTC)


def test_a_full_descriptor_becomes_a_job_with_its_place_point_dates_and_apply_link():
    data = usajobs_record(usajobs_item(1), "keyword:data")
    assert (data.external_id, data.title, data.board) == ("880000001", "Data Scientist 1", "keyword:data")
    assert data.company_name == "Bureau of Example Statistics"
    assert (data.location, data.city, data.region, data.country) == (
        "Washington, District of Columbia",
        "Washington",
        "District of Columbia",
        "US",
    )
    assert (data.latitude, data.longitude, data.geo_precision) == (38.8904, -77.032, GeoPrecision.POINT)
    assert data.remote == Remote.ONSITE and data.employment_type == EmploymentType.FULL_TIME
    assert data.category == "Mathematical Statistics"
    assert data.apply_url == "https://www.usajobs.gov:443/job/880000001/apply"  # ApplyURI before PositionURI
    assert data.posted_at == datetime(2026, 7, 10, tzinfo=UTC)
    assert data.expires_at == datetime(2026, 8, 10, 23, 59, 59, 997000, tzinfo=UTC)  # ApplicationCloseDate
    assert "- Design statistical models of survey data." in data.description
    assert "Qualifications" in data.description and data.description.endswith("Grade: GS 12 to 13")
    assert "<li>Write reproducible analysis code.</li>" in data.description_html
    assert {"Python", "SQL"} <= set(data.skills)


def test_a_remote_announcement_takes_no_point_from_anywhere_and_telework_is_hybrid():
    anywhere = {
        "LocationName": "Anywhere in the U.S. (remote job)",
        "CountryCode": "United States",
        "CountrySubDivisionCode": "",
        "CityName": "Anywhere in the U.S. (remote job)",
        "Longitude": -98.5,
        "Latitude": 39.8,
    }
    display = "Anywhere in the U.S. (remote job)"
    remote = usajobs_record(usajobs_item(2, PositionLocation=[anywhere], PositionLocationDisplay=display), "all")
    assert (remote.remote, remote.city, remote.geo_precision) == (Remote.REMOTE, "", GeoPrecision.COUNTRY)
    flagged = usajobs_record(usajobs_item(3, details={"RemoteIndicator": True}), "all")
    assert flagged.remote == Remote.REMOTE and flagged.latitude != 38.8904  # not pinned to the office
    hybrid = usajobs_record(usajobs_item(4, details={"TeleworkEligible": True}), "all")
    assert hybrid.remote == Remote.HYBRID and hybrid.geo_precision == GeoPrecision.POINT


def test_several_locations_the_first_is_the_place_and_point():
    second = {
        "LocationName": "Denver, Colorado",
        "CountryCode": "United States",
        "CountrySubDivisionCode": "Colorado",
        "CityName": "Denver, Colorado",
        "Longitude": -104.99,
        "Latitude": 39.74,
    }
    raw = usajobs_item(5, PositionLocationDisplay="Multiple Locations")
    raw["MatchedObjectDescriptor"]["PositionLocation"].append(second)
    data = usajobs_record(raw, "all")
    assert (data.location, data.city, data.region, data.latitude) == (
        "Multiple Locations",
        "Washington",
        "District of Columbia",
        38.8904,
    )


@pytest.mark.parametrize(
    ("code", "low", "high", "period", "annual_min"),
    [
        ("PA", "99200", "153354", "year", Decimal("99200")),
        ("PH", "25.50", "33.15", "hour", Decimal("53040")),
        ("PD", "300", "400", "day", Decimal("78000")),
        ("PW", "1500", "1800", "week", Decimal("78000")),
        ("BW", "3000", "3600", "week", Decimal("78000")),  # every two weeks: half of it a week
        ("PM", "6500", "7000", "month", Decimal("78000")),
    ],
)
def test_position_remuneration_is_a_salary_with_its_interval(code, low, high, period, annual_min):
    pay = [{"MinimumRange": low, "MaximumRange": high, "RateIntervalCode": code, "Description": "x"}]
    data = usajobs_record(usajobs_item(1, PositionRemuneration=pay), "all")
    assert (data.salary_period, data.salary_currency, data.salary_source) == (period, "USD", SalarySource.STRUCTURED)
    assert data.salary_annual_min == annual_min


def test_without_compensation_or_an_unknown_interval_there_is_no_salary():
    assert usajobs_salary([{"MinimumRange": "0", "MaximumRange": "0", "RateIntervalCode": "WC"}]) == {}
    assert usajobs_salary([{"MinimumRange": "10", "MaximumRange": "20", "RateIntervalCode": "XX"}]) == {}
    assert usajobs_salary("not a list") == {}
    pay = [{"MinimumRange": "0", "MaximumRange": "0", "RateIntervalCode": "WC", "Description": "Without Compensation"}]
    data = usajobs_record(usajobs_item(1, PositionRemuneration=pay), "all")
    assert data.salary_min is None and data.salary_source == SalarySource.NONE


# --- runs -----------------------------------------------------------------------------------


def test_a_run_reads_every_page_with_the_key_headers(usajobs_items, fake_feeds, settings):
    settings.USAJOBS_RESULTS_PER_PAGE = 10
    usajobs_items.extend(usajobs_item(i) for i in range(25))
    log = run()
    asked = fake_feeds.asked(USAJOBS_PATH)
    pages = [(r["query"]["Page"], r["query"]["ResultsPerPage"]) for r in asked]
    assert pages == [("1", "10"), ("2", "10"), ("3", "10")]
    assert "Keyword" not in asked[0]["query"]
    headers = asked[0]["headers"]
    assert (headers["authorization-key"], headers["user-agent"]) == (USAJOBS_KEY, USAJOBS_EMAIL)
    assert headers["host"] == urlsplit(fake_feeds.url).netloc
    assert (log.status, log.fetched, log.created) == (SyncStatus.SUCCESS, 25, 25)
    assert Job.objects.filter(source="usajobs", board="all").count() == 25


def test_each_keyword_is_a_feed_of_its_own(usajobs_items, fake_feeds, settings):
    settings.USAJOBS_KEYWORDS = ["scientist 1", "scientist 2"]
    usajobs_items.extend(usajobs_item(i) for i in (1, 2, 3))
    log = run()
    assert [r["query"]["Keyword"] for r in fake_feeds.asked(USAJOBS_PATH)] == ["scientist 1", "scientist 2"]
    assert log.params["boards"] == ["keyword:scientist 1", "keyword:scientist 2"]
    assert sorted(Job.objects.values_list("board", flat=True)) == ["keyword:scientist 1", "keyword:scientist 2"]


def test_two_runs_leave_the_same_rows(usajobs_items, settings):
    settings.USAJOBS_RESULTS_PER_PAGE = 4
    usajobs_items.extend(usajobs_item(i) for i in range(9))
    run()
    first = sorted(Job.objects.values_list("id", "external_id", "title", "content_hash", "expires_at"))
    second = run()
    assert sorted(Job.objects.values_list("id", "external_id", "title", "content_hash", "expires_at")) == first
    assert (second.created, second.updated, second.unchanged) == (0, 0, 9)


def test_not_configured_is_skipped_with_the_reason(usajobs_items, fake_feeds, settings):
    for key, user_agent in (("", USAJOBS_EMAIL), (USAJOBS_KEY, "")):
        settings.USAJOBS_API_KEY, settings.USAJOBS_USER_AGENT = key, user_agent
        log = run()
        assert (log.status, log.message) == (SyncStatus.SKIPPED, NOT_CONFIGURED)
    assert fake_feeds.requests == []


def test_a_429_waits_for_its_retry_after_then_succeeds(usajobs_items, fake_feeds):
    usajobs_items.append(usajobs_item(1))
    fake_feeds.fail(USAJOBS_PATH, 429, headers={"Retry-After": "1"})
    started = time.monotonic()
    log = run()
    assert time.monotonic() - started >= 0.9
    assert (log.status, log.created, len(fake_feeds.requests)) == (SyncStatus.SUCCESS, 1, 2)


def test_a_5xx_is_retried_then_succeeds(usajobs_items, fake_feeds):
    usajobs_items.append(usajobs_item(1))
    fake_feeds.fail(USAJOBS_PATH, 500, times=2)
    log = run()
    assert (log.status, log.created, len(fake_feeds.requests)) == (SyncStatus.SUCCESS, 1, 3)


def test_a_5xx_that_outlasts_the_attempts_fails_the_run_with_the_reason(usajobs_items, fake_feeds):
    usajobs_items.append(usajobs_item(1))
    fake_feeds.fail(USAJOBS_PATH, 503, times=3)
    log = run()
    assert log.status == SyncStatus.FAILED and "USAJobs server error HTTP 503 (all page 1)" in log.message
    assert len(fake_feeds.requests) == 3 and not Job.objects.exists()


def test_a_page_that_keeps_failing_makes_the_run_partial_and_expires_nothing(usajobs_items, fake_feeds, settings):
    settings.USAJOBS_RESULTS_PER_PAGE = 2
    usajobs_items.extend(usajobs_item(i) for i in range(5))
    run()
    del usajobs_items[0]
    fake_feeds.routes[USAJOBS_PATH] = _failing_on_page(fake_feeds.routes[USAJOBS_PATH], page="2")
    log = run()
    assert log.status == SyncStatus.PARTIAL and log.errors == 1 and log.expired == 0
    assert not Job.objects.filter(status=JobStatus.EXPIRED).exists()


def _failing_on_page(route, *, page):
    def failing(query, headers):
        if query.get("Page") == page:
            return 502, {"Content-Type": "text/html"}, b"<h1>Bad gateway</h1>"
        return route(query, headers)

    return failing


def test_rejected_credentials_end_the_run_at_once(usajobs_items, fake_feeds, settings):
    settings.USAJOBS_API_KEY = "revoked"
    settings.USAJOBS_KEYWORDS = ["data", "nurse"]
    log = run()
    assert log.status == SyncStatus.FAILED and "USAJobs rejected the credentials (HTTP 401)" in log.message
    assert len(fake_feeds.requests) == 1  # not retried, and the second keyword not tried


def test_malformed_items_are_skipped_and_counted_the_rest_kept(usajobs_items):
    no_title = usajobs_item(2, PositionTitle="")
    no_descriptor = {"MatchedObjectId": "880000003", "MatchedObjectDescriptor": "gone"}
    usajobs_items.extend([usajobs_item(1), no_title, no_descriptor, 42, usajobs_item(4)])
    log = run()
    assert (log.status, log.created, log.skipped) == (SyncStatus.SUCCESS, 2, 3)
    assert any("usajobs:880000002: missing title" in line for line in log.error_sample)
    assert any("usajobs:880000003: no MatchedObjectDescriptor" in line for line in log.error_sample)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html>Service Unavailable</html>", "not JSON"),
        (b'{"SearchResult": {"SearchResultCount": 0}}', "without SearchResult.SearchResultItems"),
    ],
)
def test_a_malformed_answer_fails_the_run_and_loses_nothing(usajobs_items, fake_feeds, body, reason):
    usajobs_items.extend(usajobs_item(i) for i in range(3))
    run()
    fake_feeds.fail(USAJOBS_PATH, 200, body=body)
    log = run()
    assert log.status == SyncStatus.FAILED and reason in log.message
    assert Job.objects.filter(status=JobStatus.ACTIVE).count() == 3


def test_an_announcement_gone_from_a_complete_feed_expires(usajobs_items, settings):
    settings.USAJOBS_RESULTS_PER_PAGE = 2
    usajobs_items.extend(usajobs_item(i) for i in range(5))
    run()
    del usajobs_items[3]
    log = run()
    assert log.expired == 1
    assert Job.objects.get(status=JobStatus.EXPIRED).external_id == usajobs_item(3)["MatchedObjectId"]


def test_an_empty_feed_or_one_cut_by_the_page_cap_expires_nothing(usajobs_items, settings):
    settings.USAJOBS_RESULTS_PER_PAGE = 2
    usajobs_items.extend(usajobs_item(i) for i in range(5))
    run()
    settings.USAJOBS_MAX_PAGES = 1
    assert run().expired == 0
    settings.USAJOBS_MAX_PAGES = 20
    usajobs_items.clear()
    log = run()
    assert (log.status, log.fetched, log.expired) == (SyncStatus.SUCCESS, 0, 0)
    assert Job.objects.filter(status=JobStatus.ACTIVE).count() == 5


def test_a_run_that_died_is_failed_by_the_next_start_which_recovers(usajobs_items, settings):
    settings.SYNC_STALE_MINUTES = 30
    usajobs_items.extend(usajobs_item(i) for i in range(3))
    start = datetime(2026, 7, 1, 3, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        # A run that wrote one posting and was never taken up again (its worker died before its lease).
        dead = sync_log_start(kind=SyncKind.SOURCE, source="usajobs", triggered_by=TriggerKind.SCHEDULE)
        ingest_records(records=[usajobs_record(usajobs_item(0), "all")], sync_log=dead)
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        log = run()
    dead.refresh_from_db()
    assert dead.status == SyncStatus.FAILED and "Abandoned" in dead.message
    assert log.status == SyncStatus.SUCCESS and log.created == 2 and log.fetched == 3
    assert Job.objects.filter(source="usajobs", status=JobStatus.ACTIVE).count() == 3
