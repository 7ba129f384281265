import time

import pytest

from clients.errors import CredentialsError, PermanentError, TransientError
from ingestion.clients.adzuna import AdzunaClient
from ingestion.tests.fake_adzuna import APP_ID, APP_KEY, adzuna_result


@pytest.fixture
def client(fake_adzuna):
    return AdzunaClient.from_settings()


def test_search_sends_the_documented_parameters(fake_adzuna, client):
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(3)])
    page = client.search(country="GB", page=1, what="python", where="London", max_days_old=7, results_per_page=99)
    assert page.count == 3 and len(page.results) == 3
    request = fake_adzuna.requests[-1]
    assert request["country"] == "gb" and request["page"] == 1
    assert request["app_id"] == APP_ID and request["app_key"] == APP_KEY
    assert request["results_per_page"] == "50"  # capped at Adzuna's maximum
    assert (request["what"], request["where"], request["max_days_old"]) == ("python", "London", "7")


def test_pages_follow_results_per_page(fake_adzuna, client):
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(7)])
    pages = [client.search(country="gb", page=n, results_per_page=3) for n in (1, 2, 3)]
    assert [len(p.results) for p in pages] == [3, 3, 1]
    assert pages[2].results[0]["id"] == adzuna_result(6)["id"]


def test_429_waits_for_retry_after_then_succeeds(fake_adzuna, client):
    fake_adzuna.set_jobs("gb", [adzuna_result(1)])
    fake_adzuna.fail(429, headers={"Retry-After": "1"})
    started = time.monotonic()
    page = client.search(country="gb", page=1)
    assert time.monotonic() - started >= 0.9
    assert len(page.results) == 1 and len(fake_adzuna.requests) == 2


def test_500_is_retried_then_gives_up_after_three_attempts(fake_adzuna, client):
    fake_adzuna.fail(500, times=5)
    with pytest.raises(TransientError, match="HTTP 500"):
        client.search(country="gb", page=1)
    assert len(fake_adzuna.requests) == 3


def test_slow_answer_times_out_and_is_retried(fake_adzuna, settings):
    settings.ADZUNA_READ_TIMEOUT = 1
    fake_adzuna.set_jobs("gb", [adzuna_result(1)])
    fake_adzuna.fail(200, delay=1.6)
    page = AdzunaClient.from_settings().search(country="gb", page=1)
    assert len(page.results) == 1 and len(fake_adzuna.requests) == 2


def test_rejected_credentials_are_not_retried(fake_adzuna, settings):
    settings.ADZUNA_APP_KEY = "wrong"
    with pytest.raises(CredentialsError, match="Adzuna rejected the credentials"):
        AdzunaClient.from_settings().search(country="gb", page=1)
    assert len(fake_adzuna.requests) == 1


def test_a_body_that_is_not_json_is_a_permanent_error(fake_adzuna, client):
    fake_adzuna.fail(200, body=b"<html>maintenance</html>")
    with pytest.raises(PermanentError, match="not JSON"):
        client.search(country="gb", page=1)


def test_errors_never_show_the_app_key(fake_adzuna, settings):
    settings.ADZUNA_BASE_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    with pytest.raises(TransientError) as excinfo:
        AdzunaClient.from_settings().search(country="gb", page=1)
    assert APP_KEY not in str(excinfo.value)


def test_missing_credentials_are_refused_before_any_request(settings):
    settings.ADZUNA_APP_ID = ""
    with pytest.raises(PermanentError, match="not set"):
        AdzunaClient.from_settings()
