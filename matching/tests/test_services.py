import pytest
from django.core.management import call_command

from jobs.models import Job
from matching import services
from matching.tests.conftest import NURSING_JOB, PYTHON_JOB, PYTHON_RESUME

pytestmark = pytest.mark.django_db


def test_second_identical_request_is_served_from_the_cache(make_job):
    make_job(**PYTHON_JOB)
    first = services.resume_match(text=PYTHON_RESUME)
    second = services.resume_match(text="  " + PYTHON_RESUME.replace("\n", " \n") + " ")  # same after normalizing
    assert first.cached is False and second.cached is True
    assert [j.job_id for j in second.jobs] == [j.job_id for j in first.jobs]
    assert second.jobs[0].score_parts == first.jobs[0].score_parts


def test_other_filters_or_page_are_other_cache_entries(make_job):
    make_job(**PYTHON_JOB)
    services.resume_match(text=PYTHON_RESUME)
    assert services.resume_match(text=PYTHON_RESUME, limit=5).cached is False
    assert services.resume_match(text=PYTHON_RESUME, filters={"remote": "remote"}).cached is False


def test_changed_or_new_jobs_invalidate_cached_results(make_job):
    job = make_job(**PYTHON_JOB)
    services.resume_match(text=PYTHON_RESUME)
    assert services.resume_match(text=PYTHON_RESUME).cached is True

    job.title = "Senior Python Developer"
    job.save()
    changed = services.resume_match(text=PYTHON_RESUME)
    assert changed.cached is False
    assert changed.jobs[0].title == "Senior Python Developer"

    make_job(**NURSING_JOB)
    assert services.resume_match(text=PYTHON_RESUME).cached is False


def test_cache_ttl_zero_turns_caching_off(make_job, settings):
    settings.MATCH_CACHE_TTL = 0
    make_job(**PYTHON_JOB)
    services.resume_match(text=PYTHON_RESUME)
    assert services.resume_match(text=PYTHON_RESUME).cached is False


def test_too_short_text_is_refused(db):
    with pytest.raises(services.MatchInputError):
        services.resume_match(text="python")


def test_indexing_embeds_missing_and_stale_jobs_only(make_job):
    fresh = make_job(**PYTHON_JOB)
    missing = make_job(embed=False, **NURSING_JOB)
    stamp = fresh.embedded_at

    assert services.job_embeddings_index().indexed == 1
    missing.refresh_from_db()
    fresh.refresh_from_db()
    assert missing.embedding is not None and fresh.embedded_at == stamp

    fresh.description += " Now with FastAPI."
    fresh.save()
    assert services.job_embeddings_index().indexed == 1
    assert services.job_embeddings_index().indexed == 0  # run twice: nothing left
    assert services.job_embeddings_index(rebuild=True, batch_size=1).indexed == 2


def test_index_jobs_command_reports_progress_and_rebuilds(make_job, capsys):
    make_job(embed=False, **PYTHON_JOB)
    make_job(embed=False, **NURSING_JOB)
    call_command("index_jobs", "--batch-size", "1")
    out = capsys.readouterr().out
    assert "embedded 1/2" in out and "Indexed 2 jobs" in out
    assert not Job.objects.filter(embedding__isnull=True).exists()
    call_command("index_jobs")
    assert "Nothing to index" in capsys.readouterr().out
    call_command("index_jobs", "--rebuild")
    assert "Indexed 2 jobs" in capsys.readouterr().out


def test_index_jobs_command_rejects_a_bad_batch_size(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--batch-size"):
        call_command("index_jobs", "--batch-size", "0")


def test_index_task_embeds_the_given_jobs(make_job):
    from matching.tasks import index_job_embeddings

    job = make_job(embed=False, **PYTHON_JOB)
    assert index_job_embeddings.apply(kwargs={"job_ids": [job.pk]}).get() == 1
    job.refresh_from_db()
    assert job.embedding is not None and job.embedded_at is not None


def test_new_edited_and_embedded_jobs_invalidate_the_match_cache_at_once(make_job):
    job = make_job(**PYTHON_JOB)
    assert services.resume_match(text=PYTHON_RESUME).cached is False
    assert services.resume_match(text=PYTHON_RESUME).cached is True
    job.title = "Python Engineer"
    job.save()  # an edit
    assert services.resume_match(text=PYTHON_RESUME).cached is False
    assert services.resume_match(text=PYTHON_RESUME).cached is True
    services.job_embeddings_index(job_ids=[job.pk])  # re-embedded: only embedding and embedded_at move
    assert services.resume_match(text=PYTHON_RESUME).cached is False
    make_job(**NURSING_JOB)  # a new job
    assert services.resume_match(text=PYTHON_RESUME).cached is False


def test_a_write_outside_the_orm_invalidates_the_match_cache(make_job):
    from django.db import connection

    make_job(**PYTHON_JOB)
    services.resume_match(text=PYTHON_RESUME)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE jobs_job SET status = 'hidden'")
    fresh = services.resume_match(text=PYTHON_RESUME)
    assert fresh.cached is False and fresh.jobs == []
