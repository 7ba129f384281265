"""Corpus term statistics: computed by the index-queue task, stored, read per query lexeme."""

import logging
import math
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jobs.choices import JobStatus
from matching import selectors, services
from matching.models import CorpusStatsGeneration, CorpusTermFrequency
from matching.tasks import index_pending_embeddings, refresh_corpus_stats
from matching.tests.conftest import NURSING_JOB, PYTHON_JOB, PYTHON_RESUME

pytestmark = pytest.mark.django_db


def _ts_stat() -> dict[str, tuple[int, int]]:
    inner = f"SELECT search_vector FROM jobs_job WHERE status = '{JobStatus.ACTIVE}'"
    with connection.cursor() as cursor:
        cursor.execute("SELECT word, ndoc FROM ts_stat(%s)", [inner])
        df = dict(cursor.fetchall())
        cursor.execute("SELECT word, ndoc FROM ts_stat(%s, 'a')", [inner])
        title_df = dict(cursor.fetchall())
    return {word: (ndoc, title_df.get(word, 0)) for word, ndoc in df.items()}


def _stored() -> dict[str, tuple[int, int]]:
    newest = CorpusStatsGeneration.objects.order_by("-id").first()
    rows = CorpusTermFrequency.objects.filter(generation=newest).values_list("lexeme", "df", "title_df")
    return {lexeme: (df, title_df) for lexeme, df, title_df in rows}


def _ran_ts_stat(queries: CaptureQueriesContext) -> bool:
    return any("ts_stat" in query["sql"] for query in queries.captured_queries)


def test_the_task_stores_what_ts_stat_counts(make_job):
    make_job(**PYTHON_JOB)
    make_job(**NURSING_JOB)
    make_job(title="Senior Python Engineer", description="Python services on AWS, reviewed by peers.")
    make_job(title="Expired Nurse", description="Night shifts.", status=JobStatus.EXPIRED)

    assert refresh_corpus_stats.apply(kwargs={"reason": "test"}).get() > 0

    stored = _stored()
    assert stored == _ts_stat()
    assert stored["python"] == (2, 2) and stored["resid"] == (1, 0)  # (jobs, titles)
    assert "expir" not in stored  # only active jobs are counted
    generation = CorpusStatsGeneration.objects.get()
    assert generation.documents == 3


def test_a_match_request_runs_no_ts_stat_once_the_statistics_are_stored(make_job, client):
    make_job(**PYTHON_JOB)
    make_job(**NURSING_JOB)
    services.corpus_stats_refresh(force=True)

    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/match/resume/", {"resume_text": PYTHON_RESUME}, content_type="application/json")

    assert response.status_code == 200, response.content
    assert response.json()["jobs"]
    assert not _ran_ts_stat(queries)


def test_a_write_does_not_recompute_the_statistics_in_a_request(make_job):
    job = make_job(**PYTHON_JOB)
    make_job(**NURSING_JOB)
    services.corpus_stats_refresh(force=True)
    before = services.resume_match(text=PYTHON_RESUME)
    generation = CorpusStatsGeneration.objects.get()

    job.description += " Also Flask."  # moves the listing version, as every write does
    job.save()
    make_job(title="Python Engineer", description="Python and Django.")
    with CaptureQueriesContext(connection) as queries:
        after = services.resume_match(text=PYTHON_RESUME)

    assert not _ran_ts_stat(queries)
    assert CorpusStatsGeneration.objects.get() == generation
    assert {item.job_id for item in after.jobs} > {item.job_id for item in before.jobs}


def test_requests_read_the_newest_generation_and_keep_only_the_previous_one(make_job):
    make_job(**PYTHON_JOB)
    services.corpus_stats_refresh(force=True)
    assert selectors.corpus_stats(lexemes=["python", "nurs"]).df == {"python": 1}

    make_job(**NURSING_JOB)
    make_job(title="Python Engineer", description="Python and Django.")
    services.corpus_stats_refresh(force=True)
    stats = selectors.corpus_stats(lexemes=["python", "nurs", "zzz"])  # the memo holds the old generation's
    assert stats.df == {"python": 2, "nurs": 1} and stats.documents == 3
    assert stats.title_df == {"python": 2, "nurs": 1}

    third = services.corpus_stats_refresh(force=True)
    assert third is not None
    kept = list(CorpusStatsGeneration.objects.order_by("id").values_list("id", flat=True))
    assert len(kept) == 2 and kept[-1] == third.generation
    assert set(CorpusTermFrequency.objects.values_list("generation_id", flat=True)) == set(kept)


def test_the_refresh_is_due_when_old_or_when_the_jobs_moved(make_job, settings):
    settings.MATCH_STATS_MAX_AGE_SECONDS = 3600
    jobs = [make_job(title=f"Python Developer {n}", description="Python and Django.") for n in range(10)]
    assert services.corpus_stats_refresh_due() == "none stored"
    services.corpus_stats_refresh(force=True)
    assert services.corpus_stats_refresh_due() is None

    jobs[0].description += " Flask."
    jobs[0].save()
    assert services.corpus_stats_refresh_due() is None  # one change in ten: fresh enough
    assert services.corpus_stats_refresh() is None  # the task stores nothing then

    CorpusStatsGeneration.objects.update(computed_at=timezone.now() - timedelta(seconds=3601))
    assert "old" in services.corpus_stats_refresh_due()
    CorpusStatsGeneration.objects.update(computed_at=timezone.now())

    make_job(title="Nurse", description="Ward rounds.")
    make_job(title="Nurse", description="Ward rounds.")  # 12 active jobs where 10 were counted
    assert "moved from 10" in services.corpus_stats_refresh_due()


def test_an_index_run_queues_the_refresh_when_due_and_the_task_stores_it(make_job, django_capture_on_commit_callbacks):
    make_job(**PYTHON_JOB)
    make_job(embed=False, **NURSING_JOB)
    services.corpus_stats_refresh(force=True)
    CorpusStatsGeneration.objects.update(computed_at=timezone.now() - timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert index_pending_embeddings.apply().get() == 1
        index_pending_embeddings.apply().get()  # queued already: not twice
    assert len(callbacks) == 1

    refresh_corpus_stats.apply(kwargs={"reason": "test"}).get()
    newest = CorpusStatsGeneration.objects.order_by("-id").first()
    assert newest.computed_at > timezone.now() - timedelta(minutes=1) and newest.documents == 2
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        index_pending_embeddings.apply().get()  # fresh now: nothing queued
    assert callbacks == []


def test_a_small_corpus_without_statistics_gets_them_in_its_first_match(make_job):
    make_job(**PYTHON_JOB)
    make_job(**NURSING_JOB)
    assert not CorpusStatsGeneration.objects.exists()

    first = services.resume_match(text=PYTHON_RESUME)
    with CaptureQueriesContext(connection) as queries:
        second = services.resume_match(text=PYTHON_RESUME)

    assert CorpusStatsGeneration.objects.count() == 1
    assert _stored() == _ts_stat()
    assert not _ran_ts_stat(queries)  # once
    assert [(i.job_id, i.relevance_score) for i in first.jobs] == [(i.job_id, i.relevance_score) for i in second.jobs]


def test_a_big_corpus_without_statistics_queues_the_task_and_matches_with_defaults(
    make_job, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "STATS_SYNC_MAX_JOBS", 1)  # two jobs count as a big corpus here
    python = make_job(**PYTHON_JOB)
    make_job(**NURSING_JOB)

    with (
        caplog.at_level(logging.INFO),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        CaptureQueriesContext(connection) as queries,
    ):
        response = services.resume_match(text=PYTHON_RESUME)

    assert not _ran_ts_stat(queries)
    assert not CorpusStatsGeneration.objects.exists()
    assert len(callbacks) == 1  # the refresh task, once the request's transaction commits
    assert "refresh queued" in caplog.text and "smoothed defaults" in caplog.text
    assert response.jobs[0].job_id == python.pk  # the semantic leg still ranks


def test_statistics_blend_the_shipped_reference_with_the_live_jobs(make_job):
    reference = selectors.reference_stats()
    assert reference.documents == 1016 and reference.df["java"] > 0 and reference.title_df["nurs"] > 0
    for _ in range(5):
        make_job(title="Java Developer", description="Java and Spring.")
    services.corpus_stats_refresh(force=True)
    stats = selectors.corpus_stats(lexemes=["java", "zzzunknown"])
    weight = selectors.REFERENCE_WEIGHT
    # df' = df + weight x the reference's share, documents' = documents + weight.
    df = 5 + weight * reference.df["java"] / reference.documents
    assert stats.idf("java") == pytest.approx(math.log((5 + weight + 1) / (df + 0.5)))
    assert stats.share("java") == pytest.approx(df / (5 + weight))
    assert stats.share("java") < 0.5  # in every one of the 5 jobs, yet still telling: it is in few occupations
    assert stats.idf("zzzunknown") == pytest.approx(math.log((5 + weight + 1) / 0.5))
