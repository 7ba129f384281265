"""The generic careers spider: a JavaScript-built job list, JSON-LD and microdata job pages, the address guard."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from ingestion.choices import SyncStatus
from jobs.choices import AtsKind, EmploymentType, JobLevel, JobStatus, Remote, SalaryPeriod
from jobs.models import Job
from jobs.tests.factories import CompanyFactory
from scrapers.tests.fakes import html_reply, json_reply

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

LOOPBACK_ONLY = "127.0.0.1/32"

CAREERS_JS = """<!doctype html><html><head><title>Careers at Umbrella</title></head><body>
<nav><a href="/about">About us</a> <a href="/careers#open">Open roles</a>
<a href="/careers/benefits">Benefits</a></nav>
<h1>Join us</h1><ul id="openings"></ul>
<script>
  fetch("/api/openings.json").then((r) => r.json()).then((openings) => {
    const list = document.getElementById("openings");
    for (const o of openings) {
      const a = document.createElement("a");
      a.href = "/jobs/" + o.slug + "?utm_source=careers";
      a.textContent = o.title;
      const li = document.createElement("li");
      li.appendChild(a);
      list.appendChild(li);
    }
  });
</script></body></html>"""

DATA_ENGINEER = {
    "@context": "https://schema.org/",
    "@type": "JobPosting",
    "title": "Senior Data Engineer",
    "description": "&lt;p&gt;Build our &lt;strong&gt;data platform&lt;/strong&gt; in Python.&lt;/p&gt;",
    "datePosted": "2026-11-01T09:00:00Z",
    "validThrough": "2027-01-31T23:59:59Z",
    "employmentType": "FULL_TIME",
    "hiringOrganization": {"@type": "Organization", "name": "Umbrella GmbH", "sameAs": "https://umbrella.example"},
    "jobLocation": {
        "@type": "Place",
        "address": {
            "@type": "PostalAddress",
            "addressLocality": "Berlin",
            "addressRegion": "Berlin",
            "addressCountry": "DE",
        },
    },
    "baseSalary": {
        "@type": "MonetaryAmount",
        "currency": "EUR",
        "value": {"@type": "QuantitativeValue", "minValue": 5500, "maxValue": 6500, "unitText": "MONTH"},
    },
}

SUPPORT_INTERN_MICRODATA = """<!doctype html><html><body>
<div itemscope itemtype="https://schema.org/JobPosting">
  <h1 itemprop="title">Customer Support Intern</h1>
  <meta itemprop="jobLocationType" content="TELECOMMUTE">
  <meta itemprop="employmentType" content="INTERN">
  <meta itemprop="datePosted" content="2026-11-10">
  <div itemprop="hiringOrganization" itemscope itemtype="https://schema.org/Organization">
    <span itemprop="name">Umbrella GmbH</span></div>
  <div itemprop="description"><p>Help our customers from anywhere.</p></div>
</div></body></html>"""


def _job_page(posting: dict) -> str:
    return (
        "<!doctype html><html><head><title>Job</title>"
        f'<script type="application/ld+json">{json.dumps(posting)}</script></head>'
        "<body><h1>Job</h1><a href='/careers'>All jobs</a></body></html>"
    )


def _serve_site(site, openings):
    site.routes["/careers"] = html_reply(CAREERS_JS)
    site.routes["/about"] = html_reply("<p>We make umbrellas.</p>")
    site.routes["/careers/benefits"] = html_reply("<p>Umbrellas for everyone.</p>")  # job-like link, no job
    site.routes["/api/openings.json"] = json_reply(openings)
    site.routes["/jobs/senior-data-engineer"] = html_reply(_job_page(DATA_ENGINEER))
    site.routes["/jobs/support-intern"] = html_reply(SUPPORT_INTERN_MICRODATA)


@pytest.mark.browser
def test_careers_renders_a_javascript_job_list_and_reads_job_pages(fake_site, run_spider):
    careers_url = f"{fake_site.url}/careers"
    CompanyFactory(name="Umbrella", ats_kind=AtsKind.CAREERS, careers_url=careers_url)
    openings = [
        {"slug": "senior-data-engineer", "title": "Senior Data Engineer"},
        {"slug": "support-intern", "title": "Customer Support Intern"},
        {"slug": "filled-role", "title": "Filled role"},  # a dead link: 404
    ]
    _serve_site(fake_site, openings)

    log = run_spider("careers", CRAWL_ALLOWED_PRIVATE_NETWORKS=LOOPBACK_ONLY)

    board = log.details["boards"][careers_url]
    assert board["status"] == "complete", board
    assert log.status == SyncStatus.SUCCESS
    assert fake_site.asked("/api/openings.json") == 1  # only a browser runs the page's script
    assert fake_site.asked("/about") == 0  # not a job link
    # The plain page's only job-like link led nowhere, so the page was rendered; once.
    assert fake_site.asked("/careers/benefits") == 1 and fake_site.asked("/careers") == 2
    engineer = Job.objects.get(source="careers", external_id=f"{fake_site.url}/jobs/senior-data-engineer")
    assert engineer.board == careers_url
    assert engineer.company.name == "Umbrella"  # "Umbrella GmbH" folds into the existing company
    assert engineer.job_level == JobLevel.EXPERIENCED
    assert engineer.employment_type == EmploymentType.FULL_TIME
    assert (engineer.salary_min, engineer.salary_max) == (Decimal("5500"), Decimal("6500"))
    assert (engineer.salary_currency, engineer.salary_period) == ("EUR", SalaryPeriod.MONTH)
    assert engineer.salary_annual_min == Decimal("66000")
    assert (engineer.city, engineer.country) == ("Berlin", "DE")
    assert engineer.description == "Build our data platform in Python."
    assert engineer.apply_url == f"{fake_site.url}/jobs/senior-data-engineer"  # tracking parameter dropped
    assert engineer.expires_at is not None
    intern = Job.objects.get(source="careers", external_id=f"{fake_site.url}/jobs/support-intern")
    assert intern.is_internship and intern.remote == Remote.REMOTE

    _serve_site(fake_site, openings[:1])  # the internship is filled
    again = run_spider("careers", CRAWL_ALLOWED_PRIVATE_NETWORKS=LOOPBACK_ONLY)
    assert (again.created, again.unchanged, again.expired) == (0, 1, 1)
    intern.refresh_from_db()
    assert intern.status == JobStatus.EXPIRED


def test_careers_refuses_a_loopback_url_without_asking_it(fake_site, run_spider):
    fake_site.routes["/careers"] = html_reply("<a href='/jobs/1'>Job</a>")

    log = run_spider("careers", args={"urls": f"{fake_site.url}/careers"})

    board = log.details["boards"][f"{fake_site.url}/careers"]
    assert board["status"] == "failed"
    assert "refused" in board["errors"][0] and "127.0.0.1" in board["errors"][0]
    assert log.status == SyncStatus.FAILED
    assert fake_site.requests == []  # not even robots.txt


def test_careers_refuses_a_redirect_into_another_internal_address(fake_site, run_spider):
    _, port = fake_site.server.server_address[:2]
    fake_site.routes["/careers"] = html_reply(
        "<a href='/jobs/senior-data-engineer'>Data</a> <a href='/jobs/internal'>Internal</a>"
    )
    fake_site.routes["/jobs/senior-data-engineer"] = html_reply(_job_page(DATA_ENGINEER))
    fake_site.routes["/jobs/internal"] = (302, {"Location": f"http://127.0.0.2:{port}/admin"}, b"")

    log = run_spider(
        "careers",
        args={"urls": f"{fake_site.url}/careers", "render": "never"},
        CRAWL_ALLOWED_PRIVATE_NETWORKS=LOOPBACK_ONLY,
    )

    board = log.details["boards"][f"{fake_site.url}/careers"]
    assert board["status"] == "failed"  # so nothing of it is expired
    assert any("refused" in e and "127.0.0.2" in e for e in board["errors"])
    assert Job.objects.filter(source="careers", title="Senior Data Engineer").exists()
