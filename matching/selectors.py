"""Reads the matching engine needs from PostgreSQL: corpus term statistics and the index version."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

from django.db import connection

from jobs.choices import JobStatus
from jobs.models import SEARCH_CONFIG, Job
from jobs.selectors import listing_version


@dataclass(frozen=True, slots=True)
class CorpusStats:
    """Document frequencies of the search_vector's lexemes over the public jobs."""

    version: str
    documents: int
    df: dict[str, int]  # lexeme -> jobs whose text has it (any field)
    title_documents: int
    title_df: dict[str, int]  # lexeme -> jobs whose title has it
    head_df: dict[str, int] = field(default_factory=dict)  # lexeme -> jobs whose title or skills have it

    def idf(self, lexeme: str) -> float:
        return math.log((self.documents + 1) / (self.df.get(lexeme, 0) + 0.5))

    def title_idf(self, lexeme: str) -> float:
        return math.log((self.title_documents + 1) / (self.title_df.get(lexeme, 0) + 0.5))


def match_index_version() -> str:
    """Changes whenever a job is added, changed, hidden, expired or (re)embedded, at once.

    Part of every match cache key, so cached results do not outlive the jobs they ranked. It is
    the listing version (jobs.selectors.listing_version): every statement that writes the jobs
    table moves it, an embedding's update included.
    """
    return listing_version()


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
            # From search_head (title and skills, in the row): cheap next to the two above.
            cursor.execute("SELECT word, ndoc FROM ts_stat(%s)", [inner.replace("search_vector", "search_head", 1)])
            head_df = dict(cursor.fetchall())
        _stats = CorpusStats(
            version=version, documents=documents, df=df, title_documents=documents, title_df=title_df, head_df=head_df
        )
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
