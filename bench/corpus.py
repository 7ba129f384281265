"""The scratch databases the benchmarks share: created on the embedded PostgreSQL (or DATABASE_URL's
server) and filled from the real postings in ../shared/data/job_postings by one COPY.

bench/api.py and bench/load.py seed with `Profile()` (the defaults below); bench/scale.py with a
profile of its own (~50 cities in 8 countries, 30 days of dates, salaries on half, embeddings).
Rows get fresh ids; the postings are cycled when more jobs are asked for than there are postings.
"""

from __future__ import annotations

import csv
import dataclasses
import os
import random
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "job_postings"

CITIES = [
    ("London", "GB", 51.5074, -0.1278),
    ("Manchester", "GB", 53.4808, -2.2426),
    ("Leeds", "GB", 53.8008, -1.5491),
    ("Edinburgh", "GB", 55.9533, -3.1883),
    ("Dublin", "IE", 53.3498, -6.2603),
    ("Paris", "FR", 48.8566, 2.3522),
    ("Berlin", "DE", 52.52, 13.405),
    ("Amsterdam", "NL", 52.3676, 4.9041),
    ("New York", "US", 40.7128, -74.006),
    ("San Francisco", "US", 37.7749, -122.4194),
    ("Austin", "US", 30.2672, -97.7431),
    ("Toronto", "CA", 43.6532, -79.3832),
    ("Sydney", "AU", -33.8688, 151.2093),
    ("Singapore", "SG", 1.3521, 103.8198),
    ("Bangalore", "IN", 12.9716, 77.5946),
]
SKILLS = ["python", "django", "sql", "postgresql", "aws", "docker", "kubernetes", "java", "react", "excel", "nursing"]
WEIGHTED = {
    "remote": (["onsite", "hybrid", "remote"], [60, 20, 20]),
    "employment_type": (["FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN"], [65, 12, 13, 5, 5]),
    "job_level": (["", "ENTRY_LEVEL", "EXPERIENCED", "MANAGER", "DIRECTOR"], [30, 20, 35, 10, 5]),
    "source": (["adzuna", "greenhouse", "lever", "ashby", "careers"], [50, 20, 15, 10, 5]),
}


@dataclasses.dataclass(frozen=True)
class Profile:
    """How the seeded jobs spread. The defaults are bench/api.py's corpus."""

    cities: Sequence[tuple[str, str, float, float]] = tuple(CITIES)
    city_weights: Sequence[float] | None = None  # None: every city alike
    statuses: tuple[Sequence[str], Sequence[float]] = (("active", "expired", "hidden"), (90, 7, 3))
    salary_share: float = 0.7
    days: float = 60  # posted dates spread over the last `days` days
    unknown_date_share: float = 0.05
    duplicate_share: float = 0.03  # another source's copy of an earlier job (same posting)
    title_variants: Sequence[str] = ("",)
    currency_by_country: bool = False  # GBP everywhere otherwise
    embed: bool = False  # embeddings and skill profiles of active jobs, written by the same COPY
    companies: int = 2000


STALE_EVERY = 30  # one job in 30 last seen STALE_AGE ago: a day's expiry at 30-day expiry
STALE_AGE = timedelta(days=29, hours=23)
CTS_JOBS = "projects/bench/tenants/bench/jobs/"  # the CTS name prefix of seeded jobs (bench/daily_cycle.py)


def scale_database(size: int) -> str:
    """bench/scale.py's scratch database of `size` active jobs (also served by load.py and daily_cycle.py)."""
    return f"gigm8_scale_{size // 1000}k" if size % 1000 == 0 else f"gigm8_scale_{size}"


def log(message: str) -> None:
    print(message, flush=True)


def scratch_database_url(name: str, *, fresh: bool) -> str:
    """Create database `name` (on DATABASE_URL's server, or the embedded one) and return its URL."""
    import psycopg

    if os.environ.get("DATABASE_URL"):
        import dj_database_url

        base = dj_database_url.parse(os.environ["DATABASE_URL"])
        conninfo = dict(
            host=base["HOST"], port=base["PORT"] or None, user=base["USER"], password=base["PASSWORD"] or None
        )
        auth = f"{quote(base['USER'])}:{quote(base['PASSWORD'])}@" if base["PASSWORD"] else f"{quote(base['USER'])}@"
        url = f"postgres://{auth}{quote(base['HOST'], safe='')}:{base['PORT'] or 5432}/{name}"
    else:
        from gigm8.lib import embedded_pg

        var = Path(os.environ.get("GIGM8_VAR_DIR", ROOT / "var"))
        db = embedded_pg.start(var / "postgres")  # held until this process exits
        conninfo = dict(host=db["HOST"], user=db["USER"])
        url = f"postgres://{db['USER']}@{quote(db['HOST'], safe='')}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return url


def load_postings() -> list[dict[str, str]]:
    """Real postings (title, description, company, location, category) from ../shared/data."""
    csv.field_size_limit(10**8)
    pool: list[dict[str, str]] = []
    if not DATA.is_dir():
        log(f"NOTE: {DATA} is absent: seeding with generated text instead of real postings.")
        words = ["python", "data", "engineer", "nurse", "sales", "manager", "cloud", "analyst", "care"]
        rng = random.Random(1)
        for i in range(2000):
            text = " ".join(rng.choice(words) for _ in range(300))
            pool.append(
                {"title": f"{rng.choice(words).title()} {i}", "description": text, "company": "", "location": "",
                 "category": ""}
            )  # fmt: skip
        return pool
    with open(DATA / "adzuna_uk_salary" / "Train_rev1.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            pool.append(
                {
                    "title": row["Title"],
                    "description": row["FullDescription"],
                    "company": row["Company"],
                    "location": row["LocationRaw"],
                    "category": row["Category"],
                }
            )
    with open(DATA / "glassdoor_ds" / "glassdoor_jobs.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            pool.append(
                {
                    "title": row["Job Title"],
                    "description": row["Job Description"],
                    "company": row["Company Name"].split("\n")[0],
                    "location": row["Location"],
                    "category": row["Sector"] if row["Sector"] != "-1" else "",
                }
            )
    with open(DATA / "google_job_skills" / "job_skills.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter=";"):
            text = "\n".join(row[k] for k in ("Responsibilities", "Minimum Qualifications", "Preferred Qualifications"))
            pool.append(
                {
                    "title": row["Title"],
                    "description": text,
                    "company": row["Company"],
                    "location": row["Location"],
                    "category": row["Category"],
                }
            )
    log(f"postings pool: {len(pool)} real postings from {DATA}")
    return pool


def _secondary_indexes(cursor) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """jobs_job's indexes that back no constraint: (name, CREATE INDEX statement)."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = 'jobs_job'::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY i.relname
        """
    )
    return cursor.fetchall()


def seed(count: int, profile: Profile = Profile()) -> dict[str, float]:
    """Fill an empty scratch database with `count` jobs; seconds per step. Kept if already full.

    The jobs table's secondary indexes are dropped for the COPY and built again after it (the
    fastest way to load an empty table); with `profile.embed`, the active jobs' embeddings (matching's
    model, in batches) go into the same COPY and their skill profiles into a second one.
    """
    from django.db import connection
    from django.utils.text import slugify

    from ingestion.normalize import detect_occupation
    from ingestion.normalize.places import currency_for_country
    from jobs.models import Company, Job

    have = Job.objects.count()
    if have >= count:
        log(f"scratch database already holds {have:,} jobs (use --fresh to rebuild)")
        return {}
    if have:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE jobs_job, jobs_company RESTART IDENTITY CASCADE")
    rng = random.Random(42)
    pool = load_postings()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    names = sorted({p["company"].strip() for p in pool if p["company"].strip()})
    names += [f"Company {i}" for i in range(profile.companies - len(names))]
    companies = Company.objects.bulk_create(
        [
            Company(
                name=n[:255],
                normalized_name=f"{i}:{n.lower()}"[:255],
                slug=f"{slugify(n)[:200]}-{i}",
                is_blocked=(i % 100 == 7),
            )
            for i, n in enumerate(names)
        ]
    )
    by_name = {c.name: c.id for c in companies}
    blocked = {c.id for c in companies if c.is_blocked}
    company_ids = [c.id for c in companies]
    now = datetime.now(UTC)
    generated = {"search_vector", "search_head"}  # computed by PostgreSQL: COPY may not name them
    skip = {"id", *generated, "embedding", "embedded_at", "expired_at", "expires_at"}
    fields = [f for f in Job._meta.concrete_fields if f.name not in skip]
    columns = [f.column for f in fields] + ["embedding", "embedded_at"]
    defaults = {f.attname: f.get_default() for f in fields}
    statuses, status_weights = profile.statuses
    profiles: list[tuple[int, list[str], list[str]]] = []
    embed_seconds = skills_seconds = 0.0
    # The pool has a few thousand postings: many jobs share a text (posting, title variant, skills),
    # and so an embedding and a skill split; each distinct text is computed once.
    vectors_of: dict[str, str] = {}
    splits_of: dict[str, tuple[list[str], list[str]]] = {}
    # The occupation of each (title variant, posting), classified once: the normalizer's, cheaply.
    occupations_of: dict[tuple[str, int], tuple[str, float | None]] = {}
    posting_of: dict[int, int] = {}  # job id -> pool index, for duplicates

    def rows(first: int, last: int) -> list[list[object]]:
        """Rows first..last (ids), embeddings included when the profile asks for them."""
        nonlocal embed_seconds, skills_seconds
        out: list[dict[str, object]] = []
        for i in range(first, last + 1):
            duplicate_of = rng.randrange(1, i) if i > 100 and rng.random() < profile.duplicate_share else None
            index = posting_of.get(duplicate_of, i % len(pool)) if duplicate_of else i % len(pool)
            posting_of[i] = index
            posting = pool[index]
            pick = {k: rng.choices(values, weights)[0] for k, (values, weights) in WEIGHTED.items()}
            status = rng.choices(statuses, status_weights)[0]
            city, country, lat, lng = rng.choices(profile.cities, profile.city_weights)[0]
            annual = None
            if rng.random() < profile.salary_share:
                low = Decimal(int(rng.lognormvariate(10.9, 0.45)) // 1000 * 1000)
                annual = (low, (low * Decimal("1.25")).quantize(Decimal(1)))
            posted = None
            if rng.random() >= profile.unknown_date_share:
                posted = now - timedelta(seconds=rng.uniform(0, profile.days * 86400))
            variant = rng.choice(profile.title_variants)
            company_id = by_name.get(posting["company"].strip()) or rng.choice(company_ids)
            listed = status == "active" and duplicate_of is None and company_id not in blocked
            if (variant, index) not in occupations_of:
                occupations_of[(variant, index)] = detect_occupation(
                    f"{variant}{posting['title']}", posting["description"]
                )
            occupation_code, occupation_confidence = occupations_of[(variant, index)]
            row = dict(defaults)
            row.update(
                title=f"{variant}{posting['title']}"[:300],
                description=posting["description"][:2500],
                company_id=company_id,
                location=f"{city}, {country}",
                city=city,
                country=country,
                latitude=lat + rng.uniform(-0.2, 0.2),
                longitude=lng + rng.uniform(-0.2, 0.2),
                geo_precision="point",
                remote=pick["remote"],
                employment_type=pick["employment_type"],
                job_level=pick["job_level"],
                is_internship=pick["employment_type"] == "INTERN",
                occupation_code=occupation_code,
                occupation_confidence=occupation_confidence,
                category=posting["category"][:200],
                skills=random.Random(index).sample(SKILLS, 3) if profile.embed else rng.sample(SKILLS, 3),
                apply_url=f"https://jobs.example.com/{i}",
                source=pick["source"],
                external_id=str(i),
                posted_at=posted,
                first_seen_at=now - timedelta(days=rng.uniform(0, profile.days)),
                # As a steady state: one active job in STALE_EVERY has left its board ~30 days ago,
                # so a day later the expiry takes it (bench/daily_cycle.py); the others were seen today.
                last_seen_at=now - STALE_AGE if i % STALE_EVERY == 0 else now,
                created_at=now,
                updated_at=now,
                status=status,
                duplicate_of_id=duplicate_of,
                locked_fields=[],
                embedding=None,
                embedded_at=None,
                # Listed jobs as sent to CTS at build time, so a sync after a cycle sends that day's changes only.
                cts_name=f"{CTS_JOBS}seed-{i}" if listed else "",
                cts_synced_at=now if listed else None,
            )
            if annual:
                currency = currency_for_country(country) or "GBP" if profile.currency_by_country else "GBP"
                row.update(salary_min=annual[0], salary_max=annual[1], salary_currency=currency,
                           salary_period="year", salary_annual_min=annual[0], salary_annual_max=annual[1],
                           salary_source="structured", salary_is_predicted=rng.random() < 0.2)  # fmt: skip
            out.append(row)
        if profile.embed:
            _embed(first, out)
        return [[first + n, *(row[f.attname] for f in fields), row["embedding"], row["embedded_at"]] for n, row in
                enumerate(out)]  # fmt: skip

    def _embed(first: int, batch: list[dict[str, object]]) -> None:
        """matching's embedding of each active job (its text, its model), and its skill profile."""
        nonlocal embed_seconds, skills_seconds
        from matching import embeddings
        from skills.extract import job_skill_split

        active = [(first + n, row) for n, row in enumerate(batch) if row["status"] == "active"]
        t = time.perf_counter()
        texts = [
            embeddings.job_embedding_text(title=row["title"], skills=row["skills"], description=row["description"])
            for _, row in active
        ]
        new = list(dict.fromkeys(text for text in texts if text not in vectors_of))
        for text, vector in zip(new, embeddings.embed_texts(new), strict=True):
            vectors_of[text] = "[" + ",".join(f"{x:.6f}" for x in vector) + "]"
        for (_, row), text in zip(active, texts, strict=True):
            row["embedding"] = vectors_of[text]
            row["embedded_at"] = now
        embed_seconds += time.perf_counter() - t
        t = time.perf_counter()
        for (job_id, row), text in zip(active, texts, strict=True):
            if text not in splits_of:
                splits_of[text] = job_skill_split(
                    description=row["description"], title=row["title"], known=row["skills"]
                )
            profiles.append((job_id, *splits_of[text]))
        skills_seconds += time.perf_counter() - t

    batch = 2000
    with connection.cursor() as cursor:
        raw = cursor.connection  # psycopg 3
        dropped = _secondary_indexes(cursor)
        for name, _ in dropped:
            cursor.execute(f'DROP INDEX "{name}"')
        with raw.cursor() as cur, cur.copy(f"COPY jobs_job (id, {', '.join(columns)}) FROM STDIN") as copy:
            for first in range(1, count + 1, batch):
                for values in rows(first, min(count, first + batch - 1)):
                    copy.write_row(values)
                done = min(count, first + batch - 1)
                if done % 20000 < batch:
                    log(f"  {done:,} jobs written ({time.perf_counter() - started:.0f} s)")
        timings["copy (incl. embedding and skills)"] = time.perf_counter() - started
        if profile.embed:
            timings["  of which embedding"] = embed_seconds
            timings["  of which skill profiles"] = skills_seconds
            timings["distinct texts embedded (count)"] = len(vectors_of)
            t = time.perf_counter()
            with (
                raw.cursor() as cur,
                cur.copy("COPY matching_jobskillprofile (job_id, required, mentioned, built_at) FROM STDIN") as copy,
            ):
                for job_id, required, mentioned in profiles:
                    copy.write_row([job_id, required, mentioned, now])
            timings["skill profiles copy"] = time.perf_counter() - t
        cursor.execute("SELECT setval(pg_get_serial_sequence('jobs_job', 'id'), %s)", [count])
        # The HNSW graph is built in memory when it fits (~1.7 kB a job): 2.5 GB at 1.5 million.
        cursor.execute("SET maintenance_work_mem = %s", ["3GB" if count > 500_000 else "1GB"])
        cursor.execute("SET max_parallel_maintenance_workers = 2")
        for name, statement in dropped:
            t = time.perf_counter()
            cursor.execute(statement)
            timings[f"index {name}"] = time.perf_counter() - t
        cursor.execute("RESET maintenance_work_mem")
        t = time.perf_counter()
        cursor.execute("VACUUM ANALYZE jobs_job")
        cursor.execute("VACUUM ANALYZE jobs_company")
        if profile.embed:
            cursor.execute("VACUUM ANALYZE matching_jobskillprofile")
        timings["vacuum analyze"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started
    log(f"seeded {count:,} jobs and {len(companies):,} companies in {timings['total']:.0f} s")
    return timings
