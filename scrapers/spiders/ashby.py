"""Ashby job boards: GET {base}/posting-api/job-board/{board}?includeCompensation=true."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from scrapy.http import TextResponse

from ingestion.services.crawl import BoardRef
from scrapers.items import JobItem
from scrapers.spiders.base import BoardSpider


def _salary(compensation: dict[str, Any]) -> dict[str, Any]:
    """The salary component of the summary (min, max, currency, interval such as "1 YEAR")."""
    for component in compensation.get("summaryComponents") or []:
        if component.get("compensationType") == "Salary" and (component.get("minValue") or component.get("maxValue")):
            return {
                "salary_min": component.get("minValue"),
                "salary_max": component.get("maxValue"),
                "salary_currency": component.get("currencyCode") or None,
                "salary_period": component.get("interval") or None,
            }
    summary = compensation.get("scrapeableCompensationSalarySummary")
    return {"salary_text": summary} if summary else {}


def ashby_posting(job: dict[str, Any]) -> dict[str, Any]:
    """build_job_data keyword arguments from one Ashby job."""
    address = ((job.get("address") or {}).get("postalAddress")) or {}
    place = ", ".join(
        part.strip() for part in (address.get("addressLocality"), address.get("addressRegion")) if part and part.strip()
    )
    # workplaceType ("OnSite", "Hybrid", "Remote") is the precise field; isRemote is true for hybrid jobs
    # too, so it only speaks when workplaceType is missing.
    remote = [job.get("workplaceType") or None, job.get("isRemote")]
    secondary = [s.get("location") for s in job.get("secondaryLocations") or [] if isinstance(s, dict)]
    return {
        "external_id": str(job.get("id") or ""),
        "title": job.get("title") or "",
        "description": job.get("descriptionPlain") or "",
        "description_html": job.get("descriptionHtml") or "",
        "location": job.get("location") or place,
        "city": address.get("addressLocality") or None,
        "region": address.get("addressRegion") or None,  # "NY", "California": the state, for the geocoder
        "country": address.get("addressCountry") or None,
        "remote": remote,
        "remote_locations": [place for place in secondary if place],
        "employment_type": job.get("employmentType") or None,  # FullTime, PartTime, Intern, Contract, Temporary
        **_salary(job.get("compensation") or {}),
        "category": job.get("department") or job.get("team") or "",
        "apply_url": job.get("applyUrl") or job.get("jobUrl") or "",
        "posted_at": job.get("publishedAt"),
    }


class AshbySpider(BoardSpider):
    name = "ashby"

    def board_requests(self, board: BoardRef) -> Iterator[Any]:
        base = self.settings.get("ASHBY_BASE_URL")
        url = f"{base}/posting-api/job-board/{quote(board.token, safe='')}?includeCompensation=true"
        yield self.board_request(board.token, url, self.parse_board)

    def parse_board(self, response: TextResponse) -> Iterator[JobItem]:
        board = response.meta["board"]
        for job in response.json()["jobs"]:
            if job.get("isListed") is False:
                continue  # unlisted postings are reachable by link only: not on the board
            fields = ashby_posting(job)
            fields["company_name"] = self.company_name(board)
            yield JobItem(board=board, posting=fields)
        self.board_done(response)
