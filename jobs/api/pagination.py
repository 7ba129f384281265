"""Keyset ("cursor") pagination over any JobFilterSet ordering.

Every ordering sorts by a key that is never NULL (jobs.filters.ORDERINGS) and then by id, so
the pair (key, id) is unique and a page starts strictly after the previous page's last pair:
`key <= k AND (key < k OR id < i)` (mirrored for ascending sorts and for the previous page).
Rows added or removed elsewhere never shift a page, and deep pages cost what the first does
when an index serves the key (the newest-first listing: jobs.models job_public_posted_idx).

Relevance and distance are keys computed per row, so their pages are stable too but each one
ranks every match again. The cursor is opaque to clients: base64 of JSON holding the ordering,
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
from rest_framework.request import Request

from gigm8.counts import count_rows
from jobs.filters import ORDERINGS, Ordering

CURSOR_PARAM = "cursor"
PAGE_SIZE_PARAM = "page_size"


def page_size_from(request: Request, *, param: str = PAGE_SIZE_PARAM) -> int:
    raw = request.query_params.get(param)
    if raw is None or raw == "":
        return settings.API_PAGE_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= settings.API_MAX_PAGE_SIZE:
        raise ValidationError(
            {param: [f"expected a whole number from 1 to {settings.API_MAX_PAGE_SIZE}, got '{raw}'."]}
        )
    return int(raw)


def _encode_key(value: Any) -> str | float:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return float(value)


def _decode_key(kind: str, value: Any) -> Any:
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "decimal":
        return Decimal(value)
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
        key = _decode_key(ORDERINGS[name].kind, key)
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


def paginate_keyset(*, queryset: QuerySet, ordering: Ordering, size: int, cursor: str | None) -> KeysetPage:
    """The page of `queryset` (annotated with sort_key and ordered by it and id) that `cursor` points at.

    The first page counts the matches (gigm8.counts: exact when cheap, else an estimate); the
    cursors carry that total to the pages after it.
    """
    if not cursor:
        total = count_rows(queryset)
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
