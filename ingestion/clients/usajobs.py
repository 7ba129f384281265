"""USAJobs Search API: I/O only (https://developer.usajobs.gov/api-reference/get-api-search).

GET {base}/api/search?Keyword=&ResultsPerPage=&Page= with the headers Authorization-Key (the key
USAJobs issues), User-Agent (the e-mail address the key was issued to) and Host (the API's own
host name). The answer: {"SearchResult": {"SearchResultCount", "SearchResultCountAll",
"SearchResultItems": [{"MatchedObjectId", "MatchedObjectDescriptor": {…}}], "UserArea":
{"NumberOfPages"}}}. Retries and errors are the shared JsonApi's.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from clients.errors import PermanentError
from ingestion.clients.http import JsonApi, feed_limits

MAX_RESULTS_PER_PAGE = 500


@dataclasses.dataclass(slots=True)
class UsajobsPage:
    items: list[Any]  # SearchResultItems
    count_all: int  # postings matching the search, over every page
    pages: int  # UserArea.NumberOfPages (0 when it says nothing)


def _int(value: object) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return 0


class UsajobsClient:
    def __init__(self, *, api_key: str, user_agent: str, base_url: str, **limits: Any) -> None:
        """`limits`: JsonApi's timeouts, attempts and backoff (feed_limits() from the settings)."""
        if not api_key or not user_agent:
            raise PermanentError("USAJobs credentials are not set (USAJOBS_API_KEY and USAJOBS_USER_AGENT)")
        headers = {"Authorization-Key": api_key, "User-Agent": user_agent, "Host": urlsplit(base_url).netloc}
        self.http = JsonApi(name="USAJobs", base_url=base_url, headers=headers, **limits)

    @classmethod
    def from_settings(cls) -> UsajobsClient:
        return cls(
            api_key=settings.USAJOBS_API_KEY,
            user_agent=settings.USAJOBS_USER_AGENT,
            base_url=settings.USAJOBS_BASE_URL,
            **feed_limits(),
        )

    def close(self) -> None:
        self.http.close()

    def search(self, *, page: int, keyword: str = "", results_per_page: int = MAX_RESULTS_PER_PAGE) -> UsajobsPage:
        """One page of search results (pages start at 1)."""
        if page < 1:
            raise PermanentError(f"USAJobs pages start at 1, got {page}")
        params: dict[str, Any] = {"ResultsPerPage": max(1, min(results_per_page, MAX_RESULTS_PER_PAGE)), "Page": page}
        if keyword:
            params["Keyword"] = keyword
        label = f"{keyword or 'all'} page {page}"
        payload = self.http.get_json("/api/search", params=params, label=label)
        result = payload.get("SearchResult") if isinstance(payload, dict) else None
        items = result.get("SearchResultItems") if isinstance(result, dict) else None
        if not isinstance(result, dict) or not isinstance(items, list):
            raise PermanentError(f"USAJobs sent a response without SearchResult.SearchResultItems ({label})")
        user_area = result.get("UserArea")
        pages = _int(user_area.get("NumberOfPages")) if isinstance(user_area, dict) else 0
        return UsajobsPage(items=items, count_all=_int(result.get("SearchResultCountAll")), pages=pages)
