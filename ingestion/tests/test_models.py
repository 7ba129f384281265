import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from ingestion.choices import SyncKind, SyncStatus
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


@pytest.mark.parametrize(
    ("kind", "source", "title"),
    [
        (SyncKind.EXPIRY, "expiry", "Expiry #{pk} (running)"),
        (SyncKind.REFRESH, "refresh", "Full refresh #{pk} (running)"),
        (SyncKind.CTS, "cts", "Cloud Talent Solution sync #{pk} (running)"),
        (SyncKind.SOURCE, "adzuna", "Source fetch adzuna #{pk} (running)"),
        (SyncKind.SPIDER, "greenhouse", "Spider crawl greenhouse #{pk} (running)"),
    ],
)
def test_a_runs_title_does_not_repeat_its_kind_as_its_source(kind, source, title):
    log = SyncLogFactory(kind=kind, source=source)
    assert str(log) == title.format(pk=log.pk)
