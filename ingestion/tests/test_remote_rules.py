"""Remote / hybrid / on-site (issue 16): each rule on the real phrases that broke it, and which evidence
wins per source (the structured fields the spiders pass, then places, then text)."""

from __future__ import annotations

import pytest

from ingestion.normalize import build_job_data, detect_remote, remote_from_text, split_location
from jobs.choices import Remote
from scrapers.jobposting import jobposting_fields
from scrapers.spiders.ashby import ashby_posting
from scrapers.spiders.greenhouse import greenhouse_posting
from scrapers.spiders.lever import lever_posting


def _remote(source: str, posting: dict) -> str:
    fields = {k: v for k, v in posting.items() if k != "external_id"}
    fields["skills"] = []  # skill extraction is beside the point here
    return build_job_data(source=source, external_id="1", **fields).remote


# ---------------------------------------------------------------------------------------------- text rules


@pytest.mark.parametrize(
    "text",
    [
        # UK care jobs (Adzuna corpus): "home based" names where the care home is.
        "UK Healthcare Professionals are currently recruiting care home nurses for a midsized care home based in "
        "Bury St Edmunds.",
        "Our client is large nursing home based in Kent looking for a RGN",
        "for a 25 bedded home based in Brighton, East Sussex",
        "you could now become part of the future of home based care",
        # Google UX researchers: a research method and a tool, not the arrangement.
        "Experience conducting semi-structured interviews, contextual field visits, usability studies either live "
        "or remote (e.g. Userzoom or usertesting.com).",
        "Experience with SQL, Python, SPSS and remote usability testing tools, such as Keynote or UserZoom.",
        # The word in other senses.
        "The theatre sister will assume responsibility for the hybrid theatre and nursing staff",
        "Service Desk Project CoOrdinator/varied hybrid role/Manchester",
        "Able to work remotely at client's location 70% of the time.",
        "Experience of supported living and managing remote staff is essential",
        "Troubleshooting problems with customer equipment via the phone, remotely and in person on site.",
        "Ability to work with multiple groups, including remote teams",
    ],
)
def test_a_word_without_a_work_arrangement_says_nothing(text: str) -> None:
    assert remote_from_text(text) is None
    assert detect_remote(text=text) == Remote.ONSITE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The role is homebased so candidates must live in the Berkshire and surrounding areas", Remote.REMOTE),
        ("VQ Assessor competitive salary Home based covering Manchester & Liverpool areas", Remote.REMOTE),
        ("This is a remote contract position that works with multiple departments", Remote.REMOTE),
        ("This role would be based in our New York City office, but we will consider remote work", Remote.REMOTE),
        ("This position can be located anywhere in the U.S. or Europe.", Remote.REMOTE),
        ("Comfortable working from home office, willingness to travel (~25%)", Remote.REMOTE),
        ("Initially, this role is going to be all-remote", Remote.REMOTE),
        ("Location: Eagan, Minnesota (Remote) Role Overview", Remote.REMOTE),
        ("Perks: Casual work environment and WFH flexibility", Remote.HYBRID),
        ("Fridays are Work From Home days at Life360. It is not a remote role.", Remote.HYBRID),
        ("flexibility for working from the office, home and clients premises", Remote.HYBRID),
        ("Telecommuting Options: Some Telecommuting Allowed", Remote.REMOTE),
        ("Telecommuting Options: Telecommuting Not Allowed Work Location: USA MD Suitland", Remote.ONSITE),
        ("Potential for Telework: No Clearance Level Required", Remote.ONSITE),
        ("Location: Newton, MA (work must be performed on site; no remote possible)", Remote.ONSITE),
    ],
)
def test_work_arrangement_phrases(text: str, expected: str) -> None:
    assert detect_remote(text=text) == expected


# ---------------------------------------------------------------------------------------------- which evidence wins


def test_a_remote_friendly_office_beats_greenhouse_location_type_on_site() -> None:
    # The Anthropic Fellows posting (api_fixtures/greenhouse_jobs.json), cut to its deciding fields.
    job = {
        "id": 5023394008,
        "title": "Anthropic Fellows Program",
        "location": {"name": "London, UK; Ontario, CAN; Remote-Friendly, United States; San Francisco, CA"},
        "metadata": [{"name": "Location Type", "value": "On-Site"}],
        "offices": [{"name": "London, UK"}, {"name": "Remote-Friendly US (Travel Required)"}],
        "content": "&lt;p&gt;We are also open to remote fellows in the UK, US, or Canada.&lt;/p&gt;",
    }
    assert _remote("greenhouse", greenhouse_posting(job)) == Remote.REMOTE
    # The office alone, when the location name does not mention it, is enough.
    job["location"] = {"name": "San Francisco, CA"}
    assert _remote("greenhouse", greenhouse_posting(job)) == Remote.REMOTE


def test_greenhouse_location_type_beats_the_text() -> None:
    job = {
        "id": 1,
        "title": "Amazon GTM Partnership",
        "location": {"name": "San Francisco, CA | New York City, NY"},
        "metadata": [{"name": "Location Type", "value": "On-Site"}],
        "offices": [{"name": "San Francisco, CA"}],
        "content": "&lt;p&gt;Location-based hybrid policy: in one of our offices at least 25% of the time.&lt;/p&gt;",
    }
    assert _remote("greenhouse", greenhouse_posting(job)) == Remote.ONSITE
    job["metadata"] = [{"name": "Location Type", "value": None}]  # no field: the text decides
    assert _remote("greenhouse", greenhouse_posting(job)) == Remote.HYBRID


def test_greenhouse_hybrid_london_is_hybrid_in_gb() -> None:
    job = {"id": 2, "title": "Account Executive", "location": {"name": "Hybrid - London"}, "content": ""}
    data = build_job_data(
        source="greenhouse",
        external_id="2",
        skills=[],
        **{k: v for k, v in greenhouse_posting(job).items() if k != "external_id"},
    )
    assert (data.remote, data.country, data.city) == (Remote.HYBRID, "GB", "London")
    assert split_location("London, ON").country == "CA"  # a written region still wins


def test_lever_workplace_type_beats_the_text_and_all_locations_count() -> None:
    posting = {
        "id": "cc5",
        "text": "Analyst, Licensing Finance",
        "workplaceType": "onsite",
        "categories": {"location": "New York, NY", "allLocations": ["New York, NY"]},
        "descriptionBody": "<p>flexibility to work from home. We ask that you come in 2-3 times per week.</p>",
    }
    assert _remote("lever", lever_posting(posting)) == Remote.ONSITE
    posting["workplaceType"] = "hybrid"
    assert _remote("lever", lever_posting(posting)) == Remote.HYBRID
    posting["workplaceType"] = "unspecified"
    posting["descriptionBody"] = "<p>Build the finance models.</p>"
    assert _remote("lever", lever_posting(posting)) == Remote.ONSITE
    posting["categories"]["allLocations"] = ["New York, NY", "Remote - US"]
    assert _remote("lever", lever_posting(posting)) == Remote.REMOTE


def test_ashby_workplace_type_first_then_is_remote_and_secondary_locations() -> None:
    job = {"id": "a", "title": "Engagement Manager", "location": "London", "isRemote": False, "workplaceType": "OnSite"}
    assert _remote("ashby", ashby_posting(job)) == Remote.ONSITE
    # isRemote is true for hybrid jobs too: workplaceType is the precise field.
    job.update(workplaceType="Hybrid", isRemote=True)
    assert _remote("ashby", ashby_posting(job)) == Remote.HYBRID
    job.update(workplaceType=None)
    assert _remote("ashby", ashby_posting(job)) == Remote.REMOTE
    # A secondary location "Remote (US)": the job can be done remotely from there.
    job.update(workplaceType="Hybrid", secondaryLocations=[{"location": "Remote (US)"}])
    assert _remote("ashby", ashby_posting(job)) == Remote.REMOTE


def test_json_ld_telecommute_and_applicant_location_requirements() -> None:
    node = {
        "@type": "JobPosting",
        "title": "Engineer",
        "description": "Build things.",
        "jobLocation": {"address": {"addressLocality": "Lille", "addressCountry": "FR"}},
    }
    assert (
        _remote("careers", {"external_id": "x", **jobposting_fields(node, page_url="https://e.com/")}) == Remote.ONSITE
    )
    node["jobLocationType"] = "TELECOMMUTE"
    assert (
        _remote("careers", {"external_id": "x", **jobposting_fields(node, page_url="https://e.com/")}) == Remote.REMOTE
    )
    del node["jobLocationType"]
    node["applicantLocationRequirements"] = {"@type": "Country", "name": "FR"}
    assert (
        _remote("careers", {"external_id": "x", **jobposting_fields(node, page_url="https://e.com/")}) == Remote.REMOTE
    )
