"""The "curator" group: staff who edit jobs and companies and start refreshes.

Curators view, add and change jobs and companies, view sync logs and may start runs
(ingestion.add_synclog: starting a run creates its SyncLog). They delete nothing and have no
access to schedules (django_celery_beat). Superusers have everything anyway.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "curator"
PERMISSIONS = {
    ("jobs", "job"): ("view", "add", "change"),
    ("jobs", "company"): ("view", "add", "change"),
    ("ingestion", "synclog"): ("view", "add"),
}


def create_curator_group(apps, schema_editor):
    # Permissions are created after migrate finishes; on a fresh database they do not exist
    # yet at this point, so create them for the two apps now (idempotent).
    for label in ("jobs", "ingestion"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for (app_label, model), actions in PERMISSIONS.items():
        for action in actions:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
            )


def delete_curator_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("jobs", "0003_job_board"),
        ("ingestion", "0001_synclog"),
    ]

    operations = [migrations.RunPython(create_curator_group, delete_curator_group)]
