"""OpenAPI descriptions of the listing's query parameters, built from JobFilterSet itself.

The filter set is the one source: each parameter's description is its filter's label, its
enum the filter's choices; only the examples are written here.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import permissions

from jobs.api.permissions import StaffModelPermissions
from jobs.api.serializers import ErrorSerializer
from jobs.filters import (
    ORDERINGS,
    ChoiceListFilter,
    CompanyListFilter,
    CountryListFilter,
    JobFilterSet,
    NearFilter,
    OccupationGroupListFilter,
    OccupationListFilter,
    PostedAfterFilter,
    StrictBooleanFilter,
    TokenListFilter,
)
from jobs.selectors import FACETS

# What a cursor looks like (base64 of JSON: ordering, key, id, direction).
CURSOR_EXAMPLE = "eyJvIjoiLXBvc3RlZF9hdCIsImsiOiIyMDI2LTExLTIwVDA5OjAwOjAwKzAwOjAwIiwiaSI6NDIsInIiOmZhbHNlfQ"
# One example per parameter, all of them together a request an anonymous caller can send:
# Swagger UI's "Try it out" fills every field with its example. So none for radius_mi (radius_km
# has one: both together are a 400), status (staff only) or cursor (only a page's links hold one).
EXAMPLES: dict[str, Any] = {
    "q": '"machine learning" python -senior',
    "title": "engineer",
    "company": "acme,42",
    "location": "London",
    "near": "51.5074,-0.1278",
    "radius_km": 25,
    "country": "GB,IE",
    "remote": "remote,hybrid",
    "internship": "true",
    "employment_type": "FULL_TIME,CONTRACTOR",
    "job_level": "ENTRY_LEVEL",
    "occupation": "15-1252.00,15-1253.00",
    "occupation_group": "15",
    "salary_min": 80000,
    "salary_max": 120000,
    "include_unknown_salary": "true",
    "salary_currency": "GBP",
    "hide_predicted_salary": "true",
    "source": "adzuna,greenhouse",
    "category": "IT Jobs",
    "posted_within_days": 7,
    "posted_after": "2026-11-01",
    "posted_unknown": "false",
    "featured": "true",
    "ordering": "-salary",
}


def _schema(name: str, filter_: Any) -> tuple[Any, list[str] | None, bool]:
    """(type, enum, many) of one filter."""
    many_free = (CountryListFilter, TokenListFilter, CompanyListFilter, OccupationListFilter, OccupationGroupListFilter)
    if isinstance(filter_, many_free):
        return OpenApiTypes.STR, None, True
    if isinstance(filter_, ChoiceListFilter):
        extra = filter_.extra
        return OpenApiTypes.STR, [*extra["choices"], *extra.get("aliases", {})], True
    if isinstance(filter_, StrictBooleanFilter):
        return OpenApiTypes.BOOL, None, False
    if isinstance(filter_, NearFilter):
        return OpenApiTypes.STR, None, False
    if isinstance(filter_, PostedAfterFilter):
        return OpenApiTypes.DATETIME, None, False
    if name == "ordering":
        return OpenApiTypes.STR, list(ORDERINGS), False
    if name in ("q", "title", "location", "category"):
        return OpenApiTypes.STR, None, False
    if name == "posted_within_days":
        return OpenApiTypes.INT, None, False
    return OpenApiTypes.NUMBER, None, False


def job_filter_parameters(*, include_staff: bool = True) -> list[OpenApiParameter]:
    parameters = []
    for name, filter_ in JobFilterSet.base_filters.items():
        if name == "status" and not include_staff:
            continue
        kind, enum, many = _schema(name, filter_)
        description = str(filter_.label)
        example = EXAMPLES.get(name)
        if many:
            description += " Repeat the parameter or separate values with commas."
            items: dict[str, Any] = {"type": "string", **({"enum": enum} if enum else {})}
            kind, enum = {"type": "array", "items": items}, None
            example = example.split(",") if example is not None else None
        parameters.append(
            OpenApiParameter(
                name,
                kind,
                OpenApiParameter.QUERY,
                description=description,
                enum=enum,
                explode=True if many else None,
                examples=[OpenApiExample(name, value=example)] if example is not None else None,
            )
        )
    return parameters


def page_parameters() -> list[OpenApiParameter]:
    return [
        OpenApiParameter(
            "cursor",
            OpenApiTypes.STR,
            OpenApiParameter.QUERY,
            description="Opaque: take it from a page's next or previous link.",
        ),
        OpenApiParameter(
            "page_size",
            {"type": "integer", "minimum": 1, "maximum": 100},
            OpenApiParameter.QUERY,
            description="Jobs per page, 1 to 100 (default 20).",
            examples=[OpenApiExample("page_size", value=50)],
        ),
        OpenApiParameter(
            "facets",
            OpenApiTypes.STR,
            OpenApiParameter.QUERY,
            description="Counts to add to the page, each under the current filters except its own: "
            + ", ".join(FACETS)
            + ". Comma-separated.",
            examples=[OpenApiExample("facets", value="remote,employment_type")],
        ),
    ]


# --- Responses: the error shape and examples of each answer ---------------------------------


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    descriptions = {
        400: "A bad parameter or body field: error.fields names it.",
        401: "Not signed in (token or session).",
        403: "Signed in, but not staff, or without the model permission the admin asks for the same change.",
        404: "No such object (or not public).",
        429: "Too many requests: retry after the Retry-After header's seconds.",
    }
    examples = {
        400: ("invalid", "near: expected near=lat,lng in decimal degrees (e.g. 51.5074,-0.1278), got 'london'."),
        401: ("not_authenticated", "Authentication credentials were not provided."),
        403: ("permission_denied", "You need the jobs.delete_job permission to do this (the admin asks for the same)."),
        404: ("not_found", "No Job matches the given query."),
        429: ("throttled", "Request was throttled. Expected available in 41 seconds."),
    }

    def example(code: int) -> OpenApiExample:
        error_code, message = examples[code]
        fields = {"near": [message.removeprefix("near: ")]} if code == 400 else {}
        body = {"error": {"code": error_code, "message": message, "fields": fields}}
        return OpenApiExample(error_code, value=body, response_only=True, status_codes=[str(code)])

    return {
        code: OpenApiResponse(ErrorSerializer, description=descriptions[code], examples=[example(code)])
        for code in codes
    }


LIST_EXAMPLE: dict[str, Any] = {
    "count": 128,
    "count_is_estimate": False,
    "next": "http://127.0.0.1:8000/api/jobs/?remote=remote&cursor=eyJvIjoiLXBvc3RlZF9hdCIsImsiOi...",
    "previous": None,
    "results": [
        {
            "id": 42,
            "title": "Senior Python Engineer",
            "company": {"id": 7, "name": "Acme", "slug": "acme"},
            "location": {
                "text": "London, UK",
                "city": "London",
                "region": "",
                "country": "GB",
                "latitude": 51.5074,
                "longitude": -0.1278,
                "precision": "city",
            },
            "remote": "hybrid",
            "employment_type": "FULL_TIME",
            "job_level": "EXPERIENCED",
            "occupation": {
                "code": "15-1252.00",
                "title": "Software Developers",
                "major_group": "15-0000",
                "confidence": 0.97,
            },
            "is_internship": False,
            "salary": {
                "min": 70000,
                "max": 90000,
                "currency": "GBP",
                "period": "year",
                "annual_min": 70000,
                "annual_max": 90000,
                "is_predicted": False,
                "provenance": "structured",
            },
            "category": "IT Jobs",
            "skills": ["python", "django", "postgresql"],
            "apply_url": "https://boards.example.com/acme/jobs/42",
            "source": "greenhouse",
            "posted_at": "2026-11-20T09:00:00Z",
            "is_featured": False,
        }
    ],
    "facets": {
        "remote": [
            {"value": "onsite", "label": "On site", "count": 120, "count_is_estimate": False},
            {"value": "hybrid", "label": "Hybrid", "count": 45, "count_is_estimate": False},
            {"value": "remote", "label": "Remote", "count": 30, "count_is_estimate": False},
        ]
    },
}
DETAIL_EXAMPLE = {
    **LIST_EXAMPLE["results"][0],
    "description": "We build the data platform behind ...",
    "description_html": "<p>We build the data platform behind ...</p>",
    "status": "active",
    "external_id": "4021337",
    "first_seen_at": "2026-11-20T09:05:00Z",
    "last_seen_at": "2026-11-22T03:01:00Z",
    "expires_at": None,
    "locked_fields": ["title"],
    "sources": [
        {
            "id": 42,
            "source": "greenhouse",
            "external_id": "4021337",
            "apply_url": "https://boards.example.com/acme/jobs/42",
            "posted_at": "2026-11-20T09:00:00Z",
            "last_seen_at": "2026-11-22T03:01:00Z",
        },
        {
            "id": 977,
            "source": "adzuna",
            "external_id": "5120044821",
            "apply_url": "https://www.adzuna.co.uk/jobs/land/ad/5120044821",
            "posted_at": "2026-11-20T11:30:00Z",
            "last_seen_at": "2026-11-22T03:02:00Z",
        },
    ],
}
STATS_EXAMPLE = {
    "total": 15234,
    "by_status": {"active": 15234, "expired": 4120, "hidden": 12},
    "by_source": {"adzuna": 9100, "greenhouse": 3900, "lever": 2234},
    "by_employment_type": {"FULL_TIME": 11020, "CONTRACTOR": 2100, "": 2114},
    "by_job_level": {"EXPERIENCED": 7000, "": 5234, "ENTRY_LEVEL": 3000},
    "by_remote": {"onsite": 9000, "hybrid": 4000, "remote": 2234},
    "top_companies": [{"id": 7, "name": "Acme", "slug": "acme", "count": 310}],
    "new_per_day": [{"date": "2026-11-22", "count": 412}],
}
SOURCES_EXAMPLE = [
    {
        "source": "adzuna",
        "jobs": 13220,
        "active_jobs": 9100,
        "last_seen_at": "2026-11-22T03:02:00Z",
        "last_run": {
            "id": 118,
            "kind": "source",
            "status": "partial",
            "triggered_by": "schedule",
            "started_at": "2026-11-22T03:00:00Z",
            "finished_at": "2026-11-22T03:09:41Z",
            "fetched": 5000,
            "created": 412,
            "updated": 4500,
            "expired": 0,
            "errors": 2,
        },
        "last_success_at": "2026-11-21T03:08:55Z",
        "last_error": {
            "sync_log_id": 118,
            "at": "2026-11-22T03:09:41Z",
            "message": "",
            "sample": ["page 37: HTTP 503 after 3 attempts"],
        },
    }
]
COMPANY_EXAMPLE = {
    "id": 7,
    "name": "Acme",
    "slug": "acme",
    "website": "https://acme.example.com",
    "careers_url": "https://acme.example.com/careers",
    "ats_kind": "greenhouse",
    "open_jobs": 310,
}


def response_example(name: str, value: Any, status: str = "200") -> OpenApiExample:
    return OpenApiExample(name, value=value, response_only=True, status_codes=[status])


JOB_ID = OpenApiParameter(
    "id", int, OpenApiParameter.PATH, description="The job's id.", examples=[OpenApiExample("id", value=42)]
)
ERROR_EXAMPLE = {
    "error": {
        "code": "invalid",
        "message": "remote: 'moon' is not one of onsite, hybrid, remote, true, false.",
        "fields": {"remote": ["'moon' is not one of onsite, hybrid, remote, true, false."]},
    }
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, with anonymous operations declared as needing no security at all.

    An operation anyone may call (StaffModelPermissions on a read; AllowAny, as the match
    endpoints) lists no security requirement: client generators (openapi-python-client) read any
    requirement, even the optional `{}`, as "credentials required" and demand them for public reads.
    Staff still send their token there for staff-only parameters; the descriptions say so.
    """

    def get_auth(self) -> list[dict[str, Any]]:
        auths = super().get_auth()
        permissions_ = self.view.get_permissions()
        public_read = self.method in permissions.SAFE_METHODS and any(
            isinstance(permission, StaffModelPermissions) for permission in permissions_
        )
        anyone = all(isinstance(permission, permissions.AllowAny) for permission in permissions_)
        if public_read or anyone or {} in auths:
            return []
        return auths
