"""Matching speed at 50,000 jobs: the engine against its floor and against a rank_bm25 peer, one run.

    .venv/bin/python bench/match_speed.py [--keep] [--jobs 50000] [--queries 60] [--peer-queries 10]

Builds a scratch database (gigm8_bench_speed): the 4,705 real postings of ../shared/data loaded
through `manage.py import_jobs` (bench/match_quality.py's mapping), then copied through the
one upsert (jobs.services.upsert.job_bulk_upsert) with varied titles and locations up to --jobs; then
embeds every job with the index service (that is the indexing throughput figure). Then, for
real resumes with typical filters (country, posted in the last 30 days), uncached:

- engine: matching.services.resume_match(limit=20), the whole service call;
- floor: the unavoidable work for the same query and filters: embedding the query text with the
  same model + one raw pgvector top-20 query + one raw full-text top-20 query (the tsquery the
  engine sends), timed separately and added up;
- peer: rank_bm25's BM25Okapi scoring the same 50,000 jobs in Python (index built once, not timed);
- job descriptions (--jd-queries): matching.services.jd_match on Google postings' text, same filters.

Prints p50/p95 of each and the ratios. Figures vary with the machine's load: the three are
measured interleaved in one process so that load hits them alike.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import match_quality as mq

SCRATCH_DB = "gigm8_bench_speed"
FILTERS = {"country": "US,GB", "posted_within_days": "30"}
TITLE_VARIANTS = ("", "Senior ", "Junior ", "Lead ", "Principal ", "Graduate ", "Associate ", "Staff ", "Trainee ")
CITIES = (
    ("London", "GB"),
    ("Manchester", "GB"),
    ("Leeds", "GB"),
    ("Bristol", "GB"),
    ("Glasgow", "GB"),
    ("New York, NY", "US"),
    ("San Francisco, CA", "US"),
    ("Austin, TX", "US"),
    ("Chicago, IL", "US"),
    ("Seattle, WA", "US"),
    ("Boston, MA", "US"),
    ("Dublin", "IE"),
    ("Berlin", "DE"),
    ("Toronto, ON", "CA"),
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def grow_corpus(target: int) -> float:
    """Copy the imported postings with varied titles and locations until `target` jobs; seconds taken."""
    from jobs.models import Job
    from jobs.services.upsert import job_bulk_upsert
    from jobs.types import JobData

    have = Job.objects.count()
    if have >= target:
        return 0.0
    originals = list(
        Job.objects.select_related("company").values(
            "id",
            "title",
            "company__name",
            "description",
            "employment_type",
            "category",
            "skills",
            "salary_min",
            "salary_max",
            "salary_currency",
            "salary_period",
            "salary_annual_min",
            "salary_annual_max",
        )
    )
    records = []
    copy = 0
    while have + len(records) < target:
        for row in originals:
            if have + len(records) >= target:
                break
            variant = TITLE_VARIANTS[copy % len(TITLE_VARIANTS)]
            city, country = CITIES[(row["id"] + copy) % len(CITIES)]
            records.append(
                JobData(
                    source="bench_copy",
                    external_id=f"{row['id']}-{copy}",
                    title=f"{variant}{row['title']}"[:300],
                    company_name=row["company__name"] or "",
                    description=row["description"],
                    location=city,
                    city=city.split(",")[0],
                    country=country,
                    employment_type=row["employment_type"],
                    category=row["category"],
                    skills=list(row["skills"]),
                    salary_min=row["salary_min"],
                    salary_max=row["salary_max"],
                    salary_currency=row["salary_currency"],
                    salary_period=row["salary_period"],
                    salary_annual_min=row["salary_annual_min"],
                    salary_annual_max=row["salary_annual_max"],
                )
            )
        copy += 1
    started = time.perf_counter()
    result = job_bulk_upsert(records=records)
    seconds = time.perf_counter() - started
    print(f"upserted {result.created} copies in {seconds:.1f} s", file=sys.stderr)
    return seconds


def floor_once(text: str, candidates, tsquery) -> float:  # type: ignore[no-untyped-def]
    """Seconds for: embed the text + raw pgvector top-20 + raw full-text top-20, same filters."""
    from django.contrib.postgres.search import SearchRank
    from django.db import connection, transaction
    from django.db.models import F
    from pgvector.django import CosineDistance

    from matching import embeddings

    started = time.perf_counter()
    vector = embeddings.embed_text(text)
    base = candidates.order_by()
    vector_sql, vector_params = (
        base.annotate(d=CosineDistance("embedding", vector))
        .order_by("d")
        .values_list("id")[:20]
        .query.sql_with_params()
    )
    rank = SearchRank(F("search_vector"), tsquery, normalization=1)
    text_sql, text_params = (
        base.filter(search_vector=tsquery)
        .annotate(r=rank)
        .order_by("-r")
        .values_list("id")[:20]
        .query.sql_with_params()
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
        cursor.execute(vector_sql, vector_params)
        cursor.fetchall()
        cursor.execute(text_sql, text_params)
        cursor.fetchall()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help=f"keep (and reuse) the scratch database {SCRATCH_DB}")
    parser.add_argument("--jobs", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=60, help="resume queries timed (engine and floor)")
    parser.add_argument("--peer-queries", type=int, default=10, help="of those, how many the BM25 peer runs")
    parser.add_argument("--jd-queries", type=int, default=30, help="job descriptions timed (jd_match)")
    parser.add_argument("--reindex", action="store_true", help="embed every job again (measures indexing)")
    args = parser.parse_args(argv)
    mq.require_shared_data()
    mq.django_setup("static")
    drop = mq.scratch_database(SCRATCH_DB, keep=args.keep)
    try:
        from django.db import connection

        from jobs.models import Job
        from matching import selectors, services
        from matching.backends import local
        from matching.backends.local import LocalBackend

        if not Job.objects.exists():
            mq.load_corpus(reload=True)
        grow_corpus(args.jobs)
        pending = services.jobs_needing_embeddings(rebuild=args.reindex).count()
        if pending:
            result = services.job_embeddings_index(rebuild=args.reindex)
            print(f"indexed {result.indexed} jobs in {result.seconds:.1f} s", file=sys.stderr)
            index_rate = result.indexed / result.seconds
        else:
            index_rate = float("nan")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE jobs_job")
        total_jobs = Job.objects.count()

        resumes = [text for texts in mq.read_resumes().values() for text in texts]
        step = max(1, len(resumes) // args.queries)
        queries = resumes[::step][: args.queries]
        services.corpus_stats_refresh(force=True)  # what the index task stores: outside the timings
        services.resume_match(text=queries[0], filters=FILTERS)  # warm the model and the connection

        peer = None
        if args.peer_queries:
            from jobs.selectors import job_list_public

            rows = list(job_list_public().values_list("id", "title", "description"))
            started = time.perf_counter()
            peer = mq.Bm25Ranker([r[0] for r in rows], [f"{r[1]}\n{r[2]}" for r in rows])
            print(
                f"BM25 peer index over {len(rows)} jobs built in {time.perf_counter() - started:.1f} s", file=sys.stderr
            )

        engine_ms: list[float] = []
        floor_ms: list[float] = []
        peer_ms: list[float] = []
        for index, text in enumerate(queries):
            clean = services.clean_text(text)
            candidates, _ = services.match_candidates(filters=FILTERS)
            # The full-text query the engine retrieves candidates with.
            lexemes = selectors.text_lexemes(clean)
            tsquery = LocalBackend._tsquery(
                lexemes, selectors.corpus_stats(lexemes=lexemes), limit=local.RETRIEVAL_TERMS
            )
            floor_ms.append(floor_once(clean, candidates, tsquery) * 1000)
            started = time.perf_counter()
            response = services.resume_match(text=text, filters=FILTERS, limit=20)
            engine_ms.append((time.perf_counter() - started) * 1000)
            assert not response.cached
            if peer is not None and index < args.peer_queries:
                started = time.perf_counter()
                peer.rank(text, 20)
                peer_ms.append((time.perf_counter() - started) * 1000)

        jd_ms: list[float] = []
        if args.jd_queries:
            # The quality benchmark's JD queries; only their texts matter here (no corpus: no relevance sets).
            jd_texts = [query.text for query in mq.jd_queries({})][: args.jd_queries]
            for text in jd_texts:
                started = time.perf_counter()
                services.jd_match(text=text, filters=FILTERS, limit=20)
                jd_ms.append((time.perf_counter() - started) * 1000)

        def line(name: str, values: list[float]) -> str:
            return (
                f"| {name} | {len(values)} | {statistics.median(values):.1f} | {percentile(values, 95):.1f} |"
                if values
                else f"| {name} | 0 | - | - |"
            )

        print(f"### Speed: {total_jobs:,} jobs, filters {FILTERS}, limit 20, uncached\n")
        print("| what | queries | p50 ms | p95 ms |\n|---|---:|---:|---:|")
        print(line("engine (resume_match, whole service)", engine_ms))
        print(line("floor (embed + pgvector top-20 + full-text top-20)", floor_ms))
        print(line("peer (rank_bm25 over every job, Python)", peer_ms))
        print(line("engine, job descriptions (jd_match, whole service)", jd_ms))
        p95_engine, p95_floor = percentile(engine_ms, 95), percentile(floor_ms, 95)
        print(f"\nengine p95 / floor p95 = {p95_engine / p95_floor:.2f} (target <= 2)")
        if peer_ms:
            same = engine_ms[: len(peer_ms)]  # the peer ran the first queries only: compare on those
            speedup = statistics.median(peer_ms) / statistics.median(same)
            mean_speedup = statistics.fmean(peer_ms) / statistics.fmean(same)
            print(
                f"peer / engine on the same {len(peer_ms)} queries: {speedup:.1f}x at the median, "
                f"{mean_speedup:.1f}x on average (target >= 10)"
            )
        print(f"indexing throughput: {index_rate:.0f} jobs/s (embedding + skill profiles, 2 cores)")
    finally:
        drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
