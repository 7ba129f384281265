"""Jobs that ingestion creates or changes get their embeddings through the index task."""

import pytest

from gigm8.celery import app as celery_app
from ingestion.normalize import build_job_data
from ingestion.services.ingest import ingest_records
from jobs.models import Job
from matching.models import CorpusStatsGeneration

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_tasks():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def _posting(external_id: str, title: str):
    return build_job_data(
        source="import:test", external_id=external_id, title=title, description=f"{title}: Python and Django."
    )


def test_ingested_jobs_are_embedded_once_the_batch_commits(django_capture_on_commit_callbacks, encoder, eager_tasks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ingest_records(records=[_posting("1", "Backend Developer"), _posting("2", "Data Engineer")], sync_log=None)
    # The batch's index task, which then queues the corpus statistics (none were stored yet).
    assert len(callbacks) == 2
    assert Job.objects.filter(embedding__isnull=True).count() == 0
    assert CorpusStatsGeneration.objects.get().documents == 2


def test_an_unchanged_run_queues_no_indexing(django_capture_on_commit_callbacks, encoder, eager_tasks):
    ingest_records(records=[_posting("1", "Backend Developer")], sync_log=None)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = ingest_records(records=[_posting("1", "Backend Developer")], sync_log=None)
    assert result.unchanged == 1
    assert callbacks == []
