"""Reads that scale out, against a real streaming replica (gigm8/replicas.py).

A PostgreSQL of the test's own, a hot standby made from it with `pg_basebackup -R`, and gunicorn
with production settings and `DATABASE_REPLICA_URLS` pointing at the standby. Replay on the standby
is paused to make it lag on purpose: what an anonymous reader sees then proves where the read went.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from gigm8.tests.stack import (
    Gunicorn,
    StreamingReplica,
    ThrowawayPostgres,
    ThrowawayRedis,
    manage,
    production_env,
    request,
    wait_for,
)

pytestmark = pytest.mark.slow

SEED = """
from jobs.tests.factories import CompanyFactory, JobFactory
from jobs.models import Company
company = Company.objects.filter(name="Replica Ltd").first() or CompanyFactory(name="Replica Ltd")
for n in range({count}):
    JobFactory(company=company, title="{title}", external_id=f"{title}-{{n}}")
"""
JD = "Backend engineer building web services in Python and Django with PostgreSQL, Redis and Docker."


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("replicas")
    primary = ThrowawayPostgres()
    redis = ThrowawayRedis()
    replica = web = None
    try:
        env = production_env(
            DATABASE_URL=primary.url,
            REDIS_URL=redis.url,
            API_THROTTLE_ANON="1000000/second",
            API_THROTTLE_USER="1000000/second",
            LOG_LEVEL="WARNING",
        )
        manage(env, "migrate", "--noinput")
        manage(env, "shell", "-c", SEED.format(count=12, title="Python developer"))
        manage(env, "index_jobs")
        replica = StreamingReplica(primary)
        wait_for(replica.caught_up, seconds=30, what="the replica to catch up")
        env = {**env, "DATABASE_REPLICA_URLS": replica.url, "DATABASE_REPLICA_RETRY_SECONDS": "1"}
        web = Gunicorn(env, folder / "gunicorn.log")
        yield replica, web, env
    finally:
        if web is not None:
            web.close()
        if replica is not None:
            replica.close()
        redis.close()
        primary.close()


def count(port: int, headers: dict[str, str] | None = None) -> int:
    answer = request(port, "GET", "/api/jobs/?page_size=1", headers=headers)
    assert answer.status == 200, answer.body[:300]
    return answer.json()["count"]


def every_id(port: int) -> list[int]:
    ids, path = [], "/api/jobs/?" + urlencode({"page_size": 5, "ordering": "-posted_at"})
    while path:
        answer = request(port, "GET", path)
        assert answer.status == 200, answer.body[:300]
        body = answer.json()
        ids += [job["id"] for job in body["results"]]
        path = body["next"] and body["next"].split("jobs.example.com", 1)[-1]
    return ids


def test_anonymous_reads_come_from_the_replica_and_paging_stays_exact_while_it_lags(stack):
    replica, web, env = stack
    assert count(web.port) == 12
    replica.pause()
    try:
        manage(env, "shell", "-c", SEED.format(count=7, title="Python engineer"))
        manage(env, "index_jobs")
        # The primary has 19, the 7 new ones embedded (a match on the primary would find them); an
        # anonymous reader sees the lagging replica's 12, on every page and in a match.
        assert count(web.port) == 12
        ids = every_id(web.port)
        assert len(ids) == len(set(ids)) == 12
        match = request(web.port, "POST", "/api/match/jd/", {"job_description": JD})
        assert match.status == 200, match.body[:300]
        matched = {job["id"] for job in match.json()["jobs"]}
        assert matched and matched <= set(ids)
    finally:
        replica.resume()
    wait_for(replica.caught_up, seconds=30, what="the replica to catch up")
    assert count(web.port) == 19


STAFF = """
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
user = User.objects.create_superuser("replica-staff", "staff@example.com", "unused-password-1")
print(Token.objects.create(user=user).key)
"""


def test_staff_read_from_the_primary_and_a_browser_that_wrote_reads_its_writes(stack):
    replica, web, env = stack
    token = {"Authorization": "Token " + manage(env, "shell", "-c", STAFF).split()[-1]}
    wait_for(replica.caught_up, seconds=30, what="the replica to catch up")
    replica.pause()
    try:
        listed = count(web.port)
        job_id = request(web.port, "GET", "/api/jobs/?page_size=1").json()["results"][0]["id"]
        hide = request(web.port, "POST", f"/api/jobs/{job_id}/hide/", {}, headers=token)
        assert hide.status == 200, hide.body[:300]
        # The write pins that browser to the primary for a while (DATABASE_REPLICA_PIN_SECONDS).
        assert "gigm8_primary=1" in hide.headers.get("Set-Cookie", ""), hide.headers
        assert count(web.port, {"Cookie": "gigm8_primary=1"}) == listed - 1
        # A token (staff's) reads from the primary; an anonymous reader still sees the lagging replica.
        assert count(web.port, token) == listed - 1
        assert count(web.port) == listed
    finally:
        replica.resume()
    wait_for(replica.caught_up, seconds=30, what="the replica to catch up")
    # At once, though the listing was cached: replaying the hide moved the replica's listing version.
    assert count(web.port) == listed - 1


def test_a_replica_going_away_fails_over_to_the_primary_and_comes_back(stack):
    replica, web, env = stack
    before = count(web.port)
    replica.stop()
    try:
        answers = [request(web.port, "GET", "/api/jobs/?page_size=1") for _ in range(6)]
        assert [a.status for a in answers] == [200] * 6, [a.body[:200] for a in answers]
        assert {a.json()["count"] for a in answers} == {before}
    finally:
        replica.start()
    replica.pause()
    try:
        manage(env, "shell", "-c", SEED.format(count=1, title="Baker"))
        # Back in use once the retry delay has passed: it lags again, so reads show the old count.
        wait_for(lambda: count(web.port) == before, seconds=10, what="reads to return to the replica")
    finally:
        replica.resume()
