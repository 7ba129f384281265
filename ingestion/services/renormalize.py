"""Re-run the normalizer's derived fields over stored jobs (after an upgrade changed a rule).

`jobs_renormalize` walks the table by primary key in batches (bounded memory at any size: one
batch's inputs in memory at a time), re-derives each job's remote, coordinates, description
salary, skills and job level with `ingestion.normalize.rederive_job_fields`, and writes the rows
that change, with `updated_at` bumped so the embedding index (`embedded_at < updated_at`) and the
CTS sync (`updated_at > cts_synced_at`) pick them up. Staff locks are kept; a second run changes
nothing. Each batch is read with its rows locked and written in one transaction, so a refresh
writing the same rows meanwhile waits for it rather than being overwritten with stale inputs.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from ingestion.normalize.rederive import DERIVED_FIELDS, GROUPS, INPUT_FIELDS, changed_groups, rederive_job_fields
from jobs.models import Job

DEFAULT_BATCH_SIZE = 1000


@dataclasses.dataclass
class RenormalizeResult:
    scanned: int = 0
    changed: int = 0  # rows written (or that would be, in a dry run)
    by_field: Counter[str] = dataclasses.field(default_factory=Counter)  # rows changed per GROUPS name

    def summary(self) -> str:
        fields = ", ".join(f"{name} {self.by_field[name]}" for name in GROUPS)
        return f"scanned {self.scanned}, changed {self.changed} ({fields})"


def jobs_renormalize(
    *,
    source: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    dry_run: bool = False,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> RenormalizeResult:
    """Re-derive the derived fields of every stored job (of `source`, when given); write the changes."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    result = RenormalizeResult()
    columns = sorted({"id", "locked_fields", *INPUT_FIELDS, *DERIVED_FIELDS})
    jobs = Job.objects.order_by("id")
    if source:
        jobs = jobs.filter(source=source)
    last_id = 0
    while True:
        with transaction.atomic():
            batch = list(jobs.filter(id__gt=last_id).select_for_update(of=("self",)).values(*columns)[:batch_size])
            if not batch:
                break
            last_id = batch[-1]["id"]
            updates = _changes(batch, result)
            if updates and not dry_run:
                _write(updates, when=now or timezone.now())
        if progress is not None:
            progress(len(batch))
    return result


def _changes(batch: list[dict[str, Any]], result: RenormalizeResult) -> list[Job]:
    updates = []
    for row in batch:
        result.scanned += 1
        changes = rederive_job_fields(row)
        if not changes:
            continue
        result.changed += 1
        result.by_field.update(changed_groups(changes))
        updates.append(Job(id=row["id"], **{field: changes.get(field, row[field]) for field in DERIVED_FIELDS}))
    return updates


def _write(updates: list[Job], *, when: datetime) -> None:
    for job in updates:
        job.updated_at = when
    # Every derived field of the changed rows (their unchanged ones keep the value just read under
    # the row lock), plus updated_at; bulk_update sends one UPDATE … CASE per batch.
    Job.objects.bulk_update(updates, fields=[*DERIVED_FIELDS, "updated_at"], batch_size=len(updates))
