"""Faults: the parts gigm8 leans on fail, and it keeps answering (or fails cleanly and recovers).

Redis down: the API answers without its cache (django-redis ignores Redis errors) and /health/
says degraded, naming cache and broker. A Celery worker killed with SIGKILL in the middle of an
Adzuna run: the run is marked failed, no row is lost or doubled, the next run succeeds. The
database unreachable: 503 with Retry-After, on the API and the admin alike. (test_restarts.py
stops and starts real PostgreSQL and Redis servers under load.)
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import override_settings

from gigm8.tests.stack import wait_for
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


# --- a worker killed in the middle of an ingestion run ------------------------------------------

# The browser tests' real Celery worker (a subprocess on this test database, its own broker keys).
from gigm8.tests.browser.conftest import celery_broker_prefix, celery_worker_process  # noqa: E402, F401

PAGES = 3
PER_PAGE = 50


@pytest.fixture
def adzuna_server():
    from ingestion.tests.fake_adzuna import FakeAdzuna, adzuna_result

    server = FakeAdzuna().start()
    server.set_jobs("gb", [adzuna_result(n) for n in range(1, PAGES * PER_PAGE + 1)])
    yield server
    server.stop()


def test_worker_killed_mid_run_loses_and_doubles_nothing_and_the_next_run_succeeds(
    celery_worker_process,  # noqa: F811 (the imported fixture)
    adzuna_server,
):
    import signal

    from ingestion.choices import SyncStatus
    from ingestion.models import SyncLog
    from ingestion.tasks import fetch_adzuna
    from ingestion.tests.fake_adzuna import APP_ID, APP_KEY
    from jobs.models import Job

    env = {
        "ADZUNA_BASE_URL": adzuna_server.url,
        "ADZUNA_APP_ID": APP_ID,
        "ADZUNA_APP_KEY": APP_KEY,
        "ADZUNA_COUNTRY": "gb",
        "ADZUNA_RESULTS_PER_PAGE": str(PER_PAGE),
        "ADZUNA_PAGES_PER_PIECE": "1",  # each page is its own piece, stored before the next
        "ADZUNA_HELPER_TASKS": "0",
        "ADZUNA_ATTEMPTS": "1",
        "ADZUNA_READ_TIMEOUT": "60",
    }
    # Page 2 answers slowly: the worker is in the middle of the run, page 1 stored, when it is killed.
    adzuna_server.fail(200, page=2, delay=30)
    worker = celery_worker_process(**env)
    fetch_adzuna.delay(triggered_by="manual")
    wait_for(lambda: 2 in adzuna_server.pages_requested(), seconds=60, what="the worker to ask for page 2")
    wait_for(lambda: Job.objects.filter(source="adzuna").count() == PER_PAGE, seconds=30, what="page 1 stored")
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)

    [killed] = SyncLog.objects.filter(source="adzuna")
    assert killed.status == SyncStatus.RUNNING  # nobody was left to say otherwise
    assert Job.objects.filter(source="adzuna").count() == PER_PAGE
    # No waiting out a staleness window: its owner (the worker) is gone, so the next start fails it.

    celery_worker_process(**env)  # page 2 now answers at once
    fetch_adzuna.delay(triggered_by="manual")
    finished = wait_for(
        lambda: (
            SyncLog.objects.filter(source="adzuna").exclude(pk=killed.pk).exclude(status=SyncStatus.RUNNING).first()
        ),
        seconds=90,
        what="the next run to finish",
    )

    killed.refresh_from_db()
    assert killed.status == SyncStatus.FAILED
    assert "the process running it died" in killed.message, killed.message
    assert finished.status == SyncStatus.SUCCESS, (finished.status, finished.message, finished.error_sample)
    ids = list(Job.objects.filter(source="adzuna").values_list("external_id", flat=True))
    assert len(ids) == len(set(ids)) == PAGES * PER_PAGE  # nothing lost, nothing doubled
    assert finished.created == (PAGES - 1) * PER_PAGE and finished.unchanged + finished.updated == PER_PAGE


# --- the database goes away and comes back ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_database_unreachable_is_a_503_and_service_returns_by_itself(client, monkeypatch, tmp_path):
    from django.db import connection

    JobFactory.create_batch(2)
    assert client.get("/api/jobs/").status_code == 200
    # What a restart looks like to a web process: its connection drops and new ones are refused
    # (a socket directory where no server listens).
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "HOST", str(tmp_path))
    for url in ("/api/jobs/", "/api/companies/", "/api/jobs/stats/"):
        response = client.get(url)
        assert response.status_code == 503, (url, response.status_code, response.content[:300])
        assert response.json()["error"]["code"] == "database_unavailable"
        assert int(response["Retry-After"]) > 0
    monkeypatch.undo()  # the server is back
    response = client.get("/api/jobs/")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2


@pytest.mark.django_db(transaction=True)
def test_database_unreachable_is_a_503_on_admin_pages_too(client, admin_user, monkeypatch, tmp_path):
    from django.db import connection

    client.force_login(admin_user)
    assert client.get("/admin/jobs/job/").status_code == 200
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "HOST", str(tmp_path))
    response = client.get("/admin/jobs/job/")  # the session and the user are read from the database
    assert response.status_code == 503, response.content[:300]
    assert response["Content-Type"].startswith("text/plain")
    assert b"database is unavailable" in response.content
    assert int(response["Retry-After"]) > 0
    monkeypatch.undo()
    assert client.get("/admin/jobs/job/").status_code == 200
