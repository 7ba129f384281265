"""Keyset ("cursor") pagination over any JobFilterSet ordering.

Every ordering sorts by a key that is never NULL (jobs.filters.ORDERINGS) and then by id, so
the pair (key, id) is unique and a page starts strictly after the previous page's last pair:
`key <= k AND (key < k OR id < i)` (mirrored for ascending sorts and for the previous page).
Rows added or removed elsewhere never shift a page, and deep pages cost what the first does
when an index serves the key (the newest-first listing: jobs.models job_public_posted_idx).

Relevance and distance are keys computed per row, so their pages are stable too but each one
computes them again: distance for every match, relevance for the bounded set of matches it
ranks (jobs.filters.search_candidates), whose pages end when that set does. The cursor is
opaque to clients: base64 of JSON holding the ordering,
the key, the id, the direction and the total the first page counted (so later pages repeat
it instead of counting again, and a walk through the pages shows one total).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q, QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination, LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

from gigm8.counts import count_rows
from jobs.filters import ORDERINGS, Ordering
from jobs.selectors import FACETS, job_facets

CURSOR_PARAM = "cursor"
PAGE_SIZE_PARAM = "page_size"
FACETS_PARAM = "facets"


def page_size_from(request: Request, *, param: str = PAGE_SIZE_PARAM) -> int:
    raw = request.query_params.get(param)
    if raw is None or raw == "":
        return settings.API_PAGE_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= settings.API_MAX_PAGE_SIZE:
        raise ValidationError(
            {param: [f"expected a whole number from 1 to {settings.API_MAX_PAGE_SIZE}, got '{raw}'."]}
        )
    return int(raw)


def parse_facets(request: Request) -> list[str]:
    """The facet names asked for (?facets=a,b or repeated), in order, without repeats."""
    names = [part.strip() for value in request.query_params.getlist(FACETS_PARAM) for part in value.split(",")]
    names = list(dict.fromkeys(name for name in names if name))
    unknown = [name for name in names if name not in FACETS]
    if unknown:
        raise ValidationError({FACETS_PARAM: [f"'{unknown[0]}' is not one of {', '.join(FACETS)}."]})
    return names


def _encode_key(value: Any) -> str | float:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal | str):
        return str(value)
    return float(value)


def _decode_key(kind: str, value: Any) -> Any:
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "decimal":
        return Decimal(value)
    if kind == "str":
        if not isinstance(value, str):
            raise ValueError(value)
        return value
    return float(value)


def encode_cursor(*, ordering: Ordering, key: Any, pk: int, reverse: bool, total: tuple[int, bool]) -> str:
    payload = {"o": ordering.name, "k": _encode_key(key), "i": pk, "r": reverse, "n": total[0], "e": total[1]}
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(raw: str, *, ordering: Ordering) -> tuple[Any, int, bool, tuple[int, bool]]:
    """(key, id, reverse, (total, total_is_estimate)) of a cursor this module made."""
    invalid = ValidationError({CURSOR_PARAM: ["invalid cursor: use the next or previous link of a page as given."]})
    try:
        payload = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        name, key, pk, reverse = payload["o"], payload["k"], int(payload["i"]), bool(payload["r"])
        total = (int(payload["n"]), bool(payload["e"]))
        # The jobs' orderings, and this list's own (companies: by name).
        kinds = {**{known.name: known.kind for known in ORDERINGS.values()}, ordering.name: ordering.kind}
        key = _decode_key(kinds[name], key)
    except (ValueError, KeyError, TypeError, InvalidOperation, binascii.Error):
        raise invalid from None
    if name != ordering.name:
        raise ValidationError(
            {CURSOR_PARAM: [f"this cursor belongs to ordering={name}, not ordering={ordering.name}."]}
        )
    return key, pk, reverse, total


def _after(key: Any, pk: int, *, descending: bool) -> Q:
    """Rows strictly after (key, pk) in the sort; `key <= k` alone is what an index range scan uses."""
    if descending:
        return Q(sort_key__lte=key) & (Q(sort_key__lt=key) | Q(id__lt=pk))
    return Q(sort_key__gte=key) & (Q(sort_key__gt=key) | Q(id__gt=pk))


class KeysetPage:
    """One page: its rows, the cursors to the pages on either side (None at an end), and the
    total of matching rows with whether it is an estimate."""

    def __init__(
        self, rows: Sequence[Any], next_cursor: str | None, previous_cursor: str | None, total: tuple[int, bool]
    ) -> None:
        self.rows = list(rows)
        self.next_cursor = next_cursor
        self.previous_cursor = previous_cursor
        self.count, self.count_is_estimate = total

    def link(self, request: Request, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        params = request.query_params.copy()
        params[CURSOR_PARAM] = cursor
        return request.build_absolute_uri(f"{request.path}?{urlencode(params, doseq=True)}")


def paginate_keyset(
    *, queryset: QuerySet, ordering: Ordering, size: int, cursor: str | None, counted: QuerySet | None = None
) -> KeysetPage:
    """The page of `queryset` (annotated with sort_key and ordered by it and id) that `cursor` points at.

    The first page counts the matches (gigm8.counts: exact when cheap, else an estimate) of
    `counted` (default: `queryset`; a keyword search by relevance pages through a bounded set of
    its matches and counts them all); the cursors carry that total to the pages after it.
    """
    if not cursor:
        total = count_rows(counted if counted is not None else queryset)
        rows = list(queryset[: size + 1])
        more_after, more_before, reverse = len(rows) > size, False, False
        rows = rows[:size]
    else:
        key, pk, reverse, total = decode_cursor(cursor, ordering=ordering)
        descending = ordering.descending != reverse  # walking backwards flips the comparison and the sort
        page = queryset.filter(_after(key, pk, descending=descending))
        if reverse:
            page = page.reverse()
        rows = list(page[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        if reverse:
            rows.reverse()
            more_after, more_before = True, more
        else:
            more_after, more_before = more, True

    def cursor_at(row: Any, *, backwards: bool) -> str:
        return encode_cursor(ordering=ordering, key=row.sort_key, pk=row.pk, reverse=backwards, total=total)

    next_cursor = cursor_at(rows[-1], backwards=False) if rows and more_after else None
    previous_cursor = cursor_at(rows[0], backwards=True) if rows and more_before else None
    return KeysetPage(rows, next_cursor, previous_cursor, total)


class KeysetPagination(BasePagination):
    """Keyset pages of a filter set's results, with job facet counts when ?facets= asks.

    The body: count, count_is_estimate, next, previous, results (and facets). The filter set
    comes from the view (`view.filterset`, kept there by jobs.api.filtering.FilterSetBackend):
    its `sort` is the keyset's ordering (JobFilterSet's, or companies' by name), and a
    JobFilterSet's per-facet querysets are what the facets count.
    """

    page_size_query_param = PAGE_SIZE_PARAM
    facets = True  # the older /jobs takes no facets

    @property
    def query_params(self) -> frozenset[str]:
        """The parameters this class reads (besides the filters): known to check_known_params."""
        return frozenset({CURSOR_PARAM, self.page_size_query_param, *([FACETS_PARAM] if self.facets else [])})

    def paginate_queryset(self, queryset: QuerySet, request: Request, view: Any = None) -> list[Any]:
        size = page_size_from(request, param=self.page_size_query_param)
        names = parse_facets(request) if self.facets else []
        filterset = view.filterset
        self.request = request
        self.page = paginate_keyset(
            queryset=queryset,
            ordering=filterset.sort,
            size=size,
            cursor=request.query_params.get(CURSOR_PARAM),
            counted=getattr(filterset, "counted", None),
        )
        self.facet_counts = job_facets(names=names, queryset_for=filterset.queryset_for_facet) if names else None
        return self.page.rows

    def get_paginated_response(self, data: Any) -> Response:
        page, request = self.page, self.request
        body: dict[str, Any] = {
            "count": page.count,
            "count_is_estimate": page.count_is_estimate,
            "next": page.link(request, page.next_cursor),
            "previous": page.link(request, page.previous_cursor),
            "results": data,
        }
        if self.facet_counts is not None:
            body["facets"] = self.facet_counts
        return Response(body)


class LegacyKeysetPagination(KeysetPagination):
    """The older /jobs: the page size is `limit`, and no facets."""

    page_size_query_param = "limit"
    facets = False


class OffsetPagination(LimitOffsetPagination):
    """limit and offset as the schema says (whole numbers, limit 1 to 100): anything else is a 400.

    DRF's falls back to its defaults on `offset=null` or `limit=-5`, so a client's bug goes unseen.
    """

    default_limit = 20
    max_limit = 100

    def _whole(self, request: Request, name: str, *, default: int, low: int, high: int | None) -> int:
        raw = request.query_params.get(name)
        if raw is None:
            return default
        if not raw.isdigit() or not low <= int(raw) <= (high if high is not None else int(raw)):
            bounds = f"from {low} to {high}" if high is not None else f"{low} or more"
            raise ValidationError({name: [f"expected a whole number {bounds}, got '{raw[:40]}'."]})
        return int(raw)

    def get_limit(self, request: Request) -> int:
        return self._whole(request, self.limit_query_param, default=self.default_limit, low=1, high=self.max_limit)

    def get_offset(self, request: Request) -> int:
        return self._whole(request, self.offset_query_param, default=0, low=0, high=None)


class CompanyPagination(KeysetPagination):
    """Keyset pages (page_size, cursor) like every list, in the filter set's order (name, then id).

    Callers written before keep limit and offset: given either, the page is the old one, whose
    body has no count_is_estimate and whose next/previous links carry limit and offset.
    """

    facets = False
    OFFSET_PARAMS = frozenset({"limit", "offset"})

    @property
    def query_params(self) -> frozenset[str]:
        return super().query_params | self.OFFSET_PARAMS

    def paginate_queryset(self, queryset: QuerySet, request: Request, view: Any = None) -> list[Any]:
        given = set(request.query_params)
        self.offset: OffsetPagination | None = None
        if given & self.OFFSET_PARAMS:
            if mixed := sorted(given & {CURSOR_PARAM, self.page_size_query_param}):
                raise ValidationError({mixed[0]: ["give page_size and cursor, or limit and offset, not both."]})
            self.offset = OffsetPagination()
            return list(self.offset.paginate_queryset(queryset, request, view) or [])
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        if self.offset is not None:
            return self.offset.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["count", "results"],
            "properties": {
                "count": {"type": "integer", "example": 42},
                "count_is_estimate": {
                    "type": "boolean",
                    "description": "True when count is an estimate (keyset pages only; absent with limit/offset).",
                    "example": False,
                },
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "example": "https://gigm8.example.com/api/companies/?cursor=eyJvIjoibmFtZSIsImsiOiJBY21lIiwiaSI6NywiciI6ZmFsc2UsIm4iOjQyLCJlIjpmYWxzZX0",
                },
                "previous": {"type": "string", "nullable": True, "format": "uri", "example": None},
                "results": schema,
            },
        }
