"""The Google Cloud Talent Solution engine: search_jobs over the jobs the CTS sync sent.

The text becomes a CTS query of its skills and its most informative words (CTS caps a query
at 255 characters); the request's filters become CTS's own (location, telecommute,
employment types, annualized compensation, custom attributes, publish time). Hits come back
as CTS resource names and are mapped to our jobs through `candidates`, so every local filter
still holds and hits with no local job are dropped. The explanation is ours: the resume's
skills found in each job.

When CTS is not configured or fails (after a short retry: a person is waiting), the local
engine answers instead, and the response's `backend` says "local".
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from google.cloud import talent_v4
from google.type import latlng_pb2, money_pb2

from clients.cts import CtsClient, CtsConfig, cts_config
from clients.errors import PermanentError, TransientError
from clients.retry import backoff_wait
from jobs.choices import Remote
from jobs.filters import DEFAULT_RADIUS_KM, KM_PER_MILE
from jobs.models import SEARCH_CONFIG, Company, Job
from jobs.rules import currency_of_country
from matching import selectors
from matching.backends import get_backend
from matching.backends.base import MatchBackend, MatchedJob, MatchQuery, MatchResponse
from matching.backends.local import _skill_coverage, query_terms
from skills.extract import extract_skills, job_skill_split

logger = logging.getLogger(__name__)

QUERY_LIMIT = 255  # characters CTS accepts in JobQuery.query
PAGE_LIMIT = 100  # CTS's largest max_page_size
FALLBACK = "local"
DEFAULT_SALARY_CURRENCY = "USD"
# A person waits for the answer: two quick attempts, then the local engine.
SEARCH_ATTEMPTS = 2
SEARCH_TIMEOUT = 10.0
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#.]*[A-Za-z0-9+#]|[A-Za-z]")

# Who is searching, for CTS's request_metadata: set by the caller that knows (the API view,
# through cts_request_identity()); otherwise a hash of the text stands in for both ids.
_identity: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("cts_identity", default=None)


@contextmanager
def cts_request_identity(*, session_id: str, user_id: str) -> Iterator[None]:
    """Searches inside this block tell CTS this session and user (ids hashed: no personal data)."""
    token = _identity.set((_hashed(session_id), _hashed(user_id)))
    try:
        yield
    finally:
        _identity.reset(token)


def _hashed(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


class CtsBackend(MatchBackend):
    name = "cts"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._client: CtsClient | None = None

    def search(self, *, query: MatchQuery, candidates: QuerySet[Job]) -> MatchResponse:
        started = time.perf_counter()
        config = cts_config()
        if config is None:  # cts_config() has said so once; no warning per request
            return self._fallback(query, candidates, reason="")
        request = cts_search_request(query=query)
        try:
            response = self._get_client(config).jobs_search(request)
        except (TransientError, PermanentError) as exc:
            return self._fallback(query, candidates, reason=str(exc))
        names = [hit.job.name for hit in response.matching_jobs if hit.job.name]
        jobs = {job.cts_name: job for job in candidates.filter(cts_name__in=names).select_related("company")}
        query_skills = list(query.skills) or extract_skills(query.text)
        total = max(int(response.total_size), len(names))
        page: list[MatchedJob] = []
        for position, name in enumerate(names):
            job = jobs.get(name)
            if job is None:  # not (or no longer) a public job matching the filters here
                continue
            required, mentioned = job_skill_split(description=job.description, title=job.title, known=job.skills)
            coverage, matched, missing = _skill_coverage(query_skills, required, mentioned)
            # CTS ranks but gives no score: the score is the rank, scaled to (0, 1].
            rank = 1.0 - (query.offset + position) / max(total, 1)
            page.append(
                MatchedJob.from_job(
                    job,
                    relevance_score=rank,
                    matched_skills=matched,
                    missing_skills=missing,
                    score_parts={"rank": rank, "skills": coverage},
                )
            )
        dropped = len(names) - len(page)
        return MatchResponse(
            total_matches=max(total - dropped, query.offset + len(page)),
            search_time_ms=(time.perf_counter() - started) * 1000,
            backend=self.name,
            jobs=page,
        )

    def _get_client(self, config: CtsConfig) -> CtsClient:
        # One client (one channel) per process, rebuilt if the configuration changes.
        with self._lock:
            if self._client is None or self._client.config != config:
                if self._client is not None:
                    self._client.close()
                self._client = CtsClient(
                    config,
                    attempts=SEARCH_ATTEMPTS,
                    wait=backoff_wait(first=0.2, maximum=1),
                    timeout=SEARCH_TIMEOUT,
                )
            return self._client

    @staticmethod
    def _fallback(query: MatchQuery, candidates: QuerySet[Job], *, reason: str) -> MatchResponse:
        if reason:
            logger.warning("CTS search failed (%s): the %s engine answers", reason, FALLBACK)
        response = get_backend(FALLBACK).search(query=query, candidates=candidates)
        response.backend = FALLBACK
        return response


# --- the request -------------------------------------------------------------------------------


def cts_search_request(*, query: MatchQuery) -> talent_v4.SearchJobsRequest:
    """The SearchJobsRequest for a match query (parent left for the client to set)."""
    filters = query.filters
    identity = _identity.get() or (_hashed(query.text),) * 2
    job_query = talent_v4.JobQuery(query=cts_query_text(query), query_language_code="en")
    job_query.location_filters = _location_filters(filters)
    if filters.get("employment_type"):
        job_query.employment_types = [talent_v4.EmploymentType[value] for value in filters["employment_type"]]
    compensation = _compensation_filter(filters)
    if compensation is not None:
        job_query.compensation_filter = compensation
    job_query.custom_attribute_filter = _custom_attribute_filter(filters)
    posted_since = _posted_since(filters)
    if posted_since is not None:
        job_query.publish_time_range = talent_v4.TimestampRange(start_time=posted_since)
    if filters.get("company"):
        job_query.companies = _company_names(filters["company"])
    if query.kind == "job" and query.job_id is not None:
        own = Job.objects.filter(pk=query.job_id).values_list("cts_name", flat=True).first()
        if own:
            job_query.excluded_jobs = [own]
    return talent_v4.SearchJobsRequest(
        search_mode=talent_v4.SearchJobsRequest.SearchMode.JOB_SEARCH,
        request_metadata=talent_v4.RequestMetadata(domain="gigm8", session_id=identity[0], user_id=identity[1]),
        job_query=job_query,
        job_view=talent_v4.JobView.JOB_VIEW_SMALL,
        offset=query.offset,
        max_page_size=min(query.limit, PAGE_LIMIT),
    )


def cts_query_text(query: MatchQuery) -> str:
    """The query's skills, then its most informative words, within CTS's 255 characters.

    Words are ranked as the local engine ranks its full-text terms (tf x idf over our jobs)
    but sent as written, since CTS does its own language processing.
    """
    parts: list[str] = []
    seen: set[str] = set()
    extra = [str(query.filters[name]) for name in ("q", "title") if query.filters.get(name)]
    skills = list(query.skills) or extract_skills(query.text)
    for term in [*extra, *skills, *_strongest_words(query.text)]:
        if term.lower() in seen:
            continue
        candidate = " ".join([*parts, term])
        if len(candidate) > QUERY_LIMIT:
            continue
        parts.append(term)
        seen.add(term.lower())
    return " ".join(parts)


def _strongest_words(text: str) -> list[str]:
    lexemes = selectors.text_lexemes(text)
    if not lexemes:
        return []
    ranked = query_terms(lexemes, selectors.corpus_stats(lexemes=lexemes))
    words = sorted({match.group(0) for match in _WORD.finditer(text)}, key=str.lower)
    if not words:
        return []
    # Each word's lexeme under the same configuration, in one query: lexeme -> the word as written.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w, array_to_string(tsvector_to_array(to_tsvector(%s::regconfig, w)), ' ') "
            "FROM unnest(%s::text[]) w",
            [SEARCH_CONFIG, words],
        )
        written: dict[str, str] = {}
        for word, lexeme in cursor.fetchall():
            if lexeme and " " not in lexeme:
                written.setdefault(lexeme, word.lower() if not word.isupper() else word)
    return [written[lexeme] for lexeme in ranked if lexeme in written]


def _location_filters(filters: dict[str, Any]) -> list[talent_v4.LocationFilter]:
    remote = set(filters.get("remote") or [])
    if remote and Remote.REMOTE in remote:
        telecommute = talent_v4.LocationFilter.TelecommutePreference.TELECOMMUTE_ALLOWED
    elif remote:
        telecommute = talent_v4.LocationFilter.TelecommutePreference.TELECOMMUTE_JOBS_EXCLUDED
    else:
        telecommute = talent_v4.LocationFilter.TelecommutePreference.TELECOMMUTE_PREFERENCE_UNSPECIFIED
    located: list[talent_v4.LocationFilter] = []
    if filters.get("near"):
        lat, lng = filters["near"]
        if filters.get("radius_mi") is not None:
            miles = float(filters["radius_mi"])
        elif filters.get("radius_km") is not None:
            miles = float(filters["radius_km"]) / KM_PER_MILE
        else:
            miles = DEFAULT_RADIUS_KM / KM_PER_MILE
        located.append(
            talent_v4.LocationFilter(
                lat_lng=latlng_pb2.LatLng(latitude=float(lat), longitude=float(lng)), distance_in_miles=miles
            )
        )
    if filters.get("location"):
        located.append(talent_v4.LocationFilter(address=str(filters["location"])))
    for country in filters.get("country") or []:
        located.append(talent_v4.LocationFilter(region_code=country))
    if not located and telecommute == talent_v4.LocationFilter.TelecommutePreference.TELECOMMUTE_ALLOWED:
        located.append(talent_v4.LocationFilter())
    for location in located:
        location.telecommute_preference = telecommute
    return located


def _money(amount: Decimal, currency: str) -> money_pb2.Money:
    units = int(amount)
    return money_pb2.Money(currency_code=currency, units=units, nanos=int((amount - units) * 1_000_000_000))


def _compensation_filter(filters: dict[str, Any]) -> talent_v4.CompensationFilter | None:
    low, high = filters.get("salary_min"), filters.get("salary_max")
    if low is None and high is None:
        return None
    countries = filters.get("country") or []
    currency = (currency_of_country(countries[0]) if len(countries) == 1 else "") or DEFAULT_SALARY_CURRENCY
    salary_range = talent_v4.CompensationInfo.CompensationRange()
    if low is not None:
        salary_range.min_compensation = _money(Decimal(low), currency)
    if high is not None:
        salary_range.max_compensation = _money(Decimal(high), currency)
    return talent_v4.CompensationFilter(
        type_=talent_v4.CompensationFilter.FilterType.ANNUALIZED_BASE_AMOUNT,
        range_=salary_range,
        include_jobs_with_unspecified_compensation_range=bool(filters.get("include_unknown_salary")),
    )


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _custom_attribute_filter(filters: dict[str, Any]) -> str:
    """CTS's filter expression over the attributes the sync sets (remote, internship, source)."""
    clauses = []
    if filters.get("internship") is not None:
        clauses.append(f"internship = {_quoted('true' if filters['internship'] else 'false')}")
    for key in ("remote", "source"):
        values = sorted(set(filters.get(key) or []))
        if values:
            clauses.append("(" + " OR ".join(f"{key} = {_quoted(value)}" for value in values) + ")")
    return " AND ".join(clauses)


def _posted_since(filters: dict[str, Any]) -> datetime | None:
    since = []
    if filters.get("posted_within_days"):
        since.append(timezone.now() - timedelta(days=int(filters["posted_within_days"])))
    if filters.get("posted_after"):
        since.append(filters["posted_after"])
    return max(since).astimezone(UTC) if since else None


def _company_names(values: list[int | str]) -> list[str]:
    ids = [value for value in values if isinstance(value, int)]
    slugs = [value for value in values if isinstance(value, str)]
    names = Company.objects.filter(Q(pk__in=ids) | Q(slug__in=slugs)).exclude(cts_name="").values_list("cts_name")
    return sorted(name for (name,) in names)
