"""The normalizer stores each posting's occupation (skills.occupations) on the job, and a renormalize
run fills it in for jobs stored before it existed."""

from __future__ import annotations

import pytest

from ingestion.normalize import build_job_data
from ingestion.normalize.rederive import rederive_job_fields
from ingestion.services.renormalize import jobs_renormalize
from jobs.models import Job
from jobs.services.upsert import job_bulk_upsert


def test_the_normalizer_reads_the_title_s_occupation() -> None:
    data = build_job_data(source="adzuna", external_id="1", title="Senior Civil Engineer - Leeds", skills=[])
    assert (data.occupation_code, data.occupation_confidence) == ("17-2051.00", 0.97)


def test_a_vague_title_gets_its_occupation_from_the_description() -> None:
    data = build_job_data(
        source="adzuna",
        external_id="1",
        title="Consultant",
        description="<p>We are seeking a Management Consultant to advise our clients.</p>",
        skills=[],
    )
    assert data.occupation_code == "13-1111.00"
    assert data.occupation_confidence is not None and data.occupation_confidence <= 0.6


def test_a_title_that_names_nothing_gets_no_occupation() -> None:
    data = build_job_data(source="adzuna", external_id="1", title="Team Member", skills=[])
    assert (data.occupation_code, data.occupation_confidence) == ("", None)


@pytest.mark.django_db
def test_the_upsert_stores_the_occupation() -> None:
    job_bulk_upsert(records=[build_job_data(source="adzuna", external_id="7", title="Staff Nurse RGN", skills=[])])
    job = Job.objects.get(source="adzuna", external_id="7")
    assert job.occupation_code == "29-1141.00"
    assert job.occupation_confidence is not None and job.occupation_confidence > 0.5


@pytest.mark.django_db
def test_renormalize_fills_the_occupation_of_jobs_stored_before_it() -> None:
    job_bulk_upsert(records=[build_job_data(source="adzuna", external_id="7", title="Sales Manager", skills=[])])
    Job.objects.update(occupation_code="", occupation_confidence=None)  # as stored before issue 19
    changes = rederive_job_fields(Job.objects.values().get())
    assert {field: changes[field] for field in ("occupation_code", "occupation_confidence")} == {
        "occupation_code": "11-2022.00",
        "occupation_confidence": 1.0,
    }
    result = jobs_renormalize()
    assert result.by_field["occupation"] == 1
    assert Job.objects.values_list("occupation_code", "occupation_confidence").get() == ("11-2022.00", 1.0)
