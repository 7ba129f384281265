"""Derived fields of a stored job, again: what `build_job_data` would derive from the job's stored
inputs under today's rules. Pure (values in, values out); `ingestion.services.renormalize` runs it
over the table after an upgrade changed a rule.

Only the fields a rule derives are re-derived, from the stored fields that rule reads; a field the
source gave (employment type, a structured salary, the posting's text) is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ingestion.sources import SOURCES
from jobs.choices import GeoPrecision, JobLevel, Remote, SalarySource

from .classify import detect_job_level, detect_remote
from .geocode import geocode
from .places import LocationParts, split_location
from .record import _extract_skills, detect_occupation
from .salary import annualize, plausible_annual, salary_from_description

# Sources whose stored `remote` came from a structured field of their own (every spider's, and
# API sources' that have one): it stays evidence, read as the source's explicit value. Adzuna and
# file imports have none: their `remote` was read from the text by older rules, which is exactly
# what a re-run replaces. Both sets come from the sources table.
EXPLICIT_REMOTE_SOURCES = frozenset(name for name, row in SOURCES.items() if row.remote_is_explicit)
# Sources whose `location` is text to show, not a place to read: their city, region and country
# came from structured fields and are all there is.
DISPLAY_LOCATION_SOURCES = frozenset(name for name, row in SOURCES.items() if row.location_is_display)

# What each derived group writes, and the staff locks (Job.locked_fields) that keep it as it is.
REMOTE_FIELDS = ("remote",)
GEO_FIELDS = ("latitude", "longitude", "geo_precision")
SALARY_FIELDS = (
    "salary_min",
    "salary_max",
    "salary_currency",
    "salary_period",
    "salary_annual_min",
    "salary_annual_max",
    "salary_is_predicted",
    "salary_source",
)
GROUPS: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "remote": (REMOTE_FIELDS, frozenset({"remote"})),
    "geo": (GEO_FIELDS, frozenset({"latitude", "longitude"})),
    "salary": (SALARY_FIELDS, frozenset({"salary_min", "salary_max", "salary_currency", "salary_period"})),
    "skills": (("skills",), frozenset({"skills"})),
    "job_level": (("job_level",), frozenset({"job_level"})),
    # Derived from the title alone (the description when the title is vague); no staff lock.
    "occupation": (("occupation_code", "occupation_confidence"), frozenset()),
}
# The stored fields the rules read (plus locked_fields and id, which the caller needs).
INPUT_FIELDS = (
    "source",
    "title",
    "description",
    "location",
    "city",
    "region",
    "country",
    "remote",
    "is_internship",
    "geo_precision",
    "salary_source",
)
DERIVED_FIELDS = tuple(field for fields, _ in GROUPS.values() for field in fields)


def rederive_job_fields(job: Mapping[str, Any]) -> dict[str, Any]:
    """The derived fields of one stored job (a mapping holding INPUT_FIELDS and DERIVED_FIELDS and
    `locked_fields`) that today's rules would set differently: {field: new value}. Groups a staff
    member locked are left out. Empty when nothing would change."""
    locked = set(job.get("locked_fields") or ())
    title, description, source = job["title"], job["description"], job["source"]
    derived: dict[str, Any] = {}

    remote = detect_remote(
        text=description,
        explicit=job["remote"] if source in EXPLICIT_REMOTE_SOURCES else None,
        title=title,
        locations=[job["location"]],
    )
    derived["remote"] = str(remote)
    if "remote" in locked:
        remote = job["remote"]

    if job["geo_precision"] != GeoPrecision.POINT:
        parts = (
            LocationParts()
            if source in DISPLAY_LOCATION_SOURCES
            else split_location(job["location"], country=job["country"] or None)
        )
        point = geocode(
            city=job["city"] or parts.city,
            region=job["region"] or parts.region,
            country=job["country"] or parts.country,
            remote=remote == Remote.REMOTE,
        )
        if point is None:
            derived.update(latitude=None, longitude=None, geo_precision=str(GeoPrecision.NONE))
        else:
            derived.update(latitude=point.latitude, longitude=point.longitude, geo_precision=str(point.precision))

    if not job["salary_source"]:
        stated = salary_from_description(description, country=job["country"] or None)
        if stated is not None:
            low, high = annualize(stated.min, stated.period), annualize(stated.max, stated.period)
            if plausible_annual(low) and plausible_annual(high):
                derived.update(
                    salary_min=stated.min,
                    salary_max=stated.max,
                    salary_currency=stated.currency,
                    salary_period=str(stated.period),
                    salary_annual_min=low,
                    salary_annual_max=high,
                    salary_is_predicted=False,
                    salary_source=str(SalarySource.DESCRIPTION),
                )

    derived["skills"] = _extract_skills(description, title=title)
    derived["job_level"] = str(detect_job_level(title) or (JobLevel.ENTRY_LEVEL if job["is_internship"] else ""))
    derived["occupation_code"], derived["occupation_confidence"] = detect_occupation(title, description)

    changes: dict[str, Any] = {}
    for fields, locks in GROUPS.values():
        if locks & locked:
            continue
        for field in fields:
            if field in derived and derived[field] != job[field]:
                changes[field] = derived[field]
    return changes


def changed_groups(changes: Mapping[str, Any]) -> list[str]:
    """The names of the groups (GROUPS) a change set touches, for counting."""
    return [name for name, (fields, _) in GROUPS.items() if any(field in changes for field in fields)]
