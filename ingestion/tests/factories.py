import factory

from ingestion.choices import SyncKind, SyncStatus, TriggerKind
from ingestion.models import SyncLog


class SyncLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SyncLog

    kind = SyncKind.SOURCE
    source = "adzuna"
    triggered_by = TriggerKind.COMMAND
    status = SyncStatus.RUNNING
