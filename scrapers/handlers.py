"""Download handlers: scrapy-playwright's, with the browser's traffic sent through the egress proxy."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from scrapers.egress import EgressProxy
from scrapers.netguard import crawler_guard

# Flags that would send Chromium's traffic anywhere but our proxy.
_PROXY_FLAGS = ("--proxy-server", "--proxy-bypass-list", "--proxy-pac-url", "--proxy-auto-detect", "--no-proxy-server")
# WebRTC's UDP (STUN/TURN) does not go through an HTTP proxy: keep it off the network.
_WEBRTC_PROXIED_ONLY = "--force-webrtc-ip-handling-policy=disable_non_proxied_udp"


class GuardedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    """Launches Chromium behind this crawl's egress proxy, which it starts first and stops last."""

    def __init__(self, crawler: Crawler) -> None:
        if crawler.settings.get("PLAYWRIGHT_CDP_URL") or crawler.settings.get("PLAYWRIGHT_CONNECT_URL"):
            raise NotConfigured("a remote browser would not go through the egress proxy")
        super().__init__(crawler)
        self.egress = EgressProxy(crawler_guard(crawler), timeout=crawler.settings.getfloat("DOWNLOAD_TIMEOUT", 60))
        options = dict(self.config.launch_options)
        options.pop("proxy", None)
        args = [a for a in options.get("args", []) if not a.startswith(_PROXY_FLAGS)]
        options["args"] = [*args, *self.egress.chromium_args(), _WEBRTC_PROXIED_ONLY]
        self.config.launch_options = options

    async def _maybe_launch_browser(self) -> None:
        await self.egress.start()
        await super()._maybe_launch_browser()

    async def _create_browser_context(self, name: str, context_kwargs: dict | None, spider: Any = None) -> Any:
        # A context's own proxy would replace the browser's, and a persistent one (user_data_dir)
        # is a second browser launched without our arguments: neither is allowed.
        kwargs = {k: v for k, v in (context_kwargs or {}).items() if k not in ("proxy", "user_data_dir")}
        return await super()._create_browser_context(name=name, context_kwargs=kwargs, spider=spider)

    async def _close(self) -> None:
        try:
            await super()._close()
        finally:
            await self.egress.close()
