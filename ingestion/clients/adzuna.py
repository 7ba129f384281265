"""Adzuna job search API: I/O only (https://developer.adzuna.com/docs/search).

GET {base}/v1/api/jobs/{country}/search/{page} with app_id and app_key, through the shared
JsonApi (ingestion.clients.http): timeouts, 429 and 5xx are retried with exponential backoff and
jitter, Retry-After honoured; 401/403 are not. Errors never carry the request URL: it holds the app_key.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from django.conf import settings

from clients.errors import PermanentError
from clients.retry import MAX_RETRY_AFTER
from ingestion.clients.http import JsonApi

MAX_RESULTS_PER_PAGE = 50
_COUNTRY = re.compile(r"^[a-z]{2}$")


@dataclasses.dataclass(slots=True)
class AdzunaPage:
    count: int  # results matching the search, over every page
    results: list[dict[str, Any]]


class AdzunaClient:
    def __init__(
        self,
        *,
        app_id: str,
        app_key: str,
        base_url: str,
        connect_timeout: float = 5,
        read_timeout: float = 30,
        attempts: int = 3,
        backoff: float = 1.0,
        max_backoff: float = 30.0,
        max_retry_after: float = MAX_RETRY_AFTER,
    ) -> None:
        if not app_id or not app_key:
            raise PermanentError("Adzuna credentials are not set (ADZUNA_APP_ID and ADZUNA_APP_KEY)")
        self.app_id = app_id
        self.app_key = app_key
        self.http = JsonApi(
            name="Adzuna",
            base_url=base_url,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            attempts=attempts,
            backoff=backoff,
            max_backoff=max_backoff,
            max_retry_after=max_retry_after,
        )

    @classmethod
    def from_settings(cls) -> AdzunaClient:
        return cls(
            app_id=settings.ADZUNA_APP_ID,
            app_key=settings.ADZUNA_APP_KEY,
            base_url=settings.ADZUNA_BASE_URL,
            connect_timeout=settings.ADZUNA_CONNECT_TIMEOUT,
            read_timeout=settings.ADZUNA_READ_TIMEOUT,
            attempts=settings.ADZUNA_ATTEMPTS,
            backoff=settings.ADZUNA_BACKOFF,
        )

    def close(self) -> None:
        self.http.close()

    def search(
        self,
        *,
        country: str,
        page: int,
        what: str = "",
        where: str = "",
        results_per_page: int = MAX_RESULTS_PER_PAGE,
        max_days_old: int | None = None,
        category: str = "",
        sort_by: str = "",
        salary_min: int | None = None,
        full_time: bool = False,
        part_time: bool = False,
        contract: bool = False,
        permanent: bool = False,
    ) -> AdzunaPage:
        """One page of search results (pages start at 1)."""
        country = country.lower()
        if not _COUNTRY.match(country):
            raise PermanentError(f"Adzuna country must be a two-letter code, got {country!r}")
        if page < 1:
            raise PermanentError(f"Adzuna pages start at 1, got {page}")
        params: dict[str, Any] = {
            "app_id": self.app_id,
            "app_key": self.app_key,
            "results_per_page": max(1, min(results_per_page, MAX_RESULTS_PER_PAGE)),
        }
        optional = {"what": what, "where": where, "category": category, "sort_by": sort_by}
        params.update({k: v for k, v in optional.items() if v})
        if max_days_old:
            params["max_days_old"] = max_days_old
        if salary_min:
            params["salary_min"] = salary_min
        for flag, on in (("full_time", full_time), ("part_time", part_time), ("contract", contract)):
            if on:
                params[flag] = 1
        if permanent:
            params["permanent"] = 1
        payload = self.http.get_json(
            f"/v1/api/jobs/{country}/search/{page}", params=params, label=f"{country} page {page}"
        )
        results = payload.get("results") if isinstance(payload, dict) else None
        if not isinstance(results, list):
            raise PermanentError(f"Adzuna sent a response without a results list ({country} page {page})")
        try:
            count = int(payload.get("count") or 0)
        except (TypeError, ValueError):
            count = 0
        return AdzunaPage(count=count, results=results)
