import pytest
from django.conf import settings
from django.test import override_settings

pytestmark = pytest.mark.django_db

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"


def test_health_is_200_when_database_cache_and_broker_are_up(client):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert {name for name, check in body["checks"].items() if check["ok"]} == {"database", "cache", "broker"}


def test_health_without_trailing_slash_answers_too(client):
    assert client.get("/health").status_code == 200


@override_settings(
    # The project's cache options (errors ignored, so the site runs on), at a closed port.
    CACHES={"default": {**settings.CACHES["default"], "LOCATION": CLOSED_PORT_REDIS}},
    CELERY_BROKER_URL=CLOSED_PORT_REDIS,
)
def test_health_is_503_degraded_naming_cache_and_broker_when_redis_is_unreachable(client):
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["failing"] == ["cache", "broker"]
    assert body["checks"]["database"]["ok"] is True
    assert "Connection" in body["checks"]["cache"]["error"]


def test_health_refuses_post(client):
    assert client.post("/health/").status_code == 405


def test_health_is_unavailable_when_the_database_is_down(client, monkeypatch):
    from gigm8 import probes

    def refuse() -> None:
        raise probes.connection.Database.OperationalError("connection refused")

    monkeypatch.setitem(probes.CHECKS, "database", refuse)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["failing"] == ["database"]
