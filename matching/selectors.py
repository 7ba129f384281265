"""Reads the matching engine needs from PostgreSQL: corpus term statistics and the index version."""

from __future__ import annotations

import functools
import logging
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connection, connections, router

from gigm8.counts import count_rows
from jobs.choices import JobStatus
from jobs.models import SEARCH_CONFIG, Job
from jobs.selectors import listing_version
from matching.models import CorpusStatsGeneration, CorpusTermFrequency

logger = logging.getLogger(__name__)

# Lexemes of the stored set a process keeps in memory (per generation); past it the memo starts over.
STATS_MEMO_LEXEMES = 200_000
# The reference the live statistics are blended with (tools/build_reference_df.py: O*NET's 1,016
# occupations, CC BY 4.0), and how many documents it counts for beside the live jobs: as many as
# it has, as if its occupations were pooled with the jobs. With 5 jobs the reference decides how
# telling a word is, with 1.5 million the jobs do; no part of the score vanishes on a small corpus.
REFERENCE_PATH = Path(__file__).resolve().parent / "data" / "reference_df.tsv"
REFERENCE_WEIGHT = 1016.0


@dataclass(frozen=True, slots=True)
class ReferenceStats:
    """Document frequencies of a fixed reference corpus shipped with the engine."""

    documents: int
    df: dict[str, int]
    title_df: dict[str, int]


@functools.cache
def reference_stats() -> ReferenceStats:
    """The shipped reference (read once per process, ~9,000 lexemes)."""
    documents = 0
    df: dict[str, int] = {}
    title_df: dict[str, int] = {}
    with REFERENCE_PATH.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            lexeme, any_field, in_title = line.rstrip("\n").split("\t")
            if lexeme == "documents":
                documents = int(any_field)
            else:
                df[lexeme], title_df[lexeme] = int(any_field), int(in_title)
    return ReferenceStats(documents=documents, df=df, title_df=title_df)


@dataclass(frozen=True, slots=True)
class CorpusStats:
    """Document frequencies of lexemes over the active jobs (the stored set of one generation).

    `df`, `title_df` and `head_df` hold the lexemes asked for (corpus_stats(lexemes=...)) that some job has;
    a lexeme missing from them is in no job (df 0, which the idf's smoothing handles). `idf`,
    `title_idf` and `share` blend them with the reference's (`reference_weight` documents of it):
    df' = df + weight x reference share, documents' = documents + weight.
    """

    version: str  # the stored generation ("" when none is stored yet: smoothed defaults)
    documents: int
    df: dict[str, int]  # lexeme -> jobs whose text has it (any field)
    title_documents: int
    title_df: dict[str, int]  # lexeme -> jobs whose title has it
    head_df: dict[str, int] = field(default_factory=dict)  # lexeme -> jobs whose title or skills have it
    reference: ReferenceStats | None = None
    reference_weight: float = 0.0

    def _blended(self, lexeme: str, *, title: bool) -> tuple[float, float]:
        """(df, documents) of the lexeme, the reference's counted in."""
        df = (self.title_df if title else self.df).get(lexeme, 0)
        documents = self.title_documents if title else self.documents
        reference = self.reference
        if reference is None or not reference.documents or self.reference_weight <= 0:
            return float(df), float(documents)
        in_reference = (reference.title_df if title else reference.df).get(lexeme, 0)
        weight = self.reference_weight
        return df + weight * in_reference / reference.documents, documents + weight

    def idf(self, lexeme: str) -> float:
        df, documents = self._blended(lexeme, title=False)
        return math.log((documents + 1) / (df + 0.5))

    def title_idf(self, lexeme: str) -> float:
        df, documents = self._blended(lexeme, title=True)
        return math.log((documents + 1) / (df + 0.5))

    def share(self, lexeme: str) -> float:
        """The share of documents that have the lexeme (blended as idf)."""
        df, documents = self._blended(lexeme, title=False)
        return df / documents if documents else 0.0


def match_index_version() -> str:
    """Changes whenever a job is added, changed, hidden, expired or (re)embedded, at once.

    Part of every match cache key, so cached results do not outlive the jobs they ranked. It is
    the listing version (jobs.selectors.listing_version): every statement that writes the jobs
    table moves it, an embedding's update included.
    """
    return listing_version()


_memo_lock = threading.Lock()
_memo_generation: tuple[int, int] | None = None  # (generation id, documents) the memo holds
_memo_terms: dict[str, tuple[int, int, int]] = {}  # lexeme -> (df, title_df, head_df) there; zeros: in no job


def corpus_stats(*, lexemes: Iterable[str]) -> CorpusStats:
    """The stored statistics of these lexemes (matching.services.corpus_stats_refresh writes them).

    One indexed lookup per call: the newest generation's header and the rows of the lexemes this
    process has not read from that generation yet (a per-process memo, dropped when a new
    generation appears). Never computes anything over the jobs: with no stored set yet it gives
    smoothed defaults (documents: the estimated active jobs, every df 0) and says so in the log;
    matching.services.corpus_stats_ensure bootstraps the set before a match.
    """
    global _memo_generation, _memo_terms
    wanted = set(lexemes)
    with _memo_lock:
        missing = wanted if _memo_generation is None else wanted - _memo_terms.keys()
        found = _stored_terms(missing)
        if found is not None and found[0] != _memo_generation and missing != wanted:
            found = _stored_terms(wanted)  # a new generation: what the memo held is of the old one
        if found is None:
            return _default_stats()
        generation, rows = found
        if generation != _memo_generation:
            _memo_generation, _memo_terms = generation, {}
        terms = {lexeme: rows[lexeme] if lexeme in rows else _memo_terms[lexeme] for lexeme in wanted}
        if len(_memo_terms) + len(rows) > STATS_MEMO_LEXEMES:
            _memo_terms = {}
        _memo_terms.update(rows)
    generation_id, documents = generation
    return CorpusStats(
        version=str(generation_id),
        documents=documents,
        df={lexeme: df for lexeme, (df, _, _) in terms.items() if df},
        title_documents=documents,
        title_df={lexeme: title_df for lexeme, (_, title_df, _) in terms.items() if title_df},
        head_df={lexeme: head_df for lexeme, (_, _, head_df) in terms.items() if head_df},
        reference=reference_stats(),
        reference_weight=REFERENCE_WEIGHT,
    )


def corpus_stats_generation() -> CorpusStatsGeneration | None:
    """The newest stored set's header, or None before the first one."""
    return CorpusStatsGeneration.objects.order_by("-id").first()


def _stored_terms(lexemes: set[str]) -> tuple[tuple[int, int], dict[str, tuple[int, int, int]]] | None:
    """((generation id, documents), {lexeme: (df, title_df, head_df)} for every lexeme asked) of the newest set.

    One statement, so the header and the rows come from the same snapshot (a refresh committing
    in between cannot mix two sets). None when no set is stored.
    """
    generations = CorpusStatsGeneration._meta.db_table
    terms = CorpusTermFrequency._meta.db_table
    alias = router.db_for_read(CorpusTermFrequency) or DEFAULT_DB_ALIAS
    with connections[alias].cursor() as cursor:
        cursor.execute(
            f"""
            SELECT g.id, g.documents, t.lexeme, t.df, t.title_df, t.head_df
            FROM (SELECT id, documents FROM {generations} ORDER BY id DESC LIMIT 1) g
            LEFT JOIN {terms} t ON t.generation_id = g.id AND t.lexeme = ANY(%s::text[])
            """,
            [sorted(lexemes)],
        )
        fetched = cursor.fetchall()
    if not fetched:
        return None
    rows = {lexeme: (0, 0, 0) for lexeme in lexemes}
    for _, _, lexeme, df, title_df, head_df in fetched:
        if lexeme is not None:
            rows[lexeme] = (df, title_df, head_df)
    return (fetched[0][0], fetched[0][1]), rows


def _default_stats() -> CorpusStats:
    """Before the first stored set: documents from the estimated active jobs, every df 0."""
    documents, _ = count_rows(Job.objects.filter(status=JobStatus.ACTIVE))
    logger.warning(
        "no corpus statistics stored yet: matching with smoothed defaults (%d jobs, every df 0) "
        "until the refresh task (matching.tasks.refresh_corpus_stats) stores them",
        documents,
    )
    return CorpusStats(
        version="",
        documents=documents,
        df={},
        title_documents=documents,
        title_df={},
        reference=reference_stats(),
        reference_weight=REFERENCE_WEIGHT,
    )


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


def texts_lexemes(texts: list[str]) -> list[list[str]]:
    """Each text's distinct lexemes (stemmed as search_vector's), in one round trip; for short texts (titles)."""
    if not texts:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.i, coalesce(tsvector_to_array(to_tsvector(%s::regconfig, t.text)), '{}') "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS t(text, i) ORDER BY t.i",
            [SEARCH_CONFIG, texts],
        )
        return [list(words) for _, words in cursor.fetchall()]
