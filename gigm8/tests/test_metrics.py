import os
import subprocess
import sys
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from gigm8 import metrics, metrics_views
from gigm8.celery import app as celery_app
from ingestion.choices import SyncStatus
from ingestion.tests.factories import SyncLogFactory
from jobs.choices import JobStatus
from jobs.tests.factories import JobFactory

pytestmark = pytest.mark.django_db

PUBLIC = "203.0.113.7"


@celery_app.task(name="gigm8.tests.metrics_ok")
def metrics_ok():
    return 1


@celery_app.task(name="gigm8.tests.metrics_boom")
def metrics_boom():
    raise RuntimeError("boom")


def samples(body: bytes) -> dict[tuple[str, frozenset], float]:
    """{(sample name, labels): value} of a /metrics answer."""
    found = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


# --- Who may read it --------------------------------------------------------------------------


@override_settings(METRICS_TOKEN="m3trics-token-value")
def test_with_a_token_set_only_its_bearer_may_read(client):
    refused = client.get("/metrics")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    # A loopback address is not enough once a token is set.
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 401
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer m3trics-token-value", REMOTE_ADDR=PUBLIC)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert b"gigm8_http_requests_total" in response.content


@override_settings(METRICS_TOKEN="")
@pytest.mark.parametrize(
    ("remote_addr", "headers", "status"),
    [
        ("127.0.0.1", {}, 200),
        ("10.0.3.4", {}, 200),
        ("::1", {}, 200),
        (PUBLIC, {}, 403),
        # Through a proxy, REMOTE_ADDR is the proxy's (private) address: not enough.
        ("172.18.0.5", {"HTTP_X_FORWARDED_FOR": PUBLIC}, 403),
        ("172.18.0.5", {"HTTP_X_REAL_IP": PUBLIC}, 403),
    ],
)
def test_without_a_token_only_direct_private_clients_may_read(client, remote_addr, headers, status):
    assert client.get("/metrics", REMOTE_ADDR=remote_addr, **headers).status_code == status


@override_settings(METRICS_TOKEN="m3trics-token-value")
def test_staff_may_read_from_anywhere(client, django_user_model):
    user = django_user_model.objects.create_user("ops", password="x", is_staff=True)
    client.force_login(user)
    assert client.get("/metrics", REMOTE_ADDR=PUBLIC, HTTP_X_FORWARDED_FOR=PUBLIC).status_code == 200
    user.is_staff = False
    user.save()
    assert client.get("/metrics", REMOTE_ADDR=PUBLIC).status_code == 401


@override_settings(METRICS_TOKEN="", NUM_PROXIES=1)
@pytest.mark.parametrize("path", ["/metrics", "/health/?detail=1"])
def test_behind_the_proxy_a_staff_api_token_may_read_and_no_one_else(client, django_user_model, path):
    from rest_framework.authtoken.models import Token

    staff = Token.objects.create(user=django_user_model.objects.create_user("ops", password="x", is_staff=True))
    reader = Token.objects.create(user=django_user_model.objects.create_user("reader", password="x"))
    # As nginx passes it on: REMOTE_ADDR is the proxy's, X-Forwarded-For the client's.
    proxied = {"REMOTE_ADDR": "172.18.0.5", "HTTP_X_FORWARDED_FOR": PUBLIC}
    assert client.get(path, HTTP_AUTHORIZATION=f"Token {staff.key}", **proxied).status_code == 200
    assert client.get(path, HTTP_AUTHORIZATION=f"Token {reader.key}", **proxied).status_code == 403
    assert client.get(path, HTTP_AUTHORIZATION="Token not-a-real-token", **proxied).status_code == 403
    assert client.get(path, **proxied).status_code == 403
    # A private client behind the proxy is a private client (Prometheus next to nginx).
    assert client.get(path, REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="10.0.0.8").status_code == 200


def test_metrics_refuses_post(client):
    assert client.post("/metrics").status_code == 405


# --- Events ---------------------------------------------------------------------------------------


def test_requests_are_counted_by_endpoint_method_and_status_class(client):
    ok = {"endpoint": "health", "method": "GET", "status": "2xx"}
    missing = {"endpoint": "unmatched", "method": "GET", "status": "4xx"}
    before_ok, before_missing = value("gigm8_http_requests_total", **ok), value("gigm8_http_requests_total", **missing)
    before_time = value("gigm8_http_request_duration_seconds_count", endpoint="health", method="GET")
    client.get("/health/")
    client.get("/health/")
    client.get("/nowhere/at/all")
    assert value("gigm8_http_requests_total", **ok) == before_ok + 2
    assert value("gigm8_http_requests_total", **missing) == before_missing + 1
    assert value("gigm8_http_request_duration_seconds_count", endpoint="health", method="GET") == before_time + 2


def test_unknown_methods_share_one_label():
    before = value("gigm8_http_requests_total", endpoint="x", method="other", status="4xx")
    metrics.observe_request(endpoint="x", method="BREW", status=418, seconds=0.01)
    assert value("gigm8_http_requests_total", endpoint="x", method="other", status="4xx") == before + 1


def test_match_latency_by_backend_and_cache_hit_ratio():
    hit = {"backend": "local", "cache": "hit"}
    miss = {"backend": "local", "cache": "miss"}
    hits, misses = (
        value("gigm8_match_duration_seconds_count", **hit),
        value("gigm8_match_duration_seconds_count", **miss),
    )
    seconds = value("gigm8_match_duration_seconds_sum", **miss)
    metrics.observe_match("local", 0.2, cached=False)
    metrics.observe_match("local", 0.001, cached=True)
    metrics.observe_match("local", 0.002, cached=True)
    assert value("gigm8_match_duration_seconds_count", **hit) == hits + 2
    assert value("gigm8_match_duration_seconds_count", **miss) == misses + 1
    assert value("gigm8_match_duration_seconds_sum", **miss) == pytest.approx(seconds + 0.2)


def test_cts_batch_outcomes_are_counted():
    before = value("gigm8_cts_batches_total", operation="delete", outcome="partial")
    metrics.observe_cts_batch("delete", "partial")
    assert value("gigm8_cts_batches_total", operation="delete", outcome="partial") == before + 1


def test_celery_task_outcomes_and_durations_are_counted():
    ok = {"task": "gigm8.tests.metrics_ok", "outcome": "success"}
    failed = {"task": "gigm8.tests.metrics_boom", "outcome": "failure"}
    before_ok, before_failed = value("gigm8_celery_tasks_total", **ok), value("gigm8_celery_tasks_total", **failed)
    timed = value("gigm8_celery_task_duration_seconds_count", task="gigm8.tests.metrics_ok")
    metrics_ok.apply()
    metrics_boom.apply()
    assert value("gigm8_celery_tasks_total", **ok) == before_ok + 1
    assert value("gigm8_celery_tasks_total", **failed) == before_failed + 1
    assert value("gigm8_celery_task_duration_seconds_count", task="gigm8.tests.metrics_ok") == timed + 1


# --- The data, read at scrape time ---------------------------------------------------------------


@time_machine.travel(datetime(2026, 11, 20, 12, 0, tzinfo=UTC), tick=False)
def test_jobs_and_runs_are_read_from_the_database_at_scrape_time(client):
    JobFactory.create_batch(3, source="adzuna")
    JobFactory(source="adzuna", status=JobStatus.EXPIRED)
    JobFactory(source="greenhouse", status=JobStatus.HIDDEN)
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    with time_machine.travel(now - timedelta(days=3), tick=False):
        SyncLogFactory(source="adzuna", status=SyncStatus.SUCCESS, finished_at=now - timedelta(days=3), created=50)
    with time_machine.travel(now - timedelta(hours=2), tick=False):
        SyncLogFactory(
            source="adzuna",
            status=SyncStatus.FAILED,
            finished_at=now - timedelta(hours=2) + timedelta(seconds=90),
            created=4,
            updated=6,
            errors=1,
        )
        SyncLogFactory(source="greenhouse", status=SyncStatus.PARTIAL, finished_at=now - timedelta(hours=1))
    SyncLogFactory(source="greenhouse", status=SyncStatus.RUNNING)

    found = samples(client.get("/metrics").content)

    def get(name, **labels):
        return found.get((name, frozenset(labels.items())))

    assert get("gigm8_metrics_database_up") == 1
    assert get("gigm8_jobs", source="adzuna", status="active") == 3
    assert get("gigm8_jobs", source="adzuna", status="expired") == 1
    assert get("gigm8_jobs", source="greenhouse", status="hidden") == 1
    # adzuna: last run failed (90 s), last success three days ago and outside the 24-hour window.
    assert get("gigm8_sync_last_run_status", source="adzuna", status="failed") == 1
    assert get("gigm8_sync_last_run_status", source="adzuna", status="success") is None
    assert get("gigm8_sync_last_run_duration_seconds", source="adzuna") == 90
    assert get("gigm8_sync_last_success_timestamp_seconds", source="adzuna") == (now - timedelta(days=3)).timestamp()
    assert get("gigm8_sync_runs_24h", source="adzuna", status="failed") == 1
    assert get("gigm8_sync_runs_24h", source="adzuna", status="success") is None
    assert get("gigm8_sync_rows_24h", source="adzuna", outcome="created") == 4
    assert get("gigm8_sync_rows_24h", source="adzuna", outcome="updated") == 6
    assert get("gigm8_sync_rows_24h", source="adzuna", outcome="errors") == 1
    # greenhouse: a partial run counts as a success (data came in); one run under way.
    assert (
        get("gigm8_sync_last_success_timestamp_seconds", source="greenhouse") == (now - timedelta(hours=1)).timestamp()
    )
    assert get("gigm8_sync_running", source="greenhouse") == 1
    assert get("gigm8_sync_running", source="adzuna") == 0


def test_scrape_reads_the_database_in_a_few_queries(client, django_assert_max_num_queries):
    JobFactory(source="adzuna")
    SyncLogFactory(source="adzuna", status=SyncStatus.SUCCESS, finished_at=datetime.now(UTC) + timedelta(seconds=1))
    with django_assert_max_num_queries(4):
        metrics_views.render_metrics()


def test_a_worker_serves_its_task_metrics_on_its_own_port(free_tcp_port):
    server, thread = metrics.start_worker_exporter(port=free_tcp_port, addr="127.0.0.1")
    try:
        metrics_ok.apply()
        with urllib.request.urlopen(f"http://127.0.0.1:{free_tcp_port}/metrics", timeout=5) as response:
            found = samples(response.read())
    finally:
        server.shutdown()
        thread.join(timeout=5)
    key = ("gigm8_celery_tasks_total", frozenset({("task", "gigm8.tests.metrics_ok"), ("outcome", "success")}))
    assert found[key] == value("gigm8_celery_tasks_total", task="gigm8.tests.metrics_ok", outcome="success") >= 1


# --- Several processes ----------------------------------------------------------------------------


def test_multiprocess_mode_sums_the_counts_of_every_process(client, tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    code = (
        "from gigm8 import metrics; "
        "metrics.observe_cts_batch('create', 'success'); metrics.observe_match('cts', 0.5, False)"
    )
    for _ in range(2):
        subprocess.run([sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, check=True, timeout=60)
    with override_settings(PROMETHEUS_MULTIPROC_DIR=str(tmp_path)):
        found = samples(client.get("/metrics").content)
    assert found[("gigm8_cts_batches_total", frozenset({("operation", "create"), ("outcome", "success")}))] == 2
    assert found[("gigm8_match_duration_seconds_count", frozenset({("backend", "cts"), ("cache", "miss")}))] == 2
    # The database figures are there too, once.
    assert found[("gigm8_metrics_database_up", frozenset())] == 1
