"""Matching flows: a resume or a job description against the jobs, jobs like a job, and indexing.

Views, tasks and commands call these; only this module calls a backend (get_backend()).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from gigm8 import metrics
from gigm8.counts import count_rows
from jobs.choices import JobStatus
from jobs.models import Job
from jobs.selectors import listing_version
from matching import embeddings, selectors
from matching.backends import get_backend
from matching.backends.base import MatchQuery, MatchResponse, QueryKind
from matching.models import CorpusStatsGeneration, CorpusTermFrequency, JobSkillProfile
from matching.occupation import QueryOccupation, resume_occupations, stored_occupations, text_occupations
from matching.resume import resume_read
from matching.text import clean_text
from skills.extract import extract_skills, job_skill_split

logger = logging.getLogger(__name__)

CACHE_PREFIX = "match:v6"  # bumped when the engine ranks differently: no answer of the old one is served
MAX_LIMIT = 100
MAX_OFFSET = 1000
MIN_QUERY_CHARS = 20
# Corpus statistics: with none stored, a corpus up to this many active jobs (estimated) gets them
# computed at once in the first match (about a second at 20,000); a bigger one waits for the task.
STATS_SYNC_MAX_JOBS = 20_000
STATS_MOVED_SHARE = 0.10  # the active jobs moved by more than this share: the stored set is stale
STATS_QUEUED_KEY = "matching:corpus-stats-queued"  # set while a refresh task waits or runs
STATS_QUEUED_SECONDS = 15 * 60
STATS_LOCK = 0x67693873  # pg advisory lock id: one refresh at a time


class MatchInputError(ValueError):
    """The request cannot be matched as given. `fields` maps parameters to messages."""

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class MatchJobNotFound(LookupError):
    """No public job has that id."""


# ---------------------------------------------------------------------------------------
# Matching


def resume_match(
    *,
    text: str,
    filters: Mapping[str, Any] | None = None,
    limit: int = 20,
    offset: int = 0,
    backend: str | None = None,
    request: Any = None,
) -> MatchResponse:
    """Jobs for a resume (its text already extracted)."""
    return _match(
        kind="resume", text=text, filters=filters, limit=limit, offset=offset, backend=backend, request=request
    )


def jd_match(
    *,
    text: str,
    filters: Mapping[str, Any] | None = None,
    limit: int = 20,
    offset: int = 0,
    backend: str | None = None,
    request: Any = None,
    title: str = "",
) -> MatchResponse:
    """Jobs like a job description (and its title, when the request gives one: it names the occupation)."""
    return _match(
        kind="jd",
        text=text,
        title=title,
        filters=filters,
        limit=limit,
        offset=offset,
        backend=backend,
        request=request,
    )


def job_similar(
    *,
    job_id: int,
    filters: Mapping[str, Any] | None = None,
    limit: int = 20,
    offset: int = 0,
    backend: str | None = None,
    request: Any = None,
) -> MatchResponse:
    """Public jobs like the public job `job_id` (itself left out)."""
    from jobs.selectors import job_list_public

    job = (
        job_list_public()
        .select_related(None)
        .filter(pk=job_id)
        .only("id", "title", "skills", "description", "occupation_code", "occupation_confidence")
        .first()
    )
    if job is None:
        raise MatchJobNotFound(f"No job with id {job_id}.")
    text = embeddings.job_embedding_text(title=job.title, skills=job.skills, description=job.description)
    return _match(
        kind="job",
        text=text,
        job_id=job.pk,
        occupations=stored_occupations(job.occupation_code, job.occupation_confidence),
        filters=filters,
        limit=limit,
        offset=offset,
        backend=backend,
        request=request,
    )


def _match(
    *,
    kind: QueryKind,
    text: str,
    filters: Mapping[str, Any] | None,
    limit: int,
    offset: int,
    backend: str | None,
    request: Any,
    job_id: int | None = None,
    title: str = "",
    occupations: tuple[QueryOccupation, ...] = (),
) -> MatchResponse:
    started = time.perf_counter()
    text = clean_text(text or "")
    title = clean_text(title or "")[:300]
    if kind != "job" and len(text) < MIN_QUERY_CHARS:
        raise MatchInputError(
            f"The text is too short to match ({len(text)} characters; at least {MIN_QUERY_CHARS}).",
            fields={"text": ["too short"]},
        )
    if not 1 <= limit <= MAX_LIMIT:
        raise MatchInputError(f"limit must be between 1 and {MAX_LIMIT}.", fields={"limit": ["out of range"]})
    if not 0 <= offset <= MAX_OFFSET:
        raise MatchInputError(f"offset must be between 0 and {MAX_OFFSET}.", fields={"offset": ["out of range"]})
    candidates, cleaned = match_candidates(filters=filters or {}, request=request)
    if job_id is not None:
        candidates = candidates.exclude(pk=job_id)
    engine = get_backend(backend)

    version = selectors.match_index_version()
    key = _cache_key(
        kind=kind,
        text=text,
        job_id=job_id,
        title=title,
        filters=cleaned,
        limit=limit,
        offset=offset,
        backend=engine.name,
        version=version,
        stats=corpus_stats_ensure(),  # new statistics rank differently
    )
    ttl = settings.MATCH_CACHE_TTL
    if ttl:
        hit = cache.get(key)
        if hit is not None:
            response = MatchResponse.from_dict(hit)
            response.cached = True
            response.search_time_ms = (time.perf_counter() - started) * 1000
            metrics.observe_match(response.backend, response.search_time_ms / 1000, cached=True)
            return response

    profile = resume_read(text) if kind == "resume" else None
    if kind == "resume":
        occupations = resume_occupations(profile, text)
    elif kind == "jd":
        occupations = text_occupations(text, title=title)
    query = MatchQuery(
        text=text,
        kind=kind,
        job_id=job_id,
        limit=limit,
        offset=offset,
        filters=cleaned,
        skills=extract_skills(text),
        profile=profile,
        occupations=occupations,
    )
    response = engine.search(query=query, candidates=candidates)
    response.cached = False
    response.search_time_ms = (time.perf_counter() - started) * 1000
    metrics.observe_match(response.backend, response.search_time_ms / 1000, cached=False)
    # A backend that fell back to another engine (CTS down: local answered) is not cached under
    # its own name, so the next request tries it again.
    if ttl and response.backend == engine.name:
        cache.set(key, response.to_dict(), ttl)
    return response


def match_candidates(*, filters: Mapping[str, Any], request: Any = None) -> tuple[QuerySet[Job], dict[str, Any]]:
    """Public jobs through the listing's JobFilterSet; (queryset, cleaned filters). Raises MatchInputError."""
    from jobs.filters import JobFilterSet
    from jobs.selectors import job_list_public

    filterset = JobFilterSet(dict(filters), queryset=job_list_public(), request=request)
    if not filterset.is_valid():
        fields = {name: [str(message) for message in messages] for name, messages in filterset.errors.items()}
        message = " ".join(f"{name}: {' '.join(messages)}" for name, messages in fields.items())
        raise MatchInputError(message or "Invalid filters.", fields=fields)
    cleaned = {
        name: value
        for name, value in filterset.form.cleaned_data.items()
        if value not in (None, "", [], ()) and name != "ordering"
    }
    return filterset.qs, cleaned


def _cache_key(**parts: Any) -> str:
    payload = json.dumps(parts, sort_keys=True, default=_json_default, separators=(",", ":"))
    return f"{CACHE_PREFIX}:{hashlib.sha256(payload.encode()).hexdigest()}"


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal | datetime | date):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return str(value)


# ---------------------------------------------------------------------------------------
# Indexing


@dataclasses.dataclass(slots=True)
class IndexResult:
    indexed: int = 0
    seconds: float = 0.0


def jobs_needing_embeddings(*, rebuild: bool = False, job_ids: Iterable[int] | None = None) -> QuerySet[Job]:
    """Active jobs without a current embedding (none yet, or the job changed after it was embedded)."""
    jobs = Job.objects.filter(status=JobStatus.ACTIVE)
    if job_ids is not None:
        jobs = jobs.filter(pk__in=list(job_ids))
    if not rebuild:
        jobs = jobs.filter(
            Q(embedding__isnull=True)
            | Q(embedded_at__isnull=True)
            | Q(embedded_at__lt=F("updated_at"))
            | Q(skill_profile__isnull=True)
        )
    return jobs


def job_embeddings_index(
    *,
    job_ids: Iterable[int] | None = None,
    rebuild: bool = False,
    batch_size: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> IndexResult:
    """Embed jobs in batches and store the vectors; safe to run twice and from many workers at once.

    Each batch is claimed with FOR UPDATE SKIP LOCKED, so parallel workers take different
    jobs; with `rebuild`, every active job is embedded again (one pass, in id order).
    """
    size = batch_size or settings.MATCH_INDEX_BATCH_SIZE
    ids = list(job_ids) if job_ids is not None else None
    result = IndexResult()
    started = time.perf_counter()
    after = 0  # id cursor: a rebuild must not loop over rows it just wrote
    while True:
        with transaction.atomic():
            batch = list(
                jobs_needing_embeddings(rebuild=rebuild, job_ids=ids)
                .filter(pk__gt=after)
                .order_by("pk")
                .select_for_update(skip_locked=True, of=("self",))
                .values_list("pk", "title", "skills", "description")[:size]
            )
            if not batch:
                break
            texts = [
                embeddings.job_embedding_text(title=title, skills=skills or [], description=description)
                for _, title, skills, description in batch
            ]
            vectors = embeddings.embed_texts(texts)
            now = timezone.now()
            _store_embeddings([row[0] for row in batch], vectors, now)
            _store_skill_profiles(batch, now)
        after = batch[-1][0]
        result.indexed += len(batch)
        if progress:
            progress(len(batch))
    result.seconds = time.perf_counter() - started
    return result


def _store_embeddings(ids: list[int], vectors: Any, now: datetime) -> None:
    table = Job._meta.db_table
    literals = ["[" + ",".join(f"{x:.6f}" for x in vector) + "]" for vector in vectors]
    with connection.cursor() as cursor:
        # embedded_at, not updated_at: embedding is not an edit of the job.
        cursor.execute(
            f"UPDATE {table} AS j SET embedding = v.embedding, embedded_at = %s "
            "FROM unnest(%s::bigint[], %s::vector[]) AS v(id, embedding) WHERE j.id = v.id",
            [now, ids, literals],
        )


def _store_skill_profiles(batch: list[tuple[int, str, list[str], str]], now: datetime) -> None:
    profiles = []
    for job_id, title, skills, description in batch:
        required, mentioned = job_skill_split(description=description, title=title, known=skills or [])
        profiles.append(JobSkillProfile(job_id=job_id, required=required, mentioned=mentioned, built_at=now))
    JobSkillProfile.objects.bulk_create(
        profiles, update_conflicts=True, unique_fields=["job"], update_fields=["required", "mentioned", "built_at"]
    )


def job_embeddings_enqueue(*, job_ids: Iterable[int]) -> None:
    """Queue embedding of these jobs on the index queue once the current transaction commits.

    What ingestion calls after an upsert (with UpsertResult.job_ids).
    """
    ids = sorted(set(job_ids))
    if not ids:
        return
    from matching.tasks import index_job_embeddings

    transaction.on_commit(lambda: index_job_embeddings.delay(job_ids=ids))


# ---------------------------------------------------------------------------------------
# Corpus term statistics (the idf of the ranking): computed here, off the request path


@dataclasses.dataclass(slots=True)
class StatsRefreshResult:
    generation: int
    documents: int
    lexemes: int
    seconds: float


def corpus_stats_refresh(*, force: bool = False, wait: bool = False) -> StatsRefreshResult | None:
    """Compute the lexemes' document frequencies over the active jobs and store them as a new generation.

    ts_stat reads every active job's search_vector (about 7 s at 150,000 jobs, 50 s at 1.5
    million), so this runs in a task or a command, never in a request (except the bootstrap of a
    small corpus, corpus_stats_ensure). One transaction writes the header and every lexeme and
    drops all but the previous generation (a reader that just read it may still look lexemes up
    in it), so readers never see a half-written set. One refresh at a time (an advisory lock):
    another one finds it taken and returns None, or with `wait`, waits for it. Unless `force`, it
    stores nothing (None) when corpus_stats_refresh_due finds the stored set still fresh.
    """
    started = time.perf_counter()
    jobs = Job._meta.db_table
    generations = CorpusStatsGeneration._meta.db_table
    terms = CorpusTermFrequency._meta.db_table
    with transaction.atomic(using=DEFAULT_DB_ALIAS), connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [STATS_LOCK])
        else:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [STATS_LOCK])
            if not cursor.fetchone()[0]:
                logger.info("corpus statistics: another refresh is running")
                return None
        if not force and corpus_stats_refresh_due() is None:
            return None
        version = listing_version()
        cursor.execute(f"SELECT count(*) FROM {jobs} WHERE status = %s", [JobStatus.ACTIVE])
        documents = cursor.fetchone()[0]
        generation = CorpusStatsGeneration.objects.using(DEFAULT_DB_ALIAS).create(
            documents=documents, computed_at=timezone.now(), index_version=version
        )
        active = f"SELECT search_vector FROM {jobs} WHERE status = '{JobStatus.ACTIVE}'"
        # search_head (title and skills, kept in the row) is cheap next to search_vector.
        head = f"SELECT search_head FROM {jobs} WHERE status = '{JobStatus.ACTIVE}'"
        cursor.execute(
            f"""
            INSERT INTO {terms} (generation_id, lexeme, df, title_df, head_df)
            SELECT %s, a.word, a.ndoc, coalesce(t.ndoc, 0), coalesce(h.ndoc, 0)
            FROM ts_stat(%s) a LEFT JOIN ts_stat(%s, 'a') t ON t.word = a.word
            LEFT JOIN ts_stat(%s) h ON h.word = a.word
            """,
            [generation.pk, active, active, head],
        )
        lexemes = cursor.rowcount
        cursor.execute(f"SELECT id FROM {generations} WHERE id < %s ORDER BY id DESC OFFSET 1", [generation.pk])
        old = [row[0] for row in cursor.fetchall()]
        if old:
            cursor.execute(f"DELETE FROM {terms} WHERE generation_id = ANY(%s)", [old])
            cursor.execute(f"DELETE FROM {generations} WHERE id = ANY(%s)", [old])
        seconds = time.perf_counter() - started
        CorpusStatsGeneration.objects.using(DEFAULT_DB_ALIAS).filter(pk=generation.pk).update(seconds=seconds)
    logger.info(
        "corpus statistics #%d: %d lexemes over %d active jobs in %.1f s", generation.pk, lexemes, documents, seconds
    )
    return StatsRefreshResult(generation=generation.pk, documents=documents, lexemes=lexemes, seconds=seconds)


def corpus_stats_refresh_due() -> str | None:
    """Why the stored statistics should be computed again, or None while they are fresh.

    Due when none are stored, or when the jobs changed since (the listing version moved) and
    either the set is older than MATCH_STATS_MAX_AGE_SECONDS or the active jobs (estimated)
    moved by more than STATS_MOVED_SHARE. Reads the primary: what a refresh would compute from.
    """
    stored = CorpusStatsGeneration.objects.using(DEFAULT_DB_ALIAS).order_by("-id").first()
    if stored is None:
        return "none stored"
    if stored.index_version == listing_version():
        return None
    age = (timezone.now() - stored.computed_at).total_seconds()
    if age > settings.MATCH_STATS_MAX_AGE_SECONDS:
        return f"{age:.0f} s old"
    active, _ = count_rows(Job.objects.using(DEFAULT_DB_ALIAS).filter(status=JobStatus.ACTIVE))
    if abs(active - stored.documents) > STATS_MOVED_SHARE * max(stored.documents, 1):
        return f"active jobs moved from {stored.documents} to about {active}"
    return None


def corpus_stats_enqueue_if_due() -> str | None:
    """After an index run: queue a refresh on the index queue if one is due (and none is queued); the reason."""
    reason = corpus_stats_refresh_due()
    if reason is not None:
        corpus_stats_enqueue(reason=reason)
    return reason


def corpus_stats_enqueue(*, reason: str) -> None:
    """Queue matching.tasks.refresh_corpus_stats once the transaction commits, unless one is queued already."""
    if not cache.add(STATS_QUEUED_KEY, reason, STATS_QUEUED_SECONDS):
        return
    from matching.tasks import refresh_corpus_stats

    logger.info("corpus statistics: refresh queued (%s)", reason)
    transaction.on_commit(lambda: refresh_corpus_stats.delay(reason=reason))


def corpus_stats_ensure() -> str:
    """Before a match: the stored set's generation ("" while there is none).

    With none stored (a fresh install, tests), a small corpus (at most STATS_SYNC_MAX_JOBS active
    jobs, estimated) gets it computed here, once; a bigger one gets the task queued, and until it
    lands matches use smoothed defaults (selectors.corpus_stats logs it).
    """
    stored = selectors.corpus_stats_generation()
    if stored is not None:
        return str(stored.pk)
    active, _ = count_rows(Job.objects.filter(status=JobStatus.ACTIVE))
    if active <= STATS_SYNC_MAX_JOBS:
        result = corpus_stats_refresh(wait=True)
        if result is not None:
            return str(result.generation)
        stored = CorpusStatsGeneration.objects.using(DEFAULT_DB_ALIAS).order_by("-id").first()
        return str(stored.pk) if stored is not None else ""
    corpus_stats_enqueue(reason=f"none stored, {active} active jobs")
    return ""
