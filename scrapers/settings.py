"""Scrapy settings for gigm8's spiders.

Values an operator may change come from Django's settings (and so from gigm8/env.py, the one
place environment variables are read); this module sets Django up once so the pipeline and
the spiders' board lists can use the ORM.
"""

from __future__ import annotations

import os

import django
from django.apps import apps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigm8.settings.local")
if not apps.ready:
    django.setup()

from django.conf import settings as django_settings

from ingestion.sources import SOURCES
from scrapers.netguard import parse_networks

BOT_NAME = "gigm8"
SPIDER_MODULES = ["scrapers.spiders"]
NEWSPIDER_MODULE = "scrapers.spiders"

# --- Where each spider reads from (tests point these at local servers) ---------------------
for _source in SOURCES.values():  # the setting each spider's row in ingestion.sources names
    if _source.is_spider and _source.base_url_setting:
        globals()[_source.base_url_setting] = getattr(django_settings, _source.base_url_setting)
MICROSOFT_CAREERS_REQUEST_INTERVAL = django_settings.MICROSOFT_CAREERS_REQUEST_INTERVAL
# Greenhouse's board API has no paging: a board is one answer with every job's HTML (about 16 KB a
# job; the largest catalog boards list ~1,400 jobs, ~23 MB). Its own limit, above DOWNLOAD_MAXSIZE.
GREENHOUSE_DOWNLOAD_MAXSIZE = 96 * 1024 * 1024
LEVER_PAGE_SIZE = 100
LEVER_MAX_PAGES = 100  # 10,000 postings a board; the largest catalog board lists about 1,000
# Workday pages its listing 20 at a time (its own maximum) and costs one more request per posting.
WORKDAY_PAGE_SIZE = 20
WORKDAY_MAX_PAGES = 250  # 5,000 postings a board
WORKDAY_CONCURRENCY = 2  # requests in flight per Workday data centre (…wd5.myworkdayjobs.com)
SMARTRECRUITERS_PAGE_SIZE = 100  # the Posting API's maximum
SMARTRECRUITERS_MAX_PAGES = 100
CAREERS_MAX_PAGES = 300  # per careers site, job pages included
CAREERS_RENDER = "auto"  # auto: render with Chromium only when the plain HTML lists no job links

# --- Politeness -----------------------------------------------------------------------------
# Each ATS serves every board from one host, so one spider's boards share one download slot:
# at most CONCURRENT_REQUESTS_PER_DOMAIN in flight, AutoThrottle pacing them to the host's
# latency and never closer than DOWNLOAD_DELAY (randomized 0.5-1.5x). The catalog's 100+ boards
# take one request each (Lever: one per 100 postings) at about 2-3 requests/s (bench/README.md).
ROBOTSTXT_OBEY = django_settings.CRAWL_OBEY_ROBOTS
# robots.txt rules for our bot's name (and "*") apply, whatever browser string a request carries.
ROBOTSTXT_USER_AGENT = "gigm8"
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25  # AutoThrottle never goes below this
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
# No listening ports in workers: neither the telnet console nor the remote-control server
# (which runs code sent to it).
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# --- Retries: 429 and 5xx, with backoff that honours Retry-After ----------------------------
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [408, 429, 500, 502, 503, 504, 522, 524]
RETRY_BACKOFF_BASE = 1.0  # seconds; doubled on each retry of a request
RETRY_BACKOFF_MAX = 120.0  # a longer Retry-After is capped to this

# A small pool of current browser user agents, one picked per request (refresh by hand now and
# then: sites treat stale versions as bots).
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/142.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 "
    "Safari/537.36 Edg/142.0.0.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:145.0) Gecko/20100101 Firefox/145.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:145.0) Gecko/20100101 Firefox/145.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 "
    "Safari/605.1.15",
]

# --- Address guard (careers pages come from staff-edited URLs: no reaching inside) ---------
CRAWL_ALLOWED_PRIVATE_NETWORKS = [str(n) for n in parse_networks(django_settings.CRAWL_ALLOWED_PRIVATE_NETWORKS)]

DOWNLOADER_MIDDLEWARES = {
    # First, so a refused address is not even asked for its robots.txt.
    "scrapers.middlewares.PrivateAddressGuardMiddleware": 50,
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "scrapers.middlewares.RotatingUserAgentMiddleware": 500,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scrapers.middlewares.BackoffRetryMiddleware": 550,
    # Next to the downloader, so it sees every answer before retries replace it.
    "scrapers.middlewares.BoardStatusMiddleware": 950,
}

ITEM_PIPELINES = {"scrapers.pipelines.JobIngestPipeline": 300}
INGEST_BATCH_SIZE = 500

# --- HTTP cache: development only (replays pages instead of asking the sites again) ----------
HTTPCACHE_ENABLED = django_settings.CRAWL_HTTP_CACHE
HTTPCACHE_DIR = str(django_settings.VAR_DIR / "scrapy-cache")
HTTPCACHE_EXPIRATION_SECS = 3600
HTTPCACHE_IGNORE_HTTP_CODES = [*RETRY_HTTP_CODES, 403, 404]

# --- JavaScript pages: scrapy-playwright with Debian's Chromium (no browser download) -------
# The careers spider routes http(s) through scrapy-playwright's handler (its custom_settings);
# only requests with meta["playwright"] open a page, and the browser starts on the first one.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": django_settings.CHROMIUM_PATH,
    "args": list(django_settings.CHROMIUM_ARGS),
}
PLAYWRIGHT_MAX_CONTEXTS = 2
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000
# Every connection the browser makes (redirect hops, sub-resources, fetch(), WebSockets) goes
# through the crawl's egress proxy, which the careers spider's handler
# (scrapers.handlers.GuardedPlaywrightHandler) starts and points Chromium at.

LOG_LEVEL = "INFO"
# Django's LOGGING already has a root handler; a second one printed every line twice.
LOG_INSTALL_ROOT_HANDLER = False
FEED_EXPORT_ENCODING = "utf-8"
