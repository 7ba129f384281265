"""Load: the jobs listing and the match endpoints under concurrent clients, on 100,000 jobs.

    .venv/bin/python bench/load.py                  # 60 s, 8 clients (seeds and embeds once)
    .venv/bin/python bench/load.py --seconds 20 --clients 16
    .venv/bin/python bench/load.py --fresh          # rebuild the scratch database first
    .venv/bin/python bench/load.py --scale 150000   # bench/scale.py's database (built by it) instead
    .venv/bin/python bench/load.py --gunicorn "--workers 2 --worker-class gthread --threads 4"
    API_CACHE_SECONDS=0 MATCH_CACHE_TTL=0 .venv/bin/python bench/load.py   # every answer computed

bench/api.py's scratch database (`gigm8_bench_api`, built by its seeder from the real postings in
../shared/data/job_postings), every job embedded once for matching, served by gunicorn with
2 sync workers unless --gunicorn says otherwise (bench/api.py's server, throttling on at a rate no
client reaches). Each client keeps a connection and sends, for --seconds, a mix of requests: the
listing with varied filters (--listing-share of them), the rest split between POST /api/match/resume/ (real resumes from
../shared/data/resumes) and POST /api/match/jd/ (real postings' descriptions). Prints requests/s,
p50/p99 per kind and overall, and every error (any status other than 200, or a failed connection).
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import random
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import api as bench_api  # noqa: E402  (the scratch database, its seeder and the server)

RESUMES = ROOT.parent / "shared" / "data" / "resumes" / "UpdatedResumeDataSet.csv"
LISTINGS = [
    "",
    bench_api.TYPICAL,
    "remote=remote",
    "employment_type=FULL_TIME&salary_min=50000",
    "q=engineer",
    "q=nurse&remote=onsite",
    "job_level=ENTRY_LEVEL&facets=remote",
    "country=GB&page_size=50",
]
TEXT_CHARS = 6000  # a long resume's worth; the endpoints take more


def resume_texts() -> list[str]:
    if not RESUMES.exists():
        return []
    csv.field_size_limit(10**8)
    with RESUMES.open(newline="", encoding="utf-8", errors="replace") as f:
        texts = [row["Resume"][:TEXT_CHARS] for row in csv.DictReader(f) if len(row.get("Resume", "")) > 200]
    return list(dict.fromkeys(texts))  # the data set repeats many resumes word for word


def description_texts() -> list[str]:
    texts = [p["description"][:TEXT_CHARS] for p in bench_api.load_postings() if len(p["description"]) > 200]
    return list(dict.fromkeys(texts))


def embed_all() -> None:
    from matching import services

    pending = services.jobs_needing_embeddings().count()
    if not pending:
        return
    bench_api.log(f"embedding {pending:,} jobs for matching (once; kept in the scratch database)…")
    started = time.monotonic()
    services.job_embeddings_index()
    bench_api.log(f"  done in {time.monotonic() - started:.0f} s")


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {"listing": [], "match resume": [], "match jd": []}
        self.errors: list[str] = []
        self.cached = 0
        self.by_listing: dict[str, list[float]] = {query: [] for query in LISTINGS}


def client(port: int, stop: float, args: argparse.Namespace, texts: dict[str, list[str]], out: Results, seed: int):
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    mine: dict[str, list[float]] = {kind: [] for kind in out.latencies}
    by_listing: dict[str, list[float]] = {query: [] for query in LISTINGS}
    errors, cached = [], 0
    while time.monotonic() < stop:
        if rng.random() < args.listing_share or not (texts["resume"] or texts["jd"]):
            query = rng.choice(LISTINGS)
            kind, method, path, body = "listing", "GET", f"/api/jobs/?{query}", None
        elif rng.random() < 0.5 and texts["resume"]:
            payload = {"resume_text": rng.choice(texts["resume"]), "limit": 20}
            kind, method, path, body = "match resume", "POST", "/api/match/resume/", json.dumps(payload)
        else:
            payload = {"job_description": rng.choice(texts["jd"]), "limit": 20}
            kind, method, path, body = "match jd", "POST", "/api/match/jd/", json.dumps(payload)
        started = time.perf_counter()
        try:
            headers = {"Content-Type": "application/json"} if body else {}
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{kind} {path}: {type(exc).__name__}: {exc}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            errors.append(f"{kind} {path}: {response.status} {content[:200]!r}")
            continue
        if kind != "listing" and b'"cached":true' in content:
            cached += 1
        mine[kind].append(elapsed)
        if kind == "listing":
            by_listing[query].append(elapsed)
    conn.close()
    with out.lock:
        for kind, values in mine.items():
            out.latencies[kind].extend(values)
        out.errors.extend(errors)
        out.cached += cached
        for query, values in by_listing.items():
            out.by_listing[query].extend(values)


def summary(name: str, values: list[float], seconds: float) -> str:
    if len(values) < 2:
        return f"{name:13} {len(values):7,} requests"
    q = statistics.quantiles(values, n=100)
    rate = len(values) / seconds
    return f"{name:13} {len(values):7,} requests {rate:8.1f} req/s   p50 {q[49]:7.1f} ms   p99 {q[98]:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description="The listing and match endpoints under concurrent clients.")
    parser.add_argument("--jobs", type=int, default=100_000, help="jobs in the scratch database (default 100000)")
    parser.add_argument("--seconds", type=int, default=60, help="how long the clients run (default 60)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--listing-share", type=float, default=0.8, help="share of listing requests (default 0.8)")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the scratch database")
    parser.add_argument(
        "--scale", type=int, help="serve bench/scale.py's database of this many active jobs instead (built by it)"
    )
    parser.add_argument(
        "--gunicorn", default="--workers 2", help="gunicorn's worker options (default: --workers 2, sync workers)"
    )
    args = parser.parse_args()
    if args.jobs < 1000 or not 1 <= args.seconds <= 3600 or not 1 <= args.clients <= 256:
        parser.error("--jobs at least 1000, --seconds 1 to 3600, --clients 1 to 256")
    if not 0 <= args.listing_share <= 1:
        parser.error("--listing-share from 0 to 1")

    import os

    if args.scale:
        name = bench_api.corpus.scale_database(args.scale)
        database_url = bench_api.corpus.scratch_database_url(name, fresh=False)
    else:
        database_url = bench_api.corpus.scratch_database_url("gigm8_bench_api", fresh=args.fresh)
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "gigm8.settings.base"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection

    if args.scale:
        from jobs.models import Job

        if not Job.objects.filter(status="active").exists():
            raise SystemExit(f"no jobs in {database_url}: build it with bench/scale.py --size {args.scale}")
        args.jobs = Job.objects.filter(status="active").count()
    else:
        bench_api.seed(args.jobs)
        embed_all()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE jobs_job")
    connection.close()

    texts = {"resume": resume_texts(), "jd": description_texts()}
    bench_api.log(f"texts: {len(texts['resume'])} resumes, {len(texts['jd'])} job descriptions")
    port = bench_api.free_port()
    server = bench_api.start_server(database_url, port, workers=args.gunicorn.split())
    try:
        # Warm-up: both workers load the embedding model and the corpus statistics.
        for _ in range(4):
            bench_api.get(port, "/api/jobs/")
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.request("POST", "/api/match/jd/", body=json.dumps({"job_description": texts["jd"][0]}),
                         headers={"Content-Type": "application/json"})  # fmt: skip
            conn.getresponse().read()
            conn.close()
        bench_api.log(
            f"\n{args.clients} clients for {args.seconds} s against gunicorn ({args.gunicorn}), {args.jobs:,} jobs; "
            f"{os.cpu_count()} cores shared by server, database and clients"
        )
        out = Results()
        stop = time.monotonic() + args.seconds
        started = time.monotonic()
        threads = [threading.Thread(target=client, args=(port, stop, args, texts, out, n)) for n in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
    finally:
        bench_api.stop_server(server)
    every = [v for values in out.latencies.values() for v in values]
    for kind, values in out.latencies.items():
        bench_api.log(summary(kind, values, elapsed))
    bench_api.log(summary("all", every, elapsed))
    bench_api.log("listing p50 by query:")
    for query, values in out.by_listing.items():
        if values:
            bench_api.log(f"  {statistics.median(values):7.1f} ms  ({len(values):4} requests)  /api/jobs/?{query}")
    matches = len(out.latencies["match resume"]) + len(out.latencies["match jd"])
    bench_api.log(f"match answers served from the cache: {out.cached:,} of {matches:,}")
    bench_api.log(f"errors: {len(out.errors)}")
    for line in out.errors[:20]:
        bench_api.log(f"  {line}")
    if out.errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
