"""Lever postings: GET {base}/v0/postings/{site}?mode=json&skip=N&limit=L, page after page.

Paging stops at a short page (the last), at LEVER_MAX_PAGES pages, or at a page that brings no
posting the board has not already listed (an API ignoring `skip` would otherwise be asked for the
same page forever); the last two leave the board incomplete, so it expires nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

from scrapy.http import TextResponse

from ingestion.services.crawl import BoardRef
from scrapers.items import JobItem
from scrapers.spiders.base import BoardSpider


def _join(*parts: str | None, sep: str = "\n\n") -> str:
    return sep.join(p.strip() for p in parts if p and p.strip())


def lever_posting(posting: dict[str, Any]) -> dict[str, Any]:
    """build_job_data keyword arguments from one Lever posting."""
    categories = posting.get("categories") or {}
    lists = posting.get("lists") or []
    # Lever splits a posting into an opening, the body, titled lists (HTML <li>s) and a closing
    # part; the normalizer makes the plain text from the whole HTML.
    description_html = _join(
        posting.get("opening"),
        posting.get("descriptionBody") or posting.get("description"),
        *(f"<h3>{item.get('text') or ''}</h3><ul>{item.get('content') or ''}</ul>" for item in lists),
        posting.get("additional"),
        sep="\n",
    )
    salary = posting.get("salaryRange") or {}
    return {
        "external_id": str(posting.get("id") or ""),
        "title": posting.get("text") or "",
        "description_html": description_html,
        "location": categories.get("location") or "",
        "country": posting.get("country") or None,
        # Real payloads spell it "onsite" although the docs say "on-site"; the normalizer takes both.
        "remote": posting.get("workplaceType") or None,
        "remote_locations": [place for place in categories.get("allLocations") or [] if isinstance(place, str)],
        "employment_type": categories.get("commitment") or None,
        "salary_min": salary.get("min"),
        "salary_max": salary.get("max"),
        "salary_currency": salary.get("currency") or None,
        "salary_period": salary.get("interval") or None,  # per-year-salary, per-hour-wage, …
        "category": categories.get("team") or categories.get("department") or "",
        "apply_url": posting.get("applyUrl") or posting.get("hostedUrl") or "",
        "posted_at": posting.get("createdAt"),  # epoch milliseconds
    }


class LeverSpider(BoardSpider):
    name = "lever"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seen_ids: dict[str, set[str]] = {}

    def _page(self, board: str, skip: int) -> Any:
        base = self.settings.get("LEVER_BASE_URL")
        limit = self.settings.getint("LEVER_PAGE_SIZE")
        query = urlencode({"mode": "json", "skip": skip, "limit": limit})
        return self.board_request(
            board, f"{base}/v0/postings/{quote(board, safe='')}?{query}", self.parse_page, cb_kwargs={"skip": skip}
        )

    def board_requests(self, board: BoardRef) -> Iterator[Any]:
        yield self._page(board.token, 0)

    def parse_page(self, response: TextResponse, skip: int) -> Iterator[Any]:
        board = response.meta["board"]
        postings = response.json()
        if not isinstance(postings, list):
            raise ValueError(f"expected a list of postings, got {type(postings).__name__}")
        seen = self.seen_ids.setdefault(board, set())
        new = 0
        for posting in postings:
            fields = lever_posting(posting)
            if fields["external_id"]:
                if fields["external_id"] in seen:
                    continue
                seen.add(fields["external_id"])
                new += 1
            fields["company_name"] = self.company_name(board)
            yield JobItem(board=board, posting=fields)
        # A full page may have more behind it; a short one is the last.
        if len(postings) >= self.settings.getint("LEVER_PAGE_SIZE"):
            page = skip // max(self.settings.getint("LEVER_PAGE_SIZE"), 1) + 1
            if not new or page >= self.settings.getint("LEVER_MAX_PAGES"):
                self.boards[board].truncated = True
                self.logger.warning("board %s: paging stopped after %d page(s) (%d new postings)", board, page, new)
            else:
                yield self._page(board, skip + len(postings))
        self.board_done(response)
