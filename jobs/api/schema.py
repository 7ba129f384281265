"""OpenAPI descriptions of the listing's query parameters, built from JobFilterSet itself.

The filter set is the one source: each parameter's description is its filter's label, its
enum the filter's choices; only the examples are written here.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter

from jobs.filters import (
    ORDERINGS,
    ChoiceListFilter,
    CompanyListFilter,
    CountryListFilter,
    JobFilterSet,
    NearFilter,
    PostedAfterFilter,
    StrictBooleanFilter,
    TokenListFilter,
)
from jobs.selectors import FACETS

# What a cursor looks like (base64 of JSON: ordering, key, id, direction).
CURSOR_EXAMPLE = "eyJvIjoiLXBvc3RlZF9hdCIsImsiOiIyMDI2LTExLTIwVDA5OjAwOjAwKzAwOjAwIiwiaSI6NDIsInIiOmZhbHNlfQ"
EXAMPLES: dict[str, Any] = {
    "q": '"machine learning" python -senior',
    "title": "engineer",
    "company": "acme,42",
    "location": "London",
    "near": "51.5074,-0.1278",
    "radius_km": 25,
    "radius_mi": 15,
    "country": "GB,IE",
    "remote": "remote,hybrid",
    "internship": "true",
    "employment_type": "FULL_TIME,CONTRACTOR",
    "job_level": "ENTRY_LEVEL",
    "salary_min": 80000,
    "salary_max": 120000,
    "include_unknown_salary": "true",
    "hide_predicted_salary": "true",
    "source": "adzuna,greenhouse",
    "category": "IT Jobs",
    "posted_within_days": 7,
    "posted_after": "2026-11-01",
    "featured": "true",
    "status": "hidden",
    "ordering": "-salary",
}


def _schema(name: str, filter_: Any) -> tuple[Any, list[str] | None, bool]:
    """(type, enum, many) of one filter."""
    if isinstance(filter_, CountryListFilter | TokenListFilter | CompanyListFilter):
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
            example = example.split(",")
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
            examples=[OpenApiExample("cursor", value=CURSOR_EXAMPLE)],
        ),
        OpenApiParameter(
            "page_size",
            OpenApiTypes.INT,
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
