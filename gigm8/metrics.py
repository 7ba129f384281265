"""Prometheus metric counters: the events counted in the process that sees them (requests, match
searches, CTS batches, Celery tasks). A leaf: every layer may count here.

Under gunicorn (or several Celery workers) set PROMETHEUS_MULTIPROC_DIR to an empty directory
shared by those processes: every process then writes its counts there and /metrics sums them
(prometheus-client's multiprocess mode). /metrics itself, with the figures read from the database
at scrape time and who may read it, is gigm8.metrics_views.

Other parts call `observe_match()` and `observe_cts_batch()`; the middleware calls
`observe_request()`; `connect_celery()` (called by gigm8.celery) counts task outcomes.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    multiprocess,
)

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
    return start_http_server(port, addr=addr, registry=events_registry())


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


def events_registry() -> CollectorRegistry:
    """This process's events, or every process's when PROMETHEUS_MULTIPROC_DIR is set."""
    if settings.PROMETHEUS_MULTIPROC_DIR:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=settings.PROMETHEUS_MULTIPROC_DIR)
        return registry
    return REGISTRY
