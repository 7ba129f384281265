"""The CTS matching engine against a local gRPC CTS holding the jobs our sync sent it."""

# The fake's fixtures are imported by name, which pyflakes reads as redefinitions.
# ruff: noqa: F811

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from google.cloud import talent_v4

from clients.tests.fake_cts import TENANT, cts_fake, cts_settings  # noqa: F401
from gigm8.tests.stack import free_port
from ingestion.services.cts_sync import cts_sync
from jobs.choices import EmploymentType, Remote
from jobs.selectors import job_list_public
from jobs.tests.factories import CompanyFactory, JobFactory
from matching import services
from matching.backends.base import MatchQuery
from matching.backends.cts import CtsBackend, cts_query_text, cts_request_identity
from matching.tests.conftest import PYTHON_RESUME

pytestmark = pytest.mark.django_db

PYTHON_JOB = (
    "We need a Python developer to build Django services on PostgreSQL. Requirements: Python, Django, "
    "PostgreSQL, Docker."
)
JAVA_JOB = "Java engineer for Spring Boot microservices. Requirements: Java, Spring, Kafka."
NURSE_JOB = "Registered nurse for the night shift on a busy surgical ward."


@pytest.fixture
def synced(cts_settings):
    """Three jobs, sent to the fake CTS by the real sync."""
    company = CompanyFactory(name="Acme")
    jobs = {
        "python": JobFactory(company=company, title="Python Developer", description=PYTHON_JOB),
        "java": JobFactory(company=company, title="Java Engineer", description=JAVA_JOB),
        "nurse": JobFactory(company=company, title="Staff Nurse", description=NURSE_JOB),
    }
    assert cts_sync().created == 3
    for job in jobs.values():
        job.refresh_from_db()
    cts_settings.reset_calls()
    return jobs


def _last_search(fake) -> talent_v4.SearchJobsRequest:
    return fake.requests("SearchJobs")[-1]


def test_resume_match_through_cts_maps_hits_to_our_jobs_with_an_explanation(synced, cts_settings):
    response = services.resume_match(text=PYTHON_RESUME, backend="cts")

    assert response.backend == "cts"
    assert response.jobs[0].job_id == synced["python"].pk
    assert response.jobs[0].company == "Acme"
    assert {"Python", "Django", "PostgreSQL", "Docker"} <= set(response.jobs[0].matched_skills)
    assert response.jobs[0].score_parts["skills"] > 0
    scores = [job.relevance_score for job in response.jobs]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
    assert synced["nurse"].pk not in [job.job_id for job in response.jobs]
    request = _last_search(cts_settings)
    assert request.parent == TENANT
    assert request.job_view == talent_v4.JobView.JOB_VIEW_SMALL
    assert request.max_page_size == 20 and request.offset == 0
    assert request.request_metadata.session_id and request.request_metadata.user_id


def test_hits_without_a_local_job_are_dropped(synced, cts_settings):
    company = next(iter(cts_settings.companies))
    unknown = cts_settings.add_job(
        talent_v4.Job(company=company, requisition_id="999999", title="Python Django Lead", description=PYTHON_JOB)
    )
    response = services.jd_match(text=PYTHON_JOB, backend="cts")
    [answer] = cts_settings.responses("SearchJobs")
    hits = [hit.job.name for hit in answer.matching_jobs]
    assert unknown in hits and synced["python"].cts_name in hits
    # Every hit but the unknown one, ours first. (The query's words are chosen with the reference
    # statistics: on 3 jobs a word two of them share, "requirements", is still sent, so the fake
    # service, which matches any shared word, may answer with the nurse's job too.)
    local_hits = [name for name in hits if name != unknown]
    ids = [job.job_id for job in response.jobs]
    assert ids[0] == synced["python"].pk and len(ids) == len(local_hits)
    assert response.total_matches == len(hits) - 1


def test_local_filters_still_hold_on_cts_hits(synced, cts_settings):
    from jobs.models import Job

    Job.objects.filter(pk=synced["python"].pk).update(remote=Remote.REMOTE)
    response = services.resume_match(text=PYTHON_RESUME, filters={"remote": "onsite"}, backend="cts")
    assert synced["python"].pk not in [job.job_id for job in response.jobs]


def test_filters_become_cts_request_fields(synced, cts_settings):
    filters = {
        "remote": "true",
        "internship": "true",
        "employment_type": "FULL_TIME,PART_TIME",
        "salary_min": "50000",
        "salary_max": "90000",
        "include_unknown_salary": "true",
        "country": "GB",
        "near": "51.5074,-0.1278",
        "radius_km": "16.09344",
        "location": "London",
        "posted_within_days": "7",
        "source": "adzuna",
    }
    before = timezone.now()
    with cts_request_identity(session_id="session-1", user_id="user-1"):
        services.resume_match(text=PYTHON_RESUME, filters=filters, limit=5, offset=10, backend="cts")

    request = _last_search(cts_settings)
    query = request.job_query
    assert 0 < len(query.query) <= 255 and "Python" in query.query
    allowed = talent_v4.LocationFilter.TelecommutePreference.TELECOMMUTE_ALLOWED
    located = [(f.lat_lng.latitude, f.lat_lng.longitude, round(f.distance_in_miles, 6)) for f in query.location_filters]
    assert located[0] == (51.5074, -0.1278, 10.0)
    assert [f.address for f in query.location_filters] == ["", "London", ""]
    assert [f.region_code for f in query.location_filters] == ["", "", "GB"]
    assert {f.telecommute_preference for f in query.location_filters} == {allowed}
    assert list(query.employment_types) == [talent_v4.EmploymentType.FULL_TIME, talent_v4.EmploymentType.PART_TIME]
    compensation = query.compensation_filter
    assert compensation.type_ == talent_v4.CompensationFilter.FilterType.ANNUALIZED_BASE_AMOUNT
    assert (compensation.range_.min_compensation.units, compensation.range_.min_compensation.currency_code) == (
        50000,
        "GBP",
    )
    assert compensation.range_.max_compensation.units == 90000
    assert compensation.include_jobs_with_unspecified_compensation_range
    assert query.custom_attribute_filter == (
        'internship = "true" AND (remote = "hybrid" OR remote = "remote") AND (source = "adzuna")'
    )
    start = query.publish_time_range.start_time
    assert before - timedelta(days=7, seconds=5) <= start <= timezone.now() - timedelta(days=7) + timedelta(seconds=5)
    assert (request.offset, request.max_page_size) == (10, 5)
    metadata = request.request_metadata
    assert metadata.session_id and metadata.session_id != "session-1"  # hashed, not the raw id
    assert metadata.user_id and metadata.user_id != metadata.session_id


def test_onsite_only_excludes_telecommute_jobs_and_companies_are_named(synced, cts_settings):
    services.resume_match(
        text=PYTHON_RESUME, filters={"remote": "onsite", "company": str(synced["python"].company_id)}, backend="cts"
    )
    query = _last_search(cts_settings).job_query
    assert [f.telecommute_preference for f in query.location_filters] == []
    assert query.custom_attribute_filter == '(remote = "onsite")'
    assert list(query.companies) == [synced["python"].company.cts_name]

    services.resume_match(text=PYTHON_RESUME, filters={"remote": "onsite", "country": "GB"}, backend="cts")
    [located] = _last_search(cts_settings).job_query.location_filters
    assert located.telecommute_preference == talent_v4.LocationFilter.TelecommutePreference.TELECOMMUTE_JOBS_EXCLUDED


def test_similar_jobs_leave_the_job_itself_out_in_cts_too(synced, cts_settings):
    response = services.job_similar(job_id=synced["python"].pk, backend="cts")
    assert list(_last_search(cts_settings).job_query.excluded_jobs) == [synced["python"].cts_name]
    assert synced["python"].pk not in [job.job_id for job in response.jobs]


def test_query_text_is_skills_then_strongest_words_within_255_characters(db):
    JobFactory.create_batch(3, description="Generic work with people and teams.")
    long_text = PYTHON_RESUME + " ".join(f"word{n} uncommonterm{n}" for n in range(200))
    text = cts_query_text(MatchQuery(text=long_text, kind="resume", skills=["Python", "Django", "Kubernetes"]))
    assert len(text) <= 255
    assert text.startswith("Python Django Kubernetes")


def test_falls_back_to_local_when_cts_is_down(cts_settings, settings, make_job):
    job = make_job(title="Python Developer", description=PYTHON_JOB)
    settings.CTS_ENDPOINT = f"127.0.0.1:{free_port()}"  # nobody listens once closed

    response = services.resume_match(text=PYTHON_RESUME, backend="cts")

    assert response.backend == "local"
    assert job.pk in [matched.job_id for matched in response.jobs]


def test_falls_back_to_local_when_cts_refuses(synced, cts_settings):
    import grpc

    cts_settings.fail_next("SearchJobs", grpc.StatusCode.PERMISSION_DENIED)
    response = services.resume_match(text=PYTHON_RESUME, backend="cts")
    assert response.backend == "local"
    assert len(cts_settings.requests("SearchJobs")) == 1  # a refusal is not retried


def test_a_fallback_answer_is_not_cached_as_the_cts_answer(synced, cts_settings, settings):
    import grpc

    settings.MATCH_CACHE_TTL = 3600
    for _ in range(2):
        cts_settings.fail_next("SearchJobs", grpc.StatusCode.PERMISSION_DENIED)
        response = services.resume_match(text=PYTHON_RESUME, backend="cts")
        assert (response.backend, response.cached) == ("local", False)
    assert len(cts_settings.requests("SearchJobs")) == 2  # the second request tried CTS again


def test_falls_back_to_local_when_not_configured(settings, make_job):
    settings.GCP_PROJECT_ID = ""
    job = make_job(title="Python Developer", description=PYTHON_JOB)
    response = CtsBackend().search(query=MatchQuery(text=PYTHON_RESUME, kind="resume"), candidates=job_list_public())
    assert response.backend == "local"
    assert job.pk in [matched.job_id for matched in response.jobs]


def test_cts_answers_only_with_jobs_of_the_requested_type(synced, cts_settings):
    from jobs.models import Job

    Job.objects.filter(pk=synced["java"].pk).update(employment_type=EmploymentType.CONTRACTOR)
    response = services.resume_match(text=PYTHON_RESUME, filters={"employment_type": "CONTRACTOR"}, backend="cts")
    assert {job.job_id for job in response.jobs} <= {synced["java"].pk}
