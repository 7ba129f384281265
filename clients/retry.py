"""The one retry policy the clients share (tenacity): backoff with jitter, Retry-After honoured.

A client says which errors are worth another try and how long to back off; the policy tries
up to `attempts` times and re-raises the last error. When the error is a TransientError that
carries the server's Retry-After, that wait (capped) replaces the backoff.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter
from tenacity.wait import WaitBaseT

from clients.errors import TransientError

# Longest Retry-After we honour, in seconds: a server asking for more gets this.
MAX_RETRY_AFTER = 120.0


def retry_after_seconds(value: bytes | str | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date (0 when past); None when absent or unreadable."""
    if not value:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def backoff_wait(*, first: float, maximum: float) -> WaitBaseT:
    """Exponential backoff: about `first` seconds, doubling each retry up to `maximum`, plus up to
    `first` seconds of jitter so clients that failed together do not retry together."""
    return wait_exponential_jitter(multiplier=first, max=maximum, jitter=first)


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, TransientError)


def client_retrying(
    *,
    attempts: int,
    wait: WaitBaseT,
    retry_on: Callable[[BaseException], bool] = is_transient,
    max_retry_after: float = MAX_RETRY_AFTER,
    before_sleep: Callable[[RetryCallState], None] | None = None,
) -> Retrying:
    """A tenacity Retrying for one call: `retrying(fn)`, or `for attempt in retrying: with attempt: ...`."""

    def pause(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, TransientError) and exc.retry_after is not None:
            return min(exc.retry_after, max_retry_after)
        return wait(state)

    return Retrying(
        stop=stop_after_attempt(attempts),
        wait=pause,
        retry=retry_if_exception(retry_on),
        reraise=True,
        before_sleep=before_sleep,
    )
