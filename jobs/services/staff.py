"""Staff edits (the admin and the API's staff writes): locking what staff changed, and status changes by hand."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models, transaction
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


def staff_text(value: str) -> str:
    """Text as we store it: LF line breaks. Browsers post a textarea's line breaks as CRLF (the
    HTML form encoding), API clients on Windows may too; the normalizer stores LF. One rule for
    the admin form and the API, so saving a job unchanged changes (and locks) nothing."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


@functools.cache
def _text_fields() -> frozenset[str]:
    """The lockable fields that hold text, read from the model."""
    return frozenset(
        name
        for name in LOCKABLE_FIELDS
        if isinstance(Job._meta.get_field(name), models.CharField | models.TextField)
        and not isinstance(Job._meta.get_field(name), ArrayField)
    )


def _normalize_text(*, job: Job, names: Iterable[str]) -> None:
    for name in set(names) & _text_fields():
        value = getattr(job, name)
        if isinstance(value, str):
            setattr(job, name, staff_text(value))


def _really_changed(*, job: Job, names: set[str]) -> set[str]:
    """Which of `names` differ from the stored row (a form's or a client's "changed" may not)."""
    if job.pk is None or not names:
        return names
    attnames = {field.name: field.attname for field in Job._meta.concrete_fields}
    columns = {name: attnames[name] for name in names}
    stored = Job.objects.filter(pk=job.pk).values(*columns.values()).first()
    if stored is None:
        return names
    return {name for name, column in columns.items() if getattr(job, column) != stored[column]}


def job_apply_staff_edit(*, job: Job, changed: Iterable[str], unlock: Iterable[str] = ()) -> None:
    """Lock the lockable fields a staff member changed (unlocking those asked), and keep the
    annual salary in step with an edited salary. The caller saves the job.

    `changed` names what the form or request says changed; only the fields whose value differs
    from the stored row, once line breaks are normalized (`staff_text`), are locked.
    """
    _normalize_text(job=job, names=changed)
    changed = _really_changed(job=job, names=set(changed) & {field.name for field in Job._meta.concrete_fields})
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
    _normalize_text(job=job, names=data)
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
    data = {
        name: staff_text(value) if name in _text_fields() and isinstance(value, str) else value
        for name, value in data.items()
    }
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
