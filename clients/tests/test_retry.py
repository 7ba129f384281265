import pytest
from tenacity import wait_fixed

from clients.errors import PermanentError, TransientError
from clients.retry import backoff_wait, client_retrying


def _failing(*errors: Exception):
    """A call that raises each of `errors` in turn, then answers "ok"; `calls` counts the tries."""
    pending = list(errors)

    def call() -> str:
        call.calls += 1
        if pending:
            raise pending.pop(0)
        return "ok"

    call.calls = 0
    return call


def test_retry_after_replaces_the_backoff_and_is_capped():
    slept: list[float] = []
    call = _failing(TransientError("429", retry_after=7), TransientError("429", retry_after=500), TransientError("503"))
    retrying = client_retrying(attempts=4, wait=wait_fixed(3), max_retry_after=60).copy(sleep=slept.append)
    assert retrying(call) == "ok"
    assert slept == [7, 60, 3]


def test_backoff_doubles_with_up_to_its_first_wait_of_jitter_and_stops_at_the_maximum():
    slept: list[float] = []
    call = _failing(*[TransientError("503")] * 3)
    retrying = client_retrying(attempts=4, wait=backoff_wait(first=1, maximum=3)).copy(sleep=slept.append)
    assert retrying(call) == "ok"
    assert 1 <= slept[0] <= 2 and 2 <= slept[1] <= 3 and slept[2] == 3


def test_gives_up_after_the_attempts_with_the_last_error():
    call = _failing(TransientError("first"), TransientError("second"), TransientError("third"))
    retrying = client_retrying(attempts=2, wait=wait_fixed(0)).copy(sleep=lambda _: None)
    with pytest.raises(TransientError, match="second"):
        retrying(call)
    assert call.calls == 2


def test_only_what_the_client_calls_transient_is_retried():
    call = _failing(PermanentError("bad request"))
    with pytest.raises(PermanentError):
        client_retrying(attempts=3, wait=wait_fixed(0)).copy(sleep=lambda _: None)(call)
    assert call.calls == 1

    call = _failing(ValueError("try again"))
    retrying = client_retrying(attempts=3, wait=wait_fixed(0), retry_on=lambda exc: isinstance(exc, ValueError))
    assert retrying.copy(sleep=lambda _: None)(call) == "ok"
    assert call.calls == 2
