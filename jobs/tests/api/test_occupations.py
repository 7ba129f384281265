"""Occupations in the jobs API: the occupation= and occupation_group= filters, their facets (with the
occupation's and major group's titles), the job's occupation block, the schema and the 400s."""

from __future__ import annotations

import pytest

from jobs.tests.api.conftest import all_pages
from jobs.tests.api.test_jobs import many_jobs  # noqa: F401 - a fixture
from jobs.tests.factories import JobFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs() -> dict[str, int]:
    made = {
        "developer": JobFactory(title="Python Developer", occupation_code="15-1252.00", occupation_confidence=1.0),
        "tester": JobFactory(title="QA Tester", occupation_code="15-1253.00", occupation_confidence=0.8),
        "civil": JobFactory(title="Civil Engineer", occupation_code="17-2051.00", occupation_confidence=1.0),
        "nurse": JobFactory(title="Staff Nurse", occupation_code="29-1141.00", occupation_confidence=0.9),
        "vague": JobFactory(title="Team Member", occupation_code="", occupation_confidence=None),
    }
    return {name: job.id for name, job in made.items()}


def _ids(client, query: str) -> set[int]:
    return {row["id"] for row in all_pages(client, f"/api/jobs/?{query}")}


def test_the_occupation_filter_takes_one_or_more_codes(client, jobs) -> None:
    assert _ids(client, "occupation=17-2051.00") == {jobs["civil"]}
    assert _ids(client, "occupation=15-1252.00,17-2051.00") == {jobs["developer"], jobs["civil"]}
    assert _ids(client, "occupation=15-1252.00&occupation=29-1141.00") == {jobs["developer"], jobs["nurse"]}
    assert _ids(client, "occupation=17-2051") == {jobs["civil"]}  # the .00 may be left out


def test_the_occupation_group_filter_takes_major_groups(client, jobs) -> None:
    assert _ids(client, "occupation_group=15") == {jobs["developer"], jobs["tester"]}
    assert _ids(client, "occupation_group=15-0000") == {jobs["developer"], jobs["tester"]}
    assert _ids(client, "occupation_group=17,29-0000") == {jobs["civil"], jobs["nurse"]}
    assert _ids(client, "occupation_group=47") == set()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("occupation=99-9999.00", "'99-9999.00' is not an O*NET-SOC occupation code"),
        ("occupation=nurse", "'nurse' is not an O*NET-SOC occupation code"),
        ("occupation=15-1252.00,17-2051.9", "'17-2051.9' is not an O*NET-SOC occupation code"),
        ("occupation_group=99", "'99' is not an SOC major group"),
        ("occupation_group=17-2000", "'17-2000' is not an SOC major group"),
        ("occupation_group=engineering", "'engineering' is not an SOC major group"),
    ],
)
def test_a_bad_occupation_value_is_a_400_that_names_it(client, query: str, message: str) -> None:
    response = client.get(f"/api/jobs/?{query}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert any(message in text for text in error["fields"][query.split("=")[0]]), error


def test_occupation_facets_carry_titles_and_agree_with_their_filters(client, jobs) -> None:
    body = client.get("/api/jobs/?facets=occupation,occupation_group&occupation_group=15,17").json()
    occupations = {bucket["value"]: bucket for bucket in body["facets"]["occupation"]}
    # Counted under the group filter (another facet's): the occupations of groups 15 and 17.
    assert {code: (b["label"], b["count"]) for code, b in occupations.items()} == {
        "15-1252.00": ("Software Developers", 1),
        "15-1253.00": ("Software Quality Assurance Analysts and Testers", 1),
        "17-2051.00": ("Civil Engineers", 1),
    }
    # The group facet is counted without its own filter: every group shows, and jobs with none.
    groups = {bucket["value"]: (bucket["label"], bucket["count"]) for bucket in body["facets"]["occupation_group"]}
    assert groups == {
        "15-0000": ("Computer and Mathematical Occupations", 2),
        "17-0000": ("Architecture and Engineering Occupations", 1),
        "29-0000": ("Healthcare Practitioners and Technical Occupations", 1),
        "": ("(unknown)", 1),
    }
    assert all(b["count_is_estimate"] is False for buckets in body["facets"].values() for b in buckets)
    for value, (_, count) in groups.items():
        if value:
            assert len(_ids(client, f"occupation_group={value}")) == count


def test_occupation_facets_over_many_jobs_are_estimated(client, many_jobs) -> None:  # noqa: F811
    facets = client.get("/api/jobs/?facets=occupation,occupation_group").json()["facets"]
    assert all(b["count_is_estimate"] is True for buckets in facets.values() for b in buckets)
    assert all(isinstance(b["count"], int) and b["count"] >= 0 for b in facets["occupation"])


def test_a_job_shows_its_occupation_or_null(client, jobs) -> None:
    listed = {row["id"]: row for row in client.get("/api/jobs/").json()["results"]}
    assert listed[jobs["civil"]]["occupation"] == {
        "code": "17-2051.00",
        "title": "Civil Engineers",
        "major_group": "17-0000",
        "confidence": 1.0,
    }
    assert listed[jobs["vague"]]["occupation"] is None
    detail = client.get(f"/api/jobs/{jobs['nurse']}/").json()
    assert detail["occupation"]["title"] == "Registered Nurses"


def test_the_schema_documents_the_occupation_filters_facets_and_block(client) -> None:
    schema = client.get("/api/schema/?format=json").json()
    listing = schema["paths"]["/api/jobs/"]["get"]
    parameters = {parameter["name"]: parameter for parameter in listing["parameters"]}
    assert "O*NET-SOC" in parameters["occupation"]["description"]
    assert "major group" in parameters["occupation_group"]["description"]
    assert "occupation_group" in parameters["facets"]["description"]
    job = schema["components"]["schemas"]["JobList"]["properties"]["occupation"]
    assert "null" in str(job) or job.get("nullable") is True
