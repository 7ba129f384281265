"""The daily cycle at scale (issue 18): a day's refresh, expiry, embeddings and CTS sync, timed.

    .venv/bin/python bench/daily_cycle.py --size 1500000            # on a copy of gigm8_scale_1500k
    .venv/bin/python bench/daily_cycle.py --size 150000 --postings 5000 --save var/cycle_150k.json

Needs the scratch database bench/scale.py builds (`gigm8_scale_<size>`, built by its seeder
bench/corpus.py, which marks the listed jobs as already sent to CTS and one active job in 30 as
last seen 30 days ago, so that a day later the expiry has a day's worth to do). The cycle runs on
a copy of it (`CREATE DATABASE … TEMPLATE`, not timed, dropped after) so the scale database stays
as built; --in-place runs on it instead.

The day, in the order a scheduled refresh runs it, each step through the production code:

  refresh    --postings Adzuna-shaped postings (real ones from ../shared/data, as bench/ingest.py
             builds them), half of them new, half changed copies of jobs the database holds
             (same source and id, another description and salary): adzuna_page_records (the
             normalizer, a page of 50 at a time) then ingest_records (the upsert, in a SyncLog),
             which queues their embeddings on the index queue;
  embeddings a real Celery worker on the index queue (as docker-compose's worker-index:
             prefork, concurrency 1) embeds them; timed until none of them needs an embedding;
  expiry     expiry_run as the next day's run would (now + 1 day): jobs not seen for
             JOB_EXPIRY_DAYS;
  stats      whether the corpus statistics are due (matching's rule), and what storing them costs;
  cts        cts_sync against the local fake CTS (clients/tests/fake_cts.py) over gRPC: the new
             jobs created, the changed ones updated, the expired ones deleted.

Prints each step's wall time and rows/s, the total against the target (<= 10 minutes), and the
Celery worker's resident memory after the embeddings.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import api as bench_api  # noqa: E402  (Redis for the worker)
from bench import corpus  # noqa: E402  (the scratch database and its seed marks)
from bench.corpus import log  # noqa: E402
from bench.ingest import adzuna_results, real_postings  # noqa: E402
from bench.scale import worker_rss_mb  # noqa: E402

TARGET_SECONDS = 600
REDIS_DB = 14  # the worker's broker for this run: flushed before, left empty after


def clone(source: str, target: str) -> float:
    """CREATE DATABASE target TEMPLATE source (no one may be connected to source); seconds."""
    import psycopg

    url = corpus.scratch_database_url(source, fresh=False)
    started = time.perf_counter()
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        # FILE_COPY: copy the files (one checkpoint) rather than every block through the WAL (13 GB at 1.5M).
        conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}" STRATEGY FILE_COPY')
    return time.perf_counter() - started


def drop(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def day_postings(count: int, changed_ids: list[str]) -> list[dict[str, Any]]:
    """`count` Adzuna search results: the changed jobs' ids first (new text), then new ids."""
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    results = adzuna_results(real_postings(), count)
    new_base = int(stamp[2:]) * 1_000_000  # unique per run, far from the seeded ids
    for number, result in enumerate(results):
        if number < len(changed_ids):
            result["id"] = changed_ids[number]
            result["description"] += f"\n\nUpdated {stamp}: the role's details have changed."
            result["salary_min"] = float(result.get("salary_min") or 30000) + 1000
            result["salary_max"] = float(result.get("salary_max") or 40000) + 1000
        else:
            result["id"] = str(new_base + number)
        result["redirect_url"] = f"https://www.adzuna.co.uk/details/{result['id']}?utm_medium=api"
    return results


def start_worker(database_url: str, redis_url: str) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=redis_url, DJANGO_SETTINGS_MODULE="gigm8.settings.base")
    celery = ROOT / ".venv" / "bin" / "celery"
    out = open(ROOT / "var" / "bench_daily_cycle_worker.log", "w")  # noqa: SIM115 (the worker's whole life)
    worker = subprocess.Popen(
        [str(celery), "-A", "gigm8", "worker", "--queues", "index", "--concurrency", "1", "--loglevel", "INFO"],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log(f"Celery worker (index queue) started, pid {worker.pid}: var/bench_daily_cycle_worker.log")
    return worker


def stop(process: subprocess.Popen) -> None:
    import signal

    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_500_000, help="the scale database's size")
    parser.add_argument("--postings", type=int, default=50_000, help="the day's postings, half new (default 50000)")
    parser.add_argument("--in-place", action="store_true", help="run on the scale database itself, not a copy")
    parser.add_argument("--save", type=Path, help="write the figures to this JSON file")
    args = parser.parse_args()
    if not 100 <= args.postings <= 500_000:
        parser.error("--postings from 100 to 500000")
    redis = bench_api.redis_url()
    if not redis:
        raise SystemExit("Redis is not running on 127.0.0.1:6379: the worker needs it as its broker")
    redis = redis.rsplit("/", 1)[0] + f"/{REDIS_DB}"

    source = corpus.scale_database(args.size)
    source_url = corpus.scratch_database_url(source, fresh=False)
    name = source if args.in_place else f"{source}_cycle"
    report: dict[str, Any] = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "database": source}
    if not args.in_place:
        report["copy seconds (not in the cycle)"] = seconds = clone(source, name)
        log(f"copied {source} to {name} in {seconds:.0f} s (not part of the cycle)")
    url = source_url.rsplit("/", 1)[0] + f"/{name}"
    os.environ.update(DATABASE_URL=url, REDIS_URL=redis, DJANGO_SETTINGS_MODULE="gigm8.settings.base")
    import django

    django.setup()
    import redis as redis_client
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from google.cloud import talent_v4

    from clients.cts import CtsClient, CtsConfig
    from clients.tests import fake_cts
    from clients.tests.fake_cts import PROJECT, TENANT_ID, FakeCts
    from ingestion.choices import SyncKind, TriggerKind
    from ingestion.services.adzuna import adzuna_page_records
    from ingestion.services.cts_sync import cts_jobs_to_delete, cts_sync
    from ingestion.services.expiry import expiry_run
    from ingestion.services.ingest import ingest_records
    from ingestion.services.runs import sync_log_finish, sync_log_start
    from jobs.models import Job
    from matching import services as matching_services

    redis_client.Redis.from_url(redis).flushdb()
    worker = None
    fake = FakeCts()
    try:
        call_command("migrate", verbosity=0)
        active = Job.objects.filter(status="active").count()
        if active < args.size * 0.9:
            raise SystemExit(f"{name} holds {active:,} active jobs: build it with bench/scale.py --size {args.size}")
        half = args.postings // 2
        with connection.cursor() as cursor:
            # Listed Adzuna jobs that are not due to expire, spread over the table (not timed).
            cursor.execute(
                "SELECT external_id FROM jobs_job TABLESAMPLE SYSTEM (%s) REPEATABLE (7) WHERE source = 'adzuna'"
                " AND status = 'active' AND duplicate_of_id IS NULL AND last_seen_at > now() - interval '1 day'"
                " LIMIT %s",
                [min(100.0, 100.0 * half * 4 / active), half],
            )
            changed = [row[0] for row in cursor.fetchall()]
        if len(changed) < half:
            raise SystemExit(f"found {len(changed):,} Adzuna jobs to change, wanted {half:,}")
        # CTS holds what an earlier sync left: none of the jobs it would delete now (not timed).
        Job.objects.filter(pk__in=cts_jobs_to_delete().values("pk")).update(cts_name="", cts_synced_at=None)
        raw = day_postings(args.postings, changed)
        now = timezone.now()
        tomorrow = now + timedelta(days=1)
        # The CTS fake holds what earlier syncs sent: the jobs this day updates or deletes (not timed).
        cutoff = tomorrow - timedelta(days=30)
        names = list(
            Job.objects.exclude(cts_name="")
            .filter(source="adzuna", external_id__in=changed)
            .values_list("cts_name", flat=True)
        ) + list(
            Job.objects.exclude(cts_name="")
            .filter(status="active", last_seen_at__lt=cutoff)
            .values_list("cts_name", flat=True)
        )
        earlier = fake.companies[f"{fake_cts.TENANT}/companies/earlier"] = talent_v4.Company(
            name=f"{fake_cts.TENANT}/companies/earlier", display_name="Earlier syncs", external_id="earlier"
        )
        for cts_name in names:
            fake.jobs[cts_name] = talent_v4.Job(
                name=cts_name,
                company=earlier.name,
                requisition_id=cts_name.rsplit("-", 1)[-1],  # our job id
            )
        fake.serve()
        log(f"the day: {args.postings:,} postings ({len(changed):,} changed, {args.postings - len(changed):,} new); "
            f"the CTS fake holds {len(names):,} earlier jobs")  # fmt: skip
        connection.close()
        worker = start_worker(url, redis)
        steps: dict[str, dict[str, Any]] = {}

        def step(label: str, seconds: float, rows: int, **extra: Any) -> None:
            steps[label] = {"seconds": seconds, "rows": rows, "rows/s": rows / seconds if seconds else None, **extra}
            rate = f"{rows / seconds:10,.0f}" if seconds else f"{'-':>10}"
            log(f"  {label:<34}{seconds:9.1f} s {rows:>10,} rows {rate} rows/s  {extra or ''}")

        started = time.perf_counter()
        records = []
        for first in range(0, len(raw), 50):
            records += adzuna_page_records(raw[first : first + 50], country="gb", board="gb:")
        step("refresh: normalize", time.perf_counter() - started, len(records))

        t = time.perf_counter()
        run = sync_log_start(kind=SyncKind.SOURCE, source="adzuna", triggered_by=TriggerKind.COMMAND)
        result = ingest_records(records=records, sync_log=run, batch_size=1000)
        sync_log_finish(sync_log=run)
        counted = {name: getattr(result, name) for name in ("created", "updated", "unchanged", "skipped")}
        step("refresh: upsert", time.perf_counter() - t, len(records), **counted)

        t = time.perf_counter()
        ids = list(result.job_ids)
        waiting = matching_services.jobs_needing_embeddings(job_ids=ids)
        left = waiting.count()
        embedded = left
        while left:
            if worker.poll() is not None:
                raise SystemExit(f"the Celery worker exited with {worker.returncode}: see its log")
            time.sleep(1)
            left = waiting.count()
        step("embeddings (Celery worker)", time.perf_counter() - t, embedded)
        worker_rss = [rss_mb(worker.pid), *worker_rss_mb(worker.pid)]
        log(f"  Celery worker RSS after the embeddings: {', '.join(f'{mb:.0f} MB' for mb in worker_rss)}"
            " (main process, pool child)")  # fmt: skip

        t = time.perf_counter()
        expiry = expiry_run(triggered_by=TriggerKind.COMMAND, now=tomorrow)
        step("expiry (next day's run)", time.perf_counter() - t, expiry.expired)

        due = matching_services.corpus_stats_refresh_due()
        t = time.perf_counter()
        stats = matching_services.corpus_stats_refresh(force=True, wait=True)
        step("corpus statistics (if due)", time.perf_counter() - t, stats.lexemes if stats else 0, due=due or "not due")

        t = time.perf_counter()
        # Company-less postings (many of Adzuna's) go under CTS_COMPANY_NAME's company, as configured sites do.
        config = CtsConfig(project_id=PROJECT, tenant_id=TENANT_ID, endpoint=fake.address, default_company=earlier.name)
        with CtsClient(config) as client:
            sync = cts_sync(client=client, triggered_by=TriggerKind.COMMAND)
        assert sync is not None
        counts = {name: getattr(sync, name) for name in ("created", "updated", "deleted", "errors")}
        step("CTS sync (local fake)", time.perf_counter() - t, sum(counts.values()), **counts, status=sync.status)

        in_cycle = [label for label in steps if label != "corpus statistics (if due)" or due]
        total = sum(steps[label]["seconds"] for label in in_cycle)
        report.update(
            postings=args.postings,
            steps=steps,
            total_seconds=total,
            in_total=in_cycle,
            target_seconds=TARGET_SECONDS,
            celery_worker_rss_mb=worker_rss,
            bench_process_max_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        )
        log(f"\nthe day's cycle: {total:.0f} s ({total / 60:.1f} min; target <= {TARGET_SECONDS / 60:.0f} min: "
            f"{'met' if total <= TARGET_SECONDS else 'MISSED'}); steps counted: {', '.join(in_cycle)}")  # fmt: skip
        log(f"this process's peak RSS: {report['bench_process_max_rss_mb']:.0f} MB")
    finally:
        if worker is not None:
            stop(worker)
        fake.stop()
        redis_client.Redis.from_url(redis).flushdb()
        from django.db import connections

        connections.close_all()
        if not args.in_place:
            drop(source_url, name)
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps(report, indent=1, default=str))
        log(f"saved to {args.save}")


if __name__ == "__main__":
    main()
