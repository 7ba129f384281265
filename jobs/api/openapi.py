"""The OpenAPI descriptions of the jobs API's views: summaries, parameters, responses and examples.

Each view module applies its block (`@JOB_SCHEMA class JobViewSet`), so a view reads as what it
does; the big example payloads live in jobs.api.schema.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiFilterExtension
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view

from jobs.api.schema import (
    COMPANY_EXAMPLE,
    DETAIL_EXAMPLE,
    ERROR_EXAMPLE,
    JOB_ID,
    LIST_EXAMPLE,
    SOURCES_EXAMPLE,
    STATS_EXAMPLE,
    error_responses,
    job_filter_parameters,
    page_parameters,
    response_example,
)
from jobs.api.serializers import (
    CompanySerializer,
    JobDetailSerializer,
    JobPageSerializer,
    JobStatsSerializer,
    JobStatusSerializer,
    JobWriteSerializer,
    RefreshStartedSerializer,
    SourceSerializer,
)

# A company cursor: base64 of JSON (ordering "name", the name, the id, direction, total).
COMPANY_CURSOR_EXAMPLE = "eyJvIjoibmFtZSIsImsiOiJBY21lIiwiaSI6NywiciI6ZmFsc2UsIm4iOjQyLCJlIjpmYWxzZX0"


class FilterSetBackendParameters(OpenApiFilterExtension):
    """No parameters from the filter backend itself: each list's are written out below
    (job_filter_parameters() builds the listing's from JobFilterSet, with examples), where
    django-filter's own extension would guess them and cannot read ChoiceListFilter's choices."""

    target_class = "jobs.api.filtering.FilterSetBackend"
    priority = 1

    def get_schema_operation_parameters(self, auto_schema: Any, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        return []


JOB_SCHEMA = extend_schema_view(
    list=extend_schema(
        summary="List active jobs",
        description="Active jobs (a job listed by several sources appears once), newest first, filtered, "
        "with optional facet counts. Keyset pagination: follow `next`/`previous`; pages stay stable while "
        "jobs are added.",
        parameters=[*job_filter_parameters(), *page_parameters()],
        responses={200: JobPageSerializer, **error_responses(400, 429)},
        examples=[
            OpenApiExample("A page with facets", value=LIST_EXAMPLE, response_only=True, status_codes=["200"]),
            OpenApiExample("A bad parameter", value=ERROR_EXAMPLE, response_only=True, status_codes=["400"]),
        ],
    ),
    retrieve=extend_schema(
        parameters=[JOB_ID],
        summary="One job",
        description="A job with its company, salary (period, currency, annualized, provenance), location and "
        "every source's apply URL (`sources`).",
        responses={200: JobDetailSerializer, **error_responses(404, 429)},
        examples=[response_example("A job two sources list", DETAIL_EXAMPLE)],
    ),
    create=extend_schema(
        summary="Create a job (staff)",
        request=JobWriteSerializer,
        responses={201: JobDetailSerializer, **error_responses(400, 401, 403)},
        examples=[
            OpenApiExample(
                "A hand-entered job",
                value={
                    "title": "Data Analyst",
                    "company": 7,
                    "location": "Leeds, UK",
                    "country": "GB",
                    "employment_type": "FULL_TIME",
                    "salary_min": 35000,
                    "salary_max": 42000,
                    "salary_currency": "GBP",
                    "salary_period": "year",
                    "apply_url": "https://acme.example.com/careers/analyst",
                },
                request_only=True,
            ),
            response_example("The created job", DETAIL_EXAMPLE, "201"),
        ],
    ),
    update=extend_schema(
        parameters=[JOB_ID],
        summary="Replace a job's editable fields (staff); edited fields are locked against refreshes",
        request=JobWriteSerializer,
        responses={200: JobDetailSerializer, **error_responses(400, 401, 403, 404)},
        examples=[response_example("The edited job", DETAIL_EXAMPLE)],
    ),
    partial_update=extend_schema(
        parameters=[JOB_ID],
        summary="Edit a job (staff); edited fields are locked against refreshes",
        request=JobWriteSerializer,
        responses={200: JobDetailSerializer, **error_responses(400, 401, 403, 404)},
        examples=[
            OpenApiExample("Fix a title", value={"title": "Senior Data Analyst"}, request_only=True),
            response_example("The edited job", DETAIL_EXAMPLE),
        ],
    ),
    destroy=extend_schema(
        parameters=[JOB_ID],
        summary="Delete a job (staff). Prefer hide: a deleted job comes back on the next refresh.",
        responses={204: None, **error_responses(401, 403, 404)},
    ),
    hide=extend_schema(
        parameters=[JOB_ID],
        summary="Hide a job (staff): out of the listing, and refreshes leave it hidden",
        request=None,
        responses={200: JobStatusSerializer, **error_responses(401, 403, 404)},
        examples=[response_example("Hidden", {"id": 42, "status": "hidden"})],
    ),
    expire=extend_schema(
        parameters=[JOB_ID],
        summary="Expire a job (staff): out of the listing until a refresh sees it again",
        request=None,
        responses={200: JobStatusSerializer, **error_responses(401, 403, 404)},
        examples=[response_example("Expired", {"id": 42, "status": "expired"})],
    ),
    activate=extend_schema(
        parameters=[JOB_ID],
        summary="Put a hidden or expired job back in the listing (staff)",
        request=None,
        responses={200: JobStatusSerializer, **error_responses(401, 403, 404)},
        examples=[response_example("Active again", {"id": 42, "status": "active"})],
    ),
    stats=extend_schema(
        summary="Totals by status, source, type, level, remote; top companies; new jobs per day (30 days)",
        responses={200: JobStatsSerializer, **error_responses(429)},
        examples=[response_example("Stats", STATS_EXAMPLE)],
    ),
)

SOURCE_SCHEMA = extend_schema_view(
    list=extend_schema(
        summary="Sources: job counts and their last run, last success and last error",
        responses={200: SourceSerializer(many=True), **error_responses(429)},
        examples=[response_example("Sources", SOURCES_EXAMPLE)],
    )
)

COMPANY_SCHEMA = extend_schema_view(
    list=extend_schema(
        summary="Companies (not blocked), by name, with open-job counts",
        description="Keyset pagination as /api/jobs/: follow `next`/`previous`, `page_size` sets the size. "
        "`limit`/`offset` still page the older way (that body has no `count_is_estimate`).",
        parameters=[
            OpenApiParameter(
                "q",
                str,
                description="Name contains this text.",
                examples=[OpenApiExample("q", value="acme")],
            ),
            OpenApiParameter(
                "has_jobs",
                bool,
                description="true: only companies with open jobs.",
                examples=[OpenApiExample("has_jobs", value="true")],
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": settings.API_MAX_PAGE_SIZE},
                description=f"Companies per page, 1 to {settings.API_MAX_PAGE_SIZE} "
                f"(default {settings.API_PAGE_SIZE}).",
                examples=[OpenApiExample("page_size", value=50)],
            ),
            OpenApiParameter(
                "cursor",
                str,
                description="Opaque: take it from a page's next or previous link.",
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": 100},
                description="Older paging, instead of page_size and cursor: companies per page, 1 to 100 (default 20).",
            ),
            OpenApiParameter(
                "offset",
                {"type": "integer", "minimum": 0},
                description="Older paging, with limit: companies to skip.",
            ),
        ],
        responses={200: CompanySerializer(many=True), **error_responses(400, 429)},
        examples=[response_example("A page of companies", COMPANY_EXAMPLE)],
    ),
    retrieve=extend_schema(
        summary="One company by id or slug, with its open-job count",
        parameters=[
            OpenApiParameter(
                "id",
                str,
                OpenApiParameter.PATH,
                description="The company's id or slug.",
                examples=[OpenApiExample("by slug", value="acme"), OpenApiExample("by id", value="7")],
            )
        ],
        responses={200: CompanySerializer, **error_responses(404, 429)},
        examples=[response_example("A company", COMPANY_EXAMPLE)],
    ),
)

# --- The older API's routes ---------------------------------------------------------------------

LEGACY_JOB_LIST_SCHEMA = extend_schema(
    summary="Older listing: GET /jobs?min_stipend=&internship=&remote=&limit=",
    description="Kept for older clients; new ones use /api/jobs/. `min_stipend` is a monthly amount, compared "
    "with each job's annualized salary (min_stipend x 12). `limit` is the page size (1 to 100, default 20).",
    parameters=[
        OpenApiParameter(
            "min_stipend",
            float,
            description="At least this much a month.",
            examples=[OpenApiExample("min_stipend", value=1500)],
        ),
        OpenApiParameter(
            "internship", bool, description="Only internships.", examples=[OpenApiExample("internship", value="true")]
        ),
        OpenApiParameter(
            "remote",
            str,
            description="true (remote or hybrid), false, or onsite/hybrid/remote.",
            examples=[OpenApiExample("remote", value="true")],
        ),
        OpenApiParameter(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": settings.API_MAX_PAGE_SIZE},
            description=f"Jobs per page, 1 to {settings.API_MAX_PAGE_SIZE}.",
            examples=[OpenApiExample("limit", value=20)],
        ),
        OpenApiParameter(
            "cursor",
            str,
            description="From a page's next link.",
        ),
    ],
    responses={200: JobPageSerializer, **error_responses(400, 429)},
    examples=[response_example("A page", {key: value for key, value in LIST_EXAMPLE.items() if key != "facets"})],
)

REFRESH_JOBS_SCHEMA = extend_schema(
    summary="Start the full refresh (staff): every source, then expiry; returns its SyncLog at once",
    description="Older route kept for the frontend. The refresh runs in a Celery worker; a second call while "
    "one runs returns the running one's log instead of starting another.",
    request=None,
    responses={202: RefreshStartedSerializer, **error_responses(401, 403, 429)},
    examples=[
        OpenApiExample(
            "Started",
            value={
                "sync_log_id": 118,
                "status": "running",
                "started_at": "2026-11-23T03:00:00Z",
                "already_running": False,
            },
            response_only=True,
            status_codes=["202"],
        )
    ],
)
