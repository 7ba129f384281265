"""Workable accounts through their public jobs widget: GET {base}/api/v1/widget/accounts/{account}?details=true.

One answer lists the account's published jobs ({"name", "description", "jobs": [{title, shortcode,
code, employment_type, telecommuting, department, url, shortlink, application_url, published_on,
created_at, country, city, state, experience, function, industry, locations[{country, countryCode,
city, region, hidden}], description}]}). A board is the account's name in its public address
(apply.workable.com/<account>).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from scrapy.http import TextResponse

from ingestion.services.crawl import BoardRef
from scrapers.items import JobItem
from scrapers.spiders.base import BoardSpider


def workable_posting(job: dict[str, Any]) -> dict[str, Any]:
    """build_job_data keyword arguments from one job of the widget API."""
    places = [p for p in job.get("locations") or [] if isinstance(p, dict) and not p.get("hidden")]
    first = places[0] if places else {}
    city = job.get("city") or first.get("city") or ""
    region = job.get("state") or first.get("region") or ""
    others = [", ".join(filter(None, (p.get("city"), p.get("region"), p.get("country")))) for p in places[1:]]
    return {
        "external_id": job.get("shortcode") or "",
        "title": job.get("title") or "",
        "description_html": job.get("description") or "",
        "location": ", ".join(filter(None, (city, region))),
        "city": city or None,
        "region": region or None,
        "country": first.get("countryCode") or job.get("country") or None,
        # telecommuting: the job can be done remotely; false says nothing more than "not remote".
        "remote": "remote" if job.get("telecommuting") else None,
        "remote_locations": [place for place in others if place],
        "employment_type": job.get("employment_type") or None,  # "Full-time", "Contract", …
        "category": job.get("function") or job.get("department") or "",
        "apply_url": job.get("application_url") or job.get("url") or job.get("shortlink") or "",
        "posted_at": job.get("published_on") or job.get("created_at"),
    }


class WorkableSpider(BoardSpider):
    name = "workable"

    def board_requests(self, board: BoardRef) -> Iterator[Any]:
        base = self.settings.get("WORKABLE_BASE_URL")
        url = f"{base}/api/v1/widget/accounts/{quote(board.token, safe='')}?details=true"
        yield self.board_request(board.token, url, self.parse_board)

    def parse_board(self, response: TextResponse) -> Iterator[JobItem]:
        board = response.meta["board"]
        payload = response.json()
        jobs = payload["jobs"]
        if not isinstance(jobs, list):
            raise ValueError(f"expected a list of jobs, got {type(jobs).__name__}")
        for job in jobs:
            fields = workable_posting(job if isinstance(job, dict) else {})
            fields["company_name"] = self.company_name(board, payload.get("name") or "")
            yield JobItem(board=board, posting=fields)
        self.board_done(response)
