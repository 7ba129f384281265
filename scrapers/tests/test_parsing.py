"""Parsers against the real response samples in ../shared/data (skipped when that folder is absent),
and the small pure helpers: address guard, Retry-After, posting checks, canonical URLs."""

from __future__ import annotations

import asyncio
import ipaddress
import json
from decimal import Decimal
from pathlib import Path

import pytest

from ingestion.normalize import InvalidPosting, build_job_data
from jobs.choices import EmploymentType, Remote, SalaryPeriod
from scrapers.jobposting import extract_job_postings, jobposting_fields
from scrapers.middlewares import retry_after_seconds
from scrapers.netguard import AddressGuard, RefusedAddress, address_refusal, parse_networks
from scrapers.pipelines import posting_problem
from scrapers.spiders.ashby import ashby_posting
from scrapers.spiders.careers import canonical_url
from scrapers.spiders.greenhouse import greenhouse_posting
from scrapers.spiders.lever import lever_posting
from scrapers.spiders.microsoft import microsoft_posting
from scrapers.spiders.workday import workday_posted_at, workday_posting

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


def _shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not here (../shared/data holds the real samples)")
    return path


def _json(name: str):
    return json.loads(_shared("api_fixtures", name).read_text())


def test_greenhouse_sample_postings_normalize():
    jobs = _json("greenhouse_jobs.json")["jobs"]
    records = [build_job_data(source="greenhouse", **greenhouse_posting(job)) for job in jobs]
    assert all(r.external_id and r.title and r.apply_url.startswith("https://") for r in records)
    assert all("&lt;" not in r.description_html and "<" in r.description_html for r in records)
    sydney = next(r for r in records if r.title == "Country Lead, Data Center Security")
    assert (sydney.remote, sydney.country) == (Remote.REMOTE, "AU")  # metadata "Location Type: Remote"
    paid = next(r for r in records if r.salary_min is not None)  # the pay-transparency block
    assert (paid.salary_min, paid.salary_max, paid.salary_currency) == (Decimal("265000"), Decimal("365000"), "USD")
    assert paid.salary_period == SalaryPeriod.YEAR


def test_lever_sample_postings_normalize():
    records = [build_job_data(source="lever", **lever_posting(p)) for p in _json("lever_postings.json")]
    assert {r.remote for r in records} == {Remote.REMOTE, Remote.ONSITE, Remote.HYBRID}
    assert all(r.employment_type == EmploymentType.FULL_TIME for r in records)  # "Permanent"
    assert all(r.apply_url.endswith("/apply") and r.posted_at is not None for r in records)
    assert records[0].country == "GB" and "Design, build" in records[0].description


def test_ashby_sample_postings_normalize():
    records = [build_job_data(source="ashby", **ashby_posting(j)) for j in _json("ashby_jobs.json")["jobs"]]
    consultant = records[0]
    assert (consultant.salary_min, consultant.salary_max) == (Decimal("151000"), Decimal("231000"))
    assert (consultant.salary_currency, consultant.salary_period, consultant.remote) == ("USD", "year", "remote")
    director = next(r for r in records if r.title == "Director, Performance Marketing")
    # workplaceType "Hybrid" at the New York HQ, but a secondary location "Remote (US)": the job can be
    # done remotely from there, which beats the job-wide field (issue 16).
    assert director.remote == Remote.REMOTE
    london = [r for r in records if r.location == "London"]
    assert london and all(r.remote == Remote.ONSITE for r in london)  # workplaceType OnSite
    assert all(r.employment_type == EmploymentType.FULL_TIME for r in records)


def test_workday_sample_listing_and_detail_normalize():
    from datetime import UTC, datetime

    from jobs.boards import workday_board
    from jobs.choices import JobLevel

    board = workday_board("gdit.wd5.myworkdayjobs.com/gdit/External_Career_Site")
    listed = _json("workday_search.json")["jobPostings"]
    detail = _json("workday_job_detail.json")
    today = datetime(2026, 7, 15, 9, 30, tzinfo=UTC)
    record = build_job_data(source="workday", **workday_posting(listed[0], detail, board=board, today=today))
    assert record.external_id == "gdit:Data-Engineer_RQ216675"
    assert (record.title, record.company_name) == ("Data Engineer", "GD Information Technology, Inc.")
    assert (record.city, record.region, record.country) == ("Washington", "DC", "US")  # "USA DC Washington"
    assert record.employment_type == EmploymentType.FULL_TIME  # timeType "Full time"
    assert record.job_level == ""  # "Data Engineer" names no level
    assert record.remote == Remote.ONSITE
    assert record.posted_at == datetime(2026, 7, 7, tzinfo=UTC)  # startDate
    assert record.apply_url == (
        "https://gdit.wd5.myworkdayjobs.com/External_Career_Site/job/USA-DC-Washington/Data-Engineer_RQ216675"
    )
    assert "Type of Requisition:" in record.description and "<p" in record.description_html
    # The listing alone (a detail that failed): its relative date counted from the crawl's day.
    others = [
        build_job_data(source="workday", **workday_posting(entry, None, board=board, today=today)) for entry in listed
    ]
    assert [r.posted_at for r in others] == [datetime(2026, 7, 7, tzinfo=UTC)] * 4  # "Posted 8 Days Ago"
    assert others[1].external_id == "gdit:Cloud-Data-Engineer_RQ221571-1"
    assert (others[1].city, others[1].country) == ("Wiesbaden", "DE")  # "DEU Wiesbaden - Wiesbaden Army Airfield"
    assert (others[2].city, others[2].region, others[2].remote) == ("Fort Bragg", "NC", Remote.HYBRID)  # "(Hybrid)"
    assert others[2].job_level == JobLevel.EXPERIENCED  # "Senior Principal"
    assert others[3].apply_url == (
        "https://gdit.wd5.myworkdayjobs.com/External_Career_Site/job/USA-VA-Chantilly/"
        "Data-Engineer---TS-SCI-with-Polygraph_RQ223218"
    )
    assert workday_posted_at("Posted Today", today=today) == datetime(2026, 7, 15, tzinfo=UTC)
    assert workday_posted_at("Posted Yesterday", today=today) == datetime(2026, 7, 14, tzinfo=UTC)
    assert workday_posted_at("Posted 30+ Days Ago", today=today) is None  # a bound, not a date


def test_microsoft_sample_positions_normalize():
    positions = _json("microsoft.json")["data"]["positions"]
    records = [
        build_job_data(source="microsoft", **microsoft_posting(p, None, base_url="https://apply.careers.microsoft.com"))
        for p in positions
    ]
    assert records[0].apply_url == "https://apply.careers.microsoft.com/careers/job/1970393556922922"
    assert all(r.is_internship and r.country == "US" and r.remote == Remote.ONSITE for r in records)


def test_careers_samples_read_json_ld():
    offer = _shared("careers_html", "offer_jsonld.html").read_text()
    [node] = extract_job_postings(offer, url="https://www.example.fr/jobs/1")
    record = build_job_data(source="careers", external_id="x", **jobposting_fields(node, page_url="https://x.fr/j"))
    assert (record.salary_min, record.salary_max, record.salary_currency) == (Decimal("2095"), Decimal("2295"), "EUR")
    assert record.salary_period == SalaryPeriod.MONTH
    assert record.employment_type == EmploymentType.TEMPORARY and record.country == "FR"
    page = _shared("careers_html", "job_page.html").read_text()
    [node] = extract_job_postings(page, url="https://www.example.com/jobs/view/1")
    fields = jobposting_fields(node, page_url="https://www.example.com/jobs/view/1")
    assert fields["description_html"].startswith("<p>")  # entity-escaped in the JSON: unescaped
    assert (fields["latitude"], fields["country"]) == (50.618595, "FR")


def test_microdata_job_posting_is_read_too():
    page = (
        '<div itemscope itemtype="https://schema.org/JobPosting"><h1 itemprop="title">Welder</h1>'
        '<span itemprop="employmentType">PART_TIME</span><div itemprop="jobLocation" itemscope '
        'itemtype="https://schema.org/Place"><div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">'
        '<span itemprop="addressLocality">Leeds</span><span itemprop="addressCountry">GB</span></div></div></div>'
    )
    [node] = extract_job_postings(page, url="https://example.co.uk/jobs/welder")
    fields = jobposting_fields(node, page_url="https://example.co.uk/jobs/welder")
    assert (fields["title"], fields["location"], fields["employment_type"]) == ("Welder", "Leeds, GB", "PART_TIME")


@pytest.mark.parametrize(
    "address", ["10.0.0.5", "172.16.3.4", "192.168.1.1", "127.0.0.1", "169.254.169.254", "::1", "fe80::1", "fc00::1",
                "100.64.0.1", "0.0.0.0", "::ffff:127.0.0.1"]
)  # fmt: skip
def test_guard_refuses_internal_addresses(address):
    assert AddressGuard().refuses_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:169.254.169.254", "link-local"),
        ("::127.0.0.1", "loopback"),  # IPv4-compatible
        ("::10.1.2.3", "private"),
        ("64:ff9b::7f00:1", "loopback"),  # NAT64 of 127.0.0.1
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of the metadata address
        ("64:ff9b:1::a00:1", "reserved"),  # local-use NAT64 (RFC 8215)
        ("2002:7f00:1::1", "loopback"),  # 6to4 of 127.0.0.1
        ("2002:c0a8:101::1", "private"),  # 6to4 of 192.168.1.1
        ("fec0::1", "site-local"),
        ("::", "unspecified"),
        ("::1", "loopback"),
        ("ff02::1", "multicast"),
        ("224.0.0.251", "multicast"),
        ("2001:db8::1", "private"),  # documentation
        ("240.0.0.1", "private"),  # reserved class E, which Python counts as private
        ("100.64.0.1", "shared"),
    ],
)
def test_the_rule_sees_through_ipv6_forms_and_special_ranges(address, kind):
    reason = address_refusal(ipaddress.ip_address(address))
    assert reason is not None and kind in reason


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "2606:4700::6810:84e5", "64:ff9b::5db8:d70e", "2002:5db8:d70e::1"]
)
def test_the_rule_allows_public_addresses_in_any_form(address):
    assert address_refusal(ipaddress.ip_address(address)) is None  # NAT64 and 6to4 of a public address too


def test_the_rule_allows_a_mapped_form_of_an_allowed_network():
    allowed = [ipaddress.ip_network("127.0.0.2/32")]
    assert address_refusal(ipaddress.ip_address("::ffff:127.0.0.2"), allowed=allowed) is None
    assert "loopback" in address_refusal(ipaddress.ip_address("::ffff:127.0.0.1"), allowed=allowed)


def test_guard_allows_public_addresses_and_allowed_networks():
    guard = AddressGuard(["127.0.0.1/32"])
    assert not guard.refuses_address(ipaddress.ip_address("93.184.215.14"))
    assert not guard.refuses_address(ipaddress.ip_address("127.0.0.1"))
    assert guard.refuses_address(ipaddress.ip_address("127.0.0.2"))


def test_guard_checks_urls_by_literal_host_and_scheme():
    guard = AddressGuard()
    with pytest.raises(RefusedAddress, match=r"169\.254\.169\.254"):
        asyncio.run(guard.check_url("http://169.254.169.254/latest/meta-data/"))
    with pytest.raises(RefusedAddress, match="scheme"):
        asyncio.run(guard.check_url("file:///etc/passwd"))
    with pytest.raises(RefusedAddress):
        asyncio.run(guard.check_url("http://[::1]:8080/"))
    asyncio.run(guard.check_url("https://93.184.215.14/jobs"))  # public: no error


def test_allowed_networks_setting_rejects_nonsense_with_one_line():
    with pytest.raises(Exception, match="CRAWL_ALLOWED_PRIVATE_NETWORKS: expected networks"):
        parse_networks(["10.0.0.0/8", "intranet"])


def test_retry_after_reads_seconds_and_http_dates():
    assert retry_after_seconds(b"7") == 7.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: go now
    assert retry_after_seconds(b"soon") is None
    assert retry_after_seconds(None) is None


def test_the_pipeline_names_unknown_fields_and_leaves_posting_rules_to_the_normalizer():
    assert posting_problem({"external_id": "1", "title": "Chef"}) is None
    assert posting_problem({"external_id": "1", "title": "Chef", "salary": 3}) == "unknown fields salary"
    # A missing id or title is the normalizer's call, with its own reason (one rule, one place).
    assert posting_problem({"external_id": "", "title": None}) is None
    with pytest.raises(InvalidPosting, match="missing title"):
        build_job_data(source="lever", external_id="1", title=None)
    # A relative apply URL is dropped by the normalizer; the posting is kept (it used to be
    # dropped whole by the pipeline's own rule).
    assert build_job_data(source="lever", external_id="1", title="Chef", apply_url="/apply").apply_url == ""


def test_canonical_url_drops_fragments_and_tracking():
    assert canonical_url("https://Example.com/jobs/7?utm_source=x&id=3#apply") == "https://example.com/jobs/7?id=3"
