"""One job listed by several sources: linking a posting to its canonical job, and promoting a
duplicate when the canonical job leaves the listing."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from jobs.choices import JobStatus
from jobs.models import Job

if TYPE_CHECKING:
    from jobs.services.upsert import PreparedRow

# Two postings of one fingerprint are one job when at least this share of the word 3-shingles
# of the shorter description (its first DUPLICATE_TEXT_CHARS characters) appear in the other.
# Containment rather than Jaccard because Adzuna's search results carry a ~500-character
# snippet of a description that an ATS board publishes in full. When either side has fewer
# than three words there is nothing to compare and the fingerprint alone decides.
DUPLICATE_MIN_CONTAINMENT = 0.5
DUPLICATE_TEXT_CHARS = 2000

_WORDS = re.compile(r"[^\W_]+", re.UNICODE)


def _norm_words(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))


def job_fingerprint(*, company_normalized: str, title: str, location: str) -> str:
    """The cross-source identity of a posting: normalized company + title + location."""
    key = "\x1f".join((company_normalized, _norm_words(title), _norm_words(location)))
    return hashlib.sha256(key.encode()).hexdigest()


def _shingles(text: str) -> frozenset[str]:
    words = _WORDS.findall(text[:DUPLICATE_TEXT_CHARS].lower())
    return frozenset(" ".join(words[i : i + 3]) for i in range(len(words) - 2))


def _near_identical(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return True  # nothing to compare: the fingerprint alone decides
    return len(a & b) / min(len(a), len(b)) >= DUPLICATE_MIN_CONTAINMENT


def descriptions_match(a: str, b: str) -> bool:
    """Whether two descriptions are near-identical (see DUPLICATE_MIN_CONTAINMENT)."""
    return _near_identical(_shingles(a), _shingles(b))


def duplicates_link(*, cursor: Any, rows: list[tuple[int, PreparedRow, int | None]]) -> None:
    """Point each written row at the canonical job of another source it duplicates (or at none)."""
    table = Job._meta.db_table
    by_source: dict[str, list[tuple[int, PreparedRow, int | None]]] = {}
    for item in rows:
        if item[1].company_normalized:  # without a company, title + location says too little
            by_source.setdefault(item[1].data.source, []).append(item)
    current = {job_id: dup for job_id, _, dup in rows}
    candidates: dict[int, tuple[str, str, frozenset[str] | None, str]] = {}
    for source, items in by_source.items():
        cursor.execute(
            f"SELECT id, source, fingerprint, left(description, %s) FROM {table} "
            "WHERE fingerprint = ANY(%s::text[]) AND source <> %s AND duplicate_of_id IS NULL AND status <> %s",
            [DUPLICATE_TEXT_CHARS, sorted({row.fingerprint for _, row, _ in items}), source, JobStatus.EXPIRED],
        )
        for job_id, cand_source, fingerprint, description in cursor.fetchall():
            candidates[job_id] = (cand_source, fingerprint, None, description)
    desired: dict[int, int | None] = {job_id: None for job_id, _, _ in rows}
    if candidates:
        by_fingerprint: dict[str, list[int]] = {}
        for job_id, (_, fingerprint, _, _) in candidates.items():
            by_fingerprint.setdefault(fingerprint, []).append(job_id)
        ids = [job_id for job_id, _, _ in rows]
        cursor.execute(
            f"SELECT DISTINCT duplicate_of_id FROM {table} WHERE duplicate_of_id = ANY(%s::bigint[])",
            [ids],
        )
        has_duplicates = {r[0] for r in cursor.fetchall()}
        state = dict(current)  # what each row points at as links are decided, within this batch
        for job_id, row, _ in sorted(rows, key=lambda item: item[0]):
            if job_id in has_duplicates or not row.company_normalized:
                continue
            own = None
            for cand_id in sorted(by_fingerprint.get(row.fingerprint, ())):
                cand_source, _, shingles, description = candidates[cand_id]
                if cand_id == job_id or cand_source == row.data.source or state.get(cand_id) is not None:
                    continue
                if own is None:
                    own = _shingles(row.data.description)
                if shingles is None:
                    shingles = _shingles(description)
                    candidates[cand_id] = (cand_source, row.fingerprint, shingles, description)
                if _near_identical(own, shingles):
                    desired[job_id] = cand_id
                    state[job_id] = cand_id
                    has_duplicates.add(cand_id)
                    break
    changes = [(job_id, dup) for job_id, dup in desired.items() if current.get(job_id) != dup]
    if changes:
        cursor.execute(
            f"UPDATE {table} AS j SET duplicate_of_id = v.dup FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, dup) "
            "WHERE j.id = v.id",
            [[c[0] for c in changes], [c[1] for c in changes]],
        )


def duplicates_promote(*, cursor: Any, expired_ids: list[int]) -> None:
    """Duplicates of a job that just expired: the oldest becomes canonical, the rest point at it."""
    if not expired_ids:
        return
    table = Job._meta.db_table
    cursor.execute(
        f"SELECT id, duplicate_of_id FROM {table} WHERE duplicate_of_id = ANY(%s::bigint[]) AND status <> %s "
        "ORDER BY duplicate_of_id, id",
        [expired_ids, JobStatus.EXPIRED],
    )
    new_target: dict[int, int] = {}
    ids: list[int] = []
    targets: list[int | None] = []
    for job_id, old in cursor.fetchall():
        if old not in new_target:
            new_target[old] = job_id
            ids.append(job_id)
            targets.append(None)
        else:
            ids.append(job_id)
            targets.append(new_target[old])
    if ids:
        cursor.execute(
            f"UPDATE {table} AS j SET duplicate_of_id = v.dup FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, dup) "
            "WHERE j.id = v.id",
            [ids, targets],
        )
