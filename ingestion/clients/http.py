"""What the JSON API clients share: one session, one GET with retries, one reading of the answer.

A client (Adzuna, Remotive, USAJobs) builds a JsonApi with its name, base URL, headers and
limits, and asks it for JSON; it then checks the payload's shape itself. Statuses map to the
client errors alike for all: timeouts, refused connections, 429 (with its Retry-After) and
5xx are TransientError, retried with backoff and jitter (clients.retry); 401/403 are
CredentialsError (nothing more will be answered); another 4xx and an answer that is not JSON are PermanentError.
Errors never carry the request URL: a query string may hold a key.

Redirects are not followed: an API that moved says so as a PermanentError, and a key sent in a
header (USAJobs' Authorization-Key) never goes to a host nobody configured. An answer larger than
`max_bytes` (decompressed, counted as it arrives) is refused rather than held in memory.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

from clients.errors import CredentialsError, PermanentError, TransientError
from clients.retry import MAX_RETRY_AFTER, backoff_wait, client_retrying, retry_after_seconds

USER_AGENT = "gigm8-ingestion"
# Larger than any page these APIs send (Remotive's whole feed is a few MB): beyond it, something is wrong.
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
_CHUNK = 64 * 1024


def feed_limits() -> dict[str, float]:
    """The FEED_* settings as JsonApi's keyword arguments: what the feed sources' clients share."""
    return {
        "connect_timeout": settings.FEED_CONNECT_TIMEOUT,
        "read_timeout": settings.FEED_READ_TIMEOUT,
        "attempts": settings.FEED_ATTEMPTS,
        "backoff": settings.FEED_BACKOFF,
    }


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
        max_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self.name = name
        # Without a key (Remotive), a 401/403 is the service refusing us, not our credentials.
        self.keyed = keyed
        self.max_bytes = max_bytes
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
            response = self.session.get(url, params=params, timeout=self.timeout, allow_redirects=False, stream=True)
        except requests.Timeout:
            raise TransientError(f"{name} did not answer in time{label}") from None
        except requests.ConnectionError:
            raise TransientError(f"could not connect to {name} at {self.base_url}{label}") from None
        except requests.RequestException as exc:
            raise TransientError(f"{name} request failed{label}: {type(exc).__name__}") from None
        with response:
            self._check_status(response, label)
            body = self._read(response, label)
        try:
            return json.loads(body)
        except ValueError:
            raise PermanentError(f"{name} sent a response that is not JSON{label}") from None

    def _check_status(self, response: requests.Response, label: str) -> None:
        name, status = self.name, response.status_code
        if 300 <= status < 400:
            moved_to = urlsplit(response.headers.get("Location", "")).netloc or "no address"
            raise PermanentError(
                f"{name} answered with a redirect (HTTP {status}) to {moved_to}{label}: not followed; "
                "if the API moved, set its base URL to the new address"
            )
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
            text = self._read(response, label)[:200].decode("utf-8", "replace")
            raise PermanentError(f"{name} refused the request with HTTP {status}{label}: {text}")

    def _read(self, response: requests.Response, label: str) -> bytes:
        """The body, up to max_bytes (a declared larger length is refused before reading any)."""
        too_large = f"{self.name} sent more than {self.max_bytes:,} bytes{label}: refused"
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise PermanentError(too_large)
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(_CHUNK):
                size += len(chunk)
                if size > self.max_bytes:
                    raise PermanentError(too_large)
                chunks.append(chunk)
        except requests.RequestException as exc:
            raise TransientError(f"{self.name} answer broke off{label}: {type(exc).__name__}") from None
        return b"".join(chunks)
