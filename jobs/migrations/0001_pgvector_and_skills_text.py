"""The pgvector extension, and an IMMUTABLE skills-to-text function for the search vector."""

from django.db import migrations
from pgvector.django import VectorExtension


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        VectorExtension(),
        migrations.RunSQL(
            sql=(
                "CREATE OR REPLACE FUNCTION gigm8_skills_text(text[]) RETURNS text "
                "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT array_to_string($1, ' ') $$"
            ),
            reverse_sql="DROP FUNCTION IF EXISTS gigm8_skills_text(text[])",
        ),
    ]
