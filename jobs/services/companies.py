"""Companies: one per normalized name, created in bulk as postings name them."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.db import DatabaseError, connection
from django.utils.text import slugify

from jobs.models import Company


def company_ids_ensure(*, names: dict[str, str], cache: dict[str, int], now: datetime) -> dict[str, int]:
    """Company ids for {normalized name: display name}, creating missing companies in bulk."""
    missing = {norm: name for norm, name in names.items() if norm not in cache}
    if not missing:
        return cache
    table = Company._meta.db_table
    with connection.cursor() as cursor:
        for attempt in range(2):
            if not missing:
                break
            norms = sorted(missing)
            display = [missing[n] for n in norms]
            slugs = []
            for norm in norms:
                slug = slugify(missing[norm])[:230] or "company"
                if attempt:
                    # The plain slug belongs to another normalized name; the hash keeps it unique.
                    slug = f"{slug}-{hashlib.sha1(norm.encode()).hexdigest()[:10]}"
                slugs.append(slug)
            cursor.execute(
                f"INSERT INTO {table} (name, normalized_name, slug, website, careers_url, ats_kind, board_token, "
                "is_enabled, is_blocked, cts_name, created_at, updated_at) "
                "SELECT n, nn, s, '', '', '', '', true, false, '', %s, %s "
                "FROM unnest(%s::text[], %s::text[], %s::text[]) AS v(n, nn, s) "
                "ON CONFLICT DO NOTHING",
                [now, now, display, norms, slugs],
            )
            cursor.execute(
                f"SELECT normalized_name, id FROM {table} WHERE normalized_name = ANY(%s::text[])",
                [norms],
            )
            for norm, company_id in cursor.fetchall():
                cache[norm] = company_id
                missing.pop(norm, None)
    if missing:
        raise DatabaseError(f"could not create companies: {sorted(missing)[:5]}")
    return cache
