"""ordering=distance walks a GiST index of each listed job's point on the unit sphere, nearest first.

The cube extension is one of PostgreSQL's contrib modules (in the pgvector images and managed
services alike); its GiST operator class answers `<->` (straight-line distance) nearest first.
"""

import django.contrib.postgres.indexes
from django.contrib.postgres.operations import CreateExtension
from django.db import migrations, models

import jobs.models


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0018_search_head_title_skills_vector"),
    ]

    operations = [
        CreateExtension("cube"),
        migrations.AddIndex(
            model_name="job",
            index=django.contrib.postgres.indexes.GistIndex(
                jobs.models.EarthPoint(models.F("latitude"), models.F("longitude")),
                condition=models.Q(
                    ("duplicate_of__isnull", True),
                    ("latitude__isnull", False),
                    ("longitude__isnull", False),
                    ("status", "active"),
                ),
                name="job_public_earth_idx",
            ),
        ),
    ]
