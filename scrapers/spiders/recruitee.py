"""Recruitee companies through their public offers API: GET https://{company}.recruitee.com/api/offers/.

One answer lists the company's published offers ({"offers": [{id, slug, title, description,
requirements, location, city, state_code, state_name, country, country_code, remote, hybrid,
on_site, employment_type_code, department, careers_url, careers_apply_url, published_at,
created_at, close_at, salary{min, max, currency, period}, locations[…]}]}). A board is the
company's subdomain (jobs.boards.recruitee_board): the token becomes the host, so a malformed one
fails its board before any request.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import TextResponse

from ingestion.services.crawl import BoardRef
from jobs.boards import BoardTokenError, recruitee_board
from scrapers.items import JobItem
from scrapers.spiders.base import BoardSpider


def recruitee_posting(offer: dict[str, Any]) -> dict[str, Any]:
    """build_job_data keyword arguments from one offer."""
    salary = offer.get("salary") or {}
    # remote / hybrid / on_site are three flags; the first one set, in that order, is the arrangement.
    remote = next((name for name in ("remote", "hybrid", "on_site") if offer.get(name)), None)
    places = [p for p in offer.get("locations") or [] if isinstance(p, dict)]
    others = [", ".join(filter(None, (p.get("city"), p.get("state"), p.get("country")))) for p in places[1:]]
    description = "\n".join(filter(None, (offer.get("description"), offer.get("requirements"))))
    return {
        "external_id": str(offer.get("id") or ""),
        "title": offer.get("title") or "",
        "description_html": description,
        "location": offer.get("location") or "",
        "city": offer.get("city") or None,
        "region": offer.get("state_code") or offer.get("state_name") or None,
        "country": offer.get("country_code") or offer.get("country") or None,
        "remote": remote.replace("_", "") if remote else None,  # "onsite"
        "remote_locations": [place for place in others if place],
        "employment_type": offer.get("employment_type_code") or None,  # fulltime_permanent, parttime, …
        "salary_min": salary.get("min"),
        "salary_max": salary.get("max"),
        "salary_currency": salary.get("currency") or None,
        "salary_period": salary.get("period") or None,
        "category": offer.get("department") or "",
        "apply_url": offer.get("careers_apply_url") or offer.get("careers_url") or "",
        "posted_at": offer.get("published_at") or offer.get("created_at"),
        "expires_at": offer.get("close_at"),
    }


class RecruiteeSpider(BoardSpider):
    name = "recruitee"

    def board_requests(self, board: BoardRef) -> Iterator[Any]:
        try:
            company = recruitee_board(board.token)
        except BoardTokenError as exc:
            self.board_fail(board.token, str(exc))
            return
        base = self.settings.get("RECRUITEE_BASE_URL").format(company=company)
        yield self.board_request(board.token, f"{base}/api/offers/", self.parse_board)

    def parse_board(self, response: TextResponse) -> Iterator[JobItem]:
        board = response.meta["board"]
        offers = response.json()["offers"]
        if not isinstance(offers, list):
            raise ValueError(f"expected a list of offers, got {type(offers).__name__}")
        for offer in offers:
            fields = recruitee_posting(offer if isinstance(offer, dict) else {})
            fields["company_name"] = self.company_name(board)
            yield JobItem(board=board, posting=fields)
        self.board_done(response)
