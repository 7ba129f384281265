"""Workday career sites through their public CXS API: a page of the listing, then each posting's detail.

A board is "host/tenant/site" (jobs.boards.workday_board). The listing is
POST https://{host}/wday/cxs/{tenant}/{site}/jobs with {"appliedFacets": {}, "limit", "offset",
"searchText": ""}, answering {"total", "jobPostings": [{title, externalPath, locationsText,
postedOn, bulletFields}], "facets"}; only the first page is trusted for `total` (later pages of
real boards may say 0). Each posting's description, time type, places and start date come from
GET https://{host}/wday/cxs/{tenant}/{site}{externalPath} ({"jobPostingInfo": {…},
"hiringOrganization": {…}}): one request per posting, the cost of a Workday crawl.

Paging stops at the total, at a short or empty page, at WORKDAY_MAX_PAGES, or at a page that
brings no posting the board has not listed (an API ignoring `offset`); the last two leave the
board incomplete, so it expires nothing. A detail that fails keeps the posting from the listing
(no description) and leaves the board complete: the listing named it, so it is still there.

Politeness: every Workday host of one data centre (…wd5.myworkdayjobs.com) shares one download
slot, so many employers on wd5 are one queue paced by AutoThrottle, not one queue each.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from scrapy.http import TextResponse
from scrapy.settings import BaseSettings

from ingestion.normalize import parse_datetime
from ingestion.services.crawl import BoardRef
from jobs.boards import BoardTokenError, WorkdayBoard, workday_board
from scrapers.items import JobItem
from scrapers.spiders.base import BoardSpider

# "2 Locations": the listing's count of places, not a place (the detail names them).
_LOCATION_COUNT_RE = re.compile(r"^\d+\s+locations?$", re.IGNORECASE)
# "Posted 30+ Days Ago": only a bound ("at least 30 days"), not a date.
_OPEN_ENDED_RE = re.compile(r"\d+\+")


def workday_posted_at(posted_on: str | None, *, today: datetime) -> datetime | None:
    """A listing's relative date as a day: "Posted Today", "Posted Yesterday", "Posted 8 Days Ago".

    Counted from the crawl's day at midnight UTC, so two crawls of one day give the same date.
    "Posted 30+ Days Ago" gives None (unknown): it says only that the posting is older, and a
    date 30 days back would move with every crawl. The detail's `startDate` is preferred anyway.
    """
    if not posted_on or _OPEN_ENDED_RE.search(posted_on):
        return None
    midnight = today.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return parse_datetime(posted_on, now=midnight)


def workday_external_id(board: WorkdayBoard, external_path: str | None) -> str:
    """The tenant and the posting's last path part ("gdit:Data-Engineer_RQ216675"); unique per tenant."""
    slug = (external_path or "").rstrip("/").rpartition("/")[2]
    return f"{board.tenant}:{slug}" if slug else ""


def workday_posting(
    listed: dict[str, Any], detail: dict[str, Any] | None, *, board: WorkdayBoard, today: datetime
) -> dict[str, Any]:
    """build_job_data keyword arguments from a listing entry and its detail answer (when fetched)."""
    detail = detail or {}
    info = detail.get("jobPostingInfo") or {}
    path = listed.get("externalPath") or ""
    listed_place = listed.get("locationsText") or ""
    location = info.get("location") or ("" if _LOCATION_COUNT_RE.match(listed_place) else listed_place)
    country = (info.get("jobRequisitionLocation") or {}).get("country") or info.get("country") or {}
    posted = parse_datetime(info.get("startDate")) or workday_posted_at(
        info.get("postedOn") or listed.get("postedOn"), today=today
    )
    return {
        "external_id": workday_external_id(board, path),
        "title": info.get("title") or listed.get("title") or "",
        "company_name": (detail.get("hiringOrganization") or {}).get("name") or "",
        "description_html": info.get("jobDescription") or "",
        "location": location,
        "country": country.get("alpha2Code") or country.get("descriptor") or None,
        # Further places of one posting ("additionalLocations"), as the other ATSs list theirs.
        "remote_locations": [p for p in info.get("additionalLocations") or [] if isinstance(p, str) and p],
        "remote": info.get("remoteType") or None,  # "Remote", "Hybrid", "On-site" where the tenant sets it
        "employment_type": info.get("timeType") or None,  # "Full time", "Part time"
        "apply_url": info.get("externalUrl") or (f"https://{board.host}/{board.site}{path}" if path else ""),
        "posted_at": posted,
    }


class WorkdaySpider(BoardSpider):
    name = "workday"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seen_paths: dict[str, set[str]] = {}
        self.totals: dict[str, int] = {}
        self.today = datetime.now(UTC)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # A data centre serves many employers: at most this many requests in flight to it.
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", settings.getint("WORKDAY_CONCURRENCY"), priority="spider")

    def _url(self, board: WorkdayBoard, path: str) -> str:
        base = self.settings.get("WORKDAY_BASE_URL").format(host=board.host)
        return f"{base}/wday/cxs/{quote(board.tenant, safe='')}/{quote(board.site, safe='')}{path}"

    def _meta(self, board: WorkdayBoard) -> dict[str, Any]:
        return {"download_slot": "workday:" + ".".join(board.host.split(".")[-3:])}

    def _page(self, token: str, board: WorkdayBoard, offset: int) -> Any:
        limit = self.settings.getint("WORKDAY_PAGE_SIZE")
        body = {"appliedFacets": {}, "limit": limit, "offset": offset, "searchText": ""}
        return self.board_request(
            token,
            self._url(board, "/jobs"),
            self.parse_page,
            method="POST",
            body=json.dumps(body),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            meta=self._meta(board),
            cb_kwargs={"workday": board, "offset": offset},
        )

    def board_requests(self, board: BoardRef) -> Iterator[Any]:
        try:
            parsed = workday_board(board.token)
        except BoardTokenError as exc:
            self.board_fail(board.token, str(exc))
            return
        yield self._page(board.token, parsed, 0)

    def parse_page(self, response: TextResponse, workday: WorkdayBoard, offset: int) -> Iterator[Any]:
        token = response.meta["board"]
        payload = response.json()
        postings = payload["jobPostings"]
        if not isinstance(postings, list):
            raise ValueError(f"expected a list of jobPostings, got {type(postings).__name__}")
        if offset == 0:
            self.totals[token] = int(payload.get("total") or 0)
        seen = self.seen_paths.setdefault(token, set())
        new = 0
        for listed in postings:
            path = listed.get("externalPath") if isinstance(listed, dict) else None
            if not isinstance(listed, dict) or not path or not str(path).startswith("/"):
                # Malformed: no detail to ask for; the pipeline drops it with its reason and counts it.
                yield self._item(token, workday, listed if isinstance(listed, dict) else {}, None)
                continue
            if path in seen:
                continue
            seen.add(path)
            new += 1
            yield self.board_request(
                token,
                self._url(workday, path),
                self.parse_detail,
                errback=self.detail_errback,
                headers={"Accept": "application/json"},
                meta=self._meta(workday),
                cb_kwargs={"workday": workday, "listed": listed},
            )
        following = offset + len(postings)
        page_size = self.settings.getint("WORKDAY_PAGE_SIZE")
        if postings and following < self.totals[token] and len(postings) >= page_size:
            pages = following // max(page_size, 1)
            if not new or pages >= self.settings.getint("WORKDAY_MAX_PAGES"):
                self.boards[token].truncated = True
                self.logger.warning("board %s: paging stopped after %d page(s) (%d new postings)", token, pages, new)
            else:
                yield self._page(token, workday, following)
        self.board_done(response)

    def parse_detail(self, response: TextResponse, workday: WorkdayBoard, listed: dict[str, Any]) -> Iterator[JobItem]:
        token = response.meta["board"]
        try:
            detail = response.json()
        except ValueError:
            detail = None  # kept from the listing, as when the detail request fails
            self.board_note(token, f"no description: unparsable detail from {response.url}")
        yield self._item(token, workday, listed, detail)
        self.board_done(response)

    def listing_items(self, board: str, cb_kwargs: dict[str, Any]) -> Iterator[JobItem]:
        yield self._item(board, cb_kwargs["workday"], cb_kwargs["listed"], None)

    def _item(self, token: str, workday: WorkdayBoard, listed: dict[str, Any], detail: Any) -> JobItem:
        posting = workday_posting(listed, detail if isinstance(detail, dict) else None, board=workday, today=self.today)
        posting["company_name"] = self.company_name(token, posting["company_name"])
        return JobItem(board=token, posting=posting)
