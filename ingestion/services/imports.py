"""Bulk import of postings from a CSV or JSON-lines file, through the same normalize and upsert.

Columns (CSV) and keys (JSON lines) use the normalized field names (FIELDS) by default;
`maps` rename others: "Column=field" takes the column as that field, "Column=field+" appends
it to what the field already holds (a description gathered from several columns, each after
a "Column:" heading), "Column=-" ignores it. A column that is neither a field nor mapped is
an error (unless ignore_unknown), as is a file we cannot read: the whole file is read and
checked before anything is written, and the write is one transaction.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import sys
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction

from ingestion import normalize
from ingestion.choices import SyncKind, SyncStatus
from ingestion.models import SyncLog
from ingestion.services.ingest import ingest_records
from ingestion.services.runs import sync_log_add, sync_log_finish, sync_log_lock, sync_log_start_unless_running
from jobs.types import JobData, SkippedRecord, UpsertResult

# Field name in a file → keyword of normalize.build_job_data.
FIELDS: dict[str, str] = {
    "external_id": "external_id",
    "title": "title",
    "company": "company_name",
    "description": "description",
    "description_html": "description_html",
    "location": "location",
    "country": "country",
    "latitude": "latitude",
    "longitude": "longitude",
    "remote": "remote",
    "employment_type": "employment_type",
    "salary": "salary_text",
    "salary_min": "salary_min",
    "salary_max": "salary_max",
    "salary_currency": "salary_currency",
    "salary_period": "salary_period",
    "salary_is_predicted": "salary_is_predicted",
    "category": "category",
    "skills": "skills",
    "url": "apply_url",
    "posted_at": "posted_at",
    "expires_at": "expires_at",
}
FORMATS = ("csv", "jsonl")
IGNORE = "-"


class ImportFileError(Exception):
    """The file, or the way it is mapped, cannot be imported; nothing was written."""


@dataclasses.dataclass(frozen=True, slots=True)
class Mapping:
    field: str  # a key of FIELDS, or IGNORE
    append: bool = False


def import_parse_maps(specs: list[str]) -> dict[str, Mapping]:
    """Parse --map options ("Column=field", "Column=field+", "Column=-")."""
    maps: dict[str, Mapping] = {}
    for spec in specs:
        column, sep, target = spec.rpartition("=")
        column, target = column.strip(), target.strip()
        if not sep or not column or not target:
            raise ImportFileError(
                f"--map {spec!r}: expected COLUMN=FIELD (or COLUMN=FIELD+ to append, COLUMN=- to ignore)"
            )
        append = target.endswith("+")
        field = target.rstrip("+").strip()
        if field != IGNORE and field not in FIELDS:
            raise ImportFileError(f"--map {spec!r}: unknown field {field!r}; fields: {', '.join(FIELDS)}")
        if column in maps:
            raise ImportFileError(f"--map: column {column!r} is mapped twice")
        maps[column] = Mapping(field, append)
    return maps


def _plan(columns: list[str], maps: dict[str, Mapping], ignore_unknown: bool) -> list[tuple[str, str, bool]]:
    """(column, field, append) for every column that feeds a field, in the order values are joined."""
    missing = [c for c in maps if c not in columns]
    if missing:
        raise ImportFileError(f"--map names columns the file does not have: {', '.join(map(repr, missing))}")
    plan, unknown = [], []
    for column in columns:
        if column in maps:
            continue
        if column in FIELDS:
            plan.append((column, column, False))
        elif column.strip() and not ignore_unknown:
            unknown.append(column)
    if unknown:
        raise ImportFileError(
            f"unknown columns: {', '.join(map(repr, unknown))} (map them with --map COLUMN=FIELD, "
            "ignore one with --map COLUMN=-, or all with --ignore-unknown)"
        )
    plan += [(column, m.field, m.append) for column, m in maps.items() if m.field != IGNORE]
    owners: dict[str, str] = {}
    for column, field, append in plan:
        if not append and field in owners:
            raise ImportFileError(
                f"columns {owners[field]!r} and {column!r} both map to {field!r} (use {field}+ to append)"
            )
        owners.setdefault(field, column)
    return plan


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    return str(value).strip()


def _number(value: str, field: str, kind: type) -> Any:
    try:
        number = kind(value.replace(",", "")) if kind is Decimal else kind(value)
    except (InvalidOperation, ValueError):
        raise ValueError(f"{field}: not a number ({value[:30]!r})") from None
    return number


def _record(
    raw: dict[str, Any],
    plan: list[tuple[str, str, bool]],
    *,
    source: str,
    country: str,
    null_values: frozenset[str],
    posted_at: datetime | None = None,
) -> JobData:
    values: dict[str, str] = {}
    skills: list[str] = []
    types: list[str] = []
    for column, field, append in plan:
        raw_value = raw.get(column)
        if field == "skills" and isinstance(raw_value, list):
            skills += [_text(s) for s in raw_value if _text(s)]
            continue
        value = _text(raw_value)
        if not value or value in null_values:
            continue
        if field == "employment_type":
            types.append(value)  # the normalizer reads a list of type values in order
            continue
        if field in values and append:
            glue = f"\n\n{column}:\n" if field == "description" else " "
            values[field] += glue + value
        elif append and field == "description":
            values[field] = f"{column}:\n{value}"
        else:
            values[field] = value
    kwargs: dict[str, Any] = {"source": source}
    for field, value in values.items():
        key = FIELDS[field]
        if field in ("salary_min", "salary_max"):
            kwargs[key] = _number(value, field, Decimal)
        elif field in ("latitude", "longitude"):
            kwargs[key] = _number(value, field, float)
        elif field in ("posted_at", "expires_at"):
            parsed = normalize.parse_datetime(value)
            if parsed is None:
                raise ValueError(f"{field}: not a date ({value[:30]!r})")
            kwargs[key] = parsed
        elif field == "salary_is_predicted":
            kwargs[key] = value.lower() in ("1", "true", "yes", "y")
        elif field == "skills":
            skills += [s.strip() for s in value.replace(";", ",").split(",") if s.strip()]
        elif field == "company":
            # Exports often put more after the name on later lines (Glassdoor: the rating).
            kwargs[key] = value.splitlines()[0].strip()
        else:
            kwargs[key] = value
    if skills:
        kwargs["skills"] = skills
    if types:
        kwargs["employment_type"] = types
    kwargs.setdefault("title", None)
    kwargs.setdefault("country", country or None)
    if posted_at is not None:
        kwargs.setdefault("posted_at", posted_at)  # only rows that give no date of their own
    if not kwargs.get("external_id"):
        # No id: a stable hash of what the record says (the mapped columns, not an export's row
        # number), so importing the file again updates rather than duplicates, and a posting
        # repeated in the file is one job.
        used = {column: _text(raw.get(column)) for column, _, _ in plan}
        blob = json.dumps(used, sort_keys=True, ensure_ascii=False)
        kwargs["external_id"] = "sha1-" + hashlib.sha1(blob.encode()).hexdigest()
    return normalize.build_job_data(**kwargs)


def _read_csv(text: str, delimiter: str) -> tuple[list[str], list[dict[str, Any]]]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # descriptions are long
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise ImportFileError("the file is empty or has no header row")
        header = [h.strip() for h in header]
        named = [h for h in header if h]
        if len(set(named)) != len(named):
            raise ImportFileError("the header repeats a column name")
        rows = []
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise ImportFileError(
                    f"row {number} has {len(values)} values for {len(header)} columns "
                    f"(is the delimiter {delimiter!r} right? see --delimiter)"
                )
            rows.append(dict(zip(header, values, strict=True)))
    except csv.Error as exc:
        raise ImportFileError(f"not a readable CSV file: {exc}") from None
    return header, rows


def _read_jsonl(text: str) -> tuple[list[str], list[dict[str, Any]]]:
    columns: dict[str, None] = {}
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ImportFileError(f"line {number} is not valid JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise ImportFileError(f"line {number} is not a JSON object")
        columns.update(dict.fromkeys(record))
        rows.append(record)
    if not rows:
        raise ImportFileError("the file holds no records")
    return list(columns), rows


def import_guess_format(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    return None


@dataclasses.dataclass(slots=True)
class ImportFile:
    rows: int
    records: list[JobData | SkippedRecord]

    @property
    def valid(self) -> int:
        return sum(1 for r in self.records if isinstance(r, JobData))


def import_read(
    *,
    path: Path,
    source: str,
    fmt: str,
    delimiter: str = ",",
    maps: dict[str, Mapping] | None = None,
    ignore_unknown: bool = False,
    null_values: tuple[str, ...] = (),
    country: str = "",
    encoding: str = "utf-8-sig",
    posted_at: datetime | None = None,
) -> ImportFile:
    """Read, check and normalize a whole file; raises ImportFileError, writing nothing.

    `posted_at` dates the rows that give no date (a dump known to be from one day); without
    it they keep no date ("date unknown"), never the day of the import.
    """
    if fmt not in FORMATS:
        raise ImportFileError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if not source.strip():
        raise ImportFileError("--source must name where the postings come from")
    try:
        text = path.read_text(encoding=encoding)
    except FileNotFoundError:
        raise ImportFileError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path} is a directory") from None
    except UnicodeDecodeError:
        raise ImportFileError(f"{path} is not {encoding} text (see --encoding)") from None
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc.strerror}") from None
    if "\x00" in text:
        raise ImportFileError(f"{path} looks like a binary file, not {fmt}")
    columns, rows = _read_csv(text, delimiter) if fmt == "csv" else _read_jsonl(text)
    plan = _plan(columns, maps or {}, ignore_unknown)
    nulls = frozenset(null_values)
    records: list[JobData | SkippedRecord] = []
    for number, raw in enumerate(rows, start=1):
        try:
            records.append(
                _record(raw, plan, source=source.strip(), country=country, null_values=nulls, posted_at=posted_at)
            )
        except (normalize.InvalidPosting, ValueError) as exc:
            records.append(SkippedRecord(f"record {number}: {exc}"))
    return ImportFile(rows=len(rows), records=records)


class ImportAlreadyRunning(Exception):
    def __init__(self, sync_log: SyncLog) -> None:
        super().__init__(f"an import of {sync_log.source} is already running (sync log #{sync_log.pk})")
        self.sync_log = sync_log


def import_records(
    *,
    records: list[JobData | SkippedRecord],
    source: str,
    triggered_by: str,
    user: Any = None,
    params: dict[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[SyncLog, UpsertResult]:
    """Write checked records in one transaction, counted in an import SyncLog.

    Refused (ImportAlreadyRunning) while a live run of the same source writes the same jobs.
    """
    sync_log, started = sync_log_start_unless_running(
        kind=SyncKind.IMPORT, source=source, triggered_by=triggered_by, user=user, params=params
    )
    if not started:
        raise ImportAlreadyRunning(sync_log)
    with sync_log_lock(sync_log=sync_log):
        try:
            with transaction.atomic():
                # Counted after the commit, not batch by batch: counts written in this transaction
                # would be invisible until it ends anyway, and would hold the log's row locked all
                # along, stalling the lease renewal that tells a long import from a dead one.
                result = ingest_records(records=records, sync_log=None, progress=progress)
        except BaseException as exc:
            sync_log_finish(sync_log=sync_log, status=SyncStatus.FAILED, message=f"nothing imported: {exc!r}"[:300])
            raise
        sync_log_add(sync_log=sync_log, result=result, fetched=len(records))
        return sync_log_finish(sync_log=sync_log), result
