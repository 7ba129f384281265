"""Stored beat schedules follow the tasks' move into ingestion/tasks.py (one tasks module per app).

A PeriodicTask names its task by dotted path: beat would send the old names, and no worker
knows them any more. Schedules staff made themselves with one of these tasks move too.
"""

from django.db import migrations
from django.utils import timezone

RENAMED = {
    "scrapers.tasks.crawl_spider": "ingestion.tasks.crawl_spider",
    "ingestion.cts_tasks.sync_cts": "ingestion.tasks.sync_cts",
    "ingestion.retention_tasks.purge_old_records": "ingestion.tasks.purge_old_records",
    "ingestion.alert_tasks.check_overdue_schedules": "ingestion.tasks.check_overdue_schedules",
}


def _rename(apps, mapping):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    changed = sum(PeriodicTask.objects.filter(task=old).update(task=new) for old, new in mapping.items())
    if changed:
        # What PeriodicTask's save signal does, which historical models do not send: a running
        # beat reloads its schedules when this row's time moves.
        PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def forwards(apps, schema_editor):
    _rename(apps, RENAMED)


def backwards(apps, schema_editor):
    _rename(apps, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("ingestion", "0003_synclog_owner"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
