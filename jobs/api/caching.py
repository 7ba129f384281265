"""The response cache for anonymous API reads, and their HTTP validators.

An anonymous GET or HEAD of a cached action (the job listing with any filters, facets, ordering and
cursor; a job; the stats; the companies and sources lists) is kept in Django's cache (Redis in
production) under its URL (scheme, host, path, query parameters sorted by name), the negotiated
media type and the listing version (jobs.selectors.listing_version, which every write to jobs or
companies moves). A write therefore replaces every entry at once: the next read misses and
recomputes. Each entry also expires after API_CACHE_SECONDS, which bounds the one race a version
cannot see: a write bumps the version before it commits, so a read in between can store the
pre-commit answer under the new version; it lives at most API_CACHE_SECONDS.

It runs inside DRF's flow, after authentication, permissions and throttling (so a cached answer
still counts against the caller's rate) and before the handler: a hit runs no query but the
version read. Only JSON is cached (the browsable API's HTML carries a CSRF token and the
signed-in user's forms) and only 200s (errors are recomputed every time).

Validators: `ETag` is a hash of the body (the same body, the same tag, under any version), and an
`If-None-Match` that names it gets a 304 without a body; when the entry is cached, without running
the query. `Cache-Control: public, max-age=API_CACHE_SECONDS` lets a browser or CDN keep the answer
as long as the server does. Signed-in callers (a token or a session) never share an entry:
staff see hidden jobs and curation fields, so their answers are computed each time and marked
`private, no-store`. `Vary: Accept, Authorization, Cookie` (and `Origin`, from the CORS middleware).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.selectors import listing_version

CACHE_PREFIX = "apicache"
_READS = frozenset({"GET", "HEAD"})
VARY = ("Accept", "Authorization", "Cookie")
# Headers a cached answer keeps (the rest are added per request by DRF and the middleware).
_KEPT_HEADERS = ("Content-Type",)


def is_signed_in(request: Request) -> bool:
    """A token (valid or not, it may be staff's) or a signed-in session."""
    return "Authorization" in request.headers or bool(request.user and request.user.is_authenticated)


def cache_key(request: Request, *, version: str) -> str:
    """The URL with its parameters sorted by name (each name's values in their order), the
    negotiated media type and the version. The host is part of it: `next` links are absolute."""
    params = sorted((name, request.query_params.getlist(name)) for name in request.query_params)
    parts = [request.build_absolute_uri(request.path), params, request.accepted_media_type]
    digest = hashlib.sha256(json.dumps(parts, separators=(",", ":")).encode()).hexdigest()
    return f"{CACHE_PREFIX}:{version}:{digest}"


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    etag: str
    content: bytes
    headers: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, response: Response) -> CachedAnswer:
        response.render()
        headers = tuple((name, response[name]) for name in _KEPT_HEADERS if response.has_header(name))
        tag = hashlib.sha256(repr(headers).encode() + b"\n" + response.content).hexdigest()[:32]
        return cls(etag=f'"{tag}"', content=response.content, headers=headers)

    def response(self) -> HttpResponse:
        answer = HttpResponse(self.content)
        for name, value in self.headers:
            answer[name] = value
        answer["ETag"] = self.etag
        return answer


def _names_etag(request: Request, etag: str) -> bool:
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    if header.strip() == "*":
        return True
    # If-None-Match compares weakly: a proxy that compressed the body may have marked it W/.
    return etag in {tag.removeprefix("W/") for tag in parse_etags(header)}


def _not_modified(answer: CachedAnswer) -> HttpResponseNotModified:
    response = HttpResponseNotModified()
    response["ETag"] = answer.etag
    return response


class _Served(Exception):
    """Carries a cached answer from `initial` (after the throttles) past the handler."""

    def __init__(self, response: HttpResponseBase) -> None:
        self.response = response


class CachedReadsMixin(APIView):
    """For a DRF view(set): anonymous reads of `cached_actions` come from the response cache.

    A cached answer is a plain HttpResponse, which DRF's dispatch takes as it is (its stubs type
    handle_exception and finalize_response as DRF Responses only: hence the ignores).
    """

    cached_actions: frozenset[str] = frozenset({"list", "retrieve"})
    _cache_key: str | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttles
        self._cache_key = None
        if not self._cacheable(request):
            return
        self._cache_key = cache_key(request, version=listing_version())
        hit = cache.get(self._cache_key)
        if isinstance(hit, CachedAnswer):
            raise _Served(_not_modified(hit) if _names_etag(request, hit.etag) else hit.response())

    def handle_exception(self, exc: Exception) -> HttpResponseBase:  # type: ignore[override]
        if isinstance(exc, _Served):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(  # type: ignore[override]
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[arg-type]
        if request.method not in _READS or not settings.API_CACHE_SECONDS:
            return response
        patch_vary_headers(response, VARY)
        if is_signed_in(request):
            response["Cache-Control"] = "private, no-store"
            return response
        key, self._cache_key = self._cache_key, None
        if key is None:
            return response
        if isinstance(response, Response):  # computed now (a hit is a plain HttpResponse)
            if response.status_code != 200:
                return response
            answer = CachedAnswer.of(response)
            cache.set(key, answer, settings.API_CACHE_SECONDS)
            if _names_etag(request, answer.etag):
                response = _not_modified(answer)  # computed, but the caller has it already
                patch_vary_headers(response, VARY)
            else:
                response["ETag"] = answer.etag
        response["Cache-Control"] = f"public, max-age={settings.API_CACHE_SECONDS}"
        return response

    def _cacheable(self, request: Request) -> bool:
        return bool(
            settings.API_CACHE_SECONDS
            and request.method in _READS
            and getattr(self, "action", None) in self.cached_actions
            and request.accepted_renderer.format == "json"
            and not is_signed_in(request)
        )
