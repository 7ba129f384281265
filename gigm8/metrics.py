"""Prometheus metrics, served at /metrics.

Two kinds:

- Events counted in the process that sees them (requests, match searches, CTS batches, Celery
  tasks), through prometheus-client. Under gunicorn (or several Celery workers) set
  PROMETHEUS_MULTIPROC_DIR to an empty directory shared by those processes: every process then
  writes its counts there and /metrics sums them (prometheus-client's multiprocess mode).
- The state of the data (jobs by source and status, each source's last run, the last 24 hours
  of runs and rows), computed from the database at scrape time by `DatabaseCollector`, so every
  process that answers a scrape reports the same figures.

Other parts call `observe_match()` and `observe_cts_batch()`; the middleware calls
`observe_request()`; `connect_celery()` (called by gigm8.celery) counts task outcomes.

Who may read /metrics (`metrics_view`): with METRICS_TOKEN set, a client sending
`Authorization: Bearer <METRICS_TOKEN>`; without it, a client from a loopback or private address
(gigm8.lib.client_address: behind NUM_PROXIES proxies of ours, the address they saw). A staff
member may read it either way, signed in (session) or with an API token (`Authorization: Token …`).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from gigm8.lib.client_address import FORWARDED_FOR, client_address

logger = logging.getLogger(__name__)

# --- Events ----------------------------------------------------------------------------------

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

HTTP_REQUESTS = Counter(
    "gigm8_http_requests",
    "HTTP requests answered, by endpoint (URL pattern name), method and status class.",
    ["endpoint", "method", "status"],
)
HTTP_REQUEST_SECONDS = Histogram(
    "gigm8_http_request_duration_seconds",
    "Time to answer an HTTP request, by endpoint and method.",
    ["endpoint", "method"],
    buckets=_LATENCY_BUCKETS,
)
MATCH_SECONDS = Histogram(
    "gigm8_match_duration_seconds",
    "Time to answer a match search, by backend and cache (hit or miss). "
    "Cache hit ratio: rate of the _count with cache=hit over the rate of all _count.",
    ["backend", "cache"],
    buckets=_LATENCY_BUCKETS,
)
CTS_BATCHES = Counter(
    "gigm8_cts_batches",
    "Cloud Talent Solution batch calls, by operation (create, update, delete, ...) and outcome.",
    ["operation", "outcome"],
)
CELERY_TASKS = Counter(
    "gigm8_celery_tasks",
    "Celery tasks run, by task name and outcome (success, failure, retry, ...).",
    ["task", "outcome"],
)
CELERY_TASK_SECONDS = Histogram(
    "gigm8_celery_task_duration_seconds",
    "Time a Celery task ran, by task name.",
    ["task"],
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600),
)


def status_class(status: int) -> str:
    return f"{status // 100}xx"


def endpoint_of(request: HttpRequest) -> str:
    """The URL pattern's name (bounded, unlike paths); "unmatched" for URLs no pattern matched."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or match.route or "unnamed"


def observe_request(*, endpoint: str, method: str, status: int, seconds: float) -> None:
    """Count one answered HTTP request and its duration (called by gigm8.middleware.MetricsMiddleware)."""
    method = method.upper() if method.upper() in _METHODS else "other"
    HTTP_REQUESTS.labels(endpoint, method, status_class(status)).inc()
    HTTP_REQUEST_SECONDS.labels(endpoint, method).observe(seconds)


def observe_match(backend: str, seconds: float, cached: bool) -> None:
    """Record one match search: its backend ("local", "cts"), how long it took, and whether the
    answer came from the cache. Call it once per search the matching service answers."""
    MATCH_SECONDS.labels(backend, "hit" if cached else "miss").observe(seconds)


def observe_cts_batch(operation: str, outcome: str) -> None:
    """Count one Cloud Talent Solution batch call: operation ("create", "update", "delete", ...)
    and outcome ("success", "partial", "failure", ...). Keep both to a small fixed set of words."""
    CTS_BATCHES.labels(operation, outcome).inc()


# --- Celery ------------------------------------------------------------------------------------

_task_started: dict[str, float] = {}


def _task_prerun(task_id: str | None = None, **kwargs: Any) -> None:
    if task_id:
        _task_started[task_id] = time.perf_counter()


def _task_postrun(task_id: str | None = None, task: Any = None, state: str | None = None, **kwargs: Any) -> None:
    name = getattr(task, "name", None) or "unknown"
    CELERY_TASKS.labels(name, (state or "unknown").lower()).inc()
    started = _task_started.pop(task_id or "", None)
    if started is not None:
        CELERY_TASK_SECONDS.labels(name).observe(time.perf_counter() - started)


def start_worker_exporter(*, port: int, addr: str = "0.0.0.0") -> tuple[Any, Any]:
    """Serve this process's event metrics (all processes', in multiprocess mode) over HTTP on `port`.

    For Celery workers, which have no web server. Returns (server, thread); server.shutdown() stops it.
    """
    from prometheus_client import start_http_server

    if not settings.PROMETHEUS_MULTIPROC_DIR:
        # Prefork children count in their own memory: only a shared directory lets this process see them.
        logger.warning("METRICS_WORKER_PORT without PROMETHEUS_MULTIPROC_DIR: only this process's tasks are counted")
    return start_http_server(port, addr=addr, registry=_events_registry())


def _worker_init(**kwargs: Any) -> None:
    if settings.METRICS_WORKER_PORT:
        start_worker_exporter(port=settings.METRICS_WORKER_PORT)
        logger.info("worker metrics served on port %s", settings.METRICS_WORKER_PORT)


def connect_celery() -> None:
    """Count every task's outcome and time it (task_prerun / task_postrun); serve them on
    METRICS_WORKER_PORT from the worker's main process when set (worker_init)."""
    from celery import signals

    signals.task_prerun.connect(_task_prerun, weak=False, dispatch_uid="gigm8.metrics.task_prerun")
    signals.task_postrun.connect(_task_postrun, weak=False, dispatch_uid="gigm8.metrics.task_postrun")
    signals.worker_init.connect(_worker_init, weak=False, dispatch_uid="gigm8.metrics.worker_init")


# --- The data, at scrape time --------------------------------------------------------------------


class DatabaseCollector(Collector):
    """Jobs by source and status and each source's runs, read from the database at each scrape.

    Four grouped queries over indexed columns; if the database cannot answer, only
    gigm8_metrics_database_up 0 is reported (the process metrics still are).
    """

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from django.db import DatabaseError

        from gigm8.health import job_counts_by_source_status, source_runs_summary

        up = GaugeMetricFamily("gigm8_metrics_database_up", "1 when the database answered this scrape's queries.")
        try:
            counts = job_counts_by_source_status()
            summary = source_runs_summary()
        except DatabaseError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up

        jobs = GaugeMetricFamily("gigm8_jobs", "Jobs stored, by source and status.", labels=["source", "status"])
        for (source, status), count in sorted(counts.items()):
            jobs.add_metric([source, status], count)
        yield jobs

        last_success = GaugeMetricFamily(
            "gigm8_sync_last_success_timestamp_seconds",
            "When the source's last successful run (success or partial: data came in) finished.",
            labels=["source"],
        )
        last_status = GaugeMetricFamily(
            "gigm8_sync_last_run_status",
            "1 for the status of the source's last finished run (success, partial, failed).",
            labels=["source", "status"],
        )
        last_duration = GaugeMetricFamily(
            "gigm8_sync_last_run_duration_seconds", "How long the source's last finished run took.", labels=["source"]
        )
        running = GaugeMetricFamily("gigm8_sync_running", "Runs of the source under way.", labels=["source"])
        runs = GaugeMetricFamily(
            "gigm8_sync_runs_24h",
            "Runs started in the last 24 hours, by source and status.",
            labels=["source", "status"],
        )
        rows = GaugeMetricFamily(
            "gigm8_sync_rows_24h",
            "Rows counted by runs started in the last 24 hours, by source and outcome "
            "(fetched, created, updated, unchanged, skipped, expired, deleted, errors).",
            labels=["source", "outcome"],
        )
        for source, info in sorted(summary.items()):
            if info.last_success_at is not None:
                last_success.add_metric([source], info.last_success_at.timestamp())
            if info.last_status:
                last_status.add_metric([source, info.last_status], 1)
            if info.last_duration is not None:
                last_duration.add_metric([source], info.last_duration.total_seconds())
            running.add_metric([source], info.running)
            for status, count in sorted(info.runs_24h.items()):
                runs.add_metric([source, status], count)
            for outcome, count in info.rows_24h.items():
                rows.add_metric([source, outcome], count)
        yield from (last_success, last_status, last_duration, running, runs, rows)


_DATABASE_REGISTRY = CollectorRegistry()
_DATABASE_REGISTRY.register(DatabaseCollector())


def _events_registry() -> CollectorRegistry:
    """This process's events, or every process's when PROMETHEUS_MULTIPROC_DIR is set."""
    if settings.PROMETHEUS_MULTIPROC_DIR:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=settings.PROMETHEUS_MULTIPROC_DIR)
        return registry
    return REGISTRY


def render_metrics() -> bytes:
    """Every metric in the text exposition format: the events, then the database's figures."""
    return generate_latest(_events_registry()) + generate_latest(_DATABASE_REGISTRY)


# --- Access --------------------------------------------------------------------------------------

# Set by proxies. With NUM_PROXIES = 0 a request carrying one came through a proxy we were not
# told about: its REMOTE_ADDR (the proxy's, often private) says nothing about the client.
_FORWARDING_HEADERS = (FORWARDED_FOR, "HTTP_X_REAL_IP", "HTTP_FORWARDED")
# RFC 1918 and IPv6 unique-local networks: where a Prometheus server beside gigm8 scrapes from.
# (ipaddress's is_private also counts documentation and benchmarking ranges.)
_PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(net) for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)


def _is_private_client(request: HttpRequest) -> bool:
    if settings.NUM_PROXIES == 0 and any(header in request.META for header in _FORWARDING_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return address.is_loopback or any(address in network for network in _PRIVATE_NETWORKS)


def _is_staff(request: HttpRequest) -> bool:
    """A signed-in staff member, by session or by API token."""
    user = getattr(request, "user", None)
    if user is not None and user.is_active and user.is_staff:
        return True
    # These are plain Django views, which only see the session; the API's staff send their
    # token (`Authorization: Token …`), as they do to every API route.
    try:
        found = TokenAuthentication().authenticate(request)  # type: ignore[arg-type]
    except AuthenticationFailed:  # an unknown or inactive token: no one in particular
        return False
    return found is not None and found[0].is_staff


def metrics_access(request: HttpRequest) -> tuple[bool, int, str]:
    """(allowed, status when refused, reason) for a /metrics request; see the module docstring."""
    if _is_staff(request):
        return True, 200, ""
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True, 200, ""
        return False, 401, "metrics: send Authorization: Bearer <METRICS_TOKEN>"
    if _is_private_client(request):
        return True, 200, ""
    return False, 403, "metrics: only from loopback or private addresses (set METRICS_TOKEN to read it from elsewhere)"


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text exposition of every metric, for callers metrics_access() allows."""
    allowed, status, reason = metrics_access(request)
    if not allowed:
        response = HttpResponse(reason + "\n", status=status, content_type="text/plain; charset=utf-8")
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(render_metrics(), content_type=CONTENT_TYPE_LATEST)
