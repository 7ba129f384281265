"""PostgreSQL and Redis go away under load and come back, with the web container's own command.

gunicorn (gigm8.wsgi, 2 workers, production settings) serves a database and a Redis of the test's
own while client threads keep sending requests. PostgreSQL is stopped (a fast shutdown: sessions
cut mid-query) and started again; Redis is killed and started again. Every answer in between must
be an answer: 200, or a 503 the client may retry, never a 500 or a dropped connection, and the
service must come back without anybody restarting it.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter

import pytest

from gigm8.tests.stack import (
    ROOT,
    Gunicorn,
    Load,
    ThrowawayPostgres,
    ThrowawayRedis,
    compose_services,
    dockerfile_instruction,
    manage,
    production_env,
    request,
    wait_for,
)

pytestmark = pytest.mark.slow

JD = "Backend engineer building web services in Python and Django with PostgreSQL, Redis and Docker."
SEED = """
from jobs.tests.factories import CompanyFactory, JobFactory
company = CompanyFactory(name="Restart Ltd")
JobFactory.create_batch(25, company=company, title="Python developer")
JobFactory.create_batch(15, company=company, title="Staff nurse")
"""
# What the clients send: the listing (plain, searched, filtered), a detail, stats, companies,
# a match, the older route, the metrics and the health check.
REQUESTS = [
    ("GET", "/api/jobs/", None),
    ("GET", "/api/jobs/?q=python", None),
    ("GET", "/api/jobs/?remote=true&ordering=-posted_at", None),
    ("GET", "/api/jobs/stats/", None),
    ("GET", "/api/companies/", None),
    ("POST", "/api/match/jd/", {"job_description": JD}),
    ("GET", "/jobs?limit=5", None),
    ("GET", "/metrics", None),
    ("GET", "/health/", None),
]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stack")
    postgres = ThrowawayPostgres()
    redis = ThrowawayRedis()
    web = None
    try:
        metrics_dir = folder / "prometheus"
        metrics_dir.mkdir()
        env = production_env(
            DATABASE_URL=postgres.url,
            REDIS_URL=redis.url,
            PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
            # Throttling stays on, at a rate the test's clients never reach.
            API_THROTTLE_ANON="1000000/second",
            API_THROTTLE_USER="1000000/second",
            LOG_LEVEL="WARNING",
        )
        # What the migrate service does once per deploy.
        manage(env, "migrate", "--noinput")
        manage(env, "setup_schedules")
        manage(env, "shell", "-c", SEED)
        web = Gunicorn(env, folder / "gunicorn.log")
        yield postgres, redis, web, env
    finally:
        if web is not None:
            web.close()
        redis.close()
        postgres.close()


def _compose_healthcheck(service: str) -> list[str]:
    test = compose_services()[service]["healthcheck"]["test"]
    assert test[0] == "CMD", test
    return test[1:]


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_the_containers_own_health_checks_pass_on_a_healthy_stack(stack):
    _postgres, _redis, web, env = stack
    # The web image's check, as written in the Dockerfile, on our port: plain HTTP from inside the
    # container, no proxy headers, Host 127.0.0.1 (not in ALLOWED_HOSTS: production adds INTERNAL_HOSTS).
    web_check = [part.replace(":8000/", f":{web.port}/") for part in dockerfile_instruction("HEALTHCHECK")]
    result = _run(web_check, env)
    assert result.returncode == 0, result.stdout + result.stderr
    # Prometheus scrapes web:8000/metrics over plain HTTP: an answer, not a redirect to HTTPS.
    scrape = subprocess.run(
        [
            "curl",
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-H",
            "Host: web:8000",
            f"http://127.0.0.1:{web.port}/metrics",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert scrape.stdout == "200", scrape.stdout + scrape.stderr
    # Beat's check (docker-compose.yml): database and broker reachable, no schedule overdue.
    beat_check = _compose_healthcheck("beat")
    assert beat_check[:2] == ["python", "manage.py"], beat_check
    result = _run([sys.executable, *beat_check[1:]], env)
    assert result.returncode == 0, result.stdout + result.stderr


def _job_id(port: int) -> int:
    return request(port, "GET", "/api/jobs/").json()["results"][0]["id"]


def _describe(answers) -> str:
    return str(Counter((a.path, a.status, a.error[:60]) for a in answers).most_common(12))


def test_postgres_restarted_under_load_answers_503_never_500_and_service_returns(stack):
    postgres, _redis, web, _env = stack
    requests = [*REQUESTS, ("GET", f"/api/jobs/{_job_id(web.port)}/", None)]
    with Load(web.port, requests, clients=4) as load:
        time.sleep(3)
        down_at = time.monotonic()
        postgres.stop()
        time.sleep(3)  # down long enough for every endpoint to be asked
        postgres.start()
        up_at = time.monotonic()
        # Service returns by itself: every endpoint answers 200 again, nobody restarts gunicorn.
        wait_for(
            lambda: (
                {a.path for a in load.between(up_at, time.monotonic()) if a.status == 200} >= {r[1] for r in requests}
            ),
            seconds=30,
            what="every endpoint to answer 200 after the restart",
        )
        settled_at = time.monotonic()
        time.sleep(3)
        end_at = time.monotonic()

    everything = load.between(0, end_at)
    assert not [a for a in everything if a.status not in (200, 503)], _describe(everything)
    before = load.between(0, down_at)
    assert before and all(a.status == 200 for a in before), _describe(before)
    during = load.between(down_at + 0.5, up_at)
    unavailable = [a for a in during if a.status == 503]
    assert len(unavailable) >= len(requests), _describe(during)  # the outage was seen, on many requests
    for answer in unavailable:
        assert int(answer.headers["Retry-After"]) > 0, answer
        body = answer.json()
        if answer.path == "/health/":
            assert body["status"] == "unavailable" and "database" in body["failing"]
        else:
            assert body["error"]["code"] == "database_unavailable", answer
    after = load.between(settled_at, end_at)
    assert after and all(a.status == 200 for a in after), _describe(after)
    assert time.monotonic() - up_at < 60


def test_redis_killed_under_load_the_api_answers_and_health_says_degraded_until_it_is_back(stack):
    _postgres, redis, web, env = stack
    with Load(web.port, REQUESTS, clients=4) as load:
        time.sleep(2)
        down_at = time.monotonic()
        redis.kill()
        time.sleep(1)
        # Beat's container check fails while Redis is away (it could not deliver anything).
        beat_check = _run([sys.executable, *_compose_healthcheck("beat")[1:]], env)
        time.sleep(1)
        up_at = time.monotonic()
        redis.start()
        wait_for(
            lambda: request(web.port, "GET", "/health/").status == 200,
            seconds=30,
            what="/health/ to say ok once Redis is back",
        )
        time.sleep(2)
        end_at = time.monotonic()

    assert beat_check.returncode == 1, beat_check.stdout + beat_check.stderr
    assert "unhealthy: cache:" in beat_check.stderr and "broker:" in beat_check.stderr
    during = load.between(down_at + 0.5, up_at)
    api = [a for a in during if a.path.startswith("/api/")]
    health = [a for a in during if a.path == "/health/"]
    assert api and all(a.status == 200 for a in api), _describe(api)  # the cache is bypassed, not fatal
    assert health and all(a.status == 503 for a in health), _describe(health)
    for answer in health:
        body = answer.json()
        assert body["status"] == "degraded", body
        assert set(body["failing"]) == {"cache", "broker"}, body
    after = load.between(end_at - 2, end_at)
    assert after and all(a.status == 200 for a in after), _describe(after)
