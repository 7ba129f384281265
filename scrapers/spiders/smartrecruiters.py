"""SmartRecruiters through its public Posting API: a page of a company's postings, then each posting.

GET {base}/v1/companies/{company}/postings?offset=N&limit=L answers {"offset", "limit", "totalFound",
"content": [{id, name, refNumber, company{identifier, name}, releasedDate, location{city, region,
country, remote}, department{label}, function{label}, typeOfEmployment{id, label},
experienceLevel{id, label}, ref}]}; GET {base}/v1/companies/{company}/postings/{id} adds the
job ad (jobAd.sections: companyDescription, jobDescription, qualifications, additionalInformation,
each {title, text}) and the posting's public URLs (postingUrl, applyUrl). A board is the company
identifier of its careers URL (jobs.smartrecruiters.com/<company>).

Paging stops at totalFound, at a short page, at SMARTRECRUITERS_MAX_PAGES or at a page with no new
posting (the last two leave the board incomplete); a failed detail keeps the listed posting.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

from scrapy.http import TextResponse

from ingestion.services.crawl import BoardRef
from scrapers.items import JobItem
from scrapers.spiders.base import BoardSpider

_SECTIONS = ("companyDescription", "jobDescription", "qualifications", "additionalInformation")


def _label(value: Any) -> str:
    return str(value.get("label") or "") if isinstance(value, dict) else ""


def smartrecruiters_posting(listed: dict[str, Any], detail: dict[str, Any] | None, *, company: str) -> dict[str, Any]:
    """build_job_data keyword arguments from a listed posting and its detail (when fetched)."""
    posting = {**listed, **(detail or {})}
    location = posting.get("location") or {}
    sections = ((posting.get("jobAd") or {}).get("sections")) or {}
    parts = []
    for key in _SECTIONS:
        section = sections.get(key) or {}
        if section.get("text"):
            parts.append(f"<h3>{section.get('title') or ''}</h3>{section['text']}")
    # `remote` (and, on newer boards, `hybrid`) are the location's flags; neither set says nothing.
    remote = "remote" if location.get("remote") else "hybrid" if location.get("hybrid") else None
    place = ", ".join(p for p in (location.get("city"), location.get("region")) if p)
    posting_id = str(posting.get("id") or "")
    fallback_url = f"https://jobs.smartrecruiters.com/{quote(company, safe='')}/{posting_id}" if posting_id else ""
    return {
        "external_id": posting_id,
        "title": posting.get("name") or "",
        "company_name": (posting.get("company") or {}).get("name") or "",
        "description_html": "\n".join(parts),
        "location": location.get("fullLocation") or place,
        "city": location.get("city") or None,
        "region": location.get("region") or None,
        "country": location.get("country") or None,  # ISO alpha-2, lower case ("us")
        "remote": remote,
        "employment_type": _label(posting.get("typeOfEmployment")) or None,  # "Full-time", "Contract", …
        "category": _label(posting.get("function")) or _label(posting.get("department")),
        "apply_url": posting.get("postingUrl") or posting.get("applyUrl") or fallback_url,
        "posted_at": posting.get("releasedDate"),
    }


class SmartRecruitersSpider(BoardSpider):
    name = "smartrecruiters"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seen_ids: dict[str, set[str]] = {}

    def _company_url(self, board: str) -> str:
        return f"{self.settings.get('SMARTRECRUITERS_BASE_URL')}/v1/companies/{quote(board, safe='')}/postings"

    def _page(self, board: str, offset: int) -> Any:
        query = urlencode({"offset": offset, "limit": self.settings.getint("SMARTRECRUITERS_PAGE_SIZE")})
        return self.board_request(
            board, f"{self._company_url(board)}?{query}", self.parse_page, cb_kwargs={"offset": offset}
        )

    def board_requests(self, board: BoardRef) -> Iterator[Any]:
        yield self._page(board.token, 0)

    def parse_page(self, response: TextResponse, offset: int) -> Iterator[Any]:
        board = response.meta["board"]
        payload = response.json()
        postings = payload["content"]
        if not isinstance(postings, list):
            raise ValueError(f"expected a list of postings, got {type(postings).__name__}")
        seen = self.seen_ids.setdefault(board, set())
        new = 0
        for listed in postings:
            posting_id = str(listed.get("id") or "") if isinstance(listed, dict) else ""
            if not posting_id:  # malformed: nothing to ask for; the pipeline drops and counts it
                yield from self.listing_items(board, {"listed": listed if isinstance(listed, dict) else {}})
                continue
            if posting_id in seen:
                continue
            seen.add(posting_id)
            new += 1
            yield self.board_request(
                board,
                f"{self._company_url(board)}/{quote(posting_id, safe='')}",
                self.parse_detail,
                errback=self.detail_errback,
                cb_kwargs={"listed": listed},
            )
        page_size = self.settings.getint("SMARTRECRUITERS_PAGE_SIZE")
        following = offset + len(postings)
        if len(postings) >= page_size and following < int(payload.get("totalFound") or 0):
            pages = following // max(page_size, 1)
            if not new or pages >= self.settings.getint("SMARTRECRUITERS_MAX_PAGES"):
                self.boards[board].truncated = True
                self.logger.warning("board %s: paging stopped after %d page(s) (%d new postings)", board, pages, new)
            else:
                yield self._page(board, following)
        self.board_done(response)

    def parse_detail(self, response: TextResponse, listed: dict[str, Any]) -> Iterator[JobItem]:
        board = response.meta["board"]
        try:
            detail = response.json()
        except ValueError:
            detail = None
            self.board_note(board, f"no description: unparsable detail from {response.url}")
        yield self._item(board, listed, detail if isinstance(detail, dict) else None)
        self.board_done(response)

    def listing_items(self, board: str, cb_kwargs: dict[str, Any]) -> Iterator[JobItem]:
        yield self._item(board, cb_kwargs["listed"], None)

    def _item(self, board: str, listed: dict[str, Any], detail: dict[str, Any] | None) -> JobItem:
        posting = smartrecruiters_posting(listed, detail, company=board)
        posting["company_name"] = self.company_name(board, posting["company_name"])
        return JobItem(board=board, posting=posting)
