"""JobPosting markup as sites write it: a JSON-LD @graph joined by @id (Yoast/Rank Math shape), remote
roles with applicantLocationRequirements, RDFa, and a page marked up twice."""

from __future__ import annotations

import json
from decimal import Decimal

from ingestion.normalize import build_job_data
from jobs.choices import Remote, SalaryPeriod
from scrapers.jobposting import extract_job_postings, jobposting_fields

SITE = "https://careers.northwind.example"
URL = f"{SITE}/jobs/staff-nurse/"


def _page(*graph_or_nodes: dict, body: str = "") -> str:
    scripts = "".join(f'<script type="application/ld+json">{json.dumps(n)}</script>' for n in graph_or_nodes)
    return f"<!doctype html><html><head><title>Job</title>{scripts}</head><body>{body}</body></html>"


# A WordPress SEO plugin's graph: the organization, the place and the salary are nodes of their own,
# and the posting points at them by @id.
YOAST_GRAPH = {
    "@context": "https://schema.org",
    "@graph": [
        {
            "@type": "WebSite",
            "@id": f"{SITE}/#website",
            "url": f"{SITE}/",
            "publisher": {"@id": f"{SITE}/#organization"},
        },
        {
            "@type": "Organization",
            "@id": f"{SITE}/#organization",
            "name": "Northwind Health Ltd",
            "url": f"{SITE}/",
            "logo": {"@id": f"{SITE}/#logo"},
        },
        {"@type": "ImageObject", "@id": f"{SITE}/#logo", "url": f"{SITE}/logo.png"},
        {"@type": "WebPage", "@id": URL, "url": URL, "isPartOf": {"@id": f"{SITE}/#website"}},
        {
            "@type": "JobPosting",
            "@id": f"{URL}#jobposting",
            "mainEntityOfPage": {"@id": URL},
            "title": "Staff Nurse (Band 5)",
            "description": "<p>Join our surgical ward in Leeds.</p>",
            "datePosted": "2026-11-20",
            "employmentType": "FULL_TIME",
            "hiringOrganization": {"@id": f"{SITE}/#organization"},
            "jobLocation": {"@id": f"{URL}#place"},
            "baseSalary": {"@id": f"{URL}#salary"},
        },
        {
            "@type": "Place",
            "@id": f"{URL}#place",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": "Leeds",
                "addressRegion": "West Yorkshire",
                "addressCountry": "GB",
            },
        },
        {
            "@type": "MonetaryAmount",
            "@id": f"{URL}#salary",
            "currency": "GBP",
            "value": {"@type": "QuantitativeValue", "minValue": 29970, "maxValue": 36483, "unitText": "YEAR"},
        },
    ],
}


def _one(page: str) -> dict:
    [node] = extract_job_postings(page, url=URL)
    return jobposting_fields(node, page_url=URL)


def test_graph_references_by_id_are_resolved():
    fields = _one(_page(YOAST_GRAPH))
    assert fields["company_name"] == "Northwind Health Ltd"
    assert (fields["location"], fields["country"]) == ("Leeds, West Yorkshire, GB", "GB")
    record = build_job_data(source="careers", external_id="n1", **fields)
    assert (record.salary_min, record.salary_max, record.salary_currency) == (Decimal(29970), Decimal(36483), "GBP")
    assert record.salary_period == SalaryPeriod.YEAR and record.city == "Leeds"


def test_references_that_loop_do_not_hang():
    graph = json.loads(json.dumps(YOAST_GRAPH))
    graph["@graph"][1]["subOrganization"] = {"@id": f"{SITE}/#organization"}  # points at itself
    graph["@graph"][1]["member"] = {"@id": f"{URL}#jobposting"}
    assert _one(_page(graph))["company_name"] == "Northwind Health Ltd"


REMOTE_US = {
    "@context": "https://schema.org/",
    "@type": "JobPosting",
    "title": "Senior Backend Engineer (Remote)",
    "description": "<p>Work from anywhere in the US.</p>",
    "datePosted": "2026-11-18",
    "hiringOrganization": {"@type": "Organization", "name": "Fabrikam"},
    # The office the employer lists; the job is done where the applicant lives.
    "jobLocation": {
        "@type": "Place",
        "address": {"@type": "PostalAddress", "addressLocality": "London", "addressCountry": "GB"},
    },
    "jobLocationType": "TELECOMMUTE",
    "applicantLocationRequirements": {"@type": "Country", "name": "USA"},
}


def test_a_remote_role_takes_its_country_from_where_applicants_may_live():
    fields = _one(_page(REMOTE_US))
    record = build_job_data(source="careers", external_id="r1", **fields)
    assert (record.remote, record.country, record.location) == (Remote.REMOTE, "US", "USA")
    assert record.geo_precision in ("country", "")  # a country's centre at most, never London's point


def test_applicant_requirements_by_id_and_several_countries():
    two = {
        **REMOTE_US,
        "applicantLocationRequirements": [{"@type": "Country", "name": "US"}, {"@type": "Country", "name": "Canada"}],
    }
    fields = _one(_page(two))
    assert fields["remote"] == "remote" and fields["country"] == "GB"  # no one country: the posting's place stays
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {**REMOTE_US, "jobLocation": None, "applicantLocationRequirements": {"@id": "#de"}},
            {"@type": "Country", "@id": "#de", "name": "Germany"},
        ],
    }
    fields = _one(_page(graph))
    assert (fields["country"], fields["location"], fields["remote"]) == ("DE", "Germany", "remote")


RDFA_BODY = """
<main vocab="https://schema.org/" typeof="JobPosting" resource="#job">
  <h1 property="title">Night Care Assistant</h1>
  <p>With <span property="hiringOrganization" typeof="Organization">
    <span property="name">Kent Care Homes Ltd</span></span></p>
  <div property="jobLocation" typeof="Place"><div property="address" typeof="PostalAddress">
    <span property="addressLocality">Maidstone</span>, <span property="addressRegion">Kent</span>
    <meta property="addressCountry" content="GB"></div></div>
  <meta property="datePosted" content="2026-11-02">
  <meta property="employmentType" content="PART_TIME">
  <div property="baseSalary" typeof="MonetaryAmount"><meta property="currency" content="GBP">
    <div property="value" typeof="QuantitativeValue"><meta property="minValue" content="12.60">
    <meta property="maxValue" content="13.10"><meta property="unitText" content="HOUR"></div></div>
  <div property="description"><p>Support residents through the night in our care home.</p></div>
</main>"""


def test_rdfa_job_posting_is_read():
    fields = _one(_page(body=RDFA_BODY))
    assert (fields["title"], fields["company_name"]) == ("Night Care Assistant", "Kent Care Homes Ltd")
    assert (fields["location"], fields["country"]) == ("Maidstone, Kent, GB", "GB")
    record = build_job_data(source="careers", external_id="k1", **fields)
    assert (record.salary_min, record.salary_max, record.salary_period) == (Decimal("12.60"), Decimal("13.10"), "hour")
    assert record.posted_at is not None and record.posted_at.date().isoformat() == "2026-11-02"
    assert record.employment_type == "PART_TIME" and "through the night" in record.description


def test_a_posting_marked_up_twice_is_one_posting():
    json_ld = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": "Night Care Assistant",
        "hiringOrganization": {"@type": "Organization", "name": "Kent Care Homes Ltd"},
    }
    [node] = extract_job_postings(_page(json_ld, body=RDFA_BODY), url=URL)
    assert jobposting_fields(node, page_url=URL)["title"] == "Night Care Assistant"
