"""The local hybrid engine: PostgreSQL full text + pgvector, fused, re-ranked and explained.

1. Retrieval, with the request's filters applied in SQL (they are in `candidates`):
   - full text: the query's most informative lexemes (tf x idf over the jobs) ORed into a
     tsquery against the weighted search_vector (title A, skills B, description C), ranked by
     ts_rank over a bounded set (FULLTEXT_BUDGET: jobs whose title or skills hold its rarest
     terms, pre-ranked by the small search_head), so its cost does not grow with the corpus;
   - embeddings: pgvector HNSW top-k by cosine distance, with iterative scans so filters do
     not starve the index scan.
2. Reciprocal-rank fusion of the two lists (a job that only one retriever found still counts:
   a job without an embedding is matched lexically).
3. Re-ranking of the fused candidates by a fixed blend of parts, each in [0, 1]:
   fusion, semantic (cosine), lexical, skills (coverage of the job's required and mentioned
   skills), title (how much of the job title the query is about), level, recency and occupation.
   The weights sum to 1, so the score is in [0, 1]. Ties break by job id, so the same request over
   the same rows always gives the same order and scores.

The lexical part is measured against the other candidates: min-max scaled over them (the best
1, the worst 0), so it spans [0, 1] on 5 jobs as on 1.5 million. Raw, it lived on a scale of its
own (ts_rank of 32 ORed terms is ~0.01-0.05 for every job; a cosine ~0.1-0.5) that moved nothing
on a small corpus, where the parts with a wide natural spread (title, occupation) decided alone.
The fusion part is the job's place in the fused list on a fixed scale (FUSION_PLACES), so a place
counts the same on any corpus.

The lexical part depends on what the query is. A resume is not a posting: it is scored by
ts_rank of its most telling lexemes in the job. A job description is a document of the same
kind as the jobs, so it is compared with each one whole: the cosine of the two lexeme vectors,
SMART lnc.ltc (the job's log tf, the description's log tf x idf, both unit length), and the
blend has its own weights (JD_WEIGHTS).
"""

from __future__ import annotations

import bisect
import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, transaction
from django.db.models import CharField, F, Func, QuerySet
from django.utils import timezone
from pgvector.django import CosineDistance

from jobs.choices import JobLevel
from jobs.models import SEARCH_CONFIG, Job
from jobs.rules import manages_people
from matching import embeddings, selectors
from matching.backends.base import MatchBackend, MatchedJob, MatchQuery, MatchResponse
from matching.occupation import QueryOccupation, occupation_fit
from matching.resume import ResumeProfile
from skills.extract import extract_skills, job_skill_split
from skills.occupations import occupation

# Score = sum of WEIGHTS[part] * part; they sum to 1. Chosen among a few hand-made blends by
# the quality benchmark, as the one best on all three query sets at once (development and
# held-out resume categories, job descriptions), not fitted to any of them (bench/README.md).
# The occupation part (matching.occupation) then took its share from the others in proportion, on the
# development resume categories only: 0 / 0.05 / 0.1 / 0.2 gave nDCG@10 0.669 / 0.665 / 0.663 / 0.661
# there; 0.05 is kept, the smallest tried, for the explanation and for what the development categories
# (mostly software, where O*NET's computer occupations are coarse) cannot show.
# With the lexical part measured against the candidates (_min_max) and fusion by place (_place_shares), the
# lexical part went from 0.19 to 0.15 and the rest in proportion (rounded): on the development resume
# categories lexical 0.10 / 0.15 / 0.19 gave nDCG@10 0.672 / 0.671 / 0.661 (main: 0.665, all within noise),
# and the 5-job Vanetik & Kogan set ranks better the more the lexical part weighs (0.211 / 0.256 / 0.278);
# 0.15 is the largest not below main on development (bench/README.md).
WEIGHTS: dict[str, float] = {
    "fusion": 0.20,
    "semantic": 0.30,
    "lexical": 0.15,
    "skills": 0.10,
    "title": 0.15,
    "level": 0.03,
    "recency": 0.02,
    "occupation": 0.05,
}
# Job descriptions: chosen on the development JD sample (bench/match_quality.py --jd-dev: 200
# Google postings, none of the reported 200) from a grid of blends; the reported set checks them.
# The occupation part took its share in proportion, on the same sample: 0 / 0.1 / 0.2 / 0.3 / 0.4 gave
# nDCG@10 0.549 / 0.551 / 0.552 / 0.545 / 0.539 (0.2 kept). Those figures came from a guess of the
# occupation from the closest jobs, since removed (bench/README.md, fifth round): the sample's
# descriptions name no title, so without it the part is 0 there (0.549), and it counts for a description
# whose `job_title` is given or whose first line reads as one.
JD_WEIGHTS: dict[str, float] = {
    "fusion": 0.04,
    "semantic": 0.28,
    "lexical": 0.36,
    "skills": 0.04,
    "title": 0.04,
    "level": 0.024,
    "recency": 0.016,
    "occupation": 0.20,
}
assert math.isclose(sum(WEIGHTS.values()), 1.0) and math.isclose(sum(JD_WEIGHTS.values()), 1.0)
assert set(JD_WEIGHTS) == set(WEIGHTS)


def weights_for(kind: str) -> dict[str, float]:
    """The blend for a query kind: job descriptions have their own, resumes and jobs share WEIGHTS."""
    return JD_WEIGHTS if kind == "jd" else WEIGHTS


RRF_K = 60
RETRIEVE = 200  # jobs each retriever returns (at least; more when a deep page is asked for)
# The fusion part: 1 - the job's place in the fused list / this (the first 1, the 400th and later 0), so a
# place counts the same on any corpus. Reciprocal ranks themselves were ~1.0-0.94 for 5 jobs.
FUSION_PLACES = 2 * RETRIEVE
QUERY_TERMS = 32  # lexemes in the full-text query that scores the candidates (the lexical part)
# Lexemes in the full-text query that retrieves candidates: ranking every job that matches
# is what full-text search costs, and each common term adds thousands of matches.
RETRIEVAL_TERMS = 12  # 16 ranks a little better (nDCG +0.01 on resumes) but costs a third more time at 50k jobs
# Jobs the full-text retriever reads at most (LocalBackend._fulltext_ids): its cost stays put as
# the corpus grows, where ranking every job holding a term grew with it (bench/README.md, Scale).
FULLTEXT_BUDGET = 5000
TF_SATURATION = 20.0  # tf / (tf + this): near-linear in how often the query says a word
MIN_TERM_JOBS = 3
MIN_DF_CORPUS = 1000  # below this many jobs every lexeme may be a query term
HNSW_EF_SEARCH = 200
RECENCY_HALF_LIFE_DAYS = 30.0
MISSING_SKILLS_SHOWN = 10
# Resumes: the title part is this share the job title against the resume's recent titles (the
# most recent first, each next one counting RECENT_ROLE_DECAY times less), the rest the job title
# against the whole text; a resume with no title read keeps the latter whole. Chosen on the
# development resume categories (nDCG@10 0.5 / 0.75 / 1.0: 0.639 / 0.658 / 0.669; decay 0.6-1.0 alike).
RECENT_ROLE_SHARE = 1.0
RECENT_ROLE_DECAY = 0.8
ROLE_MATCH_SAID = 0.5  # a recent-role fit from this on is said in the reasons
_LEXEME = re.compile(r"^[a-z][a-z0-9]*$")

_LEVEL_ORDER: dict[str, int] = {
    JobLevel.ENTRY_LEVEL: 0,
    JobLevel.EXPERIENCED: 1,
    JobLevel.MANAGER: 2,
    JobLevel.DIRECTOR: 3,
    JobLevel.EXECUTIVE: 4,
}
ENTRY_YEARS = 2.0  # a resume with fewer years of experience reads as entry level
_YEARS = re.compile(r"(\d{1,2})\s*\+?\s*(?:years?|yrs?)", re.IGNORECASE)
_SENIOR = re.compile(r"\b(senior|sr\.?|lead|principal|staff)\b", re.IGNORECASE)
_MANAGER = re.compile(r"\b(manager|head of|team lead)\b", re.IGNORECASE)
_HEAD_OF = re.compile(r"\b(head of|team lead)\b", re.IGNORECASE)
_DIRECTOR = re.compile(r"\b(director|vp|vice president)\b", re.IGNORECASE)
_JUNIOR = re.compile(r"\b(junior|jr\.?|graduate|intern(ship)?|entry[- ]level|fresher|trainee)\b", re.IGNORECASE)


@dataclass(slots=True)
class _Candidate:
    job: Job
    rrf: float = 0.0
    semantic: float = 0.0
    lexical: float = 0.0
    required: list[str] = field(default_factory=list)
    mentioned: list[str] = field(default_factory=list)


def _fill_skill_splits(pool: dict[int, _Candidate]) -> None:
    """Required/mentioned skills from the index (JobSkillProfile), split afresh where missing or stale."""
    stale = []
    for candidate in pool.values():
        job = candidate.job
        profiled = job.profiled_at  # type: ignore[attr-defined]
        if profiled is None or profiled < job.updated_at:
            stale.append(job.pk)
        else:
            candidate.required = list(job.required_skills)  # type: ignore[attr-defined]
            candidate.mentioned = list(job.mentioned_skills)  # type: ignore[attr-defined]
    if stale:
        for job_id, title, skills, description in Job.objects.filter(pk__in=stale).values_list(
            "pk", "title", "skills", "description"
        ):
            pool[job_id].required, pool[job_id].mentioned = job_skill_split(
                description=description, title=title, known=skills or []
            )


class LocalBackend(MatchBackend):
    name = "local"

    def search(self, *, query: MatchQuery, candidates: QuerySet[Job]) -> MatchResponse:
        started = time.perf_counter()
        base = candidates.order_by()
        depth = max(RETRIEVE, 2 * (query.offset + query.limit))
        lexemes = selectors.text_lexemes(query.text)
        stats = selectors.corpus_stats(lexemes=lexemes)
        vector = self._query_vector(query)
        whole_text = query.kind == "jd"  # lexical = cosine of the whole texts, not ts_rank
        tsquery = None if whole_text else self._tsquery(lexemes, stats)
        retrieval = query_terms(lexemes, stats, limit=RETRIEVAL_TERMS)

        ranked_lists: list[list[int]] = []
        if retrieval:
            ranked_lists.append(self._fulltext_ids(base, retrieval, stats, depth))
        if vector is not None:
            ranked_lists.append(self._vector_ids(base, vector, depth))
        fused = _rrf(ranked_lists)
        pool = self._fetch(base, list(fused), vector, tsquery)
        # The candidates' title words too (_title_fit): still one indexed lookup, of these lexemes only.
        titles = [lexeme for c in pool.values() for lexeme in c.job.title_lexemes]  # type: ignore[attr-defined]
        recent = _recent_title_lexemes(query.profile)
        stats = selectors.corpus_stats(lexemes=[*lexemes, *titles, *(word for _, words in recent for word in words)])
        if whole_text:
            for job_id, value in _lexical_cosines(list(pool), cosine_query_weights(lexemes, stats)).items():
                pool[job_id].lexical = value
        weights = weights_for(query.kind)
        query_skills = list(query.skills) or extract_skills(query.text)
        profile = query.profile
        query_level = _profile_level(profile) if profile is not None else None
        if query_level is None:
            query_level = _query_level(query.text)
        about = profile.summary() if profile is not None else ""
        now = timezone.now()
        occupations = query.occupations

        scored: list[tuple[float, int, _Candidate, dict[str, float], list[str], list[str], list[str]]] = []
        # Against the other candidates: the same spread on 5 jobs as on 1.5 million (module docstring).
        fusion = _place_shares({job_id: rrf for job_id, rrf in fused.items() if job_id in pool}, FUSION_PLACES)
        lexical = _min_max({job_id: candidate.lexical for job_id, candidate in pool.items()})
        for job_id in fused:
            candidate = pool.get(job_id)
            if candidate is None:  # gone between the two queries
                continue
            job = candidate.job
            skills_part, matched, missing = _skill_coverage(query_skills, candidate.required, candidate.mentioned)
            title_words = job.title_lexemes  # type: ignore[attr-defined]
            title_part = _title_fit(title_words, lexemes, stats)
            role_fit, role = _recent_role_fit(title_words, recent, stats)
            occupation_part, occupation_of = occupation_fit(occupations, job.occupation_code, job.occupation_confidence)
            if recent:
                title_part = (1 - RECENT_ROLE_SHARE) * title_part + RECENT_ROLE_SHARE * role_fit
            parts = {
                "fusion": fusion[job_id],
                "semantic": candidate.semantic,
                "lexical": lexical[job_id],
                "skills": skills_part,
                "title": title_part,
                "level": _level_fit(query_level, job.job_level),
                "recency": _recency(job.posted, now),  # type: ignore[attr-defined]
                "occupation": occupation_part,
            }
            score = sum(weights[name] * value for name, value in parts.items())
            score = round(min(1.0, max(0.0, score)), 4)
            reasons = [about] if about else []
            if role and role_fit >= ROLE_MATCH_SAID:
                reasons.append(f"matches your recent role: {role}")
            elif occupation_of is not None:
                said = _occupation_reason(query.kind, occupation_of, job.occupation_code)
                if said:
                    reasons.append(said)
            scored.append((score, job_id, candidate, parts, matched, missing, reasons))
        scored.sort(key=lambda item: (-item[0], item[1]))
        page = [
            MatchedJob.from_job(
                candidate.job,
                relevance_score=score,
                matched_skills=matched,
                missing_skills=missing,
                score_parts=parts,
                reasons=reasons,
            )
            for score, _, candidate, parts, matched, missing, reasons in scored[
                query.offset : query.offset + query.limit
            ]
        ]
        return MatchResponse(
            total_matches=len(scored),
            search_time_ms=(time.perf_counter() - started) * 1000,
            backend=self.name,
            jobs=page,
        )

    # --- retrieval -------------------------------------------------------------------------

    def _query_vector(self, query: MatchQuery) -> np.ndarray | None:
        if query.kind == "job" and query.job_id is not None:
            stored = Job.objects.filter(pk=query.job_id).values_list("embedding", flat=True).first()
            if stored is not None:
                return np.asarray(stored, dtype=np.float32)
        vector = embeddings.embed_text(query.text)
        return vector if np.any(vector) else None

    @staticmethod
    def _tsquery(
        lexemes: dict[str, int], stats: selectors.CorpusStats, *, limit: int = QUERY_TERMS
    ) -> SearchQuery | None:
        terms = query_terms(lexemes, stats, limit=limit)
        return _or_query(terms) if terms else None

    @staticmethod
    def _fulltext_ids(base: QuerySet[Job], terms: list[str], stats: selectors.CorpusStats, depth: int) -> list[int]:
        """The `depth` jobs best by ts_rank of the terms (ORed) in search_vector, over a bounded set.

        Ranking every job that holds any term reads every such job's search_vector (a resume's 12
        terms match most of a big corpus), so the set ranked is bounded by FULLTEXT_BUDGET rows:
        1. jobs whose title or skills (search_head, small and in the row) hold one of the terms
           rarest there, taken from the rarest while their frequencies add up to at most the
           budget (the rarest always), pre-ranked by ts_rank of every term in search_head; the
           best max(depth, SEARCH_RANK_CANDIDATES) are ranked by search_vector;
        2. only if that gives fewer than `depth` jobs: the jobs holding one of the terms rarest
           anywhere (the same budget), ranked by search_vector.
        A job holding only common terms is left to the vector retriever; a found job's rank is
        what it was. Ties break by id: the same request over the same rows gives the same list.
        """
        if not terms:
            return []
        tsquery = _or_query(terms)
        rank = SearchRank(F("search_vector"), tsquery, normalization=1)
        head_terms = _rarest(terms, stats.head_df, FULLTEXT_BUDGET)
        pre_ranked = (
            base.filter(search_head=_or_query(head_terms))
            .annotate(head_rank=SearchRank(F("search_head"), tsquery, normalization=1))
            .order_by("-head_rank", "id")
            .values_list("id", flat=True)[: max(depth, settings.SEARCH_RANK_CANDIDATES)]
        )
        # Fetched first: as a subquery, `id IN (…)` with no other selective filter may be planned
        # as a scan of every job hashed against the set.
        by_rank = base.filter(id__in=list(pre_ranked)).annotate(rank=rank).order_by("-rank", "id")
        ids = list(by_rank.values_list("id", flat=True)[:depth])
        if len(ids) < depth:
            body = (
                base.filter(search_vector=_or_query(_rarest(terms, stats.df, FULLTEXT_BUDGET)))
                .exclude(id__in=ids)
                .annotate(rank=rank)
                .order_by("-rank", "id")
                .values_list("id")[: depth - len(ids)]
            )
            ids.extend(row[0] for row in body)
        return ids

    @staticmethod
    def _vector_ids(base: QuerySet[Job], vector: np.ndarray, depth: int) -> list[int]:
        rows = (
            base.filter(embedding__isnull=False)
            .annotate(distance=CosineDistance("embedding", vector))
            .order_by("distance", "id")
            .values_list("id", "distance")[:depth]
        )
        with transaction.atomic(), connection.cursor() as cursor:
            # pgvector 0.8: keep scanning the HNSW graph until `depth` rows pass the filters,
            # instead of returning fewer when filters reject most neighbours.
            cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
            cursor.execute(f"SET LOCAL hnsw.ef_search = {min(1000, max(HNSW_EF_SEARCH, depth))}")  # 1000: its maximum
            fetched = list(rows)
        # relaxed_order may return neighbours slightly out of order: order them exactly.
        fetched.sort(key=lambda row: (row[1], row[0]))
        return [job_id for job_id, _ in fetched]

    @staticmethod
    def _fetch(
        base: QuerySet[Job], ids: Sequence[int], vector: np.ndarray | None, tsquery: SearchQuery | None
    ) -> dict[int, _Candidate]:
        if not ids:
            return {}
        rows = (
            base.filter(pk__in=ids)
            .select_related("company")
            # Only what scoring and the response read: building 400 full rows costs more than the SQL.
            .only(*_RESPONSE_FIELDS)
            .annotate(
                # An unknown date is no evidence of freshness (_recency: neutral), not "seen today".
                posted=F("posted_at"),
                title_lexemes=_TitleLexemes("title"),
                required_skills=F("skill_profile__required"),
                mentioned_skills=F("skill_profile__mentioned"),
                profiled_at=F("skill_profile__built_at"),
            )
        )
        if vector is not None:
            rows = rows.annotate(distance=CosineDistance("embedding", vector))
        if tsquery is not None:
            rows = rows.annotate(rank=SearchRank(F("search_vector"), tsquery, normalization=1 | 32))
        pool: dict[int, _Candidate] = {}
        for job in rows:
            distance = getattr(job, "distance", None)
            semantic = 0.0 if distance is None else max(0.0, min(1.0, 1.0 - float(distance)))
            lexical = float(getattr(job, "rank", 0.0) or 0.0)
            pool[job.pk] = _Candidate(job=job, semantic=semantic, lexical=lexical)
        _fill_skill_splits(pool)
        return pool


_RESPONSE_FIELDS = (
    "id",
    "title",
    "company_id",
    "company__name",
    "location",
    "remote",
    "employment_type",
    "job_level",
    "salary_min",
    "salary_max",
    "salary_currency",
    "salary_period",
    "is_internship",
    "apply_url",
    "posted_at",
    "updated_at",
    "occupation_code",
    "occupation_confidence",
)


class _TitleLexemes(Func):
    """The title's lexemes, stemmed as in search_vector (tsvector_to_array(to_tsvector(...)))."""

    template = f"tsvector_to_array(to_tsvector('{SEARCH_CONFIG}'::regconfig, %(expressions)s))"
    output_field = ArrayField(CharField())


# --- scoring parts (pure functions, tested on their own) ------------------------------------


def _occupation_reason(kind: str, of: QueryOccupation, code: str) -> str:
    """The occupation part in words: "matches your recent role: Civil Engineer (Civil Engineers)",
    "same occupation as the description: Civil Engineers", "a related occupation: …"."""
    job_occupation = occupation(code)
    if job_occupation is None:
        return ""
    if code == of.code:
        if kind == "resume":
            said = f"{of.said} ({job_occupation.title})" if of.said else job_occupation.title
            return f"matches your {'recent role' if of.said else 'occupation'}: {said}"
        return f"same occupation{' as the description' if kind == 'jd' else ''}: {job_occupation.title}"
    if code[:6] == of.code[:6]:  # the same SOC broad occupation: close enough to say
        if kind == "resume" and of.said:
            return f"close to your recent role: {of.said} ({job_occupation.title})"
        return f"a closely related occupation: {job_occupation.title}"
    return ""


def _rarest(terms: list[str], df: dict[str, int], budget: int) -> list[str]:
    """The terms rarest by `df`, from the rarest, while their frequencies add up to at most `budget`
    (the rarest always): the jobs holding any of them are at most ~budget."""
    chosen: list[str] = []
    total = 0
    for term in sorted(terms, key=lambda term: (df.get(term, 0), term)):
        total += df.get(term, 0)
        if chosen and total > budget:
            break
        chosen.append(term)
    return chosen


def _or_query(terms: list[str]) -> SearchQuery:
    # The lexemes are already stemmed by the "english" configuration; "simple" keeps them as they are.
    return SearchQuery(" | ".join(terms), search_type="raw", config="simple")


def query_terms(lexemes: dict[str, int], stats: selectors.CorpusStats, *, limit: int = QUERY_TERMS) -> list[str]:
    """The query's most telling lexemes: term frequency x idf over the jobs.

    Frequency counts nearly linearly (a resume that says "java" twenty times is about Java),
    and lexemes in fewer than MIN_TERM_JOBS jobs of a large corpus (names, typos) or in most
    jobs are left out.
    """
    min_df = MIN_TERM_JOBS if stats.documents >= MIN_DF_CORPUS else 1
    scored = []
    for lexeme, tf in lexemes.items():
        df = stats.df.get(lexeme, 0)
        if df < min_df or not _LEXEME.match(lexeme) or len(lexeme) < 2:
            continue
        if stats.share(lexeme) > 0.5:  # in most jobs (of the live corpus and the reference): says nothing about which
            continue
        scored.append((tf / (tf + TF_SATURATION) * stats.idf(lexeme), lexeme))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [lexeme for _, lexeme in scored[:limit]]


def cosine_query_weights(lexemes: dict[str, int], stats: selectors.CorpusStats) -> dict[str, float]:
    """The query's side of the lnc.ltc cosine: (1 + ln tf) x idf per lexeme, unit length.

    Lexemes no job has are left out: they cannot match, and counting them in the length would
    only shrink every job's cosine alike.
    """
    weights = {
        lexeme: (1.0 + math.log(tf)) * stats.idf(lexeme)
        for lexeme, tf in lexemes.items()
        if tf > 0 and stats.df.get(lexeme, 0) > 0
    }
    norm = math.sqrt(sum(value * value for value in weights.values()))
    return {lexeme: value / norm for lexeme, value in weights.items()} if norm > 0 else {}


def _lexical_cosines(ids: Sequence[int], query_weights: dict[str, float]) -> dict[int, float]:
    """{job id: cosine of its search_vector (1 + ln tf per lexeme, unit length) and the query weights}."""
    if not ids or not query_weights:
        return {}
    terms = sorted(query_weights)
    with connection.cursor() as cursor:
        # One pass over the candidates' lexemes gives both the dot product and the job's length.
        cursor.execute(
            f"""
            SELECT v.id,
                   coalesce(sum(q.weight * v.tf) FILTER (WHERE q.weight IS NOT NULL), 0),
                   sqrt(sum(v.tf * v.tf))
            FROM (
                SELECT j.id, u.lexeme, 1 + ln(coalesce(array_length(u.positions, 1), 1)) AS tf
                FROM {Job._meta.db_table} j, unnest(j.search_vector) u
                WHERE j.id = ANY(%s)
            ) v
            LEFT JOIN unnest(%s::text[], %s::float8[]) AS q(lexeme, weight) ON q.lexeme = v.lexeme
            GROUP BY v.id
            """,
            [list(ids), terms, [query_weights[term] for term in terms]],
        )
        return {job_id: max(0.0, min(1.0, dot / norm)) if norm else 0.0 for job_id, dot, norm in cursor.fetchall()}


def _place_shares(values: dict[int, float], places: int) -> dict[int, float]:
    """{id: 1 - its place / places}, the highest value's place 0, at least 0; equal values share the
    mean of their places. A place means the same whether there are 5 values or 400."""
    ordered = sorted(values.values())
    shares = {}
    for job_id, value in values.items():
        lower, up_to = bisect.bisect_left(ordered, value), bisect.bisect_right(ordered, value)
        place = len(ordered) - up_to + (up_to - lower - 1) / 2  # the higher ones, then the mean among equals
        shares[job_id] = max(0.0, 1.0 - place / places)
    return shares


def _min_max(values: dict[int, float]) -> dict[int, float]:
    """{id: value scaled so the lowest is 0 and the highest 1}; all equal: 1 each if positive, else 0."""
    if not values:
        return {}
    low, high = min(values.values()), max(values.values())
    if high <= low:
        return dict.fromkeys(values, 1.0 if high > 0 else 0.0)
    return {job_id: (value - low) / (high - low) for job_id, value in values.items()}


def _rrf(ranked_lists: list[list[int]]) -> dict[int, float]:
    scores: dict[int, float] = {}
    for ranked in ranked_lists:
        for position, job_id in enumerate(ranked):
            scores[job_id] = scores.get(job_id, 0.0) + 1.0 / (RRF_K + position + 1)
    return scores


def _skill_coverage(
    query_skills: Sequence[str], required: Sequence[str], mentioned: Sequence[str]
) -> tuple[float, list[str], list[str]]:
    """(coverage in [0, 1], matched skills, missing required skills).

    Coverage weighs the job's required skills 3:1 over the ones it only mentions; a job that
    names no skills at all scores 0 here (nothing to confirm the fit).
    """
    have = {skill.lower() for skill in query_skills}
    matched_required = [skill for skill in required if skill.lower() in have]
    matched_mentioned = [skill for skill in mentioned if skill.lower() in have]
    missing = [skill for skill in required if skill.lower() not in have]
    weight = 3.0 * len(required) + len(mentioned)
    if weight == 0:
        return 0.0, [], []
    coverage = (3.0 * len(matched_required) + len(matched_mentioned)) / weight
    return coverage, matched_required + matched_mentioned, missing[:MISSING_SKILLS_SHOWN]


def _title_fit(title_lexemes: Sequence[str], query_lexemes: dict[str, int], stats: selectors.CorpusStats) -> float:
    """How much of the job title (weighted by how rare each title word is) the query talks about."""
    total = 0.0
    hit = 0.0
    for lexeme in set(title_lexemes):
        weight = max(stats.title_idf(lexeme), 0.0)
        total += weight
        tf = query_lexemes.get(lexeme, 0)
        hit += weight * (tf / (tf + 1.0))
    return hit / total if total > 0 else 0.0


def _recent_title_lexemes(profile: ResumeProfile | None) -> list[tuple[str, list[str]]]:
    """[(title, its lexemes)] of the resume's recent titles, most recent first (one SQL round trip)."""
    if profile is None or not profile.recent_titles:
        return []
    lexemes = selectors.texts_lexemes(list(profile.recent_titles))
    return [(title, words) for title, words in zip(profile.recent_titles, lexemes, strict=True) if words]


def _recent_role_fit(
    title_lexemes: Sequence[str], recent: list[tuple[str, list[str]]], stats: selectors.CorpusStats
) -> tuple[float, str]:
    """(fit, the recent title it is best against): the weighted Dice overlap of the job title's
    lexemes and a recent title's (each word weighted by its title idf), the most recent title
    counting most. A job titled like the resume's last role beats one sharing a word elsewhere."""
    job_words = set(title_lexemes)
    best, role = 0.0, ""
    for rank, (title, words) in enumerate(recent):
        role_words = set(words)
        weight = {word: max(stats.title_idf(word), 0.0) for word in job_words | role_words}
        total = sum(weight[word] for word in job_words) + sum(weight[word] for word in role_words)
        if total <= 0:
            continue
        fit = 2 * sum(weight[word] for word in job_words & role_words) / total * RECENT_ROLE_DECAY**rank
        if fit > best:
            best, role = fit, title
    return best, role


def _profile_level(profile: ResumeProfile) -> int | None:
    """The level a resume reads at: its recent title's cue (director, manager of people, senior,
    junior) where it has one, else its years of experience (under 2: entry level)."""
    if profile.recent_title:
        by_title = _title_level(profile.recent_title)
        if by_title is not None:
            return by_title
    if profile.years is None:
        return None
    return _LEVEL_ORDER[JobLevel.ENTRY_LEVEL] if profile.years < ENTRY_YEARS else _LEVEL_ORDER[JobLevel.EXPERIENCED]


def _title_level(head: str) -> int | None:
    if _DIRECTOR.search(head):
        return _LEVEL_ORDER[JobLevel.DIRECTOR]
    if _MANAGER.search(head):
        # An account, product or project manager is an individual contributor, as the job's level says
        # (jobs.rules.manages_people, which the normalizer uses too).
        people = _HEAD_OF.search(head) or manages_people(head)
        return _LEVEL_ORDER[JobLevel.MANAGER if people else JobLevel.EXPERIENCED]
    if _SENIOR.search(head):
        return _LEVEL_ORDER[JobLevel.EXPERIENCED]
    if _JUNIOR.search(head):
        return _LEVEL_ORDER[JobLevel.ENTRY_LEVEL]
    return None


def _query_level(text: str) -> int | None:
    """The level of a text with no work history read from it: cues in its head, else "N years"."""
    by_head = _title_level(text[:600])
    if by_head is not None:
        return by_head
    years = [int(match) for match in _YEARS.findall(text)]
    if years:
        most = max(years)
        return _LEVEL_ORDER[JobLevel.ENTRY_LEVEL] if most < 2 else _LEVEL_ORDER[JobLevel.EXPERIENCED]
    return None


def _level_fit(query_level: int | None, job_level: str) -> float:
    """1 for the same level, 0.5 one step apart or unknown, 0 further apart."""
    if query_level is None or job_level not in _LEVEL_ORDER:
        return 0.5
    gap = abs(_LEVEL_ORDER[job_level] - query_level)
    return 1.0 if gap == 0 else 0.5 if gap == 1 else 0.0


def _recency(posted: datetime | None, now: datetime) -> float:
    if posted is None:
        return 0.5
    age_days = max(0.0, (now - posted).total_seconds() / 86400)
    return 0.5 ** (age_days / RECENCY_HALF_LIFE_DAYS)
