"""Any careers page: follow its links to job pages and read their schema.org JobPosting markup.

A board is one careers-page URL (Company.careers_url, or `-a urls=…`). From it the spider
follows links on the same host that look like jobs (and the listing's own pagination), and
reads JSON-LD and microdata JobPostings from every page it reaches. A careers page whose
plain HTML leads to no posting (no job links, or only links without JobPosting markup) is
rendered again in Chromium (scrapy-playwright) in case JavaScript builds the list;
`-a render=always|never` forces either way.

URLs here come from staff and users, so this spider refuses internal addresses (netguard), and
its browser reaches the network only through the egress proxy (scrapers.egress).
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy_playwright.page import PageMethod
from twisted.python.failure import Failure

from ingestion.services.crawl import BoardRef, short_key
from jobs.models import Job
from scrapers.items import JobItem
from scrapers.jobposting import extract_job_postings, jobposting_fields
from scrapers.spiders.base import BoardSpider

PLAYWRIGHT_HANDLER = "scrapers.handlers.GuardedPlaywrightHandler"  # Chromium behind the egress proxy
RENDER_MODES = ("auto", "always", "never")
MAX_DEPTH = 2  # careers page → listing pages → job pages
_external_id_limit = Job._meta.get_field("external_id").max_length
assert _external_id_limit is not None
EXTERNAL_ID_LIMIT = _external_id_limit

_JOB_LINK = re.compile(
    r"job|career|position|opening|vacanc|opportunit|posting|requisition|role|stellen|emploi|gh_jid", re.IGNORECASE
)
_PAGINATION = re.compile(r"[?&](page|p|offset|start)=\d+", re.IGNORECASE)
_NOT_PAGES = re.compile(r"\.(pdf|jpe?g|png|gif|svg|webp|css|js|zip|docx?|xlsx?|pptx?|mp4|ics)$", re.IGNORECASE)
_TRACKING = re.compile(r"^(utm_|gclid$|fbclid$|ref$|source$)", re.IGNORECASE)


def canonical_url(url: str) -> str:
    """The URL without its fragment and tracking parameters: one posting, one id."""
    parts = urlsplit(url)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path or "/", query, ""))


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


class CareersSpider(BoardSpider):
    name = "careers"
    guard_addresses = True
    custom_settings = {
        # Requests without meta["playwright"] still go through Scrapy's own HTTP client.
        "DOWNLOAD_HANDLERS": {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER},
    }

    def __init__(self, *args: Any, urls: str = "", render: str = "", **kwargs: Any) -> None:
        if urls:
            kwargs["boards"] = urls
        super().__init__(*args, **kwargs)
        if render and render not in RENDER_MODES:
            raise ValueError(f"render: expected one of {', '.join(RENDER_MODES)}, got {render!r}")
        self.render_mode = render
        self.seen: set[str] = set()
        self.pages: collections.Counter[str] = collections.Counter()
        self.found: collections.Counter[str] = collections.Counter()  # postings per board
        self.start_pages: dict[str, str] = {}
        self.rendered: set[str] = set()  # boards whose careers page was rendered

    @property
    def render(self) -> str:
        return self.render_mode or self.settings.get("CAREERS_RENDER", "auto")

    def _page_request(self, board: str, url: str, *, site: str, depth: int, rendered: bool) -> Any:
        self.pages[board] += 1
        if rendered and depth == 0:
            self.rendered.add(board)
        meta: dict[str, Any] = {"site": site, "page_depth": depth}
        if rendered:
            meta.update(
                playwright=True,
                playwright_context="careers",
                playwright_page_methods=[PageMethod("wait_for_load_state", "networkidle")],
            )
        return self.board_request(
            board,
            url,
            self.parse_page,
            meta=meta,
            cb_kwargs={"rendered": rendered},
            errback=self.page_errback,
        )

    def board_requests(self, board: BoardRef) -> Iterator[Any]:
        url = board.url or board.token
        self.start_pages[board.token] = url
        self.seen.add(canonical_url(url))
        yield self._page_request(board.token, url, site=_host(url), depth=0, rendered=self.render == "always")

    def _links(self, response: Response, site: str) -> tuple[list[str], list[str]]:
        """(job-like links, pagination links) on the page, same host only, not seen before."""
        jobs, pages = [], []
        for href in response.css("a::attr(href)").getall():
            href = href.strip()
            if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
                continue
            url = response.urljoin(href)
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or _host(url) != site or _NOT_PAGES.search(parts.path):
                continue
            key = canonical_url(url)
            if key in self.seen:
                continue
            if _PAGINATION.search(url):
                pages.append(url)
            elif _JOB_LINK.search(parts.path + "?" + parts.query):
                jobs.append(url)
            else:
                continue
            self.seen.add(key)
        return jobs, pages

    def parse_page(self, response: Response, rendered: bool) -> Iterator[Any]:
        board = response.meta["board"]
        site, depth = response.meta["site"], response.meta["page_depth"]
        postings = extract_job_postings(response.text, url=response.url) if hasattr(response, "text") else []
        page_url = canonical_url(response.url)
        for index, node in enumerate(postings):
            fields = jobposting_fields(node, page_url=page_url)
            external_id = page_url if len(postings) == 1 else f"{page_url}#{index + 1}"
            fields["external_id"] = short_key(external_id, EXTERNAL_ID_LIMIT)
            fields["company_name"] = fields["company_name"] or self.company_name(board, _host(response.url))
            self.found[board] += 1
            yield JobItem(board=board, posting=fields)
        if not postings and depth < MAX_DEPTH:
            jobs, pages = self._links(response, site)
            if depth == 0 and not jobs and not rendered and self.render == "auto":
                # Nothing to follow in the HTML as served: JavaScript may build the list.
                yield self._page_request(board, self.start_pages[board], site=site, depth=0, rendered=True)
            limit = self.settings.getint("CAREERS_MAX_PAGES")
            for url, next_depth in [(u, depth + 1) for u in jobs] + [(u, depth) for u in pages]:
                if self.pages[board] >= limit:
                    self.boards[board].truncated = True  # not every page read: expire nothing
                    break
                yield self._page_request(board, url, site=site, depth=next_depth, rendered=rendered and url in pages)
        self.board_done(response)
        yield from self._render_if_nothing_found(board)

    def _render_if_nothing_found(self, board: str) -> Iterator[Any]:
        """When the plain HTML led to no posting at all, read the careers page again, rendered.

        Its links may have been navigation only ("/careers/benefits") while JavaScript builds
        the real list; the rendered page's new links are followed as usual.
        """
        state = self.boards[board]
        if self.render != "auto" or board in self.rendered or self.found[board] or state.outstanding or state.failed:
            return
        url = self.start_pages[board]
        yield self._page_request(board, url, site=_host(url), depth=0, rendered=True)

    def page_errback(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        board = request.meta["board"]
        state = self.boards[board]
        gone = isinstance(failure.value, HttpError) and failure.value.response.status in (404, 410)
        if request.meta.get("page_depth", 0) > 0 and gone:
            # A dead link to one job page: that job is simply not listed any more.
            state.outstanding -= 1
            if len(state.errors) < 20:
                state.errors.append(self.describe_failure(failure)[:300])
            yield from self._render_if_nothing_found(board)
            return
        self.board_errback(failure)
