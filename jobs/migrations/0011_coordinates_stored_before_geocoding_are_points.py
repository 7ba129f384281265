from django.db import migrations


def mark_points(apps, schema_editor):
    # Until geocoding, every stored coordinate came from the source (or staff): a point.
    Job = apps.get_model("jobs", "Job")
    Job.objects.filter(latitude__isnull=False, longitude__isnull=False, geo_precision="").update(geo_precision="point")


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0010_job_geo_precision_says_what_coordinates_stand_for"),
    ]

    operations = [
        migrations.RunPython(mark_points, migrations.RunPython.noop),
    ]
