"""Benchmark: the Job admin's changelist at 100,000 jobs, against Django's admin defaults.

    .venv/bin/python bench/admin_changelist.py              # seeds the scratch database once
    .venv/bin/python bench/admin_changelist.py --fresh      # rebuild it first
    .venv/bin/python bench/admin_changelist.py --rounds 3   # a quicker look

In one process: a scratch database `gigm8_bench_admin` (on the embedded PostgreSQL, or on
DATABASE_URL's server), migrated, holding --jobs synthetic jobs over 10,000 companies (made by
one INSERT … SELECT generate_series; the text is not real, only the row count and spread matter
here), ANALYZEd. Then each changelist URL is fetched through the whole admin stack (Django's
test client, logged in as a superuser) with the admin as shipped and with Django's defaults as
the baseline, interleaved, --rounds times each; medians in ms and the number of SQL queries.
Shipped: counts from pg_class/EXPLAIN (exact COUNT only when estimated small and done within
100 ms), no second full count, newest first by id (the primary key's index), the list's heavy
columns deferred, sources read by skipping through an index, search words matched on title and
location through their trigram indexes and on company names resolved to ids first. Baseline: Paginator with
show_full_result_count=True (COUNT(*) for the page and again for the total), ordering by posted
date, a plain `source` filter (SELECT DISTINCT), every column loaded, Django's own search (one
OR across the company join).
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH_DB = "gigm8_bench_admin"
URLS = {
    "first page": "",
    "page 500": "?p=500",
    "status + remote": "?status__exact=active&remote__exact=remote",
    "has salary + type": "?has_salary=yes&employment_type__exact=FULL_TIME",
    "search 'python'": "?q=python",
    "search '12345' (rare)": "?q=12345",
    "search a company": "?q=Company+4242",
    "one company": "?company__id__exact=42",
}

SEED_SQL = """
INSERT INTO jobs_company (name, normalized_name, slug, website, careers_url, ats_kind, board_token,
                          is_enabled, is_blocked, cts_name, created_at, updated_at)
SELECT 'Company ' || n, 'company ' || n, 'company-' || n, '', '', '', '', true, false, '', now(), now()
FROM generate_series(1, 10000) AS n;

INSERT INTO jobs_job (company_id, title, description, description_html, location, city, region, country,
    remote, employment_type, job_level, is_internship, salary_min, salary_max, salary_currency, salary_period,
    salary_annual_min, salary_annual_max, salary_is_predicted, salary_source, category, skills, apply_url,
    source, external_id, board, fingerprint, content_hash, posted_at, first_seen_at, last_seen_at, status,
    is_featured, locked_fields, cts_name, created_at, updated_at)
SELECT
    (SELECT min(id) FROM jobs_company) + (n % 10000),
    (ARRAY['Python Developer', 'Data Engineer', 'Nurse', 'Accountant', 'Sales Manager', 'Chef',
           'Software Engineer', 'Teacher', 'Warehouse Operative', 'Product Designer'])[1 + n % 10] || ' ' || n,
    'A job description of a few sentences about the role, the team and the place. ' || repeat('Words. ', 40),
    '', (ARRAY['London, UK', 'Leeds, UK', 'Manchester, UK', 'Bristol, UK'])[1 + n % 4],
    (ARRAY['London', 'Leeds', 'Manchester', 'Bristol'])[1 + n % 4], '', 'GB',
    (ARRAY['onsite', 'hybrid', 'remote'])[1 + n % 3],
    (ARRAY['FULL_TIME', 'PART_TIME', 'CONTRACTOR', ''])[1 + n % 4],
    (ARRAY['ENTRY_LEVEL', 'EXPERIENCED', 'MANAGER', ''])[1 + n % 4],
    n % 25 = 0,
    CASE WHEN n % 3 = 0 THEN 30000 + n % 50000 END, CASE WHEN n % 3 = 0 THEN 40000 + n % 50000 END,
    CASE WHEN n % 3 = 0 THEN 'GBP' ELSE '' END, CASE WHEN n % 3 = 0 THEN 'year' ELSE '' END,
    CASE WHEN n % 3 = 0 THEN 30000 + n % 50000 END, CASE WHEN n % 3 = 0 THEN 40000 + n % 50000 END,
    false, '', 'IT Jobs', ARRAY['python', 'sql'], 'https://example.com/jobs/' || n,
    (ARRAY['adzuna', 'greenhouse', 'lever', 'ashby'])[1 + n % 4], 'bench-' || n, '', '', '',
    now() - (n % 90) * interval '1 day' - (n % 1440) * interval '1 minute', now(), now(),
    (ARRAY['active', 'active', 'active', 'active', 'active', 'active', 'active', 'active', 'expired', 'hidden'])
        [1 + n % 10],
    n % 200 = 0, '{}', '', now(), now()
FROM generate_series(1, %(jobs)s) AS n;
"""


def _setup_django(fresh: bool) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigm8.settings.base")
    import django
    import psycopg
    from django.conf import settings

    django.setup()
    db = settings.DATABASES["default"]
    params = {"host": db["HOST"], "user": db["USER"], "dbname": "postgres", "autocommit": True}
    if db.get("PORT"):
        params["port"] = db["PORT"]
    if db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    with psycopg.connect(**params) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{SCRATCH_DB}"')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [SCRATCH_DB]).fetchone():
            conn.execute(f'CREATE DATABASE "{SCRATCH_DB}"')
    db["NAME"] = SCRATCH_DB  # before any Django connection is opened


def _seed(jobs: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from jobs.models import Job

    call_command("migrate", verbosity=0)
    if Job.objects.count() >= jobs:
        return
    print(f"seeding {jobs:,} jobs …", flush=True)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE jobs_job, jobs_company RESTART IDENTITY CASCADE")
        cursor.execute(SEED_SQL.replace("%(jobs)s", str(int(jobs))))
        cursor.execute("ANALYZE jobs_job")
        cursor.execute("ANALYZE jobs_company")
    print(f"seeded in {time.perf_counter() - started:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()

    _setup_django(args.fresh)
    logging.getLogger("gigm8.request").setLevel(logging.WARNING)  # one line per request otherwise
    _seed(args.jobs)

    from django.contrib import admin
    from django.contrib.admin.views.main import ChangeList
    from django.contrib.auth.models import User
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from jobs.models import Job

    setup_test_environment()  # response.context for the page's rows
    user, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_staff": True, "is_superuser": True})
    client = Client()
    client.force_login(user)
    job_admin = admin.site._registry[Job]
    fields = ("paginator", "show_full_result_count", "ordering", "list_filter", "get_changelist", "get_search_results")
    shipped = {name: getattr(job_admin, name) for name in fields}
    baseline = {
        "paginator": Paginator,
        "show_full_result_count": True,
        "ordering": ("-posted_at", "-id"),
        "list_filter": tuple("source" if getattr(f, "title", "") == "source" else f for f in job_admin.list_filter),
        "get_changelist": lambda request, **kwargs: ChangeList,
        "get_search_results": partial(admin.ModelAdmin.get_search_results, job_admin),
    }

    def fetch(config: dict, url: str) -> tuple[float, int, list[int], int]:
        for name, value in config.items():
            setattr(job_admin, name, value)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(f"/admin/jobs/job/{url}")
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        cl = response.context["cl"]
        return elapsed, len(queries), [job.pk for job in cl.result_list], cl.result_count

    print(f"\nJob changelist over {Job.objects.count():,} jobs; median of {args.rounds} rounds, ms (queries)")
    print(f"{'view':<22} {'shipped':>16} {'baseline':>16} {'speed-up':>9}  count shipped / exact")
    for label, url in URLS.items():
        fetch(shipped, url), fetch(baseline, url)  # warm caches and prepared plans for both
        ours, theirs = [], []
        for _ in range(args.rounds):
            ours.append(fetch(shipped, url))
            theirs.append(fetch(baseline, url))
        # The orders differ (id vs posted date), so the rows may; a full page is a full page.
        assert len(ours[-1][2]) == len(theirs[-1][2]), f"{label}: page sizes differ"
        ms_ours = statistics.median(r[0] for r in ours)
        ms_theirs = statistics.median(r[0] for r in theirs)
        print(
            f"{label:<22} {ms_ours:>10.1f} ({ours[-1][1]:>2}) {ms_theirs:>10.1f} ({theirs[-1][1]:>2}) "
            f"{ms_theirs / ms_ours:>8.2f}x  {ours[-1][3]:,} / {theirs[-1][3]:,}"
        )
    for name, value in shipped.items():
        setattr(job_admin, name, value)


if __name__ == "__main__":
    main()
