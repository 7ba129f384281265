import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis
import time_machine
from django.test import override_settings
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from ingestion.choices import SyncStatus
from ingestion.tests.factories import SyncLogFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PUBLIC = "203.0.113.9"
# A Redis database of its own, so queue depths are not those of other test runs' tasks.
QUEUE_REDIS = "redis://127.0.0.1:6379/13"


@pytest.fixture
def staff_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("ops", password="x", is_staff=True))
    return client


@pytest.fixture
def queue_redis():
    conn = redis.Redis.from_url(QUEUE_REDIS)
    keys = ["ingest", "cts", "cts\x06\x163", "scrape"]
    conn.delete(*keys)
    yield conn
    conn.delete(*keys)
    conn.close()


@override_settings(METRICS_TOKEN="")
def test_detail_is_for_staff_only(client, django_user_model):
    refused = client.get("/health/?detail=1", REMOTE_ADDR=PUBLIC)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    # Without ?detail, anyone still gets the plain answer.
    plain = client.get("/health/", REMOTE_ADDR=PUBLIC)
    assert plain.status_code == 200 and "detail" not in plain.json()
    client.force_login(django_user_model.objects.create_user("ops", password="x", is_staff=True))
    assert "detail" in client.get("/health/?detail=1", REMOTE_ADDR=PUBLIC).json()


@override_settings(METRICS_TOKEN="health-reader-token")
def test_detail_is_also_for_the_metrics_token_bearer(client):
    assert client.get("/health/?detail=1").status_code == 401
    response = client.get("/health/?detail=1", HTTP_AUTHORIZATION="Bearer health-reader-token", REMOTE_ADDR=PUBLIC)
    assert response.status_code == 200 and "detail" in response.json()


@time_machine.travel(NOW, tick=False)
def test_detail_reports_each_sources_last_runs(staff_client):
    with time_machine.travel(NOW - timedelta(days=2), tick=False):
        SyncLogFactory(source="adzuna", status=SyncStatus.SUCCESS, finished_at=NOW - timedelta(days=2, seconds=-30))
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        SyncLogFactory(source="adzuna", status=SyncStatus.FAILED, finished_at=NOW - timedelta(minutes=50))
    SyncLogFactory(source="lever", status=SyncStatus.RUNNING)

    sources = staff_client.get("/health/?detail=1").json()["detail"]["sources"]

    assert sources["adzuna"] == {
        "state": "degraded",  # one failure: not yet ALERT_FAILED_RUNS in a row
        "failed_streak": 1,
        "paused": False,
        "open_alerts": [],
        "jobs_active": 0,
        "last_status": "failed",
        "last_finished_at": (NOW - timedelta(minutes=50)).isoformat(),
        "last_duration_s": 600.0,
        "last_success_at": (NOW - timedelta(days=2, seconds=-30)).isoformat(),
        "running": 0,
        "runs_24h": {"failed": 1},
    }
    assert sources["lever"]["running"] == 1 and sources["lever"]["last_success_at"] is None


@time_machine.travel(NOW, tick=False)
@override_settings(ALERT_FAILED_RUNS=2)
def test_detail_reports_each_sources_health_state_as_the_console_does(staff_client):
    from ingestion.services.alerts import source_pause
    from jobs.tests.factories import JobFactory

    finished = NOW + timedelta(minutes=1)
    SyncLogFactory(source="adzuna", status=SyncStatus.SUCCESS, finished_at=finished)
    JobFactory.create_batch(2, source="adzuna")
    for _ in range(2):
        SyncLogFactory(source="lever", status=SyncStatus.FAILED, finished_at=finished)
    SyncLogFactory(source="greenhouse", status=SyncStatus.SUCCESS, finished_at=finished)
    source_pause(source="greenhouse", reason="board moved")

    sources = staff_client.get("/health/?detail=1").json()["detail"]["sources"]

    assert {name: s["state"] for name, s in sources.items()} == {
        "adzuna": "healthy",
        "lever": "failing",
        "greenhouse": "paused",
    }
    assert sources["adzuna"]["jobs_active"] == 2
    assert sources["lever"]["failed_streak"] == 2
    assert sources["greenhouse"]["paused"] is True


@time_machine.travel(NOW, tick=False)
def test_detail_says_which_schedules_are_overdue(staff_client):
    daily = CrontabSchedule.objects.create(minute="0", hour="3", timezone="UTC")
    PeriodicTask.objects.create(
        name="ran this morning", task="ingestion.tasks.refresh_jobs", crontab=daily, last_run_at=NOW.replace(hour=3)
    )
    PeriodicTask.objects.create(
        name="missed this morning",
        task="ingestion.tasks.refresh_jobs",
        crontab=daily,
        last_run_at=NOW.replace(hour=3) - timedelta(days=1),
    )
    hourly = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    PeriodicTask.objects.create(
        name="hourly, ran 20 min ago", task="x", interval=hourly, last_run_at=NOW - timedelta(minutes=20)
    )
    PeriodicTask.objects.create(name="off", task="x", interval=hourly, enabled=False)

    schedules = {s["name"]: s for s in staff_client.get("/health/?detail=1").json()["detail"]["schedules"]}

    assert set(schedules) == {"ran this morning", "missed this morning", "hourly, ran 20 min ago"}
    assert schedules["ran this morning"]["overdue"] is False
    assert schedules["ran this morning"]["due_at"] == (NOW.replace(hour=3) + timedelta(days=1)).isoformat()
    assert schedules["missed this morning"]["overdue"] is True
    assert schedules["missed this morning"]["due_at"] == NOW.replace(hour=3).isoformat()
    assert schedules["hourly, ran 20 min ago"]["overdue"] is False


def test_detail_reports_queue_depths_from_redis(staff_client, queue_redis):
    queue_redis.rpush("ingest", "a", "b", "c")
    queue_redis.rpush("cts", "d")
    queue_redis.rpush("cts\x06\x163", "e")  # a message sent with priority 3
    with override_settings(CELERY_BROKER_URL=QUEUE_REDIS):
        queues = staff_client.get("/health/?detail=1").json()["detail"]["queues"]
    assert queues == {"default": 0, "ingest": 3, "scrape": 0, "index": 0, "cts": 2}


@override_settings(
    CELERY_BROKER_URL="redis://127.0.0.1:1/0",
    CACHES={
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    },
    SESSION_ENGINE="django.contrib.sessions.backends.db",
)
def test_detail_with_redis_down_says_so_and_still_reports_the_database_parts(staff_client):
    response = staff_client.get("/health/?detail=1")
    assert response.status_code == 503
    detail = response.json()["detail"]
    assert detail["queues"] is None and "Connection" in detail["queues_error"]
    assert "sources" in detail and "schedules" in detail


# The browser tests' real Celery worker (a subprocess on this test database, its own broker keys).
from gigm8.tests.browser.conftest import celery_broker_prefix, celery_worker_process  # noqa: E402, F401


@pytest.mark.slow
def test_detail_reports_how_each_schedules_last_run_ended(
    celery_worker_process,  # noqa: F811 (the imported fixture)
    django_user_model,
):
    from django.test import Client

    from gigm8.celery import app as celery_app
    from gigm8.tests.stack import wait_for
    from ingestion.tasks import expire_jobs

    # Names of this run's own: outcomes live in the cache, which test runs share and never clear.
    run = uuid.uuid4().hex[:8]
    good, bad = f"Expiry, as set up {run}", f"Expiry, kwargs mistyped by staff {run}"
    hourly = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    for name in (good, bad):
        PeriodicTask.objects.create(name=name, task="ingestion.tasks.expire_jobs", interval=hourly)
    client = Client()
    client.force_login(django_user_model.objects.create_user("ops", password="x", is_staff=True))

    def schedules():
        return {s["name"]: s for s in client.get("/health/?detail=1").json()["detail"]["schedules"]}

    assert schedules()[good]["last_outcome"] is None
    celery_worker_process()
    # As beat sends them: the schedule's name in the periodic_task_name header.
    expire_jobs.apply_async(headers={"periodic_task_name": good})
    # send_task, as beat does: no signature check on the way, the worker finds the bad keyword.
    celery_app.send_task(expire_jobs.name, kwargs={"dayz": 3}, headers={"periodic_task_name": bad})
    wait_for(lambda: all(s["last_outcome"] for s in schedules().values()), seconds=60, what="both runs to be recorded")

    ok, broken = schedules()[good], schedules()[bad]
    assert ok["last_outcome"] == "success" and ok["last_success_at"] == ok["last_finished_at"]
    assert broken["last_outcome"] == "failure" and broken["last_success_at"] is None
