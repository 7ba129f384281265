"""Faults: the parts gigm8 leans on fail, and it keeps answering (or fails cleanly and recovers).

Redis down: the API answers without its cache (django-redis ignores Redis errors) and /health/
says degraded, naming cache and broker. A Celery worker killed with SIGKILL in the middle of an
Adzuna run: the run is marked failed, no row is lost or doubled, the next run succeeds.
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import override_settings

from jobs.tests.factories import JobFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"
JD = "Software engineer building and running web services in Python and Django, with PostgreSQL and Docker."


def redis_down():
    """The project's own cache settings (options included), pointed at a port nothing listens on."""
    cache = {**django_settings.CACHES["default"], "LOCATION": CLOSED_PORT_REDIS}
    return override_settings(CACHES={"default": cache}, CELERY_BROKER_URL=CLOSED_PORT_REDIS)


def test_redis_down_the_api_still_answers_and_health_says_degraded(client):
    JobFactory.create_batch(3)
    with redis_down():
        listing = client.get("/api/jobs/?facets=remote")
        detail = client.get(f"/api/jobs/{listing.json()['results'][0]['id']}/")
        match = client.post("/api/match/jd/", {"job_description": JD}, content_type="application/json")
        health = client.get("/health/")
    assert listing.status_code == 200, listing.content[:300]
    assert len(listing.json()["results"]) == 3
    assert detail.status_code == 200
    assert match.status_code == 200, match.content[:300]
    assert match.json()["cached"] is False
    assert health.status_code == 503
    body = health.json()
    assert body["status"] == "degraded"
    assert body["failing"] == ["cache", "broker"]
    assert body["checks"]["database"]["ok"] is True
    assert "Connection" in body["checks"]["cache"]["error"]
