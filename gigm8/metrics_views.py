"""/metrics: who may read it, and the figures read from the database at each scrape.

The events (requests, matches, CTS batches, Celery tasks) are counted by gigm8.metrics, in the
process that sees them; this module adds the state of the data (jobs by source and status, each
source's last run, the last 24 hours of runs and rows) from the apps' selectors, so every process
that answers a scrape reports the same figures.

Who may read /metrics (`metrics_view`): with METRICS_TOKEN set, a client sending
`Authorization: Bearer <METRICS_TOKEN>`; without it, a client from a loopback or private address
(gigm8.lib.client_address: behind NUM_PROXIES proxies of ours, the address they saw). A staff
member may read it either way, signed in (session) or with an API token (`Authorization: Token …`).
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from gigm8.lib.client_address import FORWARDED_FOR, client_address
from gigm8.metrics import events_registry
from ingestion.selectors import source_runs_summary
from jobs.selectors import job_counts_by_source_status


class DatabaseCollector(Collector):
    """Jobs by source and status and each source's runs, read from the database at each scrape.

    Four grouped queries over indexed columns; if the database cannot answer, only
    gigm8_metrics_database_up 0 is reported (the process metrics still are).
    """

    def collect(self) -> Iterator[GaugeMetricFamily]:
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


def render_metrics() -> bytes:
    """Every metric in the text exposition format: the events, then the database's figures."""
    return generate_latest(events_registry()) + generate_latest(_DATABASE_REGISTRY)


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
