# near=lat,lng reads the grid cells around the point (jobs.models.geo_cell): two expression indexes,
# built without blocking writes, then ANALYZE so that the planner has the expressions' statistics
# at once (autovacuum would gather them only after enough rows change).

import django.db.models.expressions
import django.db.models.functions.comparison
import django.db.models.functions.math
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


def _cell(per_degree: int):
    def band(field: str):
        return django.db.models.functions.comparison.Cast(
            django.db.models.functions.math.Floor(
                django.db.models.expressions.CombinedExpression(models.F(field), "*", models.Value(float(per_degree)))
            ),
            models.IntegerField(),
        )

    return django.db.models.expressions.CombinedExpression(
        django.db.models.expressions.CombinedExpression(band("latitude"), "*", models.Value(360 * per_degree + 1)),
        "+",
        band("longitude"),
    )


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY

    dependencies = [
        ("jobs", "0016_listing_version_sequence_bumped_by_writes"),
    ]

    operations = [
        *(
            AddIndexConcurrently(
                model_name="job",
                index=models.Index(
                    _cell(per_degree),
                    models.F("id"),
                    include=("latitude", "longitude"),
                    condition=models.Q(
                        ("duplicate_of__isnull", True), ("latitude__isnull", False), ("status", "active")
                    ),
                    name=f"job_public_geo_cell{per_degree}_idx",
                ),
            )
            for per_degree in (10, 1)
        ),
        migrations.RunSQL("ANALYZE jobs_job", reverse_sql=migrations.RunSQL.noop),
    ]
