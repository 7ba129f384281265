"""The board catalog: public job boards shipped with the project, loaded as ordinary companies.

ingestion/data/boards.csv lists well-known employers with their Greenhouse, Lever or Ashby board
(README.md beside it says where each fact comes from). `catalog_setup` makes a Company of each,
once; staff then edit, disable or delete them like any other company. What each entry gave its
company is kept in a CatalogBoard row, so a later run can tell staff edits from catalog values:

- a company still holding what the catalog gave it moves with the entry's board ("updated");
- a company staff edited (name, website, board, disabled) is left as it is ("kept");
- a company staff deleted stays deleted ("deleted"): re-creating it at every deploy would undo
  the deletion; `--reset` brings it back;
- a company that exists already under the same name (a posting named it) gets the board when it
  has none ("filled"), and is kept as it is when it has another one;
- `reset` puts every entry's values back (name, website, board, enabled).

Entries dropped from a later catalog leave their companies alone (they are ordinary companies).
"""

from __future__ import annotations

import csv
import dataclasses
import re
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from ingestion.models import CatalogBoard
from jobs.boards import RECRUITEE_TOKEN_RE, WORKDAY_TOKEN_RE
from jobs.choices import AtsKind
from jobs.models import Company
from jobs.rules import clean_company_name, normalize_company_name
from jobs.services.companies import company_ids_ensure

CATALOG_PATH = Path(__file__).resolve().parent.parent / "data" / "boards.csv"

# A board token as each ATS spells it in its public URLs (Greenhouse: letters and digits; Lever and
# Ashby also take dots and hyphens). Ashby accepts spaces too, which the catalog does not ship.
TOKEN_FORMATS: dict[str, re.Pattern[str]] = {
    AtsKind.GREENHOUSE: re.compile(r"[A-Za-z0-9]+"),
    AtsKind.LEVER: re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*"),
    AtsKind.ASHBY: re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*"),
    # Microsoft Careers' search API takes the employer's domain.
    AtsKind.MICROSOFT: re.compile(r"microsoft\.com"),
    AtsKind.WORKDAY: WORKDAY_TOKEN_RE,  # host/tenant/site (jobs.boards)
    AtsKind.SMARTRECRUITERS: re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*"),  # jobs.smartrecruiters.com/<company>
    AtsKind.WORKABLE: re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*"),  # apply.workable.com/<account>
    AtsKind.RECRUITEE: RECRUITEE_TOKEN_RE,  # <company>.recruitee.com
}
COLUMNS = ("name", "website", "ats_kind", "board_token")


class CatalogError(ValueError):
    """The catalog file does not read (a bad row, a duplicate): one line saying where."""


@dataclasses.dataclass(frozen=True, slots=True)
class CatalogEntry:
    name: str
    website: str
    ats_kind: str
    board_token: str

    @property
    def key(self) -> str:
        return normalize_company_name(self.name)


def catalog_entries(*, path: Path | None = None) -> list[CatalogEntry]:
    """The catalog's entries (the shipped one unless a path is given), checked: known kind, token
    format, an http(s) website, one entry per company and per board."""
    path = path or CATALOG_PATH
    lines = path.read_text(encoding="utf-8").splitlines()
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip() and not line.startswith("#")]
    if not numbered:
        raise CatalogError(f"{path.name}: empty")
    reader = csv.DictReader(line for _, line in numbered)
    missing = set(COLUMNS) - set(reader.fieldnames or ())
    if missing:
        raise CatalogError(f"{path.name}: missing column(s) {', '.join(sorted(missing))}")
    entries: list[CatalogEntry] = []
    seen: dict[tuple[str, str], int] = {}  # ("company", key) or (kind, lower-case token): line
    for (number, _), row in zip(numbered[1:], reader, strict=True):
        where = f"{path.name} line {number}"
        entry = CatalogEntry(
            name=clean_company_name(row.get("name")),
            website=(row.get("website") or "").strip(),
            ats_kind=(row.get("ats_kind") or "").strip(),
            board_token=(row.get("board_token") or "").strip(),
        )
        if not entry.key:
            raise CatalogError(f"{where}: no company name")
        if entry.ats_kind not in TOKEN_FORMATS:
            raise CatalogError(f"{where}: ATS kind {entry.ats_kind!r} is not one of {', '.join(TOKEN_FORMATS)}")
        if not TOKEN_FORMATS[entry.ats_kind].fullmatch(entry.board_token):
            raise CatalogError(f"{where}: {entry.board_token!r} is not a {entry.ats_kind} board token")
        if entry.website and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", entry.website):
            raise CatalogError(f"{where}: website {entry.website!r} is not an http(s) URL")
        for what, value in (
            ("company", ("company", entry.key)),
            ("board", (entry.ats_kind, entry.board_token.lower())),
        ):
            if value in seen:
                raise CatalogError(f"{where}: the same {what} as line {seen[value]}")
            seen[value] = number
        entries.append(entry)
    return entries


def catalog_setup(*, reset: bool = False, path: Path | None = None) -> list[tuple[str, str]]:
    """Load the catalog (the shipped one unless a path is given) into companies; (company name,
    outcome) for each entry.

    Outcomes: created, filled, updated, kept, deleted (staff deleted it: left out), reset.
    Safe to run again: a second run changes nothing.
    """
    entries = catalog_entries(path=path)
    outcome = []
    with transaction.atomic():
        loaded = {row.key: row for row in CatalogBoard.objects.select_related("company")}
        for entry in entries:
            record = loaded.get(entry.key)
            if record is not None and not reset:
                outcome.append((entry.name, _follow(record, entry)))
                continue
            company, created = _company_for(entry)
            if created:
                result = "created"
            elif reset:
                _apply(company, entry)
                result = "reset"
            elif not company.ats_kind and not company.board_token:
                _apply(company, entry, fill=True)
                result = "filled"
            else:
                result = "kept"  # it has a board of its own (or holds this one already)
            # A kept company is recorded with the entry's values, which it does not hold: it never
            # counts as untouched, so a later run does not give it the catalog's board.
            _remember(entry, company, as_loaded=entry if result == "kept" else company)
            outcome.append((entry.name, result))
    return outcome


def _follow(record: CatalogBoard, entry: CatalogEntry) -> str:
    """An entry loaded before: move an untouched company to the entry's new board, else keep it."""
    company = record.company
    if company is None:
        return "deleted"
    untouched = (company.name, company.website, company.ats_kind, company.board_token, company.is_enabled) == (
        record.name,
        record.website,
        record.ats_kind,
        record.board_token,
        record.is_enabled,
    )
    if not untouched or (record.ats_kind, record.board_token) == (entry.ats_kind, entry.board_token):
        return "kept"
    # The board moved (another ATS, a renamed token): the one change a release makes to follow.
    _apply(company, entry, fill=True)
    _remember(entry, company, as_loaded=company)
    return "updated"


def _company_for(entry: CatalogEntry) -> tuple[Company, bool]:
    """The company holding the entry's board, else the one of its name (created when missing)."""
    holder = Company.objects.filter(ats_kind=entry.ats_kind, board_token__iexact=entry.board_token).first()
    if holder is not None:
        return holder, False
    existing = Company.objects.filter(normalized_name=entry.key).first()
    if existing is not None:
        return existing, False
    # The one place companies are created, so slugs and names follow the same rules as ingestion's.
    ids = company_ids_ensure(names={entry.key: entry.name}, cache={}, now=timezone.now())
    company = Company.objects.get(pk=ids[entry.key])
    _apply(company, entry)
    return company, True


def _apply(company: Company, entry: CatalogEntry, *, fill: bool = False) -> None:
    """Give the company the entry's values (fill: only the board, and the website when blank).

    A board another company holds stays there (one company per board), and the name changes
    only within its normalized form (another form is another company's key).
    """
    taken = (
        Company.objects.filter(ats_kind=entry.ats_kind, board_token__iexact=entry.board_token)
        .exclude(pk=company.pk)
        .exists()
    )
    if not taken:
        company.ats_kind, company.board_token = entry.ats_kind, entry.board_token
    if entry.website and not (fill and company.website):
        company.website = entry.website
    if not fill:
        if entry.key == company.normalized_name:
            company.name = entry.name
        company.is_enabled = True
    company.save(update_fields=["name", "website", "ats_kind", "board_token", "is_enabled", "updated_at"])


def _remember(entry: CatalogEntry, company: Company, *, as_loaded: CatalogEntry | Company) -> None:
    """Record the entry as loaded: its company and the values that count as the catalog's."""
    values = {
        "company": company,
        "name": as_loaded.name,
        "website": as_loaded.website,
        "ats_kind": as_loaded.ats_kind,
        "board_token": as_loaded.board_token,
        "is_enabled": company.is_enabled if isinstance(as_loaded, Company) else True,
    }
    CatalogBoard.objects.update_or_create(key=entry.key, defaults=values)
