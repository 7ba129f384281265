"""The one upsert every source goes through.

job_bulk_upsert() takes normalized postings (jobs.types.JobData) from any source and writes
them in batches of bulk statements (psycopg 3 arrays through unnest(), not a query per row):

- identity is (source, external_id); a content hash tells unchanged rows, which only get
  last_seen_at touched (one UPDATE per batch, a HOT update: see migration jobs 0007); a source
  that hashes its raw postings (JobData.source_hash) can send an UnchangedRecord instead of
  normalizing a posting it sent before (job_content_hashes);
- fields a staff member locked (Job.locked_fields) keep the staff's values (a CASE per column
  in the ON CONFLICT update, so a concurrent admin edit is respected by the database itself);
- hidden jobs stay hidden; expired jobs seen again become active;
- one Company per normalized name (jobs.rules.normalize_company_name), created in bulk;
- cross-source duplicates: same fingerprint (normalized company + title + location) and a
  near-identical description (see DUPLICATE_MIN_CONTAINMENT) link a posting to the canonical
  job of another source through duplicate_of.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import operator
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from jobs.choices import JobStatus
from jobs.models import SALARY_LIMIT, Job, column_widths
from jobs.rules import normalize_company_name
from jobs.services.companies import company_ids_ensure
from jobs.services.duplicates import duplicates_link, job_fingerprint
from jobs.types import JobData, SkippedRecord, UnchangedRecord, UpsertResult

logger = logging.getLogger(__name__)

_SKILL_SEP = "\x1f"  # joins a row's skills into one text for unnest(); never in real text


# --- Column lists -----------------------------------------------------------------------

# (column, SQL array element type) for the values a source provides, in insert order.
_DATA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("company_id", "bigint"),
    ("title", "text"),
    ("description", "text"),
    ("description_html", "text"),
    ("location", "text"),
    ("city", "text"),
    ("region", "text"),
    ("country", "text"),
    ("latitude", "float8"),
    ("longitude", "float8"),
    ("geo_precision", "text"),
    ("remote", "text"),
    ("employment_type", "text"),
    ("job_level", "text"),
    ("is_internship", "bool"),
    ("occupation_code", "text"),
    ("occupation_confidence", "float8"),
    ("salary_min", "numeric"),
    ("salary_max", "numeric"),
    ("salary_currency", "text"),
    ("salary_period", "text"),
    ("salary_annual_min", "numeric"),
    ("salary_annual_max", "numeric"),
    ("salary_is_predicted", "bool"),
    ("salary_source", "text"),
    ("category", "text"),
    ("skills", "text"),
    ("apply_url", "text"),
    ("source", "text"),
    ("external_id", "text"),
    ("board", "text"),
    ("fingerprint", "text"),
    ("content_hash", "text"),
    ("posted_at", "timestamptz"),
    ("expires_at", "timestamptz"),
)
# Columns whose refresh a staff lock prevents, and the lock that guards each (LOCKABLE_FIELDS
# names the model field; derived columns follow the field they are derived from).
_LOCKED_BY = {
    "company_id": "company",
    "salary_annual_min": "salary_min",
    "salary_annual_max": "salary_max",
    "salary_source": "salary_min",
    "geo_precision": "latitude",
}
_ALWAYS_REFRESHED = {"board", "fingerprint", "content_hash"}
_KEY_COLUMNS = {"source", "external_id"}


def _lock_name(column: str) -> str:
    return _LOCKED_BY.get(column, column)


def _build_upsert_sql() -> str:
    table = Job._meta.db_table
    names = [name for name, _ in _DATA_COLUMNS]
    unnest_args = ", ".join(f"%s::{kind}[]" for _, kind in _DATA_COLUMNS)
    select_values = [f"v.{name}" if name != "skills" else "string_to_array(v.skills, E'\\x1f')" for name in names]
    updates = []
    for name in names:
        if name in _KEY_COLUMNS:
            continue
        if name in _ALWAYS_REFRESHED:
            updates.append(f"{name} = EXCLUDED.{name}")
        else:
            lock = _lock_name(name)
            updates.append(
                f"{name} = CASE WHEN '{lock}' = ANY({table}.locked_fields) THEN {table}.{name} ELSE EXCLUDED.{name} END"
            )
    updates += [
        "last_seen_at = EXCLUDED.last_seen_at",
        "updated_at = EXCLUDED.updated_at",
        # Hidden stays hidden (a staff decision); expired comes back because the source lists it again.
        f"status = CASE WHEN {table}.status = '{JobStatus.EXPIRED}' THEN '{JobStatus.ACTIVE}' ELSE {table}.status END",
        f"expired_at = CASE WHEN {table}.status = '{JobStatus.EXPIRED}' THEN NULL ELSE {table}.expired_at END",
    ]
    return (
        f"INSERT INTO {table} ({', '.join(names)}, first_seen_at, last_seen_at, created_at, updated_at, status, "
        "is_featured, locked_fields, cts_name) "
        f"SELECT {', '.join(select_values)}, %s, %s, %s, %s, '{JobStatus.ACTIVE}', false, '{{}}', '' "
        f"FROM unnest({unnest_args}) AS v({', '.join(names)}) "
        f"ON CONFLICT (source, external_id) DO UPDATE SET {', '.join(updates)} "
        "RETURNING id, source, external_id, (xmax = 0) AS inserted, duplicate_of_id"
    )


_UPSERT_SQL = _build_upsert_sql()
_UPSERT_NOW_COUNT = 4  # first_seen_at, last_seen_at, created_at, updated_at

_TEXT_LIMITS = column_widths()


# --- Preparing rows ---------------------------------------------------------------------


def _content_hash(data: JobData) -> str:
    parts = []
    for field in dataclasses.fields(JobData):
        if field.name in ("board", "source_hash"):
            # One posting may be listed by several feeds of a source (two Adzuna searches): which
            # one saw it last is not a change of the posting.
            continue
        value = getattr(data, field.name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, list):
            value = _SKILL_SEP.join(value)
        parts.append("" if value is None else str(value))
    return hashlib.sha256("\x1e".join(parts).encode()).hexdigest()


def _clean_text(value: str | None) -> str:
    # PostgreSQL text cannot hold NUL; some scraped pages carry one.
    if not value:
        return ""
    return value.replace("\x00", "") if "\x00" in value else value


def _salary(value: Decimal | None) -> Decimal | None:
    if value is None or not isinstance(value, Decimal) or not value.is_finite() or abs(value) >= SALARY_LIMIT:
        return None
    return value


# JobData's fields in __init__ order: copying a record through them is several times faster than
# dataclasses.replace(), which the upsert would otherwise pay once a posting.
_JOB_DATA_VALUES = operator.attrgetter(*(field.name for field in dataclasses.fields(JobData)))


def _copy(record: JobData) -> JobData:
    if type(record) is not JobData:
        return dataclasses.replace(record)
    return JobData(*_JOB_DATA_VALUES(record))


@dataclasses.dataclass(slots=True)
class PreparedRow:
    data: JobData
    company_normalized: str
    fingerprint: str
    content_hash: str


def _prepare(
    record: JobData | SkippedRecord | UnchangedRecord, normalize_company: Any
) -> PreparedRow | UnchangedRecord | str:
    """A row ready to write, or the reason it cannot be written."""
    if isinstance(record, SkippedRecord):
        return record.reason
    if isinstance(record, UnchangedRecord):
        return record
    if not isinstance(record, JobData):
        return f"not a JobData: {type(record).__name__}"
    data = _copy(record)  # the caller's record stays as it was
    data.external_id = _clean_text(str(data.external_id or "")).strip()
    data.title = " ".join(_clean_text(data.title).split())
    if not data.source:
        return f"{data.external_id or '?'}: no source"
    if not data.external_id:
        return f"{data.source}: no external id ({data.title[:60]!r})"
    if len(data.external_id) > _TEXT_LIMITS["external_id"]:
        return f"{data.source}:{data.external_id[:40]}…: external id longer than {_TEXT_LIMITS['external_id']}"
    if not data.title:
        return f"{data.source}:{data.external_id}: no title"
    for name in (
        "description",
        "description_html",
        "location",
        "city",
        "region",
        "country",
        "category",
        "apply_url",
        "company_name",
        "board",
        "salary_currency",
        "salary_period",
        "employment_type",
        "job_level",
        "occupation_code",
        "remote",
        "salary_source",
    ):
        value = _clean_text(getattr(data, name))
        limit = _TEXT_LIMITS.get(name)
        if name == "apply_url" and limit and len(value) > limit:
            value = ""  # a cut URL is a broken link; better none
        elif limit and len(value) > limit:
            value = value[:limit]
        setattr(data, name, value)
    data.title = data.title[: _TEXT_LIMITS["title"]]
    data.company_name = data.company_name.strip()[: _TEXT_LIMITS["company_name"]]
    data.skills = [skill[: _TEXT_LIMITS["skill"]] for skill in (data.skills or []) if skill and _SKILL_SEP not in skill]
    for name in ("salary_min", "salary_max", "salary_annual_min", "salary_annual_max"):
        setattr(data, name, _salary(getattr(data, name)))
    if data.salary_min is not None and data.salary_max is not None and data.salary_min > data.salary_max:
        return f"{data.source}:{data.external_id}: salary min {data.salary_min} above max {data.salary_max}"
    company_normalized = (
        normalize_company(data.company_name)[: _TEXT_LIMITS["company_normalized_name"]] if data.company_name else ""
    )
    return PreparedRow(
        data=data,
        company_normalized=company_normalized,
        fingerprint=job_fingerprint(company_normalized=company_normalized, title=data.title, location=data.location),
        content_hash=data.source_hash or _content_hash(data),
    )


# --- The upsert -------------------------------------------------------------------------


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _values(row: PreparedRow, companies: dict[str, int], *, skills_joined: bool) -> tuple[Any, ...]:
    """A row's values in _DATA_COLUMNS order."""
    d = row.data
    return (
        companies.get(row.company_normalized) if row.company_normalized else None,
        d.title,
        d.description,
        d.description_html,
        d.location,
        d.city,
        d.region,
        d.country,
        d.latitude,
        d.longitude,
        d.geo_precision,
        d.remote,
        d.employment_type,
        d.job_level,
        bool(d.is_internship),
        d.occupation_code,
        d.occupation_confidence,
        d.salary_min,
        d.salary_max,
        d.salary_currency,
        d.salary_period,
        d.salary_annual_min,
        d.salary_annual_max,
        bool(d.salary_is_predicted),
        d.salary_source,
        d.category,
        _SKILL_SEP.join(d.skills) if skills_joined else list(d.skills),
        d.apply_url,
        d.source,
        d.external_id,
        d.board,
        row.fingerprint,
        row.content_hash,
        d.posted_at,
        d.expires_at,
    )


# New rows go in with COPY (about a third faster than INSERT … SELECT on this table); a batch
# with fewer is not worth a second round trip.
_COPY_MIN_ROWS = 50
_COPY_SQL = (
    f"COPY {Job._meta.db_table} ({', '.join(name for name, _ in _DATA_COLUMNS)}, first_seen_at, last_seen_at, "
    "created_at, updated_at, status, is_featured, locked_fields, cts_name) FROM STDIN"
)


def _copy_new_rows(cursor: Any, rows: list[PreparedRow], companies: dict[str, int], now: datetime) -> bool:
    """COPY rows that did not exist a moment ago; False (nothing written) if one exists now.

    Another worker may insert one of these keys between our look-up and the COPY: the COPY
    then fails on the unique constraint inside its savepoint, and the batch takes the
    INSERT … ON CONFLICT path instead.
    """
    fixed: tuple[Any, ...] = (now, now, now, now, JobStatus.ACTIVE.value, False, [], "")
    try:
        # wrap_database_errors: psycopg's errors as Django's, as for every other statement here.
        with transaction.atomic(), connection.wrap_database_errors, cursor.cursor.copy(_COPY_SQL) as copy:
            for row in rows:
                copy.write_row(_values(row, companies, skills_joined=False) + fixed)
    except IntegrityError:
        return False
    return True


def _key(item: PreparedRow | UnchangedRecord) -> tuple[str, str]:
    if isinstance(item, UnchangedRecord):
        return (item.source, item.external_id)
    return (item.data.source, item.data.external_id)


def _write_batch(
    items: list[PreparedRow | UnchangedRecord], now: datetime, company_cache: dict[str, int]
) -> UpsertResult:
    result = UpsertResult()
    table = Job._meta.db_table
    items.sort(key=_key)  # one lock order for every worker
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT j.id, j.source, j.external_id, j.content_hash, j.status FROM {table} j "
            "JOIN unnest(%s::text[], %s::text[]) AS k(source, external_id) "
            "ON j.source = k.source AND j.external_id = k.external_id",
            [[_key(i)[0] for i in items], [_key(i)[1] for i in items]],
        )
        existing = {(source, ext): (job_id, chash, status) for job_id, source, ext, chash, status in cursor.fetchall()}
        unchanged_ids: list[int] = []
        to_write: list[PreparedRow] = []
        for item in items:
            found = existing.get(_key(item))
            content_hash = item.source_hash if isinstance(item, UnchangedRecord) else item.content_hash
            if found and found[1] == content_hash and found[2] != JobStatus.EXPIRED:
                unchanged_ids.append(found[0])
            elif isinstance(item, UnchangedRecord):
                # Checked as unchanged, then changed (or expired) before this write: the next run sends it whole.
                result.skipped += 1
                result.errors.append(f"{item.source}:{item.external_id}: changed while the run read it")
            else:
                to_write.append(item)
        if unchanged_ids:
            cursor.execute(
                f"UPDATE {table} SET last_seen_at = %s WHERE id = ANY(%s::bigint[])",
                [now, unchanged_ids],
            )
            result.unchanged = len(unchanged_ids)
            result.job_ids.extend(unchanged_ids)
        if not to_write:
            return result
        names = {row.company_normalized: row.data.company_name for row in to_write if row.company_normalized}
        companies = company_ids_ensure(names=names, cache=company_cache, now=now)
        written: dict[tuple[str, str], tuple[int, bool, int | None]] = {}
        fresh = [row for row in to_write if _key(row) not in existing]
        if len(fresh) >= _COPY_MIN_ROWS and _copy_new_rows(cursor, fresh, companies, now):
            cursor.execute(
                f"SELECT j.id, j.source, j.external_id FROM {table} j "
                "JOIN unnest(%s::text[], %s::text[]) AS k(source, external_id) "
                "ON j.source = k.source AND j.external_id = k.external_id",
                [[r.data.source for r in fresh], [r.data.external_id for r in fresh]],
            )
            written.update({(source, ext): (job_id, True, None) for job_id, source, ext in cursor.fetchall()})
        rest = [row for row in to_write if _key(row) not in written]
        if rest:
            columns: list[list[Any]] = [[] for _ in _DATA_COLUMNS]
            for row in rest:
                for column, value in zip(columns, _values(row, companies, skills_joined=True), strict=True):
                    column.append(value)
            cursor.execute(_UPSERT_SQL, [*([now] * _UPSERT_NOW_COUNT), *columns])
            written.update(
                {(source, ext): (job_id, inserted, dup) for job_id, source, ext, inserted, dup in cursor.fetchall()}
            )
        links = []
        for row in to_write:
            job_id, inserted, dup = written[(row.data.source, row.data.external_id)]
            if inserted:
                result.created += 1
            else:
                result.updated += 1
            result.job_ids.append(job_id)
            links.append((job_id, row, dup))
        duplicates_link(cursor=cursor, rows=links)
    return result


def _upsert_rows(
    rows: list[PreparedRow | UnchangedRecord], now: datetime, company_cache: dict[str, int]
) -> UpsertResult:
    """Write a batch in one transaction; if the database refuses it, find the bad rows one by one."""
    try:
        with transaction.atomic():
            return _write_batch(list(rows), now, company_cache)
    except DatabaseError as exc:
        company_cache.clear()  # ids created inside the rolled-back transaction are gone
        if len(rows) == 1:
            source, external_id = _key(rows[0])
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return UpsertResult(skipped=1, errors=[f"{source}:{external_id}: {first_line[:200]}"])
        logger.warning("batch of %d refused (%s); writing its rows one by one", len(rows), exc)
        result = UpsertResult()
        for row in rows:
            result.merge(_upsert_rows([row], now, company_cache))
        return result


def job_bulk_upsert(
    *,
    records: Iterable[JobData | SkippedRecord | UnchangedRecord],
    now: datetime | None = None,
    batch_size: int = 1000,
) -> UpsertResult:
    """Create, update or touch jobs from normalized postings; see the module docstring.

    A SkippedRecord in `records` (a posting its source could not read) is counted as skipped
    with its reason; an UnchangedRecord only touches its row. Idempotent: the same records
    twice leave the same rows.
    """
    now = now or timezone.now()
    result = UpsertResult()
    company_cache: dict[str, int] = {}
    for chunk in _chunks(records, batch_size):
        rows: dict[tuple[str, str], PreparedRow | UnchangedRecord] = {}
        for record in chunk:
            prepared = _prepare(record, normalize_company_name)
            if isinstance(prepared, str):
                result.skipped += 1
                result.errors.append(prepared)
                continue
            key = _key(prepared)
            if key in rows:
                # One statement cannot update a row twice; the later copy wins.
                result.skipped += 1
                result.errors.append(f"{key[0]}:{key[1]}: repeated in the same input")
            rows[key] = prepared
        if rows:
            result.merge(_upsert_rows(list(rows.values()), now, company_cache))
    return result


def job_content_hashes(*, source: str, external_ids: list[str]) -> dict[str, str]:
    """Stored content hashes of a source's live (not expired) jobs, by external id.

    A source that stores a hash of its raw postings (JobData.source_hash) compares against
    these before normalizing, and sends an UnchangedRecord for each posting that matches.
    """
    table = Job._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT external_id, content_hash FROM {table} "
            "WHERE source = %s AND external_id = ANY(%s::text[]) AND status <> %s",
            [source, external_ids, JobStatus.EXPIRED],
        )
        return dict(cursor.fetchall())
