"""Reads of jobs and companies: the public listing's base, facet counts, stats and sources."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Count, DecimalField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest, Least, Left, TruncDate
from django.utils import timezone

from gigm8 import counts
from gigm8.counts import planner_estimate, sample_fraction, sampled, within_budget
from jobs.choices import EmploymentType, JobLevel, JobStatus, Remote
from jobs.models import UNKNOWN_DATE_HIGH, UNKNOWN_DATE_LOW, Company, Job, posted_key
from skills.occupations import major_groups, occupation

# "When was it posted": the source's date. A job whose source gives none has posted_at NULL
# ("date unknown"): it is not dated by when we first saw it (an import of 2012 postings would
# look posted today). Keyset cursors need a key that is never NULL, so an unknown date sorts as
# a sentinel past every real date, last both ways (like the salary orderings):
# POSTED_NEWEST_FIRST for -posted_at, POSTED_OLDEST_FIRST for posted_at. Filters, the default
# ordering, facets and the listing index (jobs.models: job_public_posted_idx) all use
# POSTED_NEWEST_FIRST, so the index serves them; a date filter (`key >= since`) leaves the
# sentinel, and so every unknown date, out.
POSTED_NEWEST_FIRST = posted_key(UNKNOWN_DATE_LOW)
POSTED_OLDEST_FIRST = posted_key(UNKNOWN_DATE_HIGH)
# A job's annualized salary range, whichever ends are known (GREATEST/LEAST skip NULLs).
# The top is -1 when no salary is known: below every salary_min, last when sorting highest
# first, and never NULL, so one index (job_public_salary_idx) serves the filter and the sort.
SALARY_TOP = Coalesce(
    Greatest(F("salary_annual_min"), F("salary_annual_max")),
    Value(-1),
    output_field=DecimalField(max_digits=14, decimal_places=2),
)
SALARY_BOTTOM = Least(F("salary_annual_min"), F("salary_annual_max"))

# Facet buckets. Both are cumulative, like the filters they stand for: the count under
# salary_band "80000" is what salary_min=80000 returns, under posted_band "7" what
# posted_within_days=7 returns, under posted_band "unknown" what posted_unknown=true returns
# (no date given). Salaries are compared in each job's own currency (no FX).
SALARY_BANDS: tuple[int, ...] = (20000, 30000, 50000, 80000, 100000, 150000, 200000)
POSTED_BANDS: tuple[int, ...] = (1, 3, 7, 14, 30)
FACETS: tuple[str, ...] = (
    "employment_type",
    "remote",
    "job_level",
    "occupation",
    "occupation_group",
    "source",
    "country",
    "company",
    "salary_band",
    "posted_band",
)
UNKNOWN_DATE_VALUE = "unknown"  # the posted_band bucket of jobs without a date (posted_unknown=true)
TOP_COMPANIES = 20
TOP_OCCUPATIONS = 50  # of ~1,000: the occupation facet lists the commonest
# Counts count a column of job_public_facets_idx, never NULL, so they stay index-only scans
# (COUNT(id) would read every row from the table; Django allows no COUNT(*) with a filter).
_ROW = "remote"


# The sequence every write to jobs_job or jobs_company moves on (statement-level triggers, see
# migration 0016_listing_version_sequence_bumped_by_writes).
LISTING_VERSION_SEQUENCE = "jobs_listing_version"


def listing_version() -> str:
    """Changes whenever a statement writes jobs or companies (a new, changed, hidden, expired,
    (re)embedded or deleted job; a company edited or blocked), however it was written.

    Read from the database the listing is read from (a replica's version moves as it replays the
    writes, so a lagging replica's version lags with its data). A replica and the primary number
    their versions differently (a replica shows the value the primary logged, up to 32 ahead), so
    the version names which one it comes from. Reading it is one row of the sequence: cheap per request.
    """
    alias = router.db_for_read(Job) or DEFAULT_DB_ALIAS
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT last_value, is_called FROM {LISTING_VERSION_SEQUENCE}")
        value, called = cursor.fetchone()
    where = "p" if alias == DEFAULT_DB_ALIAS else "r"
    return f"{_database_tag()}:{where}{value if called else 0}"


def _database_tag() -> str:
    """Which database the versions count in (its primary's host, port and name, hashed): two databases
    sharing one Redis (staging and production, or two benchmark corpora) number their versions alike,
    and must not serve each other's cached listings or matches."""
    db = connections[DEFAULT_DB_ALIAS].settings_dict
    where = f"{db.get('HOST')}:{db.get('PORT')}/{db.get('NAME')}"
    return hashlib.sha256(where.encode()).hexdigest()[:12]


def job_list_public() -> QuerySet[Job]:
    """What anyone may see: active, canonical (a cross-source duplicate shows once), company not blocked."""
    return (
        Job.objects.filter(status=JobStatus.ACTIVE, duplicate_of__isnull=True)
        # Through the company's row (the join select_related makes anyway), which the planner
        # estimates from is_blocked's statistics. NOT IN (SELECT blocked ids) was taken as true of
        # half the rows: every estimated count was half the truth (72,792 of 145,606 listed), and
        # location=london's 9,700 of 18,700 fell under the exact-count threshold. NOT EXISTS
        # estimated the whole listing well but, with company=<id> as well, a single job (the
        # planner cannot tell that one company is not blocked): company=<biggest employer> sorted
        # its 37,869 jobs (176 ms, from 9). bench/README "Counts, places and facets".
        .filter(Q(company__isnull=True) | Q(company__is_blocked=False))
        .select_related("company")
    )


def job_list_staff() -> QuerySet[Job]:
    """Every job in any status, duplicates included: what staff may read and edit."""
    return Job.objects.select_related("company")


def job_apply_urls_from_duplicates(*, jobs: list[Job]) -> None:
    """A job whose own source gave no apply URL takes one of its live duplicates' (the first by
    source and id): a posting listed by several sources always offers a place to apply. One query,
    only when some job lacks a URL."""
    lacking = {job.pk: job for job in jobs if not job.apply_url}
    if not lacking:
        return
    urls = (
        Job.objects.filter(duplicate_of_id__in=list(lacking), status=JobStatus.ACTIVE)
        .exclude(apply_url="")
        .order_by("duplicate_of_id", "source", "id")
        .values_list("duplicate_of_id", "apply_url")
    )
    for canonical_id, url in urls:
        job = lacking[canonical_id]
        if not job.apply_url:
            job.apply_url = url


def job_sources_of(*, job: Job) -> list[Job]:
    """The job and every duplicate of it from other sources: one entry per place to apply.

    Sorted here rather than in SQL so duplicates prefetched by the caller (with whatever
    filter it chose) are used as they are, without another query.
    """
    duplicates = sorted(job.duplicates.all(), key=lambda other: (other.source, other.id))
    return [job, *duplicates]


# --- Facets ---------------------------------------------------------------------------------

_LABELS: dict[str, dict[str, str]] = {
    "employment_type": dict(EmploymentType.choices),
    "remote": dict(Remote.choices),
    "job_level": dict(JobLevel.choices),
}


def _group_counts(queryset: QuerySet[Job], field: str) -> list[dict[str, Any]]:
    rows = queryset.order_by().values(field).annotate(count=Count("*")).order_by("-count", field)
    labels = _LABELS.get(field, {})
    return [
        {"value": row[field], "label": labels.get(row[field], row[field]) or "(unknown)", "count": row["count"]}
        for row in rows
    ]


def _occupation_label(code: str) -> str:
    if not code:
        return "(unknown)"
    found = occupation(code)
    return found.title if found is not None else code


def _occupation_counts(queryset: QuerySet[Job]) -> list[dict[str, Any]]:
    """Jobs per O*NET-SOC code, labelled with the occupation's title; "" (none named) counts too."""
    rows = (
        queryset.order_by()
        .values("occupation_code")
        .annotate(count=Count("*"))
        .order_by("-count", "occupation_code")[:TOP_OCCUPATIONS]
    )
    return [
        {"value": row["occupation_code"], "label": _occupation_label(row["occupation_code"]), "count": row["count"]}
        for row in rows
    ]


def _occupation_group_counts(queryset: QuerySet[Job]) -> list[dict[str, Any]]:
    """Jobs per SOC major group ("17-0000"), labelled with its name; "" (no occupation) counts too."""
    rows = (
        queryset.order_by()
        .values(major=Left("occupation_code", 2))
        .annotate(count=Count("*"))
        .order_by("-count", "major")
    )
    names = major_groups()
    buckets = []
    for row in rows:
        value = f"{row['major']}-0000" if row["major"] else ""
        buckets.append({"value": value, "label": names.get(value, "(unknown)"), "count": row["count"]})
    return buckets


def _company_counts(queryset: QuerySet[Job]) -> list[dict[str, Any]]:
    rows = (
        queryset.filter(company__isnull=False)
        .order_by()
        .values("company_id", "company__name", "company__slug")
        .annotate(count=Count("*"))
        .order_by("-count", "company__name")[:TOP_COMPANIES]
    )
    return [
        {"value": row["company_id"], "label": row["company__name"], "slug": row["company__slug"], "count": row["count"]}
        for row in rows
    ]


def _salary_band_counts(queryset: QuerySet[Job]) -> list[dict[str, Any]]:
    counts = queryset.order_by().aggregate(
        unknown=Count(_ROW, filter=Q(salary_annual_min__isnull=True, salary_annual_max__isnull=True)),
        **{f"b{band}": Count(_ROW, filter=Q(salary_top__gte=Decimal(band))) for band in SALARY_BANDS},
    )
    buckets = [{"value": str(band), "label": f"{band:,}+", "count": counts[f"b{band}"]} for band in SALARY_BANDS]
    buckets.append({"value": "unknown", "label": "Not given", "count": counts["unknown"]})
    return buckets


def _posted_band_counts(queryset: QuerySet[Job], now: datetime) -> list[dict[str, Any]]:
    counts = queryset.order_by().aggregate(
        unknown=Count(_ROW, filter=Q(posted_at__isnull=True)),
        **{f"d{days}": Count(_ROW, filter=Q(posted__gte=now - timedelta(days=days))) for days in POSTED_BANDS},
    )
    buckets = [
        {
            "value": str(days),
            "label": "Last 24 hours" if days == 1 else f"Last {days} days",
            "count": counts[f"d{days}"],
        }
        for days in POSTED_BANDS
    ]
    buckets.append({"value": UNKNOWN_DATE_VALUE, "label": "Date unknown", "count": counts["unknown"]})
    return buckets


def job_facet_counts(*, name: str, queryset: QuerySet[Job], now: datetime | None = None) -> list[dict[str, Any]]:
    """Counts of one facet over a queryset already filtered by every filter but the facet's own.

    Each bucket is {"value", "label", "count"}; the value is what the matching filter takes.
    """
    if name not in FACETS:
        raise ValueError(f"unknown facet {name!r}")
    queryset = queryset.annotate(salary_top=SALARY_TOP, posted=POSTED_NEWEST_FIRST)
    if name == "company":
        return _company_counts(queryset)
    if name == "occupation":
        return _occupation_counts(queryset)
    if name == "occupation_group":
        return _occupation_group_counts(queryset)
    if name == "salary_band":
        return _salary_band_counts(queryset)
    if name == "posted_band":
        return _posted_band_counts(queryset, now or timezone.now())
    return _group_counts(queryset, name)


# A facet is counted exactly when that is cheap, else estimated from a sample of the table
# (gigm8.counts.sampled: ~2,000 rows, so it costs the same at 150,000 jobs as at 1.5 million).
# Cheap is the planner's cost of reading the facet's jobs (job_public_facets_idx's column): what a
# count costs follows the rows scanned, not the rows counted (remote=remote&salary_min=80000 scans
# a third of the index for 16,000 jobs: cost 6,400, 24 ms at 150,000 jobs; cost 2,500: 8 ms). An
# exact count gets a time budget (a filter the planner misjudges must not cost a full scan), and a
# sample that finds too few jobs to say much gives way to the exact count, in the same budget.
# bench/README "Counts, places and facets".
FACET_EXACT_COST = 4_000
FACET_EXACT_BUDGET_MS = 30
FACET_MIN_SAMPLED = 100
# The company facet ranks thousands of companies, most of them ~1 % of the jobs or less: three
# times the sample (at 150,000 jobs the second to fifth companies were off by up to half with one).
COMPANY_SAMPLE_FACTOR = 3
MANY_BUCKET_FACETS = frozenset({"company", "occupation"})  # sampled COMPANY_SAMPLE_FACTOR times as much


def _flagged(buckets: list[dict[str, Any]], *, estimate: bool) -> list[dict[str, Any]]:
    return [{**bucket, "count_is_estimate": estimate} for bucket in buckets]


def _scaled(buckets: list[dict[str, Any]], fraction: float) -> list[dict[str, Any]]:
    return [{**bucket, "count": round(bucket["count"] / fraction), "count_is_estimate": True} for bucket in buckets]


def job_facet_estimates(*, name: str, queryset: QuerySet[Job], now: datetime | None = None) -> list[dict[str, Any]]:
    """job_facet_counts' buckets, each with count_is_estimate: exact counts when they are cheap,
    else counts over a sample of the table scaled to the whole (sorted by the sample's counts)."""
    now = now or timezone.now()

    def exact() -> list[dict[str, Any]] | None:
        return within_budget(
            queryset.db, FACET_EXACT_BUDGET_MS, lambda: job_facet_counts(name=name, queryset=queryset, now=now)
        )

    estimate = planner_estimate(queryset.order_by().values(_ROW))
    tried = estimate is None or estimate[1] < FACET_EXACT_COST
    if tried and (counted := exact()) is not None:
        return _flagged(counted, estimate=False)
    fraction = sample_fraction(
        queryset, counts.SAMPLE_ROWS * (COMPANY_SAMPLE_FACTOR if name in MANY_BUCKET_FACETS else 1)
    )
    if fraction >= 1.0:  # a table this small is counted whole
        return _flagged(job_facet_counts(name=name, queryset=queryset, now=now), estimate=False)
    sample = job_facet_counts(name=name, queryset=sampled(queryset, fraction), now=now)
    if not tried and sum(bucket["count"] for bucket in sample) < FACET_MIN_SAMPLED and (counted := exact()) is not None:
        return _flagged(counted, estimate=False)
    return _scaled(sample, fraction)


def job_facets(
    *, names: Iterable[str], queryset_for: Callable[[str], QuerySet[Job]]
) -> dict[str, list[dict[str, Any]]]:
    """{name: buckets} for each facet asked, each counted over `queryset_for(name)`: the listing
    filtered by every filter but that facet's own (JobFilterSet.queryset_for_facet). Each bucket
    says whether its count is an estimate (job_facet_estimates)."""
    now = timezone.now()
    return {name: job_facet_estimates(name=name, queryset=queryset_for(name), now=now) for name in names}


# --- Stats and sources ------------------------------------------------------------------------


def _counts_by(queryset: QuerySet[Job], field: str) -> dict[str, int]:
    rows = queryset.order_by().values_list(field).annotate(n=Count("*")).order_by("-n", field)
    return {(value if value is not None else ""): n for value, n in rows}


def job_stats(*, now: datetime | None = None, days: int = 30) -> dict[str, Any]:
    """Totals for a dashboard: by status over every canonical job; the rest over public jobs."""
    now = now or timezone.now()
    canonical = Job.objects.filter(duplicate_of__isnull=True)
    public = job_list_public()
    since = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    per_day = dict(
        canonical.filter(first_seen_at__gte=since)
        .annotate(day=TruncDate("first_seen_at"))
        .order_by()
        .values_list("day")
        .annotate(n=Count("*"))
    )
    new_per_day = [
        {"date": day.isoformat(), "count": per_day.get(day, 0)}
        for day in (since.date() + timedelta(days=offset) for offset in range(days))
    ]
    top_companies = (
        public.filter(company__isnull=False)
        .order_by()
        .values("company_id", "company__name", "company__slug")
        .annotate(count=Count("*"))
        .order_by("-count", "company__name")[:TOP_COMPANIES]
    )
    return {
        "total": public.count(),
        "by_status": _counts_by(canonical, "status"),
        "by_source": _counts_by(public, "source"),
        "by_employment_type": _counts_by(public, "employment_type"),
        "by_job_level": _counts_by(public, "job_level"),
        "by_remote": _counts_by(public, "remote"),
        "top_companies": [
            {"id": row["company_id"], "name": row["company__name"], "slug": row["company__slug"], "count": row["count"]}
            for row in top_companies
        ],
        "new_per_day": new_per_day,
    }


def _open_jobs_of_company() -> QuerySet[Job]:
    return Job.objects.filter(company=OuterRef("pk"), status=JobStatus.ACTIVE, duplicate_of__isnull=True)


def company_list_public(*, with_jobs_only: bool = False) -> QuerySet[Company]:
    """Companies that are not blocked, each with its number of open (public) jobs."""
    # A correlated count per company row: only the rows of the page are counted, each by the
    # (status, company) index, instead of grouping the whole job table.
    open_jobs = _open_jobs_of_company().order_by().values("company").annotate(n=Count("*")).values("n")
    companies = Company.objects.filter(is_blocked=False)
    if with_jobs_only:
        companies = company_filter_with_open_jobs(queryset=companies)
    return companies.annotate(open_jobs=Coalesce(Subquery(open_jobs), 0))


def company_filter_with_open_jobs(*, queryset: QuerySet[Company]) -> QuerySet[Company]:
    """Only the companies with at least one open (public) job."""
    # EXISTS stops at the first job; filtering on the count would count every company's jobs.
    return queryset.filter(Exists(_open_jobs_of_company()))


def job_counts_by_source_status() -> dict[tuple[str, str], int]:
    """{(source, status): jobs}, one grouped query."""
    rows = Job.objects.order_by().values_list("source", "status").annotate(n=Count("id"))
    return {(source, status): n for source, status, n in rows}
