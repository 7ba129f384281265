"""Remotive's public remote-jobs API: I/O only (https://remotive.com/api/remote-jobs, no key).

GET {base}/api/remote-jobs with optional category, search and limit answers every matching
posting at once: {"0-legal-notice": …, "job-count": N, "jobs": [...]}. Its terms ask for at most
about four reads a day (listings are delayed 24 hours anyway) and a link back to Remotive with
each posting: the service keeps to both. Retries and errors are the shared JsonApi's.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from clients.errors import PermanentError
from ingestion.clients.http import JsonApi, feed_limits


class RemotiveClient:
    def __init__(self, *, base_url: str, **limits: Any) -> None:
        """`limits`: JsonApi's timeouts, attempts and backoff (feed_limits() from the settings)."""
        self.http = JsonApi(name="Remotive", base_url=base_url, keyed=False, **limits)

    @classmethod
    def from_settings(cls) -> RemotiveClient:
        return cls(base_url=settings.REMOTIVE_BASE_URL, **feed_limits())

    def close(self) -> None:
        self.http.close()

    def jobs(self, *, category: str = "", search: str = "", limit: int = 0) -> list[Any]:
        """Every posting the API lists for these parameters (one answer; there are no pages)."""
        params: dict[str, Any] = {key: value for key, value in (("category", category), ("search", search)) if value}
        if limit:
            params["limit"] = limit
        payload = self.http.get_json("/api/remote-jobs", params=params, label="remote-jobs")
        jobs = payload.get("jobs") if isinstance(payload, dict) else None
        if not isinstance(jobs, list):
            raise PermanentError("Remotive sent a response without a jobs list")
        return jobs
