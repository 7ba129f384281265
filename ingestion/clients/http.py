"""What the JSON API clients share: one session, one GET with retries, one reading of the answer.

A client (Adzuna, Remotive, USAJobs) builds a JsonApi with its name, base URL, headers and
limits, and asks it for JSON; it then checks the payload's shape itself. Statuses map to the
client errors alike for all: timeouts, refused connections, 429 (with its Retry-After) and
5xx are TransientError, retried with backoff and jitter (clients.retry); 401/403 are
CredentialsError (nothing more will be answered); another 4xx and an answer that is not JSON are PermanentError.
Errors never carry the request URL: a query string may hold a key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from clients.errors import CredentialsError, PermanentError, TransientError
from clients.retry import MAX_RETRY_AFTER, backoff_wait, client_retrying, retry_after_seconds

USER_AGENT = "gigm8-ingestion"


class JsonApi:
    """GET JSON from one API, retried as the module says; `name` says whose in every error."""

    def __init__(
        self,
        *,
        name: str,
        base_url: str,
        headers: Mapping[str, str] | None = None,
        connect_timeout: float = 5,
        read_timeout: float = 30,
        attempts: int = 3,
        backoff: float = 1.0,
        max_backoff: float = 30.0,
        max_retry_after: float = MAX_RETRY_AFTER,
        keyed: bool = True,
    ) -> None:
        self.name = name
        # Without a key (Remotive), a 401/403 is the service refusing us, not our credentials.
        self.keyed = keyed
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
        self.session.headers.update({"Accept": "application/json", "User-Agent": USER_AGENT, **(headers or {})})

    def close(self) -> None:
        self.session.close()

    def get_json(self, path: str, *, params: Mapping[str, Any] | None = None, label: str = "") -> Any:
        """The decoded JSON of GET {base_url}{path}; `label` names the request in errors ("page 2")."""
        url = f"{self.base_url}{path}"
        for attempt in client_retrying(
            attempts=self.attempts,
            wait=backoff_wait(first=self.backoff, maximum=self.max_backoff),
            max_retry_after=self.max_retry_after,
        ):
            with attempt:
                return self._get(url, params or {}, f" ({label})" if label else "")
        raise AssertionError("unreachable")  # pragma: no cover

    def _get(self, url: str, params: Mapping[str, Any], label: str) -> Any:
        name = self.name
        try:
            response = self.session.get(url, params=params, timeout=self.timeout)
        except requests.Timeout:
            raise TransientError(f"{name} did not answer in time{label}") from None
        except requests.ConnectionError:
            raise TransientError(f"could not connect to {name} at {self.base_url}{label}") from None
        except requests.RequestException as exc:
            raise TransientError(f"{name} request failed{label}: {type(exc).__name__}") from None
        status = response.status_code
        if status in (401, 403):
            if self.keyed:
                raise CredentialsError(f"{name} rejected the credentials (HTTP {status})")
            raise CredentialsError(f"{name} refused access (HTTP {status}){label}")
        if status == 429:
            raise TransientError(
                f"{name} rate limit reached{label}",
                retry_after=retry_after_seconds(response.headers.get("Retry-After")),
            )
        if status >= 500:
            raise TransientError(f"{name} server error HTTP {status}{label}")
        if status >= 400:
            raise PermanentError(f"{name} refused the request with HTTP {status}{label}: {response.text[:200]}")
        try:
            return response.json()
        except ValueError:
            raise PermanentError(f"{name} sent a response that is not JSON{label}") from None
