"""Crawl benchmark: 200 Greenhouse boards x 50 postings from a local server, end to end, against plain fetches.

    .venv/bin/python bench/crawl.py [--boards 200] [--per-board 50] [--concurrency 32]
    .venv/bin/python bench/crawl.py --catalog [--boards 100] [--per-board 2]
    .venv/bin/python bench/crawl.py --workday [--boards 4] [--per-board 100]

--workday: Workday's two-step fetch. `boards` Workday boards (two data centres) from the tests'
fake board server, each listing `per-board` postings (20 a page) whose details carry the real
description of ../shared/data/api_fixtures/workday_job_detail.json. The workday spider crawls them
through `crawl_run`, with the shipped politeness and with all pauses off, twice each (created,
then unchanged). Printed: listing and detail requests, wall time, requests/s and postings/s.

--catalog: a catalog-sized refresh instead. The first `boards` entries of the board catalog
(ingestion/data/boards.csv), in its mix of Greenhouse, Lever and Ashby (60/19/21), are loaded as companies
(`setup_sources`) and served by the tests' fake board server (scrapers/tests/fakes.py), each
with `per-board` postings. Each ATS spider then crawls its boards through `crawl_run`, as the
full refresh runs it: once with the shipped politeness settings (AutoThrottle, a download delay,
robots.txt, per-host concurrency), once with all pauses off. Printed per spider and in all: boards,
jobs, wall time, requests/s.

A threaded HTTP server on 127.0.0.1 answers GET /v1/boards/{token}/jobs?content=true in the
Greenhouse board API's shape, with the four real postings of ../shared/data/api_fixtures/
greenhouse_jobs.json (9-26 KB of entity-escaped HTML each) cycled under fresh ids and titles.
Timed in one run, against the same server:

  floor      - aiohttp (Scrapy's own dependency) fetching every board and decoding its JSON,
               `concurrency` requests at once: what any crawler must pay for the bytes;
  scrapy     - the greenhouse spider with no item pipeline: Scrapy's own cost (child start,
               fetch, parse into items), nothing normalized or written;
  +normalize - the same fetches, each posting through greenhouse_posting() and build_job_data()
               in this process: the floor plus the parsing and normalizing, no database;
  crawl      - `crawl_run(spider="greenhouse")` with AutoThrottle off and the same concurrency:
               child process, Scrapy, the pipeline, batched upserts into jobs_job, expiry and the
               SyncLog (first run: every posting created; second run: every posting unchanged).
               Wall time includes the child's start; "in crawl" is the SyncLog's own duration.

Everything is written to a scratch database created for the run and dropped after it.
Figures: see bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT.parent / "shared" / "data" / "api_fixtures" / "greenhouse_jobs.json"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigm8.settings.base")
SCRATCH_DB = "gigm8_bench_crawl"


def board_payloads(boards: int, per_board: int) -> dict[str, bytes]:
    if not SAMPLE.exists():
        sys.exit(f"{SAMPLE} is absent: this benchmark builds its boards from the real postings there (SOURCES.md).")
    sample = json.loads(SAMPLE.read_text())["jobs"]
    payloads = {}
    for b in range(boards):
        jobs = []
        for n in range(per_board):
            job = dict(sample[n % len(sample)])
            job["id"] = 10_000_000 + b * per_board + n
            job["title"] = f"{job['title']} #{b}-{n}"
            job["absolute_url"] = f"https://job-boards.greenhouse.io/board{b}/jobs/{job['id']}"
            jobs.append(job)
        payloads[f"board{b}"] = json.dumps({"jobs": jobs, "meta": {"total": len(jobs)}}).encode()
    return payloads


def serve(payloads: dict[str, bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            parts = self.path.split("?")[0].strip("/").split("/")  # v1/boards/{token}/jobs
            body = payloads.get(parts[2]) if len(parts) == 4 else None
            self.send_response(200 if body else 404)
            body = body or b"{}"
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


async def fetch_all(base: str, tokens: list[str], concurrency: int, normalize: bool) -> int:
    import aiohttp

    from ingestion.normalize import build_job_data
    from scrapers.spiders.greenhouse import greenhouse_posting

    gate = asyncio.Semaphore(concurrency)
    count = 0

    async def one(session: aiohttp.ClientSession, token: str) -> None:
        nonlocal count
        async with gate, session.get(f"{base}/v1/boards/{token}/jobs?content=true") as response:
            jobs = json.loads(await response.read())["jobs"]
        for job in jobs:
            if normalize:
                build_job_data(source="greenhouse", **greenhouse_posting(job))
            count += 1

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(one(session, token) for token in tokens))
    return count


def catalog_sample(entries: list[Any], boards: int) -> list[Any]:
    """`boards` entries in the catalog's own mix of kinds (its first ones of each kind)."""
    by_kind: dict[str, list[Any]] = {}
    for entry in entries:
        by_kind.setdefault(entry.ats_kind, []).append(entry)
    boards = min(boards, len(entries))
    shares = {kind: boards * len(rows) // len(entries) for kind, rows in by_kind.items()}
    for kind in sorted(by_kind, key=lambda k: -len(by_kind[k]))[: boards - sum(shares.values())]:
        shares[kind] += 1
    return [entry for kind, rows in by_kind.items() for entry in rows[: shares[kind]]]


def catalog_run(boards: int, per_board: int) -> None:
    """The catalog's first `boards` boards from the fake board server, crawled as a refresh crawls them."""
    from django.core.management import call_command
    from django.db import connection

    from ingestion.choices import TriggerKind
    from ingestion.models import CatalogBoard
    from ingestion.services.catalog import catalog_entries
    from ingestion.services.crawl import crawl_run
    from jobs.models import Company, Job
    from scrapers.tests.fakes import FakeSite, serve_boards

    entries = catalog_sample(catalog_entries(), boards)
    site = FakeSite().start()
    serve_boards(site, [(e.ats_kind, e.board_token) for e in entries], jobs_per_board=per_board)
    kinds = list(dict.fromkeys(e.ats_kind for e in entries))
    print(f"{len(entries)} catalog boards x {per_board} postings from {site.url}", flush=True)

    connection.settings_dict["TEST"]["NAME"] = SCRATCH_DB
    print(f"scratch database {SCRATCH_DB}: creating and migrating…", flush=True)
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        rows = "".join(f"{e.name},{e.website},{e.ats_kind},{e.board_token}\n" for e in entries)
        catalog = Path(os.environ.get("TMPDIR", "/tmp")) / "gigm8_bench_boards.csv"
        catalog.write_text("name,website,ats_kind,board_token\n" + rows)
        call_command("setup_sources", "--file", str(catalog), verbosity=0)
        base_urls = {f"{kind.upper()}_BASE_URL": site.url for kind in kinds}
        runs = {
            "shipped politeness": {"HTTPCACHE_ENABLED": False, "LOG_LEVEL": "WARNING", **base_urls},
            "no pauses": {
                "AUTOTHROTTLE_ENABLED": False,
                "DOWNLOAD_DELAY": 0,
                "ROBOTSTXT_OBEY": False,
                "HTTPCACHE_ENABLED": False,
                "LOG_LEVEL": "WARNING",
                **base_urls,
            },
        }
        for label, overrides in runs.items():
            print(f"{label}:", flush=True)
            Job.objects.all().delete()
            total_wall = 0.0
            total_requests = 0
            for kind in kinds:
                count = sum(1 for e in entries if e.ats_kind == kind)
                asked = len(site.requests)
                started = time.perf_counter()
                log = crawl_run(spider=kind, triggered_by=TriggerKind.COMMAND, settings_overrides=overrides)
                wall = time.perf_counter() - started
                requests = len(site.requests) - asked
                total_wall += wall
                total_requests += requests
                inside = log.duration.total_seconds()
                print(
                    f"  {kind:<11} {count:4d} boards {log.created:5d} jobs  wall {wall:6.2f} s "
                    f"(in crawl {inside:6.2f} s)  {requests:4d} requests  {requests / inside:6.1f} req/s "
                    f"in crawl  {log.status}",
                    flush=True,
                )
            print(
                f"  {'all':<11} {len(entries):4d} boards {Job.objects.count():5d} jobs  wall {total_wall:6.2f} s"
                f"{'':17}{total_requests:4d} requests  {total_requests / total_wall:6.1f} req/s overall",
                flush=True,
            )
        print(f"companies {Company.objects.count()}, catalog rows {CatalogBoard.objects.count()}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        site.stop()


def workday_run(boards: int, per_board: int) -> None:
    """Workday's listing pages and one detail per posting, from the fake board server, as a refresh crawls them."""
    from ingestion.choices import TriggerKind
    from ingestion.services.crawl import crawl_run
    from jobs.choices import AtsKind
    from jobs.models import Company, Job
    from scrapers.tests.fakes import FakeSite, workday_detail, workday_listed, workday_listing, workday_serve

    sample = ROOT.parent / "shared" / "data" / "api_fixtures" / "workday_job_detail.json"
    if not sample.exists():
        sys.exit(f"{sample} is absent: the details carry its real description (SOURCES.md).")
    description = json.loads(sample.read_text())["jobPostingInfo"]["jobDescription"]
    site = FakeSite().start()
    tokens = []
    for b in range(boards):
        host, tenant, board_site = f"tenant{b}.wd{1 + 4 * (b % 2)}.myworkdayjobs.com", f"tenant{b}", "External"
        listed = [
            workday_listed(f"Engineer-{b}-{n}_R{b * per_board + n}", f"Engineer {b}-{n}") for n in range(per_board)
        ]
        details = {p["externalPath"]: workday_detail(p, host=host, jobDescription=description) for p in listed}
        workday_serve(site, host, tenant, board_site, details)
        site.routes[f"/{host}/wday/cxs/{tenant}/{board_site}/jobs"] = workday_listing(listed)
        tokens.append((f"Workday employer {b}", f"{host}/{tenant}/{board_site}"))
    total = boards * per_board
    print(f"{boards} Workday boards x {per_board} postings (2 data centres) from {site.url}", flush=True)

    from django.db import connection

    connection.settings_dict["TEST"]["NAME"] = SCRATCH_DB
    print(f"scratch database {SCRATCH_DB}: creating and migrating…", flush=True)
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        for name, token in tokens:
            Company.objects.create(
                name=name,
                slug=token.replace("/", "-").replace(".", "-"),
                normalized_name=name.lower(),
                ats_kind=AtsKind.WORKDAY,
                board_token=token,
            )
        base = {"WORKDAY_BASE_URL": f"{site.url}/{{host}}", "HTTPCACHE_ENABLED": False, "LOG_LEVEL": "WARNING"}
        runs = {
            "shipped politeness": base,
            "no pauses": {**base, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "ROBOTSTXT_OBEY": False},
        }
        for label, overrides in runs.items():
            Job.objects.all().delete()
            for attempt in ("first", "again"):
                asked = len(site.requests)
                started = time.perf_counter()
                log = crawl_run(spider="workday", triggered_by=TriggerKind.COMMAND, settings_overrides=overrides)
                wall = time.perf_counter() - started
                new = site.requests[asked:]
                listing = sum(1 for path in new if path.endswith("/jobs"))
                details = sum(1 for path in new if "/job/" in path)
                inside = log.duration.total_seconds()
                print(
                    f"  {label:<18} {attempt:<5} {listing:4d} listing + {details:5d} detail requests  "
                    f"wall {wall:6.2f} s (in crawl {inside:6.2f} s)  {(listing + details) / inside:6.1f} req/s  "
                    f"{total / inside:6.1f} postings/s  {log.status}: created {log.created}, unchanged {log.unchanged}",
                    flush=True,
                )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        site.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boards", type=int, default=None, help="200 (100 with --catalog)")
    parser.add_argument("--per-board", type=int, default=None, help="50 (2 with --catalog)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--catalog", action="store_true", help="a catalog-sized refresh from the fake board server")
    parser.add_argument("--workday", action="store_true", help="Workday's listing + detail fetch from the fake server")
    options = parser.parse_args()

    import django

    django.setup()
    if options.workday:
        workday_run(options.boards or 4, options.per_board or 100)
        return
    if options.catalog:
        catalog_run(options.boards or 100, options.per_board or 2)
        return
    options.boards = options.boards or 200
    options.per_board = options.per_board or 50
    from django.db import connection

    from ingestion.choices import TriggerKind
    from ingestion.services.crawl import crawl_run
    from jobs.models import Job

    payloads = board_payloads(options.boards, options.per_board)
    tokens = list(payloads)
    total = options.boards * options.per_board
    size_mb = sum(map(len, payloads.values())) / 1e6
    server = serve(payloads)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    print(f"{options.boards} boards x {options.per_board} postings ({size_mb:.0f} MB of JSON), {base}", flush=True)

    def rate(label: str, seconds: float, postings: int = total, note: str = "") -> None:
        print(f"  {label:<34} {seconds:7.2f} s  {postings / seconds:8.0f} postings/s  {note}", flush=True)

    started = time.perf_counter()
    fetched = asyncio.run(fetch_all(base, tokens, options.concurrency, normalize=False))
    rate("floor: aiohttp fetch + JSON", time.perf_counter() - started, fetched)
    started = time.perf_counter()
    fetched = asyncio.run(fetch_all(base, tokens, options.concurrency, normalize=True))
    rate("aiohttp + parse + build_job_data", time.perf_counter() - started, fetched)

    connection.settings_dict["TEST"]["NAME"] = SCRATCH_DB
    print(f"scratch database {SCRATCH_DB}: creating and migrating…", flush=True)
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        overrides = {
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0,
            "CONCURRENT_REQUESTS": options.concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": options.concurrency,
            "GREENHOUSE_BASE_URL": base,
            "HTTPCACHE_ENABLED": False,
            "LOG_LEVEL": "WARNING",
        }
        # Scrapy alone: the same crawl with no item pipeline (items are parsed, then discarded;
        # nothing closes its SyncLog, so crawl_run closes it as failed: only the time counts).
        started = time.perf_counter()
        crawl_run(
            spider="greenhouse",
            args={"boards": ",".join(tokens)},
            triggered_by=TriggerKind.COMMAND,
            settings_overrides={**overrides, "ITEM_PIPELINES": "{}"},
        )
        rate("scrapy fetch + parse, no pipeline", time.perf_counter() - started)
        for label in ("crawl, first (all created)", "crawl, again (all unchanged)"):
            started = time.perf_counter()
            log = crawl_run(
                spider="greenhouse",
                args={"boards": ",".join(tokens)},
                triggered_by=TriggerKind.COMMAND,
                settings_overrides=overrides,
            )
            wall = time.perf_counter() - started
            inside = log.duration.total_seconds()
            note = (
                f"in crawl {inside:.2f} s ({total / inside:.0f}/s); {log.status}: "
                f"created {log.created}, unchanged {log.unchanged}, errors {log.errors}"
            )
            rate(label, wall, log.fetched, note)
        print(f"jobs in the scratch table: {Job.objects.count()}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        server.shutdown()


if __name__ == "__main__":
    main()
