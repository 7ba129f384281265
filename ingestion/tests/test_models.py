import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from ingestion.choices import SyncStatus
from ingestion.tests.factories import SyncLogFactory

pytestmark = pytest.mark.django_db


def test_an_ended_run_must_have_a_finish_time():
    with pytest.raises(IntegrityError), transaction.atomic():
        SyncLogFactory(status=SyncStatus.SUCCESS, finished_at=None)


def test_duration_is_finish_minus_start():
    log = SyncLogFactory()
    assert log.duration is None
    log.status = SyncStatus.SUCCESS
    log.finished_at = log.started_at + timezone.timedelta(seconds=5)
    log.save()
    assert log.duration.total_seconds() == 5
