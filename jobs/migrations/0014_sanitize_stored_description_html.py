"""Data: sanitize the description_html already stored, to the allow-list new writes go through.

Until this release description_html was stored as each source sent it (imports, the staff API,
crawls): scripts, event handlers and javascript: links included. Ingestion and staff writes now
pass it through gigm8.lib.html.sanitize_html; this cleans the rows written before.

- Batches of BATCH_SIZE rows in id order, only rows with a non-empty description_html, and only
  the rows whose sanitized HTML differs are written (one UPDATE … FROM unnest per batch). Not
  atomic: each batch commits, and a re-run after an interruption finds the cleaned rows already
  equal to their sanitized form (the sanitizer is idempotent) and writes nothing for them.
- A row a refresh or a staff edit rewrote between our read and our write is left alone (the
  UPDATE matches the HTML it read); what they wrote went through the sanitizer already.
- content_hash is left as it is, on purpose. It is the hash of the whole normalized record the
  source last sent (Adzuna: of its raw fields and the normalizer's code), which the row cannot
  rebuild (company name as sent, the source's values under staff-locked fields, …). For a row
  whose HTML did not change, the next refresh computes the same hash as before and only touches
  last_seen_at. For a row whose HTML changed, the normalized record really did change, so the
  next refresh rewrites it once, with the values this migration already stored; clearing or
  guessing the hash would not spare that write and could hide a real change.
- updated_at is not bumped: nothing derived from the job changes (the plain description, the
  embedding, and the CTS copy, which was always sanitized on its way out).
- Reversing does nothing: the removed markup is not kept anywhere.
"""

from django.db import migrations

from gigm8.lib.html import sanitize_html

BATCH_SIZE = 1000


def sanitize_stored_descriptions(*, connection, table: str, batch_size: int = BATCH_SIZE) -> int:
    """Sanitize every stored description_html of `table`; returns how many rows were changed."""
    changed = 0
    last_id = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, description_html FROM {table} WHERE id > %s AND description_html <> '' "
                "ORDER BY id LIMIT %s",
                [last_id, batch_size],
            )
            rows = cursor.fetchall()
            if not rows:
                return changed
            last_id = rows[-1][0]
            ids, old, new = [], [], []
            for job_id, markup in rows:
                cleaned = sanitize_html(markup)
                if cleaned != markup:
                    ids.append(job_id)
                    old.append(markup)
                    new.append(cleaned)
            if ids:
                cursor.execute(
                    f"UPDATE {table} AS j SET description_html = v.new "
                    "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, old, new) "
                    "WHERE j.id = v.id AND j.description_html = v.old",
                    [ids, old, new],
                )
                changed += cursor.rowcount


def forwards(apps, schema_editor):
    table = apps.get_model("jobs", "Job")._meta.db_table
    sanitize_stored_descriptions(connection=schema_editor.connection, table=table)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("jobs", "0013_company_careers_url_http_only"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
