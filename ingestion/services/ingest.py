"""The one entry point every source hands its postings to: Adzuna, the spiders, import_jobs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice

from ingestion.models import SyncLog
from ingestion.services.runs import sync_log_add
from jobs.services.upsert import job_bulk_upsert
from jobs.types import JobData, SkippedRecord, UnchangedRecord, UpsertResult

BATCH_SIZE = 1000


def ingest_records(
    *,
    records: Iterable[JobData | SkippedRecord | UnchangedRecord],
    sync_log: SyncLog | None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> UpsertResult:
    """Upsert postings in batches, counting each batch into the run's log as it lands.

    A SkippedRecord (a posting the source could not read) is counted as skipped with its
    reason; an UnchangedRecord (a posting whose source hash matches) only touches its job.
    With sync_log None the counts are only returned (dry runs, benchmarks).
    """
    total = UpsertResult()
    iterator = iter(records)
    while batch := list(islice(iterator, batch_size)):
        result = job_bulk_upsert(records=batch, batch_size=batch_size)
        if sync_log is not None:
            sync_log_add(sync_log=sync_log, result=result, fetched=len(batch))
        total.merge(result)
        if progress is not None:
            progress(len(batch))
    if total.created or total.updated:
        # New and changed jobs get their embeddings on the index queue once this commits;
        # the indexer skips the unchanged ones whose embedding is current.
        from matching.services import job_embeddings_enqueue

        job_embeddings_enqueue(job_ids=total.job_ids)
    return total
