"""Greenhouse job boards: GET {base}/v1/boards/{token}/jobs?content=true (every job in one answer)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from parsel import Selector
from scrapy.http import TextResponse

from ingestion.services.crawl import BoardRef
from scrapers.items import JobItem
from scrapers.spiders.base import BoardSpider

# Metadata fields some boards add (names are the board's own): which carry what we read.
_REMOTE_FIELDS = ("location type", "workplace type", "remote")
_TYPE_FIELDS = ("employment type", "job type", "commitment", "time type")
_SALARY_FIELDS = ("salary", "compensation", "pay range")


def _metadata(job: dict[str, Any], names: tuple[str, ...]) -> str | None:
    for entry in job.get("metadata") or []:
        name = str(entry.get("name") or "").lower()
        value = entry.get("value")
        if value and any(n in name for n in names):
            return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return None


def _pay_range(content_html: str) -> str | None:
    """The pay-transparency block Greenhouse renders into the content ("Annual Salary: $X — $Y USD")."""
    block = Selector(text=content_html).css(".content-pay-transparency")
    if not block:
        return None
    title = " ".join(block.css(".title ::text").getall()).strip()
    ranges = [" ".join(r.css("::text").getall()) for r in block.css(".pay-range")]
    text = " ".join(filter(None, [title, *ranges])).strip()
    return text or None


def greenhouse_posting(job: dict[str, Any]) -> dict[str, Any]:
    """build_job_data keyword arguments from one job of the board API."""
    # `content` is HTML escaped once more as entities (&lt;p&gt;): unescape to real HTML.
    content = html.unescape(job.get("content") or "")
    location = (job.get("location") or {}).get("name") or ""
    departments = [d.get("name") for d in job.get("departments") or [] if d.get("name")]
    return {
        "external_id": str(job.get("id") or ""),
        "title": job.get("title") or "",
        "company_name": job.get("company_name") or "",
        "description_html": content,
        "location": location,
        # "Location Type" says on-site for the job as a whole, while an office such as "Remote-Friendly US
        # (Travel Required)" says it can be done remotely from there: the normalizer weighs both.
        "remote": _metadata(job, _REMOTE_FIELDS),
        "remote_locations": [o.get("name") for o in job.get("offices") or [] if isinstance(o, dict) and o.get("name")],
        "employment_type": _metadata(job, _TYPE_FIELDS),
        "salary_text": _metadata(job, _SALARY_FIELDS) or _pay_range(content),
        "category": departments[0] if departments else "",
        "apply_url": job.get("absolute_url") or "",
        "posted_at": job.get("first_published") or job.get("updated_at"),
    }


class GreenhouseSpider(BoardSpider):
    name = "greenhouse"

    def board_requests(self, board: BoardRef) -> Iterator[Any]:
        base = self.settings.get("GREENHOUSE_BASE_URL")
        url = f"{base}/v1/boards/{quote(board.token, safe='')}/jobs?content=true"
        # The whole board comes in one answer (the API has no paging): its own size limit.
        maxsize = self.settings.getint("GREENHOUSE_DOWNLOAD_MAXSIZE")
        yield self.board_request(board.token, url, self.parse_board, meta={"download_maxsize": maxsize})

    def parse_board(self, response: TextResponse) -> Iterator[JobItem]:
        board = response.meta["board"]
        jobs = response.json()["jobs"]
        for job in jobs:
            posting = greenhouse_posting(job)
            posting["company_name"] = self.company_name(board, posting["company_name"])
            yield JobItem(board=board, posting=posting)
        self.board_done(response)
