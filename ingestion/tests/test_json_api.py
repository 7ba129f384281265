"""The JSON client every API source uses (ingestion/clients/http.py), against hostile answers: a
redirect elsewhere (which must not carry a key there), a body far larger than any feed page."""

from __future__ import annotations

import json

import pytest

from clients.errors import PermanentError
from ingestion.clients.http import JsonApi
from ingestion.clients.usajobs import UsajobsClient
from ingestion.tests.fake_feeds import USAJOBS_EMAIL, USAJOBS_KEY, USAJOBS_PATH, FakeFeeds, json_reply


@pytest.fixture
def elsewhere():
    """A second server, another host as far as the client knows: where a redirect points."""
    server = FakeFeeds().start()
    server.routes[USAJOBS_PATH] = lambda query, headers: json_reply({"SearchResult": {"SearchResultItems": []}})
    yield server
    server.stop()


def test_a_redirect_is_refused_and_the_key_never_reaches_the_other_host(fake_feeds, elsewhere):
    fake_feeds.fail(USAJOBS_PATH, status=302, headers={"Location": f"{elsewhere.url}{USAJOBS_PATH}"}, body=b"")
    client = UsajobsClient(api_key=USAJOBS_KEY, user_agent=USAJOBS_EMAIL, base_url=fake_feeds.url, attempts=1)

    with pytest.raises(PermanentError, match=r"USAJobs answered with a redirect \(HTTP 302\)"):
        client.search(page=1)

    assert elsewhere.requests == []  # followed, it would have sent Authorization-Key to another host
    assert len(fake_feeds.asked(USAJOBS_PATH)) == 1  # and a redirect is not retried


def test_an_answer_larger_than_the_limit_is_refused_before_it_is_all_read(fake_feeds):
    huge = json.dumps({"jobs": [{"description": "x" * 1000} for _ in range(100)]}).encode()
    fake_feeds.routes["/big"] = lambda query, headers: (200, {"Content-Type": "application/json"}, huge)
    api = JsonApi(name="Remotive", base_url=fake_feeds.url, attempts=1, max_bytes=10_000)

    with pytest.raises(PermanentError, match="Remotive sent more than 10,000 bytes"):
        api.get_json("/big")


def test_a_large_answer_without_a_declared_length_is_cut_at_the_limit(fake_feeds):
    # A chunked answer declares no length: the limit is counted as the body arrives.
    api = JsonApi(name="Remotive", base_url=fake_feeds.url, attempts=1, max_bytes=10_000)
    fake_feeds.routes["/stream"] = lambda query, headers: (
        200,
        {"Content-Type": "application/json", "X-No-Length": "1"},
        b'{"jobs": [' + b",".join(b'"' + b"y" * 500 + b'"' for _ in range(100)) + b"]}",
    )

    with pytest.raises(PermanentError, match="Remotive sent more than 10,000 bytes"):
        api.get_json("/stream")


def test_an_answer_within_the_limit_is_read_whole(fake_feeds):
    payload = {"jobs": [{"id": n, "title": f"Engineer {n}"} for n in range(50)]}
    fake_feeds.routes["/small"] = lambda query, headers: json_reply(payload)
    api = JsonApi(name="Remotive", base_url=fake_feeds.url, attempts=1, max_bytes=10_000)

    assert api.get_json("/small") == payload
