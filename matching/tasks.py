"""Celery tasks of matching (queue "index", routed in settings). Thin: they call services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache

from matching import services

CHUNK = 5000  # ids per task message, so a large import fans out over the workers

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def index_job_embeddings(job_ids: list[int] | None = None, rebuild: bool = False) -> int:
    """Embed the given jobs (or every job missing a current embedding). Idempotent."""
    if job_ids is not None and len(job_ids) > CHUNK:
        for start in range(0, len(job_ids), CHUNK):
            index_job_embeddings.delay(job_ids=job_ids[start : start + CHUNK], rebuild=rebuild)
        return 0
    indexed = services.job_embeddings_index(job_ids=job_ids, rebuild=rebuild).indexed
    services.corpus_stats_enqueue_if_due()
    return indexed


@shared_task(acks_late=True, ignore_result=True, expires=3000)
def index_pending_embeddings(*, triggered_by: str = "schedule") -> int:
    """Beat-friendly: embed whatever is missing or stale (jobs added or changed since)."""
    indexed = services.job_embeddings_index().indexed
    logger.info("embedded %d pending jobs (%s)", indexed, triggered_by)
    services.corpus_stats_enqueue_if_due()
    return indexed


@shared_task(acks_late=True, ignore_result=True, expires=3000)
def refresh_corpus_stats(*, reason: str = "", force: bool = False) -> int:
    """Store the corpus term statistics again if due (services.corpus_stats_refresh); the lexemes stored."""
    try:
        result = services.corpus_stats_refresh(force=force)
    finally:
        cache.delete(services.STATS_QUEUED_KEY)
    if result is None:
        logger.info("corpus statistics not refreshed (%s): fresh, or another refresh is running", reason or "asked")
        return 0
    return result.lexemes
