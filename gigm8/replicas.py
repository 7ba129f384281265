"""Reads that scale out: anonymous API reads go to PostgreSQL streaming replicas, everything else to the primary.

`DATABASE_REPLICA_URLS` adds one database alias per replica (`replica_1`, `replica_2`, …). The
router below sends a model's reads to a replica only while `ReplicaReadsMiddleware` has allowed it
for the request being served; writes, migrations, Celery tasks, commands, the admin and anything
not listed here stay on the primary.

A request may read from a replica when it is
- an API read: GET/HEAD/OPTIONS under `/api/` or the older `/jobs`, or a match (a POST that only
  reads jobs: `/api/match/resume/`, `/api/match/jd/`, `/match/resume`, `/match/jd`);
- anonymous: no signed-in session and no `Authorization` header (a token may belong to staff);
- not pinned: a request that wrote (any other unsafe method, the admin's included) sets the
  `gigm8_primary` cookie for `DATABASE_REPLICA_PIN_SECONDS`, and while it lasts that browser reads
  from the primary, so a person sees their own writes even where replicas lag.

A replica that cannot be reached is left alone for `DATABASE_REPLICA_RETRY_SECONDS` and the request
reads from another replica or the primary. What a reader can see on a replica is the primary as it
was up to the replica's lag ago; keyset paging stays exact on a lagging replica (each page starts
after the last row of the previous one, whatever was added meanwhile).
"""

from __future__ import annotations

import contextvars
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import structlog
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse

PRIMARY = "default"
PIN_COOKIE = "gigm8_primary"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Views that take a POST but only read jobs.
READ_ONLY_POSTS = frozenset({"match-resume", "match-jd", "legacy-match-resume", "legacy-match-jd"})

logger = structlog.get_logger("gigm8.replicas")

# The replica chosen for the request being served, or None (primary). Set around each request by
# the middleware; a worker thread or a task never sees one.
_read_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar("gigm8_read_alias", default=None)

_down_until: dict[str, float] = {}
_down_lock = threading.Lock()


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica_")]


def replica_settings(urls: list[str], primary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """DATABASES entries for the replica URLs: the primary's options, a short connect timeout,
    health checks on reuse (a replica that went away is noticed at the next request), and a test
    mirror of the primary (the test runner creates no database on them)."""
    import dj_database_url

    entries: dict[str, dict[str, Any]] = {}
    for number, url in enumerate(urls, start=1):
        entry: dict[str, Any] = dict(
            dj_database_url.parse(url, conn_max_age=primary.get("CONN_MAX_AGE", 0), conn_health_checks=True)
        )
        entry["OPTIONS"] = {**primary.get("OPTIONS", {}), **entry.get("OPTIONS", {}), "connect_timeout": 2}
        entry["TEST"] = {"MIRROR": PRIMARY}
        entries[f"replica_{number}"] = entry
    return entries


class ReplicaRouter:
    """Reads go where the middleware said for this request; writes and migrations to the primary."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        return _read_alias.get()

    def db_for_write(self, model: type, **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # every alias holds the same data

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY


def _is_read(request: HttpRequest) -> bool:
    match = request.resolver_match
    if request.method in _SAFE_METHODS:
        return request.path.startswith("/api/") or request.path == "/jobs"
    return request.method == "POST" and match is not None and match.url_name in READ_ONLY_POSTS


def _is_anonymous(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return "Authorization" not in request.headers and not (user is not None and user.is_authenticated)


def _mark_down(alias: str, error: Exception) -> None:
    with _down_lock:
        _down_until[alias] = time.monotonic() + settings.DATABASE_REPLICA_RETRY_SECONDS
    logger.warning("replica unavailable, reading from another", alias=alias, error=str(error).strip()[:200])


def _usable_replica() -> str | None:
    """A replica that answers, in random order, or None when none does."""
    now = time.monotonic()
    candidates = [alias for alias in replica_aliases() if _down_until.get(alias, 0.0) <= now]
    random.shuffle(candidates)
    for alias in candidates:
        connection = connections[alias]
        try:
            # With health checks on, a kept connection is tested once per request; a new one is opened.
            connection.close_if_health_check_failed()
            connection.ensure_connection()
        except DatabaseError as error:
            connection.close()
            _mark_down(alias, error)
            continue
        return alias
    return None


class ReplicaReadsMiddleware:
    """Chooses the database a request reads from (after authentication, before the view) and pins
    a browser that wrote to the primary for a while."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not replica_aliases():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _read_alias.set(None)
        try:
            response = self.get_response(request)
        finally:
            _read_alias.reset(token)
        if request.method not in _SAFE_METHODS and not _is_read(request):
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.DATABASE_REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> None:
        if PIN_COOKIE in request.COOKIES or not _is_read(request) or not _is_anonymous(request):
            return
        alias = _usable_replica()
        if alias is not None:
            _read_alias.set(alias)
