"""The occupations a query is about, to compare with each job's stored O*NET-SOC code.

- a resume: its recent titles (matching.resume), each read by skills.occupations.classify_title, the
  most recent weighing most (each older one RECENT_DECAY times less); a resume with no title that
  names an occupation is read from its first lines (classify_title's description reading, with the
  lower confidence that gives);
- a job description: its title when the request gives one, else its first line when that reads as a
  title, else its first lines;
- a stored job (jobs like this one): the job's own stored code and confidence.

Pure (no database): a few titles cost well under a millisecond (skills.occupations caches them).
"""

from __future__ import annotations

from dataclasses import dataclass

from matching.resume import ResumeProfile
from skills.occupations import classify_title, occupation, occupation_similarity

RECENT_DECAY = 0.8  # an older title's weight, per step back (as the title part's RECENT_ROLE_DECAY)
FIRST_LINE_WORDS = 10  # a description's first line of at most this many words may be its title


@dataclass(frozen=True, slots=True)
class QueryOccupation:
    code: str  # O*NET-SOC, "17-2051.00"
    weight: float  # the classifier's confidence x how much this title counts (0..1)
    said: str  # what it was read from, for explanations: "Civil Engineer" (a resume's title), "" if none


def resume_occupations(profile: ResumeProfile | None, text: str) -> tuple[QueryOccupation, ...]:
    """The occupations of a resume's recent titles, most recent first; else of its first lines."""
    found: list[QueryOccupation] = []
    titles = list(profile.recent_titles) if profile is not None else []
    if profile is not None and profile.headline and profile.headline not in titles:
        titles.append(profile.headline)
    for rank, title in enumerate(titles):
        match = classify_title(title)
        if match is not None:
            found.append(QueryOccupation(match.occupation.code, match.confidence * RECENT_DECAY**rank, title))
    if not found:
        match = classify_title("", text)
        if match is not None:
            found.append(QueryOccupation(match.occupation.code, match.confidence, ""))
    return _best_per_code(found)


def text_occupations(text: str, *, title: str = "") -> tuple[QueryOccupation, ...]:
    """A job description's occupation: its title when given, else its first line if it reads as one,
    else from its first lines (at most skills.occupations.DESCRIPTION_CONFIDENCE sure)."""
    if not title:
        first = text.strip().split("\n", 1)[0].strip()
        title = first if 0 < len(first.split()) <= FIRST_LINE_WORDS else ""
    match = classify_title(title, text)
    if match is None:
        return ()
    return (QueryOccupation(match.occupation.code, match.confidence, title if match.via == "title" else ""),)


def stored_occupations(code: str, confidence: float | None) -> tuple[QueryOccupation, ...]:
    """A stored job's occupation (jobs like this one)."""
    if not code or occupation(code) is None:
        return ()
    return (QueryOccupation(code, confidence if confidence is not None else 0.5, ""),)


def occupation_fit(
    query: tuple[QueryOccupation, ...], code: str, confidence: float | None
) -> tuple[float, QueryOccupation | None]:
    """(fit in [0, 1], the query occupation it is best against): the best over the query's occupations
    of O*NET-SOC similarity (same code 1, broad 0.8, minor 0.6, major 0.3) x the query's weight x the
    job's confidence. A job with no code scores 0 (nothing to confirm it)."""
    if not code or not query:
        return 0.0, None
    job_confidence = confidence if confidence is not None else 0.5
    best, best_of = 0.0, None
    for item in query:
        fit = occupation_similarity(item.code, code) * item.weight * job_confidence
        if fit > best:
            best, best_of = fit, item
    return min(1.0, best), best_of


def _best_per_code(found: list[QueryOccupation]) -> tuple[QueryOccupation, ...]:
    kept: dict[str, QueryOccupation] = {}
    for item in found:
        if item.code not in kept or item.weight > kept[item.code].weight:
            kept[item.code] = item
    return tuple(sorted(kept.values(), key=lambda item: (-item.weight, item.code)))
