"""Microsoft Careers (its Eightfold "pcsx" API), paced: Microsoft throttles hard.

GET {base}/api/pcsx/search?domain=microsoft.com&query=&location=&start=N lists about ten
positions a page (`data.positions`, `data.count`); each position's description comes from
GET {base}/api/pcsx/position_details?position_id=…&domain=…. A board is the `domain`.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urljoin

from scrapy.http import TextResponse
from scrapy.settings import BaseSettings

from ingestion.services.crawl import BoardRef
from scrapers.items import JobItem
from scrapers.spiders.base import BoardSpider


def microsoft_posting(position: dict[str, Any], detail: dict[str, Any] | None, *, base_url: str) -> dict[str, Any]:
    """build_job_data keyword arguments from a search position and its details (when fetched)."""
    detail = detail or {}
    # "Redmond, WA, US" reads better than "United States, Washington, Redmond".
    places = position.get("standardizedLocations") or position.get("locations") or []
    position_url = position.get("positionUrl") or ""
    return {
        "external_id": str(position.get("id") or ""),
        "title": position.get("name") or "",
        "company_name": "Microsoft",
        "description_html": detail.get("jobDescription") or "",
        "location": places[0] if places else "",
        "remote": position.get("workLocationOption") or None,  # onsite, hybrid, remote
        "category": position.get("department") or "",
        "apply_url": urljoin(base_url + "/", position_url.lstrip("/")) if position_url else "",
        "posted_at": position.get("postedTs"),  # epoch seconds
    }


class MicrosoftSpider(BoardSpider):
    name = "microsoft"  # its board: a company of ATS kind Microsoft Careers, board token "microsoft.com"

    def __init__(self, *args: Any, max_positions: str = "0", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        try:
            self.max_positions = int(max_positions or 0)
        except ValueError:
            raise ValueError(f"max_positions: expected a whole number, got {max_positions!r}") from None
        self.listed: collections.Counter[str] = collections.Counter()

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # One request at a time, MICROSOFT_CAREERS_REQUEST_INTERVAL seconds apart (AutoThrottle
        # never goes below DOWNLOAD_DELAY); 429s slow the slot further (BackoffRetryMiddleware).
        interval = settings.getfloat("MICROSOFT_CAREERS_REQUEST_INTERVAL")
        settings.set("DOWNLOAD_DELAY", interval, priority="spider")
        settings.set("AUTOTHROTTLE_START_DELAY", max(interval, 1.0), priority="spider")
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 1, priority="spider")
        settings.set("RETRY_BACKOFF_BASE", max(interval, 1.0) * 2, priority="spider")

    @property
    def base_url(self) -> str:
        return self.settings.get("MICROSOFT_CAREERS_BASE_URL")

    def _search(self, board: str, start: int) -> Any:
        query = urlencode({"domain": board, "query": "", "location": "", "start": start})
        return self.board_request(
            board, f"{self.base_url}/api/pcsx/search?{query}", self.parse_search, cb_kwargs={"start": start}
        )

    def board_requests(self, board: BoardRef) -> Iterator[Any]:
        yield self._search(board.token, 0)

    def parse_search(self, response: TextResponse, start: int) -> Iterator[Any]:
        board = response.meta["board"]
        state = self.boards[board]
        data = response.json()["data"]
        positions = data["positions"]
        count = int(data.get("count") or 0)
        for position in positions:
            if self.max_positions and self.listed[board] >= self.max_positions:
                state.truncated = True  # a partial listing must not expire the rest
                break
            self.listed[board] += 1
            if position.get("id") is None:
                yield self._item(board, position, None)
                continue
            query = urlencode({"position_id": position["id"], "domain": board, "hl": "en"})
            yield self.board_request(
                board,
                f"{self.base_url}/api/pcsx/position_details?{query}",
                self.parse_details,
                errback=self.detail_errback,
                cb_kwargs={"position": position},
            )
        following = start + len(positions)
        if positions and following < count and not state.truncated:
            yield self._search(board, following)
        self.board_done(response)

    def parse_details(self, response: TextResponse, position: dict[str, Any]) -> Iterator[JobItem]:
        detail = response.json().get("data") or {}
        yield self._item(response.meta["board"], position, detail)
        self.board_done(response)

    def _item(self, board: str, position: dict[str, Any], detail: dict[str, Any] | None) -> JobItem:
        posting = microsoft_posting(position, detail, base_url=self.base_url)
        posting["company_name"] = self.company_name(board, posting["company_name"])
        return JobItem(board=board, posting=posting)

    def listing_items(self, board: str, cb_kwargs: dict[str, Any]) -> Iterator[JobItem]:
        # The detail request failed (BoardSpider.detail_errback): keep the position without a description.
        yield self._item(board, cb_kwargs["position"], None)
