"""Request middleware: a request id on every log line, request metrics, a Content-Security-Policy on
every response, and a 503 when the database is down."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

import structlog
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.signals import request_finished
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.functional import empty

from gigm8 import logs, metrics
from gigm8.api_errors import RETRY_AFTER_SECONDS, DatabaseUnavailable, error_response
from gigm8.lib.client_address import client_address

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is kept when it is short and plain (a proxy's or a frontend's trace id); anything
# else (too long, spaces, control characters that could forge log lines) is replaced by our own.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")

logger = structlog.get_logger("gigm8.request")
UNAVAILABLE = str(DatabaseUnavailable.default_detail)


def request_id_for(request: HttpRequest) -> str:
    """The caller's X-Request-ID when it is sane, else a new one."""
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if _SAFE_REQUEST_ID.match(given) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Binds request_id for every log line of the request, echoes it, and logs one line per request.

    First in MIDDLEWARE, so the lines of every other middleware (and of their early answers)
    carry the id too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        started = time.perf_counter()
        # A server thread serves one request after another: start from a clean context. The id
        # stays bound until request_finished, because Django logs 4xx answers ("Not Found: ...")
        # after the middleware chain has returned.
        logs.clear_context()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        logger.info(
            "request",
            method=request.method,
            path=request.path,
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
            user_id=_user_id_if_known(request),
            # Who the throttle counted (behind NUM_PROXIES proxies, not the proxy's address).
            client=client_address(request),
        )
        return response


def _user_id_if_known(request: HttpRequest) -> int | None:
    # Only a user the request already loaded: looking up the session here would add queries to
    # requests that never needed the user.
    user = getattr(request, "user", None)
    if user is None or vars(user).get("_wrapped", user) is empty:
        return None
    return user.pk if user.is_authenticated else None


def _clear_log_context(**kwargs: object) -> None:
    logs.clear_context()


# Sent when the server has sent the whole response and closed it: the request's lines are over.
request_finished.connect(_clear_log_context, dispatch_uid="gigm8.middleware.clear_log_context")


class MetricsMiddleware:
    """Counts requests and times them by endpoint (the URL pattern's name), method and status class."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        metrics.observe_request(
            endpoint=metrics.endpoint_of(request),
            method=request.method or "",
            status=response.status_code,
            seconds=time.perf_counter() - started,
        )
        return response


class DatabaseUnavailableMiddleware:
    """A database that is down or restarting answers 503 with Retry-After on every page, not a 500.

    The API's views get the same from `api_exception_handler`; this covers the rest (the admin, the
    pages we render), so a restart does not send an error e-mail per request to the admins. Django
    drops the broken connection at the request's end, so service returns by itself.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable", path=request.path, error=str(exception)[:200])
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = error_response(status=503, code=DatabaseUnavailable.default_code, message=UNAVAILABLE)
        else:
            response = HttpResponse(UNAVAILABLE, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, choosing the policy by what the response is.

    An HTML page (the admin, the API docs, DRF's browsable pages) gets CONTENT_SECURITY_POLICY, as
    amended by a view's csp_update/csp_replace. Anything else (the API's JSON, the schema, plain text)
    is never meant to run or load anything: CONTENT_SECURITY_POLICY_NOT_HTML locks it down, so a
    response a browser is tricked into rendering (an SVG, a JSON body sniffed as HTML) stays inert.
    """

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.config is None and not _is_html(response):
            parts.config = settings.CONTENT_SECURITY_POLICY_NOT_HTML["DIRECTIVES"]
            parts.update = parts.replace = None
        return parts


def _is_html(response: HttpResponseBase) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip().lower() == "text/html"
