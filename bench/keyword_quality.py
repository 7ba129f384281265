"""Keyword search: what ranking a bounded set gives up against ranking every match (issue 18).

    .venv/bin/python bench/keyword_quality.py                              # gigm8_scale_150k (bench/scale.py)
    .venv/bin/python bench/keyword_quality.py --database gigm8_bench_quality   # the real postings once each
    .venv/bin/python bench/keyword_quality.py --candidates 200 --candidates 500 --candidates 2000

For each query, on one database: the first 20 jobs of `GET /api/jobs/?q=…` (ordering=relevance)
as JobFilterSet gives them today (the newest SEARCH_RANK_CANDIDATES jobs with the words in title or
skills and as many with them elsewhere, ranked by ts_rank_cd over search_vector), against the
previous ranking, ts_rank_cd over every match (the SQL it ran, kept here). Reports per query the
matches, the overlap of the two top 20s (by job, and by posting text: the scale corpus holds each
real posting many times under fresh ids, and copies with the same title and description tie), and
the time of each (warm, the median of 3). The database is only read.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import corpus  # noqa: E402  (the scratch database's URL)

QUERIES = (
    "engineer",
    "nurse",
    "manager",
    "python developer",
    "developer",
    "sales",
    "analyst",
    "data scientist",
    "software engineer",
    "marketing",
    "accountant",
    "teacher",
    "driver",
    "customer service",
    "project manager",
    "java",
    "registered nurse",
    "warehouse",
    "designer",
    "finance",
)
TOP = 20


def old_top(value: str) -> list[int]:
    """The ranking before issue 18: ts_rank_cd of every match (jobs.filters before the bound)."""
    from django.contrib.postgres.search import SearchRank
    from django.db.models import F, FloatField
    from django.db.models.functions import Cast

    from jobs.filters import search_query
    from jobs.selectors import job_list_public

    query = search_query(value)
    rank = Cast(SearchRank(F("search_vector"), query, cover_density=True), FloatField())
    rows = job_list_public().filter(search_vector=query).annotate(r=rank).order_by("-r", "-id")
    return list(rows.values_list("id", flat=True)[:TOP])


def new_top(value: str) -> list[int]:
    from django.http import QueryDict

    from jobs.filters import JobFilterSet
    from jobs.selectors import job_list_public

    filterset = JobFilterSet(QueryDict(f"q={value}"), queryset=job_list_public())
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs.values_list("id", flat=True)[:TOP])


def timed(function, value: str) -> tuple[list[int], float]:
    function(value)
    times, result = [], []
    for _ in range(3):
        started = time.perf_counter()
        result = function(value)
        times.append((time.perf_counter() - started) * 1000)
    return result, statistics.median(times)


def texts_of(ids: list[int]) -> dict[int, str]:
    from jobs.models import Job

    return {
        pk: hashlib.sha1(f"{title}\n{description}".encode()).hexdigest()
        for pk, title, description in Job.objects.filter(pk__in=ids).values_list("id", "title", "description")
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="gigm8_scale_150k", help="scratch database on the embedded server")
    parser.add_argument(
        "--candidates", type=int, action="append", help="SEARCH_RANK_CANDIDATES to try (default: the setting's)"
    )
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = corpus.scratch_database_url(args.database, fresh=False)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigm8.settings.base")
    import django

    django.setup()
    from django.conf import settings

    from jobs.filters import search_query
    from jobs.selectors import job_list_public

    for candidates in args.candidates or [settings.SEARCH_RANK_CANDIDATES]:
        settings.SEARCH_RANK_CANDIDATES = candidates
        print(f"\n{args.database}, SEARCH_RANK_CANDIDATES={candidates}: top {TOP} of q= (relevance)\n")
        print("| query | matches | overlap by job | by posting text | old ms | new ms |")
        print("|---|---:|---:|---:|---:|---:|")
        by_job, by_text, olds, news = [], [], [], []
        for value in QUERIES:
            matches = job_list_public().filter(search_vector=search_query(value)).count()
            old, old_ms = timed(old_top, value)
            new, new_ms = timed(new_top, value)
            if not old:
                continue
            texts = texts_of(old + new)
            job_overlap = len(set(old) & set(new)) / len(old)
            text_overlap = len({texts[pk] for pk in old} & {texts[pk] for pk in new}) / len({texts[pk] for pk in old})
            by_job.append(job_overlap)
            by_text.append(text_overlap)
            olds.append(old_ms)
            news.append(new_ms)
            print(f"| {value} | {matches:,} | {job_overlap:.2f} | {text_overlap:.2f} | {old_ms:.0f} | {new_ms:.0f} |")
        print(
            f"| **mean** ({len(by_job)} queries) | | **{statistics.mean(by_job):.2f}** | "
            f"**{statistics.mean(by_text):.2f}** | {statistics.median(olds):.0f} (median) | "
            f"{statistics.median(news):.0f} (median) |"
        )


if __name__ == "__main__":
    main()
