"""Adzuna job search API: I/O only (https://developer.adzuna.com/docs/search).

GET {base}/v1/api/jobs/{country}/search/{page} with app_id and app_key. Timeouts, 429 and 5xx
are retried with exponential backoff and jitter, Retry-After honoured (clients.retry);
401/403 are not.
Errors never carry the request URL: it holds the app_key.
"""

from __future__ import annotations

import dataclasses
import email.utils
import re
import time
from typing import Any

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

from clients.errors import CredentialsError, PermanentError, TransientError
from clients.retry import MAX_RETRY_AFTER, backoff_wait, client_retrying

MAX_RESULTS_PER_PAGE = 50
_COUNTRY = re.compile(r"^[a-z]{2}$")


@dataclasses.dataclass(slots=True)
class AdzunaPage:
    count: int  # results matching the search, over every page
    results: list[dict[str, Any]]


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


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
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self.attempts = attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=8)  # retries are tenacity's, not urllib3's
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({"Accept": "application/json", "User-Agent": "gigm8-ingestion"})

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
        self.session.close()

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
        url = f"{self.base_url}/v1/api/jobs/{country}/search/{page}"
        label = f"{country} page {page}"
        for attempt in client_retrying(
            attempts=self.attempts,
            wait=backoff_wait(first=self.backoff, maximum=self.max_backoff),
            max_retry_after=self.max_retry_after,
        ):
            with attempt:
                return self._get(url, params, label)
        raise AssertionError("unreachable")  # pragma: no cover

    def _get(self, url: str, params: dict[str, Any], label: str) -> AdzunaPage:
        try:
            response = self.session.get(url, params=params, timeout=self.timeout)
        except requests.Timeout:
            raise TransientError(f"Adzuna did not answer in time ({label})") from None
        except requests.ConnectionError:
            raise TransientError(f"could not connect to Adzuna at {self.base_url} ({label})") from None
        except requests.RequestException as exc:
            raise TransientError(f"Adzuna request failed ({label}): {type(exc).__name__}") from None
        status = response.status_code
        if status in (401, 403):
            raise CredentialsError(f"Adzuna rejected the credentials (HTTP {status})")
        if status == 429:
            raise TransientError(
                f"Adzuna rate limit reached ({label})",
                retry_after=_retry_after_seconds(response.headers.get("Retry-After")),
            )
        if status >= 500:
            raise TransientError(f"Adzuna server error HTTP {status} ({label})")
        if status >= 400:
            raise PermanentError(f"Adzuna refused the request with HTTP {status} ({label}): {response.text[:200]}")
        try:
            payload = response.json()
        except ValueError:
            raise PermanentError(f"Adzuna sent a response that is not JSON ({label})") from None
        results = payload.get("results") if isinstance(payload, dict) else None
        if not isinstance(results, list):
            raise PermanentError(f"Adzuna sent a response without a results list ({label})")
        try:
            count = int(payload.get("count") or 0)
        except (TypeError, ValueError):
            count = 0
        return AdzunaPage(count=count, results=results)
