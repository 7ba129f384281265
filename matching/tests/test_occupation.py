"""The occupation part of the score: the query's O*NET-SOC occupations against each job's stored code."""

import pytest

from matching import services
from matching.backends.local import JD_WEIGHTS, WEIGHTS
from matching.occupation import (
    QueryOccupation,
    occupation_fit,
    resume_occupations,
    stored_occupations,
    text_occupations,
)
from matching.resume import ResumeProfile, resume_read
from skills.occupations import classify_title

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_cache(settings):
    settings.MATCH_CACHE_TTL = 0


CIVIL = "17-2051.00"  # Civil Engineers
NETWORK = "15-1241.01"  # Telecommunications Engineering Specialists
# Both jobs say the same things; only their titles (and so their occupations) tell them apart.
BODY = (
    "Design and check projects, prepare drawings in AutoCAD, write reports, site visits, "
    "liaise with clients and contractors, manage budgets and schedules."
)
CIVIL_RESUME = (
    "Experience\n"
    "Civil Engineer, Nova Works - May 2016 - Apr 2025\n"
    "Design of roads and drainage, AutoCAD drawings, site visits, reports for clients.\n"
)


def _job_with_occupation(make_job, **fields):
    """A job with the occupation the normalizer would give its title (the factory sets none)."""
    match = classify_title(fields["title"], fields.get("description", ""))
    assert match is not None
    return make_job(occupation_code=match.occupation.code, occupation_confidence=match.confidence, **fields)


def test_the_occupation_part_is_in_both_blends():
    assert WEIGHTS["occupation"] > 0 and JD_WEIGHTS["occupation"] >= 0
    assert set(WEIGHTS) == set(JD_WEIGHTS)


def test_a_resume_reads_its_recent_titles_as_occupations_the_latest_weighing_most():
    profile = ResumeProfile(recent_titles=("Civil Engineer", "Network Engineer"))
    found = resume_occupations(profile, "")
    assert [item.code for item in found] == [CIVIL, NETWORK]
    assert found[0].said == "Civil Engineer" and found[0].weight > found[1].weight


def test_a_resume_without_a_title_is_read_from_its_first_lines_less_surely():
    text = (
        "Profile\nSkills and interests: wound dressing, medication rounds and caring for patients, "
        "in the critical care nurse team of a hospital."
    )
    found = resume_occupations(resume_read(text), text)
    assert [item.code for item in found] == ["29-1141.03"]  # Critical Care Nurses
    assert found[0].weight < 1.0 and found[0].said == ""
    assert resume_occupations(ResumeProfile(), "nothing here to read as a job at all") == ()


def test_a_job_description_reads_its_title_else_its_first_line():
    assert [item.code for item in text_occupations("Roads and drainage design.", title="Bridge Engineer")] == [CIVIL]
    assert [item.code for item in text_occupations("Civil Engineer\nRoads and drainage design.")] == [CIVIL]
    # A long first line is a sentence, not a title.
    assert text_occupations("We are looking for someone to help us with many kinds of things every single day.") == ()


def test_fit_is_similarity_times_both_confidences():
    query = (QueryOccupation(CIVIL, 0.9, "Civil Engineer"),)
    assert occupation_fit(query, CIVIL, 1.0) == (pytest.approx(0.9), query[0])
    assert occupation_fit(query, "17-2141.00", 0.5)[0] == pytest.approx(0.6 * 0.9 * 0.5)  # same minor group
    assert occupation_fit(query, NETWORK, 1.0) == (0.0, None)
    assert occupation_fit(query, "", None) == (0.0, None)
    assert stored_occupations("", None) == () and stored_occupations("99-9999.99", 1.0) == ()


def test_a_civil_engineer_resume_ranks_the_civil_job_above_a_same_word_one(make_job):
    civil = _job_with_occupation(make_job, title="Highway Design Engineer", description=BODY)
    network = _job_with_occupation(make_job, title="Network Engineer", description=BODY)
    assert civil.occupation_code == CIVIL and network.occupation_code == NETWORK

    response = services.resume_match(text=CIVIL_RESUME)

    assert [job.job_id for job in response.jobs] == [civil.pk, network.pk]
    first, second = response.jobs
    assert first.score_parts["occupation"] == pytest.approx(1.0)
    assert second.score_parts["occupation"] == 0.0
    assert "matches your recent role: Civil Engineer (Civil Engineers)" in first.reasons
    assert not any("recent role: Civil" in reason for reason in second.reasons[1:])


def test_a_job_description_with_a_title_prefers_that_occupation(make_job):
    civil = _job_with_occupation(make_job, title="Highway Design Engineer", description=BODY)
    network = _job_with_occupation(make_job, title="Network Engineer", description=BODY)

    response = services.jd_match(text=BODY, title="Structural Engineer")

    parts = {job.job_id: job.score_parts["occupation"] for job in response.jobs}
    assert parts[civil.pk] == pytest.approx(1.0) and parts[network.pk] == 0.0
    reasons = next(job.reasons for job in response.jobs if job.job_id == civil.pk)
    assert "same occupation as the description: Civil Engineers" in reasons
    # No title, no line naming one: no occupation is guessed (not from the closest jobs either: a guess that
    # followed them put nurse managers first for a nurse's description), so the part is 0 and says nothing.
    untitled = services.jd_match(text=BODY)
    assert all(job.score_parts["occupation"] == 0.0 for job in untitled.jobs)
    assert not any("occupation" in reason for job in untitled.jobs for reason in job.reasons)


def test_similar_jobs_use_the_source_jobs_stored_occupation(make_job):
    source = _job_with_occupation(make_job, title="Civil Engineer", description=BODY)
    civil = _job_with_occupation(make_job, title="Bridge Engineer", description=BODY)
    network = _job_with_occupation(make_job, title="Network Engineer", description=BODY)

    response = services.job_similar(job_id=source.pk)

    parts = {job.job_id: job.score_parts["occupation"] for job in response.jobs}
    assert source.pk not in parts
    assert parts[civil.pk] == pytest.approx(1.0) and parts[network.pk] == 0.0
    assert "same occupation: Civil Engineers" in next(j.reasons for j in response.jobs if j.job_id == civil.pk)


def test_occupation_scores_are_deterministic(make_job):
    _job_with_occupation(make_job, title="Highway Design Engineer", description=BODY)
    _job_with_occupation(make_job, title="Structural Engineer", description=BODY)
    _job_with_occupation(make_job, title="Network Engineer", description=BODY)
    first = services.resume_match(text=CIVIL_RESUME)
    second = services.resume_match(text=CIVIL_RESUME)
    assert [(job.job_id, job.relevance_score, job.score_parts, job.reasons) for job in first.jobs] == [
        (job.job_id, job.relevance_score, job.score_parts, job.reasons) for job in second.jobs
    ]
