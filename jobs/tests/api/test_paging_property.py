"""Keyset paging is exact: following `next` (and back through `previous`) from the first page of
any filter and ordering shows every matching job once, in the order of one whole page."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from jobs.choices import Remote
from jobs.tests.factories import JobFactory

pytestmark = pytest.mark.django_db

WORDS = ["nurse", "engineer", "python developer", "manager", "care assistant"]


@pytest.fixture
def corpus():
    """Jobs built for ties: repeated titles, texts, dates (some unknown), salaries and places."""
    now = timezone.now().replace(microsecond=0)
    places = [(51.5074, -0.1278), (51.52, -0.10), (51.45, -0.20), (53.48, -2.24)]
    jobs = []
    for n in range(72):
        word = WORDS[n % len(WORDS)]
        other = WORDS[(n * 7) % len(WORDS)]
        lat, lng = places[n % len(places)]
        jobs.append(
            JobFactory(
                title=f"{word.title()} {n % 3}",
                description=" ".join([word] * (1 + n % 4) + [other] * (n % 3) + ["team", "shift", "care"]),
                # Every fifth job's source gave no date: unknown dates sort last under both
                # date orderings, by a sentinel key the cursors compare like any other.
                posted_at=None if n % 5 == 0 else now - timedelta(hours=n % 6),
                salary_min=Decimal(20000 + 5000 * (n % 4)) if n % 2 else None,
                salary_max=Decimal(30000 + 5000 * (n % 4)) if n % 2 else None,
                salary_annual_min=Decimal(20000 + 5000 * (n % 4)) if n % 2 else None,
                salary_annual_max=Decimal(30000 + 5000 * (n % 4)) if n % 2 else None,
                salary_currency="GBP" if n % 2 else "",
                salary_period="year" if n % 2 else "",
                latitude=lat,
                longitude=lng,
                remote=[Remote.ONSITE, Remote.HYBRID, Remote.REMOTE][n % 3],
            )
        )
    return jobs


def _ids(client, params: dict) -> list[int]:
    response = client.get(f"/api/jobs/?{urlencode(params)}")
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def _walk(client, first_url: str, link: str) -> tuple[list[list[int]], str | None]:
    """The ids of each page from first_url following `link`, and the last page's opposite link."""
    pages: list[list[int]] = []
    url: str | None = first_url
    last_body: dict = {}
    for _ in range(200):  # a loop that never ends is a failure, not a hang
        if not url:
            break
        body = client.get(url).json()
        assert "results" in body, body
        pages.append([row["id"] for row in body["results"]])
        last_body = body
        url = body[link]
    else:
        pytest.fail(f"still following {link} after 200 pages: {url}")
    return pages, last_body.get("previous" if link == "next" else "next")


# Shrinking re-runs a whole paging walk per step: a failing example is reported as found.
@settings(
    max_examples=40,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    q=st.sampled_from([None, "nurse", "engineer", "developer", "nurse or engineer", "care", "team shift"]),
    near=st.booleans(),
    remote=st.sampled_from([None, "true", "remote"]),
    ordering=st.sampled_from([None, "relevance", "distance", "-salary", "salary", "posted_at", "-posted_at"]),
    page_size=st.integers(min_value=1, max_value=9),
)
def test_following_next_and_previous_sees_every_match_exactly_once(
    client, corpus, q, near, remote, ordering, page_size
):
    params: dict = {}
    if q:
        params["q"] = q
    if near:
        params["near"] = "51.5074,-0.1278"
        params["radius_km"] = "400"
    if remote:
        params["remote"] = remote
    if (ordering == "relevance" and not q) or (ordering == "distance" and not near):
        ordering = None
    if ordering:
        params["ordering"] = ordering
    whole = _ids(client, {**params, "page_size": 100})
    assert len(whole) < 100  # one page holds every match: the order to compare with
    forward, back_link = _walk(client, f"/api/jobs/?{urlencode({**params, 'page_size': page_size})}", "next")
    assert [job for page in forward for job in page] == whole
    if back_link:
        # From the last page back to the first: the same pages, in reverse.
        backward, _ = _walk(client, back_link, "previous")
        assert backward == forward[-2::-1]


@settings(
    max_examples=25,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    q=st.sampled_from(["nurse", "engineer", "developer", "nurse or engineer", "care", "team shift", "nurse -team"]),
    remote=st.sampled_from([None, "true", "remote"]),
    candidates=st.integers(min_value=1, max_value=12),
    page_size=st.integers(min_value=1, max_value=9),
)
def test_paging_by_relevance_walks_the_bounded_set_exactly_once(
    client, corpus, q, remote, candidates, page_size, request
):
    """Relevance ranks a bounded set (the SEARCH_RANK_CANDIDATES newest title/skills matches, filled
    up with others): pages walk that set, each job once, and stop at its end; `count` counts every
    match. (With an excluded word a title match may hold it elsewhere: the set holds fewer.)"""
    django_settings = request.getfixturevalue("settings")
    django_settings.SEARCH_RANK_CANDIDATES = candidates
    # The response cache keys by the query and the listing version, not by this setting: one
    # example's pages would answer another's.
    django_settings.API_CACHE_SECONDS = 0
    params: dict = {"q": q, **({"remote": remote} if remote else {})}
    whole = _ids(client, {**params, "page_size": 100})
    every = _ids(client, {**params, "ordering": "-posted_at", "page_size": 100})
    assert len(whole) == min(candidates, len(every)) or q.endswith("-team")
    assert set(whole) <= set(every)
    forward, back_link = _walk(client, f"/api/jobs/?{urlencode({**params, 'page_size': page_size})}", "next")
    assert [job for page in forward for job in page] == whole
    assert len(set(whole)) == len(whole)
    if back_link:
        backward, _ = _walk(client, back_link, "previous")
        assert backward == forward[-2::-1]
    first = client.get(f"/api/jobs/?{urlencode({**params, 'page_size': page_size})}").json()
    assert first["count"] == len(every) and first["count_is_estimate"] is False
