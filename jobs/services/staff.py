"""Staff edits (the admin and the API's staff writes): locking what staff changed, and status changes by hand."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from jobs.choices import LOCKABLE_FIELDS, GeoPrecision, JobStatus
from jobs.models import Job
from jobs.rules import annualize
from jobs.services.duplicates import duplicates_promote

SALARY_FIELDS = ("salary_min", "salary_max", "salary_period")


def job_salary_annual(*, amount: Decimal | None, period: str) -> Decimal | None:
    """`amount` per `period` as a yearly amount (jobs.rules.annualize); None without a period."""
    return annualize(amount, period) if period else None


def job_annualize_salary(*, job: Job) -> None:
    """Recompute the annual figures filters compare."""
    job.salary_annual_min = job_salary_annual(amount=job.salary_min, period=job.salary_period)
    job.salary_annual_max = job_salary_annual(amount=job.salary_max, period=job.salary_period)


def job_apply_staff_edit(*, job: Job, changed: Iterable[str], unlock: Iterable[str] = ()) -> None:
    """Lock the lockable fields a staff member changed (unlocking those asked), and keep the
    annual salary in step with an edited salary. The caller saves the job."""
    changed = set(changed)
    job.locked_fields = sorted(set(job.locked_fields) - set(unlock))
    edited = changed & set(LOCKABLE_FIELDS)
    if edited:
        job.lock(*edited)
    if changed & set(SALARY_FIELDS):
        job_annualize_salary(job=job)
    if changed & {"latitude", "longitude"}:
        # A point staff typed is a point; clearing either coordinate leaves none.
        has_point = job.latitude is not None and job.longitude is not None
        job.geo_precision = GeoPrecision.POINT if has_point else GeoPrecision.NONE


@transaction.atomic
def job_staff_create(*, data: dict[str, Any]) -> Job:
    """A job a staff member enters by hand (source "staff" unless given)."""
    now = timezone.now()
    job = Job(**data)
    job.source = job.source or "staff"
    job.external_id = job.external_id or uuid.uuid4().hex
    job.last_seen_at = now
    job.posted_at = job.posted_at or now
    if job.salary_min is not None or job.salary_max is not None:
        job.salary_source = job.salary_source or "structured"
    if job.latitude is not None and job.longitude is not None:
        job.geo_precision = GeoPrecision.POINT
    job_annualize_salary(job=job)
    job.save()
    return job


@transaction.atomic
def job_staff_update(*, job: Job, data: dict[str, Any]) -> Job:
    """Apply a staff edit; every lockable field whose value changed is locked against refreshes."""
    changed = [name for name, value in data.items() if getattr(job, name) != value]
    if not changed:
        return job
    for name in changed:
        setattr(job, name, data[name])
    job_apply_staff_edit(job=job, changed=changed)
    job.save()
    return job


def job_status_set(*, job_ids: Iterable[int], status: str, now: datetime | None = None) -> int:
    """Expire, hide or reactivate jobs by hand (the admin's bulk actions, the API's staff actions).

    The one write of a job's status outside a refresh: a canonical job taken out of the listing
    hands its live duplicates to the oldest of them, as expiry does, so the posting stays listed.
    A hidden job stays hidden across refreshes. Returns how many jobs changed.
    """
    if status not in JobStatus.values:
        raise ValueError(f"unknown status {status!r}")
    now = now or timezone.now()
    table = Job._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, expired_at = %s, updated_at = %s "
            "WHERE id = ANY(%s::bigint[]) AND status <> %s RETURNING id",
            [status, now if status == JobStatus.EXPIRED else None, now, list(job_ids), status],
        )
        changed = [row[0] for row in cursor.fetchall()]
        if status != JobStatus.ACTIVE:
            duplicates_promote(cursor=cursor, expired_ids=changed)
    return len(changed)
