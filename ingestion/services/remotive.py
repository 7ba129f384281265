"""A Remotive run: its one feed (the settings' category and search) read through feed_run.

Every Remotive job is remote; `candidate_required_location` ("USA", "Worldwide", "USA, Canada")
says where its applicants must live, so it is shown as the job's location and gives the job a
country only when it names exactly one. A job's apply URL is its Remotive page (the link back
its terms ask for). A run within REMOTIVE_MIN_INTERVAL_HOURS of the last successful one is
skipped with that reason, so the schedule and the daily refresh together keep to its rate.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings

from ingestion import normalize
from ingestion.clients.remotive import RemotiveClient
from ingestion.models import SyncLog
from ingestion.services.feeds import FeedPage, FeedSource, feed_refresh, feed_run, raw_hash, register_feed
from ingestion.services.refresh import RefreshContext, register_refresh_step
from ingestion.sources import SOURCES
from jobs.types import JobData

SOURCE = "remotive"

NOT_CONFIGURED = (
    "Remotive is off: set REMOTIVE_ENABLED=true (a public feed of remote jobs, no key; "
    "its terms ask for at most four reads a day and a link back to Remotive, which gigm8 keeps to)."
)


def remotive_not_ready() -> str | None:
    """Why Remotive cannot run (not switched on), or None."""
    return None if settings.REMOTIVE_ENABLED else NOT_CONFIGURED


def remotive_board(*, category: str = "", search: str = "") -> str:
    """Job.board of a feed: "all", "category:software-dev", "search:python", or both."""
    parts = [f"category:{category}" if category else "", f"search:{search}" if search else ""]
    return " ".join(part for part in parts if part) or "all"


# Remotive's separators between the places in candidate_required_location.
_PLACES = re.compile(r"[,;/|]")


def remotive_record(raw: dict[str, Any], board: str = "") -> JobData:
    """One posting as JobData; raises normalize.InvalidPosting when it has no id or title."""
    if not isinstance(raw, dict):
        raise normalize.InvalidPosting("posting is not an object")
    required = normalize.clean_line(raw.get("candidate_required_location"))
    countries = {normalize.country_code(place.strip()) for place in _PLACES.split(required) if place.strip()}
    tags = [str(tag) for tag in raw.get("tags") or () if tag] if isinstance(raw.get("tags"), list) else []
    return normalize.build_job_data(
        source=SOURCE,
        external_id=raw.get("id"),
        title=raw.get("title"),
        company_name=raw.get("company_name"),
        description=raw.get("description"),  # HTML: kept sanitized, and read as text
        location=required,
        split_place=not SOURCES[SOURCE].location_is_display,  # where applicants may live, not where the job is
        country=countries.pop() if len(countries) == 1 else None,  # "" when it is no country
        remote=True,
        employment_type=raw.get("job_type"),
        salary_text=raw.get("salary") or None,
        category=raw.get("category"),
        # Remotive's tags are its skills; a posting without any gets them read from its text.
        skills=tags or None,
        apply_url=raw.get("url"),
        posted_at=raw.get("publication_date"),
        board=board,
    )


# What remotive_record reads (the logo URLs are left out).
_RAW_FIELDS = (
    "id",
    "url",
    "title",
    "company_name",
    "category",
    "tags",
    "job_type",
    "publication_date",
    "candidate_required_location",
    "salary",
    "description",
)


def remotive_source_hash(raw: dict[str, Any]) -> str:
    return raw_hash({key: raw.get(key) for key in _RAW_FIELDS}, module_file=__file__)


def _read(board: str) -> Iterator[FeedPage]:
    """The one answer of the feed; with REMOTIVE_LIMIT reached it may be cut, so it is not the whole feed."""
    limit = settings.REMOTIVE_LIMIT
    client = RemotiveClient.from_settings()
    try:
        jobs = client.jobs(category=settings.REMOTIVE_CATEGORY, search=settings.REMOTIVE_SEARCH, limit=limit)
    finally:
        client.close()
    yield FeedPage(results=jobs, last=not limit or len(jobs) < limit)


def _min_interval() -> timedelta:
    return timedelta(hours=settings.REMOTIVE_MIN_INTERVAL_HOURS)


REMOTIVE = register_feed(
    FeedSource(
        name=SOURCE,
        not_ready=remotive_not_ready,
        boards=lambda: [remotive_board(category=settings.REMOTIVE_CATEGORY, search=settings.REMOTIVE_SEARCH)],
        read=_read,
        external_id=lambda raw: raw.get("id"),
        source_hash=remotive_source_hash,
        record=remotive_record,
        params=lambda: {
            "category": settings.REMOTIVE_CATEGORY,
            "search": settings.REMOTIVE_SEARCH,
            "limit": settings.REMOTIVE_LIMIT,
        },
        min_interval=_min_interval,
    )
)


def remotive_fetch(
    *, triggered_by: str, user: Any = None, task_id: str = "", sync_log: SyncLog | None = None
) -> SyncLog:
    """A Remotive run (ingestion.services.feeds.feed_run); FeedAlreadyRunning when one is under way."""
    return feed_run(feed=REMOTIVE, triggered_by=triggered_by, user=user, task_id=task_id, sync_log=sync_log)


@register_refresh_step("remotive", order=110, not_ready=remotive_not_ready)
def remotive_refresh_step(ctx: RefreshContext) -> SyncLog | None:
    return feed_refresh(REMOTIVE, ctx)
