"""jobs.services: the one upsert (upsert), duplicates across sources (duplicates), expiry (expiry)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jobs.choices import JobStatus
from jobs.models import Company, Job
from jobs.services.duplicates import DUPLICATE_MIN_CONTAINMENT, descriptions_match
from jobs.services.expiry import job_expire_stale, job_expire_unseen
from jobs.services.staff import job_staff_update
from jobs.services.upsert import job_bulk_upsert
from jobs.types import JobData, SkippedRecord

pytestmark = pytest.mark.django_db

DESCRIPTION = (
    "We are looking for a backend engineer to design, build and run the services behind our job board. "
    "You will write Python and SQL every day, review code, and care about tests and operations."
)


def record(n: int = 1, **overrides) -> JobData:
    values = {
        "source": "adzuna",
        "external_id": f"a{n}",
        "title": f"Backend Engineer {n}",
        "company_name": "Acme Ltd",
        "description": DESCRIPTION,
        "location": "London, UK",
        "city": "London",
        "country": "GB",
        "salary_min": Decimal("50000"),
        "salary_max": Decimal("60000"),
        "salary_currency": "GBP",
        "salary_period": "year",
        "apply_url": f"https://example.com/a{n}",
    }
    values.update(overrides)
    return JobData(**values)


def test_first_load_creates_and_second_load_only_touches():
    first = job_bulk_upsert(records=[record(i) for i in range(5)], now=datetime(2026, 1, 1, tzinfo=UTC))
    assert (first.created, first.updated, first.unchanged, first.skipped) == (5, 0, 0, 0)
    before = {j.pk: (j.updated_at, j.title) for j in Job.objects.all()}
    later = datetime(2026, 1, 2, tzinfo=UTC)
    second = job_bulk_upsert(records=[record(i) for i in range(5)], now=later)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 5)
    assert sorted(second.job_ids) == sorted(first.job_ids)
    for job in Job.objects.all():
        assert job.last_seen_at == later
        assert (job.updated_at, job.title) == before[job.pk]  # nothing but last_seen_at moved


def test_a_batch_is_a_handful_of_statements_not_one_per_row():
    posted = datetime(2026, 7, 15, 8, 33, 45, tzinfo=UTC)
    records = [
        record(i, company_name=f"Company {i}", skills=["Python", "SQL"], posted_at=posted, latitude=51.5)
        for i in range(300)
    ]
    with CaptureQueriesContext(connection) as queries:
        job_bulk_upsert(records=records)
    assert Job.objects.count() == 300 and Company.objects.count() == 300
    assert len(queries) < 15
    job = Job.objects.get(external_id="a7")
    assert (job.skills, job.posted_at, job.latitude, job.salary_min) == (["Python", "SQL"], posted, 51.5, 50000)
    assert job.company.name == "Company 7" and job.status == JobStatus.ACTIVE and job.locked_fields == []
    assert Job.objects.filter(search_vector__isnull=False).count() == 300


def test_changed_rows_are_updated():
    job_bulk_upsert(records=[record(1), record(2)])
    result = job_bulk_upsert(records=[record(1, title="Senior Backend Engineer"), record(2)])
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Job.objects.get(external_id="a1").title == "Senior Backend Engineer"


def test_staff_locked_fields_survive_an_update():
    job_bulk_upsert(records=[record(1)])
    job = Job.objects.get(external_id="a1")
    job.title = "Backend Engineer (edited by staff)"
    job.salary_min = Decimal("55000")
    job.lock("title", "salary_min")
    job.save()
    job_bulk_upsert(records=[record(1, title="Changed at source", salary_min=Decimal("1"), description="New text")])
    job.refresh_from_db()
    assert job.title == "Backend Engineer (edited by staff)"
    assert job.salary_min == Decimal("55000")
    assert job.description == "New text"  # not locked: refreshed


def test_geo_precision_is_stored_and_follows_the_staff_lock_on_latitude():
    job_bulk_upsert(records=[record(1, latitude=51.5, longitude=-0.12, geo_precision="city")])
    job = Job.objects.get(external_id="a1")
    assert job.geo_precision == "city"
    job_staff_update(job=job, data={"latitude": 51.45, "longitude": -0.3})
    job.refresh_from_db()
    assert job.geo_precision == "point" and {"latitude", "longitude"} <= set(job.locked_fields)
    job_bulk_upsert(records=[record(1, latitude=52.0, longitude=-1.0, geo_precision="country")])
    job.refresh_from_db()
    assert (job.latitude, job.geo_precision) == (51.45, "point")


def test_hidden_stays_hidden_and_expired_comes_back():
    job_bulk_upsert(records=[record(1), record(2)])
    Job.objects.filter(external_id="a1").update(status=JobStatus.HIDDEN)
    Job.objects.filter(external_id="a2").update(status=JobStatus.EXPIRED, expired_at=datetime(2026, 1, 1, tzinfo=UTC))
    result = job_bulk_upsert(records=[record(1), record(2)])
    assert result.updated == 1 and result.unchanged == 1
    assert Job.objects.get(external_id="a1").status == JobStatus.HIDDEN
    reactivated = Job.objects.get(external_id="a2")
    assert reactivated.status == JobStatus.ACTIVE and reactivated.expired_at is None


def test_one_company_per_normalized_name():
    job_bulk_upsert(
        records=[
            record(1, company_name="NRT Technology Corp"),
            record(2, company_name="NRT Technology Corp."),
            record(3, company_name="nrt technology corp"),
        ]
    )
    job_bulk_upsert(records=[record(4, company_name="NRT TECHNOLOGY CORP.")])
    assert Company.objects.count() == 1
    assert Job.objects.filter(company__isnull=False).count() == 4


def test_companies_whose_slugs_collide_are_both_created():
    Company.objects.create(name="Acme", normalized_name="something else", slug="acme-ltd")
    job_bulk_upsert(records=[record(1, company_name="Acme Ltd!")])
    company = Job.objects.get().company
    assert company.normalized_name != "something else" and company.slug.startswith("acme-ltd-")


def test_bad_rows_are_skipped_with_a_reason_and_the_rest_kept():
    result = job_bulk_upsert(
        records=[
            record(1),
            record(2, title="   "),
            record(3, external_id=""),
            SkippedRecord("adzuna:9: result is not an object"),
            record(4, salary_min=Decimal("9"), salary_max=Decimal("1")),
            record(5, description="nul \x00 byte"),
        ]
    )
    assert (result.created, result.skipped) == (2, 4)
    assert any("no title" in e for e in result.errors)
    assert any("no external id" in e for e in result.errors)
    assert any("not an object" in e for e in result.errors)
    assert Job.objects.get(external_id="a5").description == "nul  byte"


def test_the_callers_records_are_left_as_they_were():
    def given_record() -> JobData:  # a new one each call: nothing shared with what the upsert saw
        return record(1, title="  " + "Engineer " * 60, description="nul \x00 byte", skills=["Python", "bad\x1fskill"])

    given = [given_record()]
    job_bulk_upsert(records=given)
    assert given[0] == given_record()
    job = Job.objects.get()
    assert (len(job.title), job.description, job.skills) == (300, "nul  byte", ["Python"])


def test_the_same_key_twice_in_one_input_keeps_the_last():
    result = job_bulk_upsert(records=[record(1, title="First"), record(1, title="Second")])
    assert (result.created, result.skipped) == (1, 1)
    assert Job.objects.get().title == "Second"


def test_same_posting_on_two_sources_is_linked_to_the_first():
    job_bulk_upsert(records=[record(1, source="greenhouse", external_id="gh-1", title="Backend Engineer")])
    snippet = DESCRIPTION[:120] + "…"  # Adzuna's truncated snippet of the same text
    result = job_bulk_upsert(records=[record(1, title="Backend Engineer", description=snippet)])
    canonical = Job.objects.get(source="greenhouse")
    duplicate = Job.objects.get(source="adzuna")
    assert result.created == 1
    assert duplicate.duplicate_of_id == canonical.pk and canonical.duplicate_of_id is None
    assert {j.apply_url for j in canonical.duplicates.all()} == {"https://example.com/a1"}
    # Idempotent: a second run changes nothing.
    again = job_bulk_upsert(records=[record(1, title="Backend Engineer", description=snippet)])
    assert again.unchanged == 1
    assert Job.objects.get(source="adzuna").duplicate_of_id == canonical.pk


def test_a_different_description_or_the_same_source_is_not_a_duplicate():
    job_bulk_upsert(records=[record(1, source="lever", external_id="lv-1", title="Backend Engineer")])
    other_text = "Join our kitchen team as a line cook; weekend shifts, staff meals and a friendly crew await you."
    job_bulk_upsert(
        records=[
            record(1, title="Backend Engineer", description=other_text),
            record(2, source="lever", external_id="lv-2", title="Backend Engineer"),
        ]
    )
    assert not Job.objects.filter(duplicate_of__isnull=False).exists()
    assert not descriptions_match(DESCRIPTION, other_text)
    assert DUPLICATE_MIN_CONTAINMENT == 0.5


def test_duplicates_within_one_batch_of_two_sources():
    job_bulk_upsert(
        records=[
            record(1, source="ashby", external_id="as-1", title="Backend Engineer"),
            record(1, title="Backend Engineer"),
        ]
    )
    linked = Job.objects.filter(duplicate_of__isnull=False)
    assert linked.count() == 1
    assert Job.objects.filter(duplicate_of__isnull=True).count() == 1


def test_expire_unseen_touches_only_that_board_and_keeps_hidden():
    old = datetime(2026, 1, 1, tzinfo=UTC)
    job_bulk_upsert(
        records=[record(1, board="gb:python"), record(2, board="gb:python"), record(3, board="gb:java")], now=old
    )
    Job.objects.filter(external_id="a2").update(status=JobStatus.HIDDEN)
    start = old + timedelta(days=1)
    job_bulk_upsert(records=[], now=start)
    expired = job_expire_unseen(source="adzuna", board="gb:python", seen_since=start, now=start)
    assert expired == 1
    assert Job.objects.get(external_id="a1").status == JobStatus.EXPIRED
    assert Job.objects.get(external_id="a2").status == JobStatus.HIDDEN
    assert Job.objects.get(external_id="a3").status == JobStatus.ACTIVE


def test_expire_stale_uses_job_expiry_days_and_expires_at(settings):
    settings.JOB_EXPIRY_DAYS = 30
    with time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=False):
        job_bulk_upsert(
            records=[
                record(1),
                record(2, expires_at=datetime(2026, 3, 5, tzinfo=UTC)),
                record(3),
            ]
        )
    with time_machine.travel(datetime(2026, 3, 20, tzinfo=UTC), tick=False):
        job_bulk_upsert(records=[record(3)])
        assert job_expire_stale() == 1  # a2 is past expires_at
    with time_machine.travel(datetime(2026, 4, 2, tzinfo=UTC), tick=False):
        assert job_expire_stale() == 1  # a1 not seen for 32 days; a3 seen 13 days ago
    statuses = dict(Job.objects.values_list("external_id", "status"))
    assert statuses == {"a1": JobStatus.EXPIRED, "a2": JobStatus.EXPIRED, "a3": JobStatus.ACTIVE}


def test_when_the_canonical_job_expires_its_duplicate_takes_over():
    job_bulk_upsert(records=[record(1, source="greenhouse", external_id="gh-1", title="Backend Engineer")])
    job_bulk_upsert(records=[record(1, title="Backend Engineer")])
    canonical = Job.objects.get(source="greenhouse")
    job_expire_unseen(source="greenhouse", board=None, seen_since=datetime(2100, 1, 1, tzinfo=UTC))
    canonical.refresh_from_db()
    assert canonical.status == JobStatus.EXPIRED
    assert Job.objects.get(source="adzuna").duplicate_of_id is None


def test_touching_unchanged_rows_writes_no_index_entries():
    def counts():
        with connection.cursor() as cursor:
            # This transaction's own counts, so far.
            cursor.execute(
                "SELECT pg_stat_get_xact_tuples_updated('jobs_job'::regclass), "
                "pg_stat_get_xact_tuples_hot_updated('jobs_job'::regclass)"
            )
            return cursor.fetchone()

    job_bulk_upsert(records=[record(i) for i in range(20)])
    updated_before, hot_before = counts()
    result = job_bulk_upsert(records=[record(i) for i in range(20)])
    updated, hot = counts()
    assert result.unchanged == 20
    # Every touch was a HOT update: no index entry written (last_seen_at is in no index).
    assert (updated - updated_before, hot - hot_before) == (20, 20)


def test_an_unchanged_record_only_touches_and_a_stale_one_is_skipped():
    from jobs.services.upsert import job_content_hashes
    from jobs.types import UnchangedRecord

    job_bulk_upsert(records=[record(1, source_hash="h1"), record(2, source_hash="h2")])
    assert job_content_hashes(source="adzuna", external_ids=["a1", "a2", "a3"]) == {"a1": "h1", "a2": "h2"}
    later = datetime(2030, 1, 1, tzinfo=UTC)
    result = job_bulk_upsert(
        records=[UnchangedRecord("adzuna", "a1", "h1"), UnchangedRecord("adzuna", "a2", "old")], now=later
    )
    assert (result.unchanged, result.skipped) == (1, 1)
    assert "changed while the run read it" in result.errors[0]
    assert Job.objects.get(external_id="a1").last_seen_at == later


def test_new_rows_copied_while_another_worker_inserted_one_fall_back_to_insert():
    from jobs.services import upsert as services

    job_bulk_upsert(records=[record(7)])
    rows = [services._prepare(record(i), lambda name: name.lower()) for i in range(5, 10)]
    with connection.cursor() as cursor:
        # a7 exists: the COPY fails on the unique key inside its savepoint and writes nothing.
        assert services._copy_new_rows(cursor, rows, {}, datetime(2026, 1, 1, tzinfo=UTC)) is False
    assert Job.objects.count() == 1
    # Through the upsert (which found a7 and copies only the rest), every row lands once.
    result = job_bulk_upsert(records=[record(i) for i in range(5, 60)])
    assert (result.created, result.unchanged) == (54, 1) and Job.objects.count() == 55
