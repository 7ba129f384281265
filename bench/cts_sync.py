"""CTS sync benchmark: building CTS Job messages from real postings, and batches over gRPC.

    .venv/bin/python bench/cts_sync.py [--jobs 5000]

Reads real postings from ../shared/data (Adzuna UK plain-text descriptions and Greenhouse HTML
from api_fixtures/greenhouse_jobs.json), makes unsaved Job rows of them, and times:

  build    - ingestion.services.cts_sync.cts_job() per job (HTML sanitizing with nh3, the
             compensation, attributes): jobs/s; baseline in the same run: the bare
             talent_v4.Job(title=..., description=raw) constructor over the same rows;
  batches  - the real client sending batch_create_jobs of 200 to the local fake CTS
             (clients/tests/fake_cts.py) over gRPC on 127.0.0.1, waiting for each long-running
             operation: jobs/s; baseline: serializing the same requests only (no network).

No database is touched (DATABASE_URL points nowhere; nothing is queried).

Figures (2026-11-23, 5,000 jobs, a busy 2-core machine, load ~5: compare each line with its
baseline, not with another run):

  build    cts_job():     1828 jobs/s   baseline bare Job():    13288 jobs/s
  batches  gRPC + LRO:    1203 jobs/s   baseline serialize only:    56109 jobs/s
           25 batches of <= 200, 166 ms each (most of it the Python fake's own work)

So a full sync of 50,000 jobs spends ~27 s building messages; the rest is CTS's own time
per batch operation, which the fake cannot tell.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigm8.settings.base")
os.environ.setdefault("DATABASE_URL", "postgres://bench@127.0.0.1:1/unused")  # never queried


def _postings(count: int) -> list[dict]:
    adzuna = DATA / "job_postings" / "adzuna_uk_salary" / "Train_rev1.csv"
    greenhouse = DATA / "api_fixtures" / "greenhouse_jobs.json"
    if not adzuna.is_file() or not greenhouse.is_file():
        sys.exit(f"{DATA} is absent: this benchmark reads real postings from there (see its SOURCES.md).")
    import html

    rows: list[dict] = []
    for job in json.loads(greenhouse.read_text())["jobs"]:
        rows.append({"title": job["title"], "description_html": html.unescape(job["content"]), "description": ""})
    csv.field_size_limit(2**31 - 1)
    with adzuna.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows.append({"title": row["Title"], "description": row["FullDescription"], "description_html": ""})
            if len(rows) >= count:
                break
    return [rows[n % len(rows)] for n in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=5000)
    args = parser.parse_args()

    import django

    django.setup()
    from google.cloud import talent_v4

    from clients.cts import CtsClient, CtsConfig, chunks
    from clients.tests.fake_cts import PROJECT, TENANT_ID, FakeCts
    from ingestion.services.cts_sync import cts_job
    from jobs.models import Job

    now = datetime.now(UTC)
    jobs = []
    for n, posting in enumerate(_postings(args.jobs), start=1):
        job = Job(
            pk=n,
            title=posting["title"][:300],
            description=posting["description"],
            description_html=posting["description_html"],
            city="London",
            country="GB",
            employment_type="FULL_TIME",
            salary_min=Decimal("30000"),
            salary_max=Decimal("40000"),
            salary_currency="GBP",
            salary_period="year",
            source="adzuna",
            apply_url=f"https://example.com/jobs/{n}",
            posted_at=now,
            last_seen_at=now,
        )
        job.first_seen_at = now
        jobs.append(job)

    fake = FakeCts()
    fake.serve()
    config = CtsConfig(project_id=PROJECT, tenant_id=TENANT_ID, endpoint=fake.address)
    with CtsClient(config) as client:
        company = client.company_create(display_name="Bench", external_id="bench")

        started = time.perf_counter()
        bare = [
            talent_v4.Job(
                company=company,
                requisition_id=str(j.pk),
                title=j.title,
                description=j.description_html or j.description,
            )
            for j in jobs
        ]
        bare_s = time.perf_counter() - started
        started = time.perf_counter()
        messages = [cts_job(job, company=company, now=now) for job in jobs]
        build_s = time.perf_counter() - started

        started = time.perf_counter()
        for batch in chunks(messages):
            talent_v4.BatchCreateJobsRequest.serialize(
                talent_v4.BatchCreateJobsRequest(parent=config.tenant, jobs=batch)
            )
        serialize_s = time.perf_counter() - started
        started = time.perf_counter()
        results = [result for batch in chunks(messages) for result in client.jobs_batch_create(batch)]
        send_s = time.perf_counter() - started
    fake.stop()
    refused = [r.status.message for r in results if r.status.code]
    del bare

    n = len(jobs)
    print(f"{n} jobs ({sum(1 for j in jobs if j.description_html)} with HTML descriptions)")
    print(f"build    cts_job(): {n / build_s:8.0f} jobs/s   baseline bare Job(): {n / bare_s:8.0f} jobs/s")
    print(f"batches  gRPC + LRO: {n / send_s:7.0f} jobs/s   baseline serialize only: {n / serialize_s:8.0f} jobs/s")
    batches = len(list(chunks(messages)))
    print(f"         {batches} batches of <= 200, {send_s / batches * 1000:.0f} ms each; {len(refused)} jobs refused")
    if refused:
        print(f"         first refusal: {refused[0]}")


if __name__ == "__main__":
    main()
