"""A USAJobs run: one feed per keyword of USAJOBS_KEYWORDS ("keyword:nurse"), or "all", read page by
page through feed_run.

A posting (MatchedObjectDescriptor) becomes a job: PositionRemuneration is its salary with its
interval (RateIntervalCode), in US dollars; the first PositionLocation is its place and point (the
others count as its places for remote detection); RemoteIndicator and TeleworkEligible say remote
or hybrid; ApplicationCloseDate is when it expires; ApplyURI (else PositionURI) is where to apply.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings

from ingestion import normalize
from ingestion.clients.usajobs import UsajobsClient
from ingestion.models import SyncLog
from ingestion.services.feeds import FeedPage, FeedSource, feed_refresh, feed_run, raw_hash, register_feed
from ingestion.services.refresh import RefreshContext, register_refresh_step
from ingestion.sources import SOURCES
from jobs.choices import Remote, SalaryPeriod
from jobs.types import JobData

SOURCE = "usajobs"
ALL = "all"
KEYWORD = "keyword:"

NOT_CONFIGURED = (
    "USAJobs is not configured: set USAJOBS_API_KEY and USAJOBS_USER_AGENT (the e-mail address the key "
    "was issued to; free keys at developer.usajobs.gov)."
)


def usajobs_not_ready() -> str | None:
    """Why USAJobs cannot run (no key or no registered e-mail), or None."""
    return None if settings.USAJOBS_API_KEY and settings.USAJOBS_USER_AGENT else NOT_CONFIGURED


def usajobs_boards() -> list[str]:
    """Job.board of each feed: "keyword:<word>" per USAJOBS_KEYWORDS, or "all"."""
    return [f"{KEYWORD}{word}" for word in settings.USAJOBS_KEYWORDS] or [ALL]


# RateIntervalCode → (the normalizer's period, what one amount is in that period). Every two weeks
# has no period of its own: half of it is a week's. Without compensation (WC) and unknown codes: no salary.
_INTERVALS: dict[str, tuple[str, Decimal]] = {
    "PA": (SalaryPeriod.YEAR, Decimal(1)),
    "PM": (SalaryPeriod.MONTH, Decimal(1)),
    "BW": (SalaryPeriod.WEEK, Decimal("0.5")),
    "PW": (SalaryPeriod.WEEK, Decimal(1)),
    "PD": (SalaryPeriod.DAY, Decimal(1)),
    "PH": (SalaryPeriod.HOUR, Decimal(1)),
}


def usajobs_salary(remuneration: object) -> dict[str, Any]:
    """build_job_data's salary arguments from PositionRemuneration (its first entry), or {}."""
    entries = remuneration if isinstance(remuneration, list) else []
    pay = next((entry for entry in entries if isinstance(entry, dict)), None)
    if pay is None:
        return {}
    interval = _INTERVALS.get(str(pay.get("RateIntervalCode") or "").strip().upper())
    if interval is None:
        return {}
    period, share = interval
    low, high = normalize.to_decimal(pay.get("MinimumRange")), normalize.to_decimal(pay.get("MaximumRange"))
    if not low and not high:
        return {}  # "0" - "0": paid, but the announcement does not say how much
    return {
        "salary_min": low * share if low else None,
        "salary_max": high * share if high else None,
        "salary_period": period,
        "salary_currency": "USD",
    }


def _objects(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _names(value: object) -> list[str]:
    return [str(item["Name"]) for item in _objects(value) if item.get("Name")]


def _description_html(descriptor: dict[str, Any], details: dict[str, Any]) -> str:
    """The announcement's summary, duties, qualifications and grade, as HTML for the normalizer."""
    parts = []
    if summary := details.get("JobSummary"):
        parts.append(f"<p>{html.escape(str(summary))}</p>")
    major = details.get("MajorDuties")
    duties = [str(duty) for duty in major if duty] if isinstance(major, list) else []
    if duties:
        items = "".join(f"<li>{html.escape(duty)}</li>" for duty in duties)
        parts.append(f"<h3>Duties</h3><ul>{items}</ul>")
    if qualifications := descriptor.get("QualificationSummary"):
        parts.append(f"<h3>Qualifications</h3><p>{html.escape(str(qualifications))}</p>")
    grades = [str(details.get(key) or "").strip() for key in ("LowGrade", "HighGrade")]
    plans = [str(grade.get("Code")) for grade in _objects(descriptor.get("JobGrade")) if grade.get("Code")]
    if any(grades):
        low, high = grades[0] or grades[1], grades[1] or grades[0]
        span = low if low == high else f"{low} to {high}"
        parts.append(f"<p>Grade: {html.escape(' '.join([*plans[:1], span]))}</p>")
    return "".join(parts)


def _place(descriptor: dict[str, Any], *, remote: bool) -> dict[str, Any]:
    """build_job_data's place arguments: the first PositionLocation is the place and the point.

    PositionLocationDisplay ("Multiple Locations", "Anywhere in the U.S. (remote job)") is shown as
    the location, never read as a place. An announcement without PositionLocation is taken to be in
    the US (USAJobs is the US federal government's board); a remote one gets no point.
    """
    locations = _objects(descriptor.get("PositionLocation"))
    display = normalize.clean_line(descriptor.get("PositionLocationDisplay"))
    first = locations[0] if locations else {}
    name = normalize.clean_line(first.get("LocationName"))
    anywhere = normalize.remote_from_place(name) == Remote.REMOTE or not first
    country = normalize.country_code(first.get("CountryCode")) or "US"
    # CityName repeats the state ("Washington, District of Columbia"): the city is its first part.
    city = "" if anywhere else normalize.split_location(str(first.get("CityName") or name), country=country).city
    point = not anywhere and not remote
    return {
        "location": display or name,
        "split_place": not SOURCES[SOURCE].location_is_display,
        "city": city,
        "region": "" if anywhere else normalize.clean_line(first.get("CountrySubDivisionCode")),
        "country": country,
        "latitude": first.get("Latitude") if point else None,
        "longitude": first.get("Longitude") if point else None,
        "remote_locations": [normalize.clean_line(loc.get("LocationName")) for loc in locations],
    }


def usajobs_record(raw: dict[str, Any], board: str = "") -> JobData:
    """One SearchResultItem as JobData; raises normalize.InvalidPosting when it has no id or title."""
    if not isinstance(raw, dict):
        raise normalize.InvalidPosting("result is not an object")
    descriptor = raw.get("MatchedObjectDescriptor")
    if not isinstance(descriptor, dict):
        raise normalize.InvalidPosting("no MatchedObjectDescriptor")
    user_area = descriptor.get("UserArea")
    details = user_area.get("Details") if isinstance(user_area, dict) else None
    details = details if isinstance(details, dict) else {}
    remote_indicator = details.get("RemoteIndicator")
    remote = remote_indicator is True
    telework = str(details.get("TeleworkEligible")).strip().casefold() in {"true", "1", "y", "yes"}
    apply_uris = descriptor.get("ApplyURI")
    apply_uri = next((str(uri) for uri in apply_uris if uri), "") if isinstance(apply_uris, list) else ""
    return normalize.build_job_data(
        source=SOURCE,
        external_id=usajobs_id(raw),
        title=descriptor.get("PositionTitle"),
        company_name=descriptor.get("OrganizationName") or descriptor.get("DepartmentName"),
        description_html=_description_html(descriptor, details),
        **_place(descriptor, remote=remote),
        # Most specific first: remote (RemoteIndicator), hybrid (telework), then on-site as stated.
        remote=[
            True if remote else None,
            "hybrid" if telework else None,
            remote_indicator if isinstance(remote_indicator, bool) else None,
        ],
        employment_type=[*_names(descriptor.get("PositionSchedule")), *_names(descriptor.get("PositionOfferingType"))],
        **usajobs_salary(descriptor.get("PositionRemuneration")),
        category=next(iter(_names(descriptor.get("JobCategory"))), ""),
        apply_url=apply_uri or descriptor.get("PositionURI"),
        posted_at=descriptor.get("PublicationStartDate"),
        expires_at=descriptor.get("ApplicationCloseDate"),
        board=board,
    )


def usajobs_id(raw: dict[str, Any]) -> object:
    """The announcement's control number (MatchedObjectId), else its PositionID."""
    descriptor = raw.get("MatchedObjectDescriptor")
    fallback = descriptor.get("PositionID") if isinstance(descriptor, dict) else None
    return raw.get("MatchedObjectId") or fallback


def usajobs_source_hash(raw: dict[str, Any]) -> str:
    # The descriptor whole; RelevanceRank is left out: it changes with the search, not the posting.
    return raw_hash({"id": usajobs_id(raw), "descriptor": raw.get("MatchedObjectDescriptor")}, module_file=__file__)


def _read(board: str) -> Iterator[FeedPage]:
    """A feed's pages until NumberOfPages (or a short page); USAJOBS_MAX_PAGES cuts it short."""
    keyword = board.removeprefix(KEYWORD) if board.startswith(KEYWORD) else ""
    per_page = settings.USAJOBS_RESULTS_PER_PAGE
    client = UsajobsClient.from_settings()
    try:
        for number in range(1, settings.USAJOBS_MAX_PAGES + 1):
            page = client.search(page=number, keyword=keyword, results_per_page=per_page)
            last = number >= page.pages or len(page.items) < per_page
            yield FeedPage(results=page.items, last=last)
            if last:
                return
    finally:
        client.close()


USAJOBS = register_feed(
    FeedSource(
        name=SOURCE,
        not_ready=usajobs_not_ready,
        boards=usajobs_boards,
        read=_read,
        external_id=usajobs_id,
        source_hash=usajobs_source_hash,
        record=usajobs_record,
        params=lambda: {
            "keywords": list(settings.USAJOBS_KEYWORDS),
            "results_per_page": settings.USAJOBS_RESULTS_PER_PAGE,
            "max_pages": settings.USAJOBS_MAX_PAGES,
        },
    )
)


def usajobs_fetch(
    *, triggered_by: str, user: Any = None, task_id: str = "", sync_log: SyncLog | None = None
) -> SyncLog:
    """A USAJobs run (ingestion.services.feeds.feed_run); FeedAlreadyRunning when one is under way."""
    return feed_run(feed=USAJOBS, triggered_by=triggered_by, user=user, task_id=task_id, sync_log=sync_log)


@register_refresh_step("usajobs", order=120, not_ready=usajobs_not_ready)
def usajobs_refresh_step(ctx: RefreshContext) -> SyncLog | None:
    return feed_refresh(USAJOBS, ctx)
