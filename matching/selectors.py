"""Reads the matching engine needs from PostgreSQL: corpus term statistics and the index version."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from jobs.choices import JobStatus
from jobs.models import SEARCH_CONFIG, Job


@dataclass(frozen=True, slots=True)
class CorpusStats:
    """Document frequencies of the search_vector's lexemes over the public jobs."""

    version: str
    documents: int
    df: dict[str, int]  # lexeme -> jobs whose text has it (any field)
    title_documents: int
    title_df: dict[str, int]  # lexeme -> jobs whose title has it

    def idf(self, lexeme: str) -> float:
        return math.log((self.documents + 1) / (self.df.get(lexeme, 0) + 0.5))

    def title_idf(self, lexeme: str) -> float:
        return math.log((self.title_documents + 1) / (self.title_df.get(lexeme, 0) + 0.5))


_version_lock = threading.Lock()
_version_memo: tuple[float, str] = (0.0, "")


def match_index_version() -> str:
    """Changes whenever a job is added, changed, hidden, expired or (re)embedded.

    Part of every match cache key, so cached results do not outlive the jobs they ranked. A new
    job shows at once (max(id), an index lookup); changes to existing jobs need a scan of the
    table (tens of ms at 50,000 jobs), so that part is re-read at most every
    MATCH_VERSION_CHECK_SECONDS per process: a cached result may outlive an edit by that long.
    """
    global _version_memo
    table = Job._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT max(id) FROM {table}")
        (top,) = cursor.fetchone()
        now = time.monotonic()
        with _version_lock:
            checked_until, changes = _version_memo
            if now >= checked_until:
                cursor.execute(f"SELECT count(*), max(updated_at), max(embedded_at) FROM {table}")
                count, updated, embedded = cursor.fetchone()
                changes = (
                    f"{count}.{updated.timestamp() if updated else 0:.6f}.{embedded.timestamp() if embedded else 0:.6f}"
                )
                _version_memo = (now + settings.MATCH_VERSION_CHECK_SECONDS, changes)
    return f"{top}.{changes}"


_stats_lock = threading.Lock()
_stats: CorpusStats | None = None


def corpus_stats(*, version: str | None = None) -> CorpusStats:
    """Lexeme statistics of active jobs, computed once per index version per process.

    ts_stat reads every search_vector (tens of ms per thousand jobs), so it is not per
    request: a new version (jobs changed) recomputes it once.
    """
    global _stats
    version = version or match_index_version()
    with _stats_lock:
        if _stats is not None and _stats.version == version:
            return _stats
        table = Job._meta.db_table
        inner = f"SELECT search_vector FROM {table} WHERE status = '{JobStatus.ACTIVE}'"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table} WHERE status = %s", [JobStatus.ACTIVE])
            documents = cursor.fetchone()[0]
            cursor.execute("SELECT word, ndoc FROM ts_stat(%s)", [inner])
            df = dict(cursor.fetchall())
            cursor.execute("SELECT word, ndoc FROM ts_stat(%s, 'a')", [inner])
            title_df = dict(cursor.fetchall())
        _stats = CorpusStats(version=version, documents=documents, df=df, title_documents=documents, title_df=title_df)
        return _stats


def text_lexemes(text: str) -> dict[str, int]:
    """The text's lexemes (PostgreSQL's own stemming, the same as search_vector's) and their counts."""
    if not text.strip():
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lexeme, coalesce(array_length(positions, 1), 1) FROM unnest(to_tsvector(%s::regconfig, %s))",
            [SEARCH_CONFIG, text],
        )
        return dict(cursor.fetchall())
