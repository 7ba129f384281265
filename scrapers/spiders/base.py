"""What every board spider shares: which boards to crawl, and whether each was crawled completely.

A board counts as complete when every request made for it was answered and parsed; only then
does the pipeline expire the board's jobs the crawl did not see. Any failed request (a 404
board, 5xx after retries, a refused address, a payload that would not parse) marks the board
failed, and a failed board expires nothing.
"""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import AsyncIterator, Iterable
from typing import Any, ClassVar

import scrapy
from asgiref.sync import sync_to_async
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from ingestion.services.crawl import BoardRef, CrawlError, crawl_boards


def split_list(value: str | Iterable[str] | None) -> list[str]:
    if not value:
        return []
    items = value.split(",") if isinstance(value, str) else value
    return [item.strip() for item in items if item.strip()]


@dataclasses.dataclass
class BoardState:
    """One board's progress during a run."""

    token: str
    company_name: str = ""
    outstanding: int = 0
    started: bool = False
    failed: bool = False
    truncated: bool = False  # a page or item limit stopped the crawl before the end
    errors: list[str] = dataclasses.field(default_factory=list)
    http: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)

    @property
    def complete(self) -> bool:
        return self.started and not self.failed and not self.truncated and self.outstanding == 0

    @property
    def status(self) -> str:
        if self.failed:
            return "failed"
        return "complete" if self.complete else "incomplete"


class BoardSpider(scrapy.Spider):
    """A spider over boards (ATS board tokens, or careers URLs): `-a boards=a,b` or Company rows."""

    # Spiders crawling URLs that staff or users give refuse internal addresses (netguard).
    guard_addresses: ClassVar[bool] = False

    def __init__(self, *args: Any, boards: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The run's arguments, recorded in its SyncLog.
        self.spider_args = {k: v for k, v in {"boards": boards, **kwargs}.items() if v and isinstance(v, str)}
        self.requested_boards = split_list(boards)
        self.boards: dict[str, BoardState] = {}
        self.start_error = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> BoardSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._on_spider_error, signal=signals.spider_error)
        crawler.signals.connect(spider._on_request_dropped, signal=signals.request_dropped)
        return spider

    # --- boards ---------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        # The ORM refuses to run inside the reactor's event loop; ask from a thread.
        try:
            refs = await sync_to_async(crawl_boards, thread_sensitive=True)(
                spider=self.name, tokens=self.requested_boards or None
            )
        except CrawlError as exc:
            self.start_error = str(exc)  # the pipeline records it: the run failed
            self.logger.error("cannot crawl: %s", exc)
            return
        if not refs:
            self.logger.warning("no boards to crawl: add enabled companies or pass -a boards=…")
        for ref in refs:
            state = self.boards.setdefault(ref.token, BoardState(token=ref.token, company_name=ref.company_name))
            state.started = True
            for request in self.board_requests(ref):
                yield request

    def board_requests(self, board: BoardRef) -> Iterable[scrapy.Request]:
        raise NotImplementedError

    def board_request(self, board: str, url: str, callback: Any, **kwargs: Any) -> scrapy.Request:
        """A request counted against its board until its callback says it is done."""
        state = self.boards[board]
        state.outstanding += 1
        meta = {**kwargs.pop("meta", {}), "board": board}
        kwargs.setdefault("errback", self.board_errback)
        # Every counted request must end in its callback or errback; the duplicate filter
        # would drop one silently (spiders that may meet a URL twice keep their own seen-set).
        kwargs.setdefault("dont_filter", True)
        return scrapy.Request(url, callback=callback, meta=meta, **kwargs)

    def board_done(self, response: Response) -> None:
        """Call at the end of a callback: this request of the board is handled."""
        self.boards[response.meta["board"]].outstanding -= 1

    def board_fail(self, board: str, error: str) -> None:
        state = self.boards[board]
        state.failed = True
        if len(state.errors) < 20:
            state.errors.append(error[:300])
        self.logger.error("board %s failed: %s", board, error)

    def board_note(self, board: str, error: str) -> None:
        """Record a problem that leaves the board complete (a posting's detail that failed)."""
        state = self.boards[board]
        if len(state.errors) < 20:
            state.errors.append(error[:300])

    def detail_errback(self, failure: Failure) -> Iterable[Any]:
        """A posting's detail request failed: the listing named the posting, so it is still on the
        board; it is kept from the listing alone (`listing_items`) and the board stays complete."""
        request = failure.request  # type: ignore[attr-defined]
        board = request.meta["board"]
        self.boards[board].outstanding -= 1
        self.board_note(board, f"no description: {self.describe_failure(failure)}")
        return self.listing_items(board, request.cb_kwargs)

    def listing_items(self, board: str, cb_kwargs: dict[str, Any]) -> Iterable[Any]:
        """The items of a posting from its listing entry alone (spiders that fetch details)."""
        raise NotImplementedError

    def company_name(self, board: str, fallback: str = "") -> str:
        return self.boards[board].company_name or fallback or board

    # --- failures ---------------------------------------------------------------------------

    def describe_failure(self, failure: Failure) -> str:
        request = failure.request  # type: ignore[attr-defined]
        if isinstance(failure.value, HttpError):
            return f"HTTP {failure.value.response.status} from {request.url}"
        return f"{type(failure.value).__name__}: {failure.getErrorMessage()} ({request.url})"

    def board_errback(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        board = request.meta["board"]
        self.boards[board].outstanding -= 1
        self.board_fail(board, self.describe_failure(failure))

    def _on_request_dropped(self, request: scrapy.Request, spider: scrapy.Spider) -> None:
        board = request.meta.get("board")
        if spider is self and board in self.boards:
            self.boards[board].outstanding -= 1

    def _on_spider_error(self, failure: Failure, response: Response, spider: scrapy.Spider) -> None:
        # A callback raised (a payload that does not parse): its board is not complete.
        board = response.meta.get("board")
        if spider is self and board in self.boards:
            self.boards[board].outstanding -= 1
            self.board_fail(board, f"unparsable response from {response.url}: {failure.getErrorMessage()[:200]}")
