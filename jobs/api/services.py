"""Staff writes through the API: create, edit (locking what was edited), change status.

Kept beside the API until jobs/services.py (the ingestion upsert's module) takes them; the
admin follows the same rules (an edited field is locked, the annual salary follows the edit).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from jobs.choices import LOCKABLE_FIELDS, JobStatus
from jobs.models import Job

SALARY_FIELDS = ("salary_min", "salary_max", "salary_period")


def _annualize_salary(job: Job) -> None:
    # The annual figures are what filters compare; the one normalizer converts them.
    from ingestion.normalize import annualize

    period = job.salary_period
    job.salary_annual_min = annualize(job.salary_min, period) if period else None
    job.salary_annual_max = annualize(job.salary_max, period) if period else None


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
    _annualize_salary(job)
    job.save()
    return job


@transaction.atomic
def job_staff_update(*, job: Job, data: dict[str, Any]) -> Job:
    """Apply a staff edit; every lockable field whose value changed is locked against refreshes."""
    changed = [name for name, value in data.items() if getattr(job, name) != value]
    for name in changed:
        setattr(job, name, data[name])
    if not changed:
        return job
    job.lock(*(name for name in changed if name in LOCKABLE_FIELDS))
    if set(changed) & set(SALARY_FIELDS):
        _annualize_salary(job)
    job.save()
    return job


def job_set_status(*, job: Job, status: str) -> Job:
    """Hide, expire or reactivate a job. A hidden job stays hidden across refreshes."""
    if status not in JobStatus.values:
        raise ValueError(f"unknown status {status!r}")
    job.status = status
    job.expired_at = timezone.now() if status == JobStatus.EXPIRED else None
    job.save(update_fields=["status", "expired_at", "updated_at"])
    return job
