"""Ingestion benchmark: 50,000 Adzuna-shaped postings through normalize + upsert, against COPY.

    .venv/bin/python bench/ingest.py [--rows 50000] [--batch-size 1000] [--workers 1]

Postings are built from the real ones in ../shared/data/job_postings (Adzuna UK, Glassdoor,
Google; 4,705 postings, cycled with fresh ids up to --rows) in the shape of Adzuna's search
results, so the timed path is the production one: adzuna_page_records() a page of 50 at a time
(the normalizer, skipped for a posting whose raw hash matches what is stored) then ingest_records()
(job_bulk_upsert into jobs_job, counting into a SyncLog).

In the same run, on the same server, the floors: a plain psycopg COPY of the same normalized
rows into a scratch table with the same columns (no index), and a COPY into a copy of jobs_job
with its indexes and generated search vector (what any write of these rows must pay). Loads:

  first  - an empty jobs table: every posting is created;
  second - the same input again: every posting is unchanged (last_seen_at touched).

With --workers N each load's pages are split into N contiguous ranges, each normalized and upserted
by its own process into the same SyncLog (as workers share the pieces of an Adzuna run); a load's
time is then its wall time.

Everything happens in a scratch database created for the run and dropped after it (never the
development database). Figures: see bench/README.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "job_postings"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigm8.settings.base")
SCRATCH_DB = f"gigm8_bench_ingest_{os.getpid()}"  # dropped at the end; one per run


def _read_csv(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    csv.field_size_limit(2**31 - 1)
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def real_postings() -> list[dict[str, Any]]:
    """The corpus as Adzuna search results (id, title, description, company, location.area, salary…)."""
    if not DATA.is_dir():
        sys.exit(f"{DATA} is absent: this benchmark reads the real postings from there (see its SOURCES.md).")
    postings: list[dict[str, Any]] = []
    for row in _read_csv(DATA / "adzuna_uk_salary" / "Train_rev1.csv"):
        salary = row.get("SalaryNormalized") or None
        postings.append(
            {
                "title": row["Title"],
                "description": row["FullDescription"],
                "company": row["Company"],
                "location": row["LocationRaw"],
                "area": ["UK", row["LocationNormalized"]],
                "country": "gb",
                "salary_min": salary,
                "salary_max": salary,
                "predicted": "0",
                "contract_time": row["ContractType"],  # the Kaggle file swaps the two names
                "contract_type": row["ContractTime"],
                "category": row["Category"],
            }
        )
    for row in _read_csv(DATA / "glassdoor_ds" / "glassdoor_jobs.csv"):
        company = (row["Company Name"] or "").split("\n")[0]
        postings.append(
            {
                "title": row["Job Title"],
                "description": row["Job Description"],
                "company": company,
                "location": row["Location"],
                "area": ["US", *reversed([p.strip() for p in row["Location"].split(",")])],
                "country": "us",
                "category": row["Industry"] if row["Industry"] != "-1" else "",
            }
        )
    for row in _read_csv(DATA / "google_job_skills" / "job_skills.csv", delimiter=";"):
        postings.append(
            {
                "title": row["Title"],
                "description": "\n\n".join(
                    row[k] for k in ("Responsibilities", "Minimum Qualifications", "Preferred Qualifications")
                ),
                "company": row["Company"],
                "location": row["Location"],
                "area": [],
                "country": "us",
                "category": row["Category"],
            }
        )
    return postings


def adzuna_results(postings: list[dict[str, Any]], rows: int) -> list[dict[str, Any]]:
    results = []
    for number in range(rows):
        p = postings[number % len(postings)]
        result: dict[str, Any] = {
            "__CLASS__": "Adzuna::API::Response::Job",
            "id": str(4_000_000_000 + number),
            "title": p["title"],
            "description": p["description"],
            "created": f"2026-07-{1 + number % 28:02d}T08:{number % 60:02d}:00Z",
            "redirect_url": f"https://www.adzuna.co.uk/details/{4_000_000_000 + number}?utm_medium=api",
            "salary_is_predicted": p.get("predicted", "0"),
            "category": {"__CLASS__": "Adzuna::API::Response::Category", "label": p["category"]},
            "company": {"__CLASS__": "Adzuna::API::Response::Company", "display_name": p["company"]},
            "location": {"display_name": p["location"], "area": p["area"]},
        }
        if p.get("salary_min"):
            result["salary_min"] = float(p["salary_min"])
            result["salary_max"] = float(p["salary_max"])
        for key in ("contract_time", "contract_type"):
            if p.get(key):
                result[key] = p[key]
        results.append(result)
    return results


def _worker(pages: list[list[dict[str, Any]]], log: Any, batch_size: int, send: Any) -> None:
    """One worker of --workers: its pages through the normalizer, then the upsert; counts back."""
    from ingestion.services.adzuna import adzuna_page_records
    from ingestion.services.ingest import ingest_records

    try:
        started = time.perf_counter()
        records = []
        for page in pages:
            records += adzuna_page_records(page, country="gb", board="gb:")
        normalized = time.perf_counter()
        result = ingest_records(records=records, sync_log=log, batch_size=batch_size)
        counts = {name: getattr(result, name) for name in ("created", "updated", "unchanged", "skipped")}
        send.send((normalized - started, time.perf_counter() - normalized, counts))
    finally:
        # Not sys.exit(): the exit hooks inherited from the parent would release its embedded PostgreSQL.
        os._exit(0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="split each load's pages between this many processes, as workers share an Adzuna run's pieces",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from ingestion.choices import SyncKind, TriggerKind
    from ingestion.services.adzuna import adzuna_page_records
    from ingestion.services.ingest import ingest_records
    from ingestion.services.runs import sync_log_finish, sync_log_start
    from jobs.services.upsert import _DATA_COLUMNS
    from jobs.types import JobData

    connection.settings_dict["TEST"]["NAME"] = SCRATCH_DB
    print(f"scratch database {SCRATCH_DB}: creating and migrating…", flush=True)
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        postings = real_postings()
        raw = adzuna_results(postings, args.rows)
        print(f"{len(raw):,} Adzuna-shaped postings from {len(postings):,} real ones in {DATA}")

        def normalize() -> tuple[list[Any], float]:
            # As a run reads them: a page of 50 at a time, postings sent as last time not normalized again.
            started = time.perf_counter()
            records = []
            for start in range(0, len(raw), 50):
                records += adzuna_page_records(raw[start : start + 50], country="gb", board="gb:")
            return records, time.perf_counter() - started

        def load(label: str) -> tuple[float, float, Any]:
            records, normalize_seconds = normalize()
            log = sync_log_start(kind=SyncKind.SOURCE, source="adzuna", triggered_by=TriggerKind.COMMAND)
            started = time.perf_counter()
            result = ingest_records(records=records, sync_log=log, batch_size=args.batch_size)
            upsert_seconds = time.perf_counter() - started
            sync_log_finish(sync_log=log)
            print(
                f"{label}: normalize {normalize_seconds:6.2f} s + upsert {upsert_seconds:6.2f} s  "
                f"(created {result.created:,}, updated {result.updated:,}, unchanged {result.unchanged:,}, "
                f"skipped {result.skipped:,})",
                flush=True,
            )
            return normalize_seconds, upsert_seconds, (records, result)

        def load_in_workers(label: str) -> tuple[float, float, Any]:
            # Each worker takes a contiguous range of pages (a piece), normalizes and upserts it as
            # the one-process load does, into the same SyncLog; the load's time is the wall time.
            import multiprocessing

            from django.db import connections

            from jobs.types import UpsertResult

            log = sync_log_start(kind=SyncKind.SOURCE, source="adzuna", triggered_by=TriggerKind.COMMAND)
            pages = [raw[start : start + 50] for start in range(0, len(raw), 50)]
            size = -(-len(pages) // args.workers)
            connections.close_all()  # each process opens its own connection
            context = multiprocessing.get_context("fork")
            started = time.perf_counter()
            children = []
            for number in range(args.workers):
                receive, send = context.Pipe(duplex=False)
                share = pages[number * size : (number + 1) * size]
                child = context.Process(target=_worker, args=(share, log, args.batch_size, send))
                child.start()
                children.append((child, receive))
            outcomes = [receive.recv() for _, receive in children]
            for child, _ in children:
                child.join()
            wall = time.perf_counter() - started
            sync_log_finish(sync_log=log)
            result = UpsertResult()
            for _, _, counts in outcomes:
                result.merge(UpsertResult(**counts))
            print(
                f"{label}: {args.workers} workers, {wall:6.2f} s wall (normalize "
                f"{' / '.join(f'{n:.2f}' for n, _, _ in outcomes)} s + upsert "
                f"{' / '.join(f'{u:.2f}' for _, u, _ in outcomes)} s)  (created {result.created:,}, "
                f"updated {result.updated:,}, unchanged {result.unchanged:,}, skipped {result.skipped:,})",
                flush=True,
            )
            return 0.0, wall, (None, result)

        run_load = load if args.workers == 1 else load_in_workers
        first_norm, first_upsert, (first_records, first) = run_load("first load ")
        second_norm, second_upsert, (_, second) = run_load("second load")
        assert second.unchanged == first.created and second.created == 0, "second load must change nothing"
        if first_records is None:  # the workers kept theirs: normalize again, untimed, for the floors
            first_records = []
            for start in range(0, len(raw), 50):
                first_records += adzuna_page_records(
                    raw[start : start + 50], country="gb", board="gb:", check_unchanged=False
                )

        # Floors: COPY of the same normalized rows, same server, same run.
        from django.utils import timezone

        now = timezone.now()
        data_columns = [name for name, _ in _DATA_COLUMNS if name not in ("company_id", "fingerprint", "content_hash")]
        fixed = {
            "first_seen_at": now,
            "last_seen_at": now,
            "created_at": now,
            "updated_at": now,
            "status": "active",
            "is_featured": False,
            "locked_fields": [],
            "cts_name": "",
            "fingerprint": "",
            "content_hash": "",
        }
        columns = data_columns + list(fixed)
        rows = [
            tuple(getattr(r, name) for name in data_columns) + tuple(fixed.values())
            for r in first_records
            if isinstance(r, JobData)
        ]
        floors = {}
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_plain AS SELECT * FROM jobs_job WITH NO DATA")
            cursor.execute("CREATE TABLE bench_indexed (LIKE jobs_job INCLUDING ALL)")
            for table in ("bench_plain", "bench_indexed"):
                started = time.perf_counter()
                with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                floors[table] = time.perf_counter() - started
        plain, indexed = floors["bench_plain"], floors["bench_indexed"]
        print(f"floor: COPY {len(rows):,} rows into a plain table            {plain:6.2f} s")
        print(f"floor: COPY {len(rows):,} rows into a copy of jobs_job (indexes) {indexed:6.2f} s")
        print()
        print(f"{'load':<12}{'jobs/s':>10}{'total s':>10}{'x plain COPY':>14}{'x indexed COPY':>16}{'target':>8}")
        for label, norm, upsert, target in (
            ("first", first_norm, first_upsert, 3),
            ("second", second_norm, second_upsert, 2),
        ):
            total = norm + upsert
            print(
                f"{label:<12}{len(raw) / total:>10,.0f}{total:>10.2f}{total / plain:>14.2f}"
                f"{total / indexed:>16.2f}{'<= ' + str(target):>8}"
            )
        if args.workers == 1:
            print(
                f"(upsert alone: first {first_upsert / plain:.2f}x / {first_upsert / indexed:.2f}x, "
                f"second {second_upsert / plain:.2f}x / {second_upsert / indexed:.2f}x)"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
