"""The engine interface every matching backend implements (local, cts).

A backend gets a validated query and the candidate jobs (a queryset with the request's
filters already applied) and answers with one response shape, whatever engine it runs.
Only `matching.services` calls a backend, through `matching.backends.get_backend()`.
"""

from __future__ import annotations

import abc
import dataclasses
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from jobs.models import Job
    from matching.occupation import QueryOccupation
    from matching.resume import ResumeProfile

QueryKind = Literal["resume", "jd", "job"]
QUERY_KINDS: tuple[str, ...] = ("resume", "jd", "job")


class MatchBackendError(Exception):
    """The backend could not answer (its service is down or misconfigured); the API says 503."""


@dataclasses.dataclass(frozen=True, slots=True)
class MatchQuery:
    """What to match: a resume's or a job description's text, or a stored job (kind "job")."""

    text: str
    kind: QueryKind
    job_id: int | None = None
    limit: int = 20
    offset: int = 0
    # Validated JobFilterSet parameters (already applied to `candidates`; a remote backend
    # such as CTS translates them into its own filter language).
    filters: dict[str, Any] = dataclasses.field(default_factory=dict)
    # Canonical skill names found in the text (skills.extract_skills).
    skills: list[str] = dataclasses.field(default_factory=list)
    # A resume read as one (matching.resume.resume_read): its recent titles and years of experience.
    profile: ResumeProfile | None = None
    # The O*NET-SOC occupations the query is about (matching.occupation), the strongest first.
    occupations: tuple[QueryOccupation, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in QUERY_KINDS:
            raise ValueError(f"kind must be one of {', '.join(QUERY_KINDS)}, got {self.kind!r}")
        if self.kind == "job" and self.job_id is None:
            raise ValueError("a query of kind 'job' needs job_id")
        if self.limit < 1 or self.offset < 0:
            raise ValueError("limit must be >= 1 and offset >= 0")


@dataclasses.dataclass(slots=True)
class MatchedJob:
    """One ranked job with the explanation of its score."""

    job_id: int
    title: str
    company: str
    location: str
    remote: str
    employment_type: str
    job_level: str
    salary_min: float | None
    salary_max: float | None
    salary_currency: str
    salary_period: str
    relevance_score: float  # in [0, 1]
    matched_skills: list[str]
    missing_skills: list[str]
    # The parts the score is made of, each in [0, 1] (names depend on the backend).
    score_parts: dict[str, float]
    is_internship: bool
    redirect_url: str
    posted_at: str | None  # ISO 8601
    # Why, in words a person can check ("7 years of experience; recent role: Site Engineer").
    reasons: list[str] = dataclasses.field(default_factory=list)

    @classmethod
    def from_job(
        cls,
        job: Job,
        *,
        relevance_score: float,
        matched_skills: list[str] | None = None,
        missing_skills: list[str] | None = None,
        score_parts: dict[str, float] | None = None,
        reasons: list[str] | None = None,
    ) -> MatchedJob:
        """Build the public fields from a Job row (with `company` selected)."""
        return cls(
            job_id=job.pk,
            title=job.title,
            company=job.company.name if job.company is not None else "",
            location=job.location,
            remote=job.remote,
            employment_type=job.employment_type,
            job_level=job.job_level,
            salary_min=_number(job.salary_min),
            salary_max=_number(job.salary_max),
            salary_currency=job.salary_currency,
            salary_period=job.salary_period,
            relevance_score=round(float(relevance_score), 4),
            matched_skills=list(matched_skills or []),
            missing_skills=list(missing_skills or []),
            score_parts={k: round(float(v), 4) for k, v in (score_parts or {}).items()},
            is_internship=job.is_internship,
            redirect_url=job.apply_url,
            posted_at=_iso(job.posted_at),
            reasons=list(reasons or []),
        )


@dataclasses.dataclass(slots=True)
class MatchResponse:
    """The one response shape of every backend (and of the match endpoints)."""

    total_matches: int
    search_time_ms: float
    backend: str
    jobs: list[MatchedJob]
    cached: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "total_matches": self.total_matches,
            "search_time_ms": round(self.search_time_ms, 2),
            "backend": self.backend,
            "cached": self.cached,
            "jobs": [dataclasses.asdict(job) for job in self.jobs],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MatchResponse:
        return cls(
            total_matches=data["total_matches"],
            search_time_ms=data["search_time_ms"],
            backend=data["backend"],
            cached=data.get("cached", False),
            jobs=[MatchedJob(**job) for job in data["jobs"]],
        )


class MatchBackend(abc.ABC):
    """Ranks candidate jobs for a query. Subclasses set `name` and implement `search`."""

    name: str = ""

    @abc.abstractmethod
    def search(self, *, query: MatchQuery, candidates: QuerySet[Job]) -> MatchResponse:
        """Rank `candidates` (filtered, public jobs) for `query`.

        Must be deterministic: the same query over the same rows gives the same order and
        scores. `total_matches` counts every candidate the backend considers a match, not just
        the page returned; `jobs` holds `query.limit` jobs from `query.offset` on.
        """


def _number(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
