"""The job board's data: companies and the jobs they post."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, GistIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast, Coalesce, Floor, Greatest, Upper
from pgvector.django import HnswIndex, VectorField

from jobs.boards import board_token_error
from jobs.choices import (
    LOCKABLE_FIELDS,
    AtsKind,
    EmploymentType,
    GeoPrecision,
    JobLevel,
    JobStatus,
    Remote,
    SalaryPeriod,
    SalarySource,
)

# The text search configuration for every tsvector and tsquery in the project.
SEARCH_CONFIG = "english"

# A job whose source gives no date keeps posted_at NULL ("date unknown"). Sorting needs a key
# that is never NULL (keyset cursors compare it), so an unknown date sorts as one of these
# sentinels, past every real date: last when newest first (LOW) and when oldest first (HIGH).
# A day inside the calendar's ends, so no time zone conversion takes them out of range.
UNKNOWN_DATE_LOW = datetime(1, 1, 2, tzinfo=UTC)
UNKNOWN_DATE_HIGH = datetime(9999, 12, 30, tzinfo=UTC)


def posted_key(unknown: datetime) -> Coalesce:
    """posted_at, or `unknown` when the source gave no date (the sort and filter key)."""
    return Coalesce(models.F("posted_at"), models.Value(unknown), output_field=models.DateTimeField())


# near=lat,lng: the grid cell a job's coordinates fall in, `per_degree` cells to a degree each way
# (a row of 360·per_degree + 1 cells per band of latitude). jobs.filters lists the cells covering a
# circle's bounding box; ANALYZE keeps statistics of an indexed expression, so the planner knows how
# many jobs those cells hold, which it cannot know of a latitude range AND a longitude range (it
# multiplies their shares as if independent: 36 times too few around London). Levels: 0.1° and 1°.
GEO_CELLS_PER_DEGREE = (10, 1)


def geo_cell(per_degree: int) -> models.Expression:
    """The cell of (latitude, longitude) at `per_degree` cells a degree, as an integer expression."""

    def band(field: str) -> Cast:
        return Cast(Floor(models.F(field) * models.Value(float(per_degree))), models.IntegerField())

    return band("latitude") * models.Value(360 * per_degree + 1) + band("longitude")


class EarthPoint(models.Func):
    """(latitude, longitude) as a point on the unit sphere, a 3-D `cube` (PostgreSQL's cube extension).

    The straight-line (chord) distance between two such points grows with the great-circle distance,
    so a GiST index of them walks jobs nearest first (`<->`) and ordering=distance stops at a page.
    """

    output_field = models.FloatField()  # never read: only compared with <->

    def __init__(self, latitude: Any, longitude: Any) -> None:
        super().__init__(latitude, longitude)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        lat_sql, lat_params = compiler.compile(self.source_expressions[0])
        lng_sql, lng_params = compiler.compile(self.source_expressions[1])
        lat, lng = f"radians({lat_sql})", f"radians({lng_sql})"
        sql = f"cube(ARRAY[cos({lat}) * cos({lng}), cos({lat}) * sin({lng}), sin({lat})])"
        return sql, [*lat_params, *lng_params, *lat_params, *lng_params, *lat_params]


class SkillsText(models.Func):
    """Skills as one space-separated string.

    array_to_string() is only STABLE, so PostgreSQL refuses it in a generated column; the
    migration creates gigm8_skills_text(), an IMMUTABLE wrapper, for this.
    """

    function = "gigm8_skills_text"
    output_field = models.TextField()


class Company(models.Model):
    """An employer. One row per normalized name, whatever the source spelled it as."""

    name = models.CharField(max_length=255)
    normalized_name = models.CharField(
        max_length=255, unique=True, help_text="Name with case, punctuation and Inc./Ltd./LLC folded."
    )
    slug = models.SlugField(max_length=255, unique=True)
    website = models.URLField(max_length=500, blank=True)
    careers_url = models.URLField(
        max_length=1000,
        blank=True,
        # The careers spider fetches http(s) only (URLField alone would take ftp://).
        validators=[
            URLValidator(schemes=["http", "https"], message="Enter an http:// or https:// URL.", code="not_http")
        ],
    )
    ats_kind = models.CharField(max_length=20, choices=AtsKind.choices, blank=True, default=AtsKind.NONE)
    board_token = models.CharField(
        max_length=200, blank=True, help_text="The board's name in its ATS (e.g. the Greenhouse board token)."
    )
    is_enabled = models.BooleanField(default=True, help_text="Crawl this company's board on refresh.")
    is_blocked = models.BooleanField(default=False, help_text="Hide every job of this company from the API.")
    cts_name = models.CharField(max_length=500, blank=True, help_text="Resource name in Cloud Talent Solution.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ats_kind", "board_token"],
                condition=~Q(board_token=""),
                name="company_unique_board",
            ),
            models.CheckConstraint(
                condition=Q(board_token="") | ~Q(ats_kind=""),
                name="company_board_needs_ats_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if error := board_token_error(self.ats_kind, self.board_token):
            raise ValidationError({"board_token": error})


class Job(models.Model):
    """A posting, as one source lists it.

    (source, external_id) identifies it. A posting that another source already lists points
    at that canonical job through `duplicate_of`; the listing shows canonical jobs only.
    """

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="jobs", null=True, blank=True)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True, help_text="Plain text.")
    description_html = models.TextField(blank=True, help_text="The source's HTML, where it has one.")

    location = models.CharField(max_length=300, blank=True, help_text="Location as the source wrote it.")
    city = models.CharField(max_length=120, blank=True)
    region = models.CharField(max_length=120, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2, upper case.")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # What latitude/longitude stand for: a point, or the centre of the city, region or country the
    # posting names (geocoded at ingest); near=lat,lng leaves region and country centres out.
    geo_precision = models.CharField(max_length=8, choices=GeoPrecision.choices, blank=True, default="")
    remote = models.CharField(max_length=10, choices=Remote.choices, default=Remote.ONSITE)

    employment_type = models.CharField(max_length=30, choices=EmploymentType.choices, blank=True)
    job_level = models.CharField(max_length=20, choices=JobLevel.choices, blank=True)
    is_internship = models.BooleanField(default=False)
    # The O*NET-SOC occupation the title names (skills.occupations, set by the normalizer), "" when
    # it names none clearly; the confidence is the normalizer's (0..1), null when there is no code.
    occupation_code = models.CharField(max_length=10, blank=True, help_text="O*NET-SOC code, e.g. 17-2051.00.")
    occupation_confidence = models.FloatField(null=True, blank=True)

    salary_min = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    salary_max = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    salary_currency = models.CharField(max_length=3, blank=True, help_text="ISO 4217.")
    salary_period = models.CharField(max_length=10, choices=SalaryPeriod.choices, blank=True)
    salary_annual_min = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="salary_min per year; what filters use."
    )
    salary_annual_max = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="salary_max per year; what filters use."
    )
    salary_is_predicted = models.BooleanField(default=False)
    salary_source = models.CharField(max_length=12, choices=SalarySource.choices, blank=True)

    category = models.CharField(max_length=200, blank=True)
    skills = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    apply_url = models.URLField(max_length=2000, blank=True)

    source = models.CharField(max_length=50, help_text="adzuna, greenhouse, lever, ashby, microsoft, careers, …")
    external_id = models.CharField(max_length=255, help_text="The posting's id at its source.")
    board = models.CharField(
        max_length=200,
        blank=True,
        help_text="The feed inside the source whose completeness decides expiry (a board token, 'gb:python').",
    )
    fingerprint = models.CharField(
        max_length=64, blank=True, help_text="Hash of normalized company + title + location, across sources."
    )
    content_hash = models.CharField(
        max_length=64, blank=True, help_text="Hash of the normalized record, to tell unchanged rows."
    )
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )

    posted_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)

    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.ACTIVE)
    is_featured = models.BooleanField(default=False)
    locked_fields = ArrayField(
        models.CharField(max_length=40),
        default=list,
        blank=True,
        help_text="Fields a staff member edited; refreshes leave them alone.",
    )

    cts_name = models.CharField(max_length=500, blank=True)
    cts_synced_at = models.DateTimeField(null=True, blank=True)

    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector(
            Coalesce(SkillsText("skills"), models.Value(""), output_field=models.TextField()),
            weight="B",
            config=SEARCH_CONFIG,
        )
        + SearchVector("description", weight="C", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    # Title (A) and skills (B) only: tens of bytes, so stored in the row, never TOASTed like
    # search_vector (whose description part makes it ~1.6 kB compressed). Keyword search and the
    # matches' full-text leg pre-rank their candidates by it before ranking a bounded set by
    # search_vector (jobs.filters.JobFilterSet.search, matching.backends.local).
    search_head = models.GeneratedField(
        expression=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector(
            Coalesce(SkillsText("skills"), models.Value(""), output_field=models.TextField()),
            weight="B",
            config=SEARCH_CONFIG,
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    embedding = VectorField(dimensions=settings.EMBEDDING_DIM, null=True, blank=True)
    embedded_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-posted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="job_unique_source_external_id"),
            models.CheckConstraint(
                condition=Q(salary_min__isnull=True)
                | Q(salary_max__isnull=True)
                | Q(salary_min__lte=models.F("salary_max")),
                name="job_salary_min_lte_max",
            ),
            models.CheckConstraint(
                condition=Q(locked_fields__contained_by=list(LOCKABLE_FIELDS)),
                name="job_locked_fields_known",
            ),
            models.CheckConstraint(condition=~Q(duplicate_of=models.F("id")), name="job_not_duplicate_of_itself"),
        ]
        indexes = [
            # Expiry of a source's feed. last_seen_at is in no index on purpose: every refresh touches
            # every row's last_seen_at, and an update of unindexed columns only is a HOT update that
            # writes no index entry (see the fillfactor in migration 0007).
            models.Index(fields=["source", "board"], name="job_active_board_idx", condition=Q(status=JobStatus.ACTIVE)),
            models.Index(fields=["expires_at"], name="job_expires_at_idx", condition=Q(status=JobStatus.ACTIVE)),
            models.Index(fields=["fingerprint"], name="job_fingerprint_idx"),
            GinIndex(fields=["search_vector"], name="job_search_vector_idx"),
            GinIndex(fields=["search_head"], name="job_search_head_idx"),
            HnswIndex(
                name="job_embedding_hnsw_idx",
                fields=["embedding"],
                m=16,
                ef_construction=64,
                opclasses=["vector_cosine_ops"],
            ),
            # The API's listing (jobs.selectors.POSTED_NEWEST_FIRST / jobs.filters): newest first by
            # posted date, unknown dates last; a keyset cursor walks this index.
            models.Index(
                posted_key(UNKNOWN_DATE_LOW).desc(),
                models.F("id").desc(),
                name="job_public_posted_idx",
                condition=Q(status=JobStatus.ACTIVE, duplicate_of__isnull=True),
            ),
            # near=lat,lng: the bounding box before the great-circle distance (radii too big for cells).
            models.Index(
                fields=["latitude", "longitude"],
                name="job_public_geo_idx",
                condition=Q(status=JobStatus.ACTIVE, duplicate_of__isnull=True, latitude__isnull=False),
            ),
            # near=lat,lng: the grid cells around the point (geo_cell), and their statistics; with the
            # id (and the coordinates the cell is computed from, which an index-only scan needs), so
            # that the jobs of a sparse area are listed from the index alone (jobs.filters).
            *(
                models.Index(
                    geo_cell(per_degree),
                    models.F("id"),
                    include=["latitude", "longitude"],
                    name=f"job_public_geo_cell{per_degree}_idx",
                    condition=Q(status=JobStatus.ACTIVE, duplicate_of__isnull=True, latitude__isnull=False),
                )
                for per_degree in GEO_CELLS_PER_DEGREE
            ),
            # ordering=distance: nearest first (EarthPoint's chord, `<->`), stopping at a page.
            GistIndex(
                EarthPoint(models.F("latitude"), models.F("longitude")),
                name="job_public_earth_idx",
                # Both coordinates: cube() refuses an array holding a NULL (a row with one would fail its insert).
                condition=Q(
                    status=JobStatus.ACTIVE, duplicate_of__isnull=True, latitude__isnull=False, longitude__isnull=False
                ),
            ),
            # salary_min and ordering=-salary: the top of the annualized range, -1 when unknown
            # (jobs.selectors.SALARY_TOP).
            models.Index(
                Coalesce(
                    Greatest("salary_annual_min", "salary_annual_max"),
                    models.Value(-1),
                    output_field=models.DecimalField(max_digits=14, decimal_places=2),
                ).desc(),
                models.F("id").desc(),
                name="job_public_salary_idx",
                condition=Q(status=JobStatus.ACTIVE, duplicate_of__isnull=True),
            ),
            # Facet counts (jobs.selectors.job_facet_counts) as index-only scans: the facet columns
            # and the common filters' columns, public jobs only, ~90 bytes a job instead of a heap row.
            models.Index(
                fields=["remote", "employment_type"],
                include=[
                    "job_level",
                    "occupation_code",
                    "country",
                    "source",
                    "company",
                    "salary_annual_min",
                    "salary_annual_max",
                    "salary_is_predicted",
                    "is_internship",
                    "is_featured",
                    "posted_at",
                    "first_seen_at",
                ],
                name="job_public_facets_idx",
                condition=Q(status=JobStatus.ACTIVE, duplicate_of__isnull=True),
            ),
            # occupation= (codes) and occupation_group= (a range of codes: "17-0000.00".."17-9999.99").
            models.Index(
                fields=["occupation_code"],
                name="job_public_occupation_idx",
                condition=Q(status=JobStatus.ACTIVE, duplicate_of__isnull=True),
            ),
            # title= and location= (icontains, which Django writes as UPPER(col) LIKE): trigram GIN.
            GinIndex(OpClass(Upper("title"), name="gin_trgm_ops"), name="job_title_trgm_idx"),
            GinIndex(OpClass(Upper("location"), name="gin_trgm_ops"), name="job_location_trgm_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.source}:{self.external_id})"

    @property
    def is_canonical(self) -> bool:
        return self.duplicate_of_id is None

    def lock(self, *fields: str) -> None:
        """Mark fields as edited by staff, so refreshes keep the staff's values."""
        unknown = set(fields) - set(LOCKABLE_FIELDS)
        if unknown:
            raise ValueError(f"not lockable: {', '.join(sorted(unknown))}")
        self.locked_fields = sorted(set(self.locked_fields) | set(fields))


def _salary_limit() -> Decimal:
    field = Job._meta.get_field("salary_annual_min")
    assert isinstance(field, models.DecimalField)
    return Decimal(10) ** (field.max_digits - field.decimal_places)


# Amounts (yearly figures included) must stay below this to fit the salary columns.
SALARY_LIMIT = _salary_limit()


@functools.cache
def column_widths() -> dict[str, int]:
    """The text widths a job's values must fit, read from the models once: every Job CharField by
    name, "company_name" (Company.name), "company_normalized_name" and "skill" (one entry of Job.skills). The normalizer
    cuts to these, the upsert guards them."""
    widths = {
        field.name: field.max_length
        for field in Job._meta.get_fields()
        if isinstance(field, models.Field) and field.max_length and not field.is_relation
    }
    company_name = Company._meta.get_field("name")
    company_key = Company._meta.get_field("normalized_name")
    skills = Job._meta.get_field("skills")
    assert isinstance(company_name, models.CharField) and isinstance(company_key, models.CharField)
    assert isinstance(skills, ArrayField)
    widths["company_name"] = company_name.max_length or 0
    widths["company_normalized_name"] = company_key.max_length or 0
    widths["skill"] = skills.base_field.max_length or 0
    return {name: int(width) for name, width in widths.items() if width}
