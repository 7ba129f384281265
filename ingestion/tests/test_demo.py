"""The demo data: `manage.py load_demo` loads the shipped postings through the one import path,
with the variety promised, once however often it runs; `--remove` takes out exactly them;
`--if-empty` (what `make run` runs) loads only into an empty embedded database; production refuses."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone
from rest_framework.test import APIClient

from gigm8.tests.stack import production_env
from ingestion.choices import SyncKind, SyncStatus
from ingestion.models import SourceState, SyncLog
from ingestion.services.demo import DEMO_DIR, REMOVE_COMMAND
from ingestion.sources import DEMO_SOURCES
from ingestion.tests.factories import SyncLogFactory
from jobs.models import Company, Job
from jobs.tests.factories import JobFactory
from matching import selectors, services
from tools import build_demo

pytestmark = pytest.mark.django_db

FILE_ROWS = {
    source: sum(1 for line in (DEMO_DIR / f"{source}.jsonl").read_text().splitlines() if line.strip())
    for source in DEMO_SOURCES
}
RESUME = """Jamie Example
Backend developer, Leeds

Skills: Python, Django, PostgreSQL, Docker, Kubernetes, AWS, REST APIs, Git, CI/CD

Experience
Software Engineer, a logistics start-up (2021-2026): built Django REST APIs on PostgreSQL,
moved deployments to Docker and Kubernetes on AWS, wrote the CI/CD pipelines and mentored juniors.
"""


def load(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def demo_jobs():
    return Job.objects.filter(source__in=DEMO_SOURCES)


def distinct(field: str) -> set:
    return set(demo_jobs().exclude(**{field: ""}).values_list(field, flat=True))


def test_the_shipped_files_are_what_the_generator_writes():
    records, mirror = build_demo.build()
    for source, rows in (("demo", records), ("demo-mirror", mirror)):
        shipped = [json.loads(line) for line in (DEMO_DIR / f"{source}.jsonl").read_text().splitlines()]
        assert shipped == rows, f"{source}.jsonl is stale: run .venv/bin/python -m tools.build_demo"
    assert 300 <= len(records) <= 400
    words = [len(str(record["description"]).split()) for record in records]
    assert min(words) >= 150 and max(words) <= 400


def test_load_demo_loads_every_posting_with_the_variety_promised():
    output = load()
    jobs = demo_jobs()
    assert dict(jobs.values_list("source").annotate(n=Count("id"))) == FILE_ROWS
    assert f"{sum(FILE_ROWS.values())} fictional jobs" in output and REMOVE_COMMAND in output
    assert len(distinct("country")) >= 8
    assert len(distinct("salary_currency")) >= 5
    assert len(distinct("salary_period")) >= 4
    assert distinct("remote") == {"onsite", "hybrid", "remote"}
    assert len(distinct("employment_type")) >= 5
    assert len(distinct("job_level")) >= 4
    assert len(distinct("category")) >= 10
    assert jobs.filter(salary_min=None, salary_max=None).count() >= 30  # some give no pay
    assert {"structured", "parsed", "predicted"} <= distinct("salary_source")
    assert jobs.filter(posted_at=None).exists()  # and some no date
    assert jobs.filter(is_internship=True).exists()
    # Real cities: geocoded to a city, so near= finds them (London within 50 km).
    assert jobs.filter(geo_precision="city").count() >= 300
    near_london = APIClient().get("/api/jobs/", {"near": "51.5074,-0.1278", "radius_km": 50, "source": "demo"})
    assert near_london.status_code == 200 and near_london.json()["count"] >= 5
    # The second board's postings are marked duplicates of the demo jobs: listed once.
    mirror = jobs.filter(source="demo-mirror")
    assert mirror.count() == FILE_ROWS["demo-mirror"] >= 5
    assert set(mirror.values_list("duplicate_of__source", flat=True)) == {"demo"}
    listed = APIClient().get("/api/jobs/", {"source": "demo-mirror"}).json()
    assert listed["count"] == 0
    # Embedded at once (matching works with no worker running), with skills to explain matches.
    assert not jobs.filter(embedding=None).exists()
    assert jobs.exclude(skills=[]).count() >= 300
    # One import run per file, and the example runs: a success, a partial run, a failure.
    runs = SyncLog.objects.filter(source__in=DEMO_SOURCES)
    assert set(runs.values_list("kind", flat=True)) == {SyncKind.IMPORT}
    assert set(runs.values_list("status", flat=True)) == {SyncStatus.SUCCESS, SyncStatus.PARTIAL, SyncStatus.FAILED}
    assert runs.get(status=SyncStatus.PARTIAL).error_sample


def test_posting_dates_end_within_the_last_day_and_none_in_the_future():
    load()
    newest = demo_jobs().exclude(posted_at=None).order_by("-posted_at").values_list("posted_at", flat=True)[0]
    assert timezone.now() - timedelta(days=1) < newest <= timezone.now()
    response = APIClient().get("/api/jobs/", {"posted_within_days": 7, "source": "demo"})
    assert response.json()["count"] >= 20


def test_load_demo_twice_changes_nothing():
    load()
    before = {
        "jobs": sorted(demo_jobs().values_list("id", "content_hash", "duplicate_of_id")),
        "companies": Company.objects.count(),
        "example runs": SyncLog.objects.filter(params__example=True).count(),
    }
    output = load()
    after = {
        "jobs": sorted(demo_jobs().values_list("id", "content_hash", "duplicate_of_id")),
        "companies": Company.objects.count(),
        "example runs": SyncLog.objects.filter(params__example=True).count(),
    }
    assert after == before
    assert f"0 new, 0 updated, {sum(FILE_ROWS.values())} unchanged" in output


def test_remove_deletes_exactly_the_demo_data():
    load()
    demo_company = Company.objects.get(name="Pebblewick Logistics")
    canonical = demo_jobs().filter(source="demo", duplicate_of=None).exclude(company=None).first()
    kept = JobFactory(source="adzuna", external_id="real-1")
    shares_company = JobFactory(source="lever", external_id="real-2", company=demo_company)
    # A real job another source lists that a demo job listed first: it becomes the canonical one.
    duplicate = JobFactory(source="greenhouse", external_id="real-3", duplicate_of=canonical)
    real_run = SyncLogFactory(source="adzuna")
    companies_before = set(Company.objects.values_list("pk", flat=True))
    demo_only = set(demo_jobs().values_list("company_id", flat=True)) - {
        kept.company_id,
        shares_company.company_id,
        duplicate.company_id,
    }

    output = load("--remove")

    assert not demo_jobs().exists()
    assert set(Job.objects.values_list("pk", flat=True)) == {kept.pk, shares_company.pk, duplicate.pk}
    duplicate.refresh_from_db()
    assert duplicate.duplicate_of is None
    assert set(Company.objects.values_list("pk", flat=True)) == companies_before - demo_only
    assert Company.objects.filter(pk=demo_company.pk).exists()  # another source's job names it
    assert list(SyncLog.objects.all()) == [real_run]
    assert f"{sum(FILE_ROWS.values())} jobs" in output


def test_if_empty_loads_into_an_empty_embedded_database_only(settings):
    settings.DATABASE_EMBEDDED = True
    settings.DEMO_DATA = False
    assert "not loaded, DEMO_DATA is off" in load("--if-empty")
    settings.DEMO_DATA = True
    settings.DATABASE_EMBEDDED = False
    assert "not loaded, DATABASE_URL is set" in load("--if-empty")
    settings.DATABASE_EMBEDDED = True
    real = JobFactory(source="adzuna")
    assert "not loaded, the database already holds jobs" in load("--if-empty")
    assert not demo_jobs().exists()
    real.delete()
    assert "fictional jobs" in load("--if-empty")
    assert demo_jobs().count() == sum(FILE_ROWS.values())
    assert "not loaded, the database already holds jobs" in load("--if-empty")


def test_a_removed_demo_stays_out_of_make_run_until_loaded_by_hand(settings):
    settings.DATABASE_EMBEDDED = settings.DEMO_DATA = True
    load()
    load("--remove")
    assert not Job.objects.exists() and SourceState.objects.get(source="demo").paused
    assert "not loaded, it was removed earlier" in load("--if-empty")
    assert "fictional jobs" in load()  # by hand: loads and resumes
    assert not SourceState.objects.get(source="demo").paused


@pytest.mark.parametrize("args", [(), ("--if-empty",)])
def test_production_settings_refuse_with_one_line(args):
    # The database in production_env() is unreachable: the refusal comes before any query.
    result = subprocess.run(
        [sys.executable, "manage.py", "load_demo", *args],
        cwd=settings.BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [
        "CommandError: load_demo: demo data is never loaded under production settings "
        "(DEMO_DATA_ALLOWED is off in gigm8.settings.production); its employers are fictional"
    ]


def test_a_pasted_resume_matches_demo_jobs():
    selectors._stats = None
    cache.delete_pattern(f"{services.CACHE_PREFIX}:*")
    load()
    response = APIClient().post("/api/match/resume/", {"resume_text": RESUME, "limit": 5}, format="json")
    assert response.status_code == 200, response.content
    top = response.json()["jobs"]
    assert len(top) == 5
    assert all(Job.objects.get(pk=job["id"]).source == "demo" for job in top)
    assert all(job["category"] == "IT Jobs" for job in top), [job["title"] for job in top]
    assert "Python" in top[0]["matched_skills"] or "Django" in top[0]["matched_skills"]
