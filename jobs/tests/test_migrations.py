"""Data migrations of jobs, run against rows written raw as an older release left them."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

from gigm8.tests.xss import DIRTY_DESCRIPTION_HTML, assert_sanitized
from jobs.models import Job
from jobs.tests.factories import JobFactory

pytestmark = pytest.mark.django_db

sanitize_migration = importlib.import_module("jobs.migrations.0014_sanitize_stored_description_html")


def _write_raw(job: Job, description_html: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Job._meta.db_table} SET description_html = %s WHERE id = %s", [description_html, job.pk]
        )


def test_stored_description_html_is_sanitized_in_batches_and_nothing_else_moves():
    dirty = [JobFactory() for _ in range(3)]
    for job in dirty:
        _write_raw(job, DIRTY_DESCRIPTION_HTML)
    clean = JobFactory(description_html="<p>Already <b>clean</b></p>")
    empty = JobFactory(description_html="")
    before = {
        row["id"]: row for row in Job.objects.values("id", "content_hash", "updated_at", "description", "locked_fields")
    }

    changed = sanitize_migration.sanitize_stored_descriptions(
        connection=connection, table=Job._meta.db_table, batch_size=2
    )

    assert changed == 3
    for job in dirty:
        job.refresh_from_db()
        assert_sanitized(job.description_html)
    clean.refresh_from_db()
    empty.refresh_from_db()
    assert (clean.description_html, empty.description_html) == ("<p>Already <b>clean</b></p>", "")
    after = {
        row["id"]: row for row in Job.objects.values("id", "content_hash", "updated_at", "description", "locked_fields")
    }
    assert after == before  # the hash, updated_at, the plain text and locks are left alone (see the docstring)
    # Run again (an interrupted migration is re-run whole): nothing left to change.
    assert sanitize_migration.sanitize_stored_descriptions(connection=connection, table=Job._meta.db_table) == 0


listing_version_migration = importlib.import_module("jobs.migrations.0016_listing_version_sequence_bumped_by_writes")


def test_the_listing_version_migration_reverses_and_reapplies():
    from jobs.selectors import listing_version

    def run(statements: list[str]) -> None:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def triggers() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE '%%listing_version'")
            return {name for (name,) in cursor.fetchall()}

    assert triggers() == {"jobs_job_listing_version", "jobs_company_listing_version"}
    run(listing_version_migration.BACKWARD)  # DDL is transactional: the test's rollback restores it
    assert triggers() == set()
    JobFactory()  # writes go on without the trigger
    run(listing_version_migration.FORWARD)
    before = listing_version()
    JobFactory()
    assert listing_version() != before
