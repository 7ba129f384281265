import pytest
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
    CACHES={
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CLOSED_PORT_REDIS,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    },
    CELERY_BROKER_URL=CLOSED_PORT_REDIS,
)
def test_health_is_503_naming_cache_and_broker_when_redis_is_unreachable(client):
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["cache", "broker"]
    assert body["checks"]["database"]["ok"] is True
    assert "Connection" in body["checks"]["cache"]["error"]


def test_health_refuses_post(client):
    assert client.post("/health/").status_code == 405
