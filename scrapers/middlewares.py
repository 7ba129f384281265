"""Downloader middlewares: user-agent rotation, backoff retries, the private-address guard."""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.response import response_status_message

from clients.retry import retry_after_seconds
from scrapers.netguard import RefusedAddress, crawler_guard

logger = logging.getLogger(__name__)


class RotatingUserAgentMiddleware:
    """Give each request a browser user agent picked from USER_AGENTS."""

    def __init__(self, user_agents: list[str]) -> None:
        if not user_agents:
            raise NotConfigured("USER_AGENTS is empty")
        self.user_agents = user_agents

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RotatingUserAgentMiddleware:
        return cls(crawler.settings.getlist("USER_AGENTS"))

    def process_request(self, request: Request) -> None:
        request.headers[b"User-Agent"] = random.choice(self.user_agents)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, waiting before each one: Retry-After when the server says, else exponential.

    On 429 and 503 the whole download slot (the host) slows down too, so the requests still
    queued for that host wait as well instead of each collecting its own 429.
    """

    BACKOFF_STATUSES = frozenset({429, 503})

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 120.0)

    def _delay(self, request: Request, response: Response | None) -> float:
        retries = request.meta.get("retry_times", 0)
        delay = self.backoff_base * (2**retries)
        if response is not None:
            told = retry_after_seconds(response.headers.get(b"Retry-After"))
            if told is not None:
                delay = told
        return min(delay, self.backoff_max)

    def _slow_slot(self, request: Request, delay: float) -> None:
        engine = self.crawler.engine
        key = request.meta.get("download_slot")
        slot = engine.downloader.slots.get(key) if engine is not None and key else None
        if slot is not None and delay > slot.delay:
            slot.delay = delay

    # Scrapy takes coroutine methods without the spider argument; its stubs know only the sync form.
    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        delay = self._delay(request, response)
        if response.status in self.BACKOFF_STATUSES:
            self._slow_slot(request, delay)
        logger.info("retrying %s in %.1fs (HTTP %s)", request.url, delay, response.status)
        if delay > 0:
            await asyncio.sleep(delay)
        return retry

    async def process_exception(  # type: ignore[override]  # as process_response
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry", False):
            return None
        retry = self._retry(request, exception)
        if retry is None:
            return None
        delay = self._delay(request, None)
        if delay > 0:
            await asyncio.sleep(delay)
        return retry


class BoardStatusMiddleware:
    """Count each response's HTTP status against its board, retried ones included (health in the SyncLog)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BoardStatusMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        boards = getattr(self.crawler.spider, "boards", None) or {}
        state = boards.get(request.meta.get("board"))
        if state is not None:
            state.http[str(response.status)] += 1
        return response


class PrivateAddressGuardMiddleware:
    """Refuse requests to internal addresses (netguard's rule) for spiders that ask for it.

    Spiders crawling URLs that staff or users supply set `guard_addresses = True`. Redirects
    are new requests and pass through here again, so a public page redirecting inside is
    refused too. A browser request's first URL is checked here as well; what Chromium does
    after that (redirect hops, sub-resources, WebSockets) goes through the egress proxy
    (scrapers.egress), which applies the same rule with the same guard.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.guard = crawler_guard(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressGuardMiddleware:
        return cls(crawler)

    def _guarded(self) -> bool:
        return bool(getattr(self.crawler.spider, "guard_addresses", False))

    async def process_request(self, request: Request) -> None:
        if not self._guarded():
            return None
        try:
            await self.guard.check_url(request.url)
        except RefusedAddress as exc:
            self.guard.record(str(exc))
            raise IgnoreRequest(str(exc)) from None
        return None
