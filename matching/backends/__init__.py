"""Pluggable matching engines, chosen like Django's EMAIL_BACKEND: a dotted path in settings."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from matching.backends.base import MatchBackend, MatchBackendError, MatchedJob, MatchQuery, MatchResponse

__all__ = ["MatchBackend", "MatchBackendError", "MatchQuery", "MatchResponse", "MatchedJob", "get_backend"]


def get_backend(name: str | None = None) -> MatchBackend:
    """The backend named `name` in settings.MATCH_BACKENDS (default settings.MATCH_BACKEND)."""
    name = name or settings.MATCH_BACKEND
    try:
        path = settings.MATCH_BACKENDS[name]
    except KeyError:
        known = ", ".join(sorted(settings.MATCH_BACKENDS))
        raise ImproperlyConfigured(f"unknown match backend {name!r}; known: {known}") from None
    return _load(path)


@cache
def _load(path: str) -> MatchBackend:
    # One instance per process: backends hold loaded models and clients.
    backend = import_string(path)()
    if not isinstance(backend, MatchBackend):
        raise ImproperlyConfigured(f"{path} is not a MatchBackend")
    return backend
