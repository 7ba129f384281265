"""The normalized record every source yields and the upsert consumes."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal

from jobs.choices import Remote, SalarySource


@dataclasses.dataclass(slots=True)
class JobData:
    """One posting as a source saw it, after normalization.

    Every source (Adzuna, the spiders, the import command) builds these and hands them to
    the one upsert; nothing else writes jobs.
    """

    source: str
    external_id: str
    title: str
    company_name: str = ""
    description: str = ""
    description_html: str = ""
    location: str = ""
    city: str = ""
    region: str = ""
    country: str = ""
    latitude: float | None = None
    longitude: float | None = None
    # What the coordinates stand for (jobs.choices.GeoPrecision): a point, or a city/region/country centre.
    geo_precision: str = ""
    remote: str = Remote.ONSITE
    employment_type: str = ""
    job_level: str = ""
    is_internship: bool = False
    # The O*NET-SOC occupation of the title (skills.occupations.classify_title): "" and None when none.
    occupation_code: str = ""
    occupation_confidence: float | None = None
    salary_min: Decimal | None = None
    salary_max: Decimal | None = None
    salary_currency: str = ""
    salary_period: str = ""
    salary_annual_min: Decimal | None = None
    salary_annual_max: Decimal | None = None
    salary_is_predicted: bool = False
    salary_source: str = SalarySource.NONE
    category: str = ""
    skills: list[str] = dataclasses.field(default_factory=list)
    apply_url: str = ""
    posted_at: datetime | None = None
    expires_at: datetime | None = None
    # The feed inside the source (board token, Adzuna "country:what"); complete feeds expire what they miss.
    board: str = ""
    # A hash of the raw posting, when the source computes one (Adzuna): stored as the content hash,
    # so the next run can tell an unchanged posting before normalizing it (jobs.types.UnchangedRecord).
    source_hash: str = ""


@dataclasses.dataclass(slots=True)
class SkippedRecord:
    """A posting a source could not turn into JobData; counted as skipped with its reason."""

    reason: str


@dataclasses.dataclass(slots=True)
class UnchangedRecord:
    """A posting its source sent exactly as last time (its source_hash is the stored content hash).

    The source skips normalizing it (see jobs.services.upsert.job_content_hashes); the upsert only touches the row.
    """

    source: str
    external_id: str
    source_hash: str


@dataclasses.dataclass(slots=True)
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[str] = dataclasses.field(default_factory=list)
    job_ids: list[int] = dataclasses.field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.skipped

    def merge(self, other: UpsertResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.skipped += other.skipped
        self.errors.extend(other.errors)
        self.job_ids.extend(other.job_ids)
