"""Benchmark: the jobs listing API against a raw-SQL floor, over 100,000 jobs, under wrk.

    .venv/bin/python bench/api.py                 # seeds the scratch database once, then measures
    .venv/bin/python bench/api.py --fresh         # rebuild the scratch database first
    .venv/bin/python bench/api.py --seconds 5     # a quicker look

What it does, in one run:
1. A scratch database `gigm8_bench_api` (on the embedded PostgreSQL, or on DATABASE_URL's server),
   migrated, holding --jobs jobs built from the real postings in ../shared/data/job_postings (title,
   description, company, location, category), with remote/type/level/salary/place/date spread over
   them; 3 % cross-source duplicates, 10 % expired or hidden, 1 % of companies blocked.
2. EXPLAIN ANALYZE of the SQL the API runs for the common filters, so index use can be read.
3. gunicorn with 2 workers serving the project plus one extra route, /floor/jobs/: a minimal Django
   view running hand-written SQL equivalent to the typical listing (page + the two facets) and
   writing the same JSON with json.dumps. Both answers are checked to hold the same jobs and counts.
4. wrk (or, without wrk, a Python load generator) for --seconds on each target, after a short
   warm-up, in --rounds turns that alternate between the two (so a busy machine weighs on both
   alike); requests/s, p50 and p99 of both, and the ratio API / floor. With the response cache on
   (API_CACHE_SECONDS, default 30; --cache-seconds 0 turns it off) every API request under load
   after the first is a cache hit: nothing writes jobs meanwhile.
5. One client, one at a time: the typical listing as a cache miss, a hit and a 304 (medians, p95).

The typical listing is `?remote=remote&employment_type=FULL_TIME&salary_min=80000&facets=remote,employment_type`.
Throttling stays on (as in production), at a rate no client reaches, counted in Redis when it runs.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import corpus  # noqa: E402  (the scratch database and its seeder)
from bench.corpus import log  # noqa: E402

SCRATCH_DB = "gigm8_bench_api"
TYPICAL = "remote=remote&employment_type=FULL_TIME&salary_min=80000&facets=remote,employment_type"
PAGE_SIZE = 20

# --- served by gunicorn (BENCH_API_SERVE=1): the project plus the floor view ----------------------

if os.environ.get("BENCH_API_SERVE"):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigm8.settings.base")
    from django.conf import settings as _settings
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    _settings.ROOT_URLCONF = __name__  # this module's urlpatterns: the floor, then the project's routes


FLOOR_PAGE_SQL = """
SELECT j.id, j.title, c.id, c.name, c.slug, j.location, j.city, j.region, j.country, j.latitude, j.longitude,
       j.remote, j.employment_type, j.job_level, j.is_internship, j.salary_min, j.salary_max, j.salary_currency,
       j.salary_period, j.salary_annual_min, j.salary_annual_max, j.salary_is_predicted, j.salary_source,
       j.category, j.skills, j.apply_url, j.source, j.posted_at, j.is_featured, j.geo_precision,
       COALESCE(j.posted_at, '0001-01-02T00:00:00+00:00'::timestamptz) AS sort_key, j.occupation_code,
       j.occupation_confidence
FROM jobs_job j LEFT JOIN jobs_company c ON c.id = j.company_id
WHERE j.status = 'active' AND j.duplicate_of_id IS NULL
  AND NOT (j.company_id IS NOT NULL AND j.company_id IN (SELECT id FROM jobs_company WHERE is_blocked))
  AND j.remote = ANY(%s) AND j.employment_type = ANY(%s)
  AND COALESCE(GREATEST(j.salary_annual_min, j.salary_annual_max), -1) >= %s
ORDER BY sort_key DESC, j.id DESC
LIMIT %s
"""
# The page's total (the API counts its first page: exact under 10,000 matches).
FLOOR_COUNT_SQL = """
SELECT count(*) FROM jobs_job j
WHERE j.status = 'active' AND j.duplicate_of_id IS NULL
  AND NOT (j.company_id IS NOT NULL AND j.company_id IN (SELECT id FROM jobs_company WHERE is_blocked))
  AND j.remote = ANY(%s) AND j.employment_type = ANY(%s)
  AND COALESCE(GREATEST(j.salary_annual_min, j.salary_annual_max), -1) >= %s
"""
FLOOR_FACET_SQL = """
SELECT j.{column}, count(*) FROM jobs_job j
WHERE j.status = 'active' AND j.duplicate_of_id IS NULL
  AND NOT (j.company_id IS NOT NULL AND j.company_id IN (SELECT id FROM jobs_company WHERE is_blocked))
  AND {other} AND COALESCE(GREATEST(j.salary_annual_min, j.salary_annual_max), -1) >= %s
GROUP BY 1 ORDER BY 2 DESC, 1
"""
FACET_LABELS = {
    "remote": {"onsite": "On site", "hybrid": "Hybrid", "remote": "Remote"},
    "employment_type": {
        "FULL_TIME": "Full time",
        "PART_TIME": "Part time",
        "CONTRACTOR": "Contractor",
        "TEMPORARY": "Temporary",
        "INTERN": "Intern",
    },
}


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def floor_jobs(request: Any) -> Any:
    """The floor: the typical listing's SQL by hand, its JSON by hand. No DRF, no ORM, no validation."""
    from django.db import connection
    from django.http import HttpResponse

    remote, employment_type, salary_min = ["remote"], ["FULL_TIME"], Decimal(request.GET.get("salary_min", "80000"))
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_PAGE_SQL, [remote, employment_type, salary_min, PAGE_SIZE + 1])
        rows = cursor.fetchall()
        cursor.execute(FLOOR_COUNT_SQL, [remote, employment_type, salary_min])
        (count,) = cursor.fetchone()
        facets = {}
        for column, other, value in (
            ("remote", "j.employment_type = ANY(%s)", employment_type),
            ("employment_type", "j.remote = ANY(%s)", remote),
        ):
            cursor.execute(FLOOR_FACET_SQL.format(column=column, other=other), [value, salary_min])
            labels = FACET_LABELS[column]
            facets[column] = [
                {"value": v, "label": labels.get(v, v) or "(unknown)", "count": n} for v, n in cursor.fetchall()
            ]
    from skills.occupations import occupation

    results = []
    for r in rows[:PAGE_SIZE]:
        found = occupation(r[31]) if r[31] else None
        salary = None
        if r[15] is not None or r[16] is not None:
            salary = {
                "min": _number(r[15]),
                "max": _number(r[16]),
                "currency": r[17],
                "period": r[18],
                "annual_min": _number(r[19]),
                "annual_max": _number(r[20]),
                "is_predicted": r[21],
                "provenance": r[22],
            }
        results.append(
            {
                "id": r[0],
                "title": r[1],
                "company": {"id": r[2], "name": r[3], "slug": r[4]} if r[2] is not None else None,
                "location": {
                    "text": r[5],
                    "city": r[6],
                    "region": r[7],
                    "country": r[8],
                    "latitude": r[9],
                    "longitude": r[10],
                    "precision": r[29],
                },
                "remote": r[11],
                "employment_type": r[12],
                "job_level": r[13],
                "is_internship": r[14],
                "salary": salary,
                "category": r[23],
                "skills": r[24],
                "apply_url": r[25],
                "source": r[26],
                "posted_at": r[27].isoformat().replace("+00:00", "Z") if r[27] else None,
                "is_featured": r[28],
                "occupation": (
                    {"code": found.code, "title": found.title, "major_group": found.major, "confidence": r[32]}
                    if found
                    else None
                ),
            }
        )
    last = rows[PAGE_SIZE - 1] if len(rows) > PAGE_SIZE else None
    next_link = None
    if last is not None:
        next_link = request.build_absolute_uri(f"?salary_min={salary_min}&after={last[30].isoformat()},{last[0]}")
    body = {
        "count": count,
        "count_is_estimate": False,
        "next": next_link,
        "previous": None,
        "results": results,
        "facets": facets,
    }
    return HttpResponse(json.dumps(body), content_type="application/json")


def __getattr__(name: str) -> Any:
    # Django reads `urlpatterns` only after setup, when the project's urls can be imported.
    if name == "urlpatterns":
        from django.urls import path

        from gigm8.urls import urlpatterns as project

        return [path("floor/jobs/", floor_jobs), *project]
    raise AttributeError(name)


# --- the runner ---------------------------------------------------------------------------------


def scratch_database_url(args: argparse.Namespace) -> str:
    return corpus.scratch_database_url(args.database, fresh=args.fresh)


def redis_url() -> str:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return "redis://127.0.0.1:6379/13"
    except OSError:
        return ""


# --- seeding: bench/corpus.py ----------------------------------------------------------------------

load_postings = corpus.load_postings


def seed(count: int) -> None:
    corpus.seed(count)


# --- EXPLAIN --------------------------------------------------------------------------------------

EXPLAINED = [
    ("typical listing", TYPICAL),
    ("newest first, no filter", ""),
    ("full text q=python developer", "q=python developer"),
    ("near London, 25 km, by distance", "near=51.5074,-0.1278&radius_km=25&ordering=distance"),
    ("country=GB", "country=GB"),
    ("salary_min=100000, highest first", "salary_min=100000&ordering=-salary"),
    ("title=engineer", "title=engineer"),
    ("location=london", "location=london"),
    ("posted_within_days=3", "posted_within_days=3"),
    ("company (slug of a big employer)", "company={company}"),
    ("remote=true&job_level=EXPERIENCED", "remote=true&job_level=EXPERIENCED"),
]


def explain_common_filters() -> None:
    from django.db.models import Count
    from django.http import QueryDict

    from jobs.filters import JobFilterSet
    from jobs.models import Job
    from jobs.selectors import job_list_public

    big = Job.objects.values("company__slug").annotate(n=Count("id")).order_by("-n").first()
    log("\n=== EXPLAIN ANALYZE of the API's SQL (page of 21 rows) ===")
    for label, query in EXPLAINED:
        query = query.format(company=big["company__slug"])
        filterset = JobFilterSet(QueryDict(query), queryset=job_list_public())
        assert filterset.is_valid(), filterset.errors
        plan = filterset.qs[: PAGE_SIZE + 1].explain(analyze=True)
        indexes = sorted(
            set(re.findall(r"(?:Index|Bitmap Index) (?:Only )?Scan (?:Backward )?(?:using|on) (\w+)", plan))
        )
        total = re.search(r"Execution Time: ([\d.]+) ms", plan)
        log(f"\n--- {label}: ?{query}")
        used = ", ".join(indexes) or "none (sequential scan)"
        log(f"    indexes: {used}; execution {total.group(1) if total else '?'} ms")
        for line in plan.splitlines():
            log("    " + line)


# --- serving and loading ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    database_url: str, port: int, cache_seconds: int | None = None, workers: Sequence[str] = ("--workers", "2")
) -> subprocess.Popen:
    """gunicorn serving `database_url` on `port`; `workers`: its worker options (count, class, threads)."""
    env = dict(os.environ)
    env.update(
        BENCH_API_SERVE="1",
        DJANGO_SETTINGS_MODULE="gigm8.settings.base",
        DATABASE_URL=database_url,
        DEBUG="false",
        # Throttling on, as in production, at a rate no benchmark client reaches; per second so
        # DRF's request history per client stays short.
        API_THROTTLE_ANON="10000000/second",
        API_THROTTLE_USER="10000000/second",
    )
    if url := redis_url():
        env["REDIS_URL"] = url
    if cache_seconds is not None:
        env["API_CACHE_SECONDS"] = str(cache_seconds)
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    cmd = [
        str(gunicorn if gunicorn.exists() else shutil.which("gunicorn")),
        "bench.api:application",
        *workers,
        "--bind", f"127.0.0.1:{port}",
        "--chdir", str(ROOT),
        "--log-level", "warning",
    ]  # fmt: skip
    server_log = ROOT / "var" / "bench_api_gunicorn.log"
    server_log.parent.mkdir(exist_ok=True)
    log(f"gunicorn's output (a line per request): {server_log}")
    with open(server_log, "w") as out:
        server = subprocess.Popen(cmd, env=env, start_new_session=True, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _ = get(port, "/health/")
            if status == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        time.sleep(0.3)
    stop_server(server)
    raise SystemExit("gunicorn did not answer /health/ within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def check_same_answer(port: int) -> None:
    status_api, api = get(port, f"/api/jobs/?{TYPICAL}")
    status_floor, floor = get(port, "/floor/jobs/?salary_min=80000")
    if status_api != 200 or status_floor != 200:
        raise SystemExit(f"unexpected status: api {status_api}, floor {status_floor}: {api[:300]!r} {floor[:300]!r}")
    a, f = json.loads(api), json.loads(floor)
    assert [r["id"] for r in a["results"]] == [r["id"] for r in f["results"]], "the two pages differ"
    # The API estimates a facet from a sample when counting it exactly costs too much (its buckets say
    # count_is_estimate); the floor always counts exactly, so such a facet is compared by its values
    # only, and there the floor does more work than the API (the log says which facets were sampled).
    for name, buckets in a["facets"].items():
        if any(bucket["count_is_estimate"] for bucket in buckets):
            assert sorted(b["value"] for b in buckets) == sorted(b["value"] for b in f["facets"][name]), name
            log(f"facet {name}: sampled by the API, counted exactly by the floor")
        else:
            exact = [{k: v for k, v in bucket.items() if k != "count_is_estimate"} for bucket in buckets]
            assert exact == f["facets"][name], (name, buckets, f["facets"][name])
    assert (a["count"], a["count_is_estimate"]) == (f["count"], False), (a["count"], f["count"])
    assert a["results"] == f["results"], "the two pages' rows differ"
    log(f"same answer from both: {len(a['results'])} jobs, facets {json.dumps(a['facets'])}")


def cache_probe(port: int, count: int = 100) -> None:
    """Single client, keep-alive: the typical listing as a cache miss (a salary_min just below
    80,000 not asked before: the same work), as a hit (the same URL again) and as a 304
    (If-None-Match with its ETag). With the cache off, the first kind only ("no cache")."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    start = 80000 - count - random.randrange(0, 5000)  # values no run of the last 30 s asked for

    def timed(path: str, headers: dict[str, str] | None = None) -> tuple[float, http.client.HTTPResponse, bytes]:
        began = time.perf_counter()
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return (time.perf_counter() - began) * 1000, response, body

    typical = f"/api/jobs/?{TYPICAL}"
    _, first, _ = timed(typical)
    etag = first.getheader("ETag")
    kinds: dict[str, list[float]] = {"miss" if etag else "no cache": [], "hit": [], "304": []}
    for index in range(count):
        ms, response, _ = timed(f"/api/jobs/?{TYPICAL.replace('salary_min=80000', f'salary_min={start + index}')}")
        assert response.status == 200, response.status
        kinds["miss" if etag else "no cache"].append(ms)
        if etag:
            ms, response, _ = timed(typical)
            assert response.status == 200, response.status
            kinds["hit"].append(ms)
            ms, response, body = timed(typical, {"If-None-Match": etag})
            assert response.status == 304 and body == b"", response.status
            kinds["304"].append(ms)
    conn.close()
    for kind, times in kinds.items():
        if times:
            q = statistics.quantiles(times, n=20)
            log(f"single client, {kind:8}: median {statistics.median(times):6.2f} ms   p95 {q[18]:6.2f} ms   ({count})")


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def load_wrk(url: str, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    p50 = _ms(re.search(r"\s50%\s+([\d.]+\w+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+([\d.]+\w+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} non-2xx answers under load\n{out}")
    return {"requests": requests, "seconds": float(seconds), "p50": p50, "p99": p99}


def load_python(url: str, seconds: int, connections: int) -> dict[str, float]:
    """Keep-alive clients in threads, each timing its requests; bounded by time and by count."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine = []
        while time.monotonic() < stop and len(mine) < 1_000_000:
            t = time.perf_counter()
            conn.request("GET", target)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"{url}: status {response.status} under load")
            mine.append((time.perf_counter() - t) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    q = statistics.quantiles(latencies, n=100)
    return {"requests": len(latencies), "seconds": elapsed, "p50": q[49], "p99": q[98]}


def main() -> None:
    parser = argparse.ArgumentParser(description="The jobs listing API against a raw-SQL floor, under load.")
    parser.add_argument("--jobs", type=int, default=100_000, help="jobs in the scratch database (default 100000)")
    parser.add_argument("--seconds", type=int, default=15, help="load per target, seconds (default 15)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (default 8)")
    parser.add_argument("--rounds", type=int, default=3, help="turns each target takes, sharing --seconds (3)")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the scratch database")
    parser.add_argument("--no-explain", action="store_true", help="skip the EXPLAIN section")
    parser.add_argument(
        "--cache-seconds",
        type=int,
        default=None,
        help="API_CACHE_SECONDS for the server (default: the settings' 30; 0 turns the response cache off)",
    )
    parser.add_argument(
        "--database", default=SCRATCH_DB, help=f"scratch database name (default {SCRATCH_DB}; another keeps runs apart)"
    )
    args = parser.parse_args()
    if args.jobs < 1000 or not 1 <= args.seconds <= 300 or not 1 <= args.connections <= 64:
        parser.error("--jobs at least 1000, --seconds 1 to 300, --connections 1 to 64")
    if not 1 <= args.rounds <= args.seconds:
        parser.error("--rounds from 1 to --seconds")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", args.database):
        parser.error("--database: lower-case letters, digits and underscores")

    sys.path.insert(0, str(ROOT))
    database_url = scratch_database_url(args)
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "gigm8.settings.base"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    seed(args.jobs)
    from django.db import connection

    # What autovacuum does after a big load: statistics, and the visibility map that lets
    # the facet counts run as index-only scans.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE jobs_job")
        cursor.execute("VACUUM ANALYZE jobs_company")

    if not args.no_explain:
        explain_common_filters()
    connection.close()

    load = load_wrk if shutil.which("wrk") else load_python
    generator = "wrk" if load is load_wrk else "Python threads (wrk not installed)"
    log(f"\nload generator: {generator}, {args.connections} connections, {args.seconds} s per target")
    log(f"gunicorn 2 workers; {os.cpu_count()} cores shared by server, database and load generator")
    port = free_port()
    server = start_server(database_url, port, args.cache_seconds)
    try:
        check_same_answer(port)
        targets = {
            "floor (raw SQL view)": f"http://127.0.0.1:{port}/floor/jobs/?salary_min=80000",
            "API  (/api/jobs/)   ": f"http://127.0.0.1:{port}/api/jobs/?{TYPICAL}",
        }
        for url in targets.values():
            load(url, 3, args.connections)  # warm-up: connections, caches, plans
        # The machine may be busy with other work: the two targets take turns in short rounds
        # (the order flipping each round), so both see the same background load.
        rounds: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
        share = max(1, args.seconds // args.rounds)
        for index in range(args.rounds):
            order = list(targets.items()) if index % 2 == 0 else list(reversed(targets.items()))
            for name, url in order:
                r = load(url, share, args.connections)
                rounds[name].append(r)
                log(f"  round {index + 1} {name}: {r['requests'] / r['seconds']:8.1f} req/s   p50 {r['p50']:7.2f} ms")
        cache_probe(port)
    finally:
        stop_server(server)
    rps = {}
    for name, runs in rounds.items():
        rps[name] = sum(r["requests"] for r in runs) / sum(r["seconds"] for r in runs)
        p50 = statistics.median(r["p50"] for r in runs)
        p99 = statistics.median(r["p99"] for r in runs)
        log(f"{name}: {rps[name]:8.1f} req/s   p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   (median of {len(runs)})")
    floor, api = rps.values()
    ratio = api / floor
    log(f"ratio API / floor: {ratio:.2f} (target >= 0.60): {'OK' if ratio >= 0.6 else 'BELOW TARGET'}")


if __name__ == "__main__":
    main()
