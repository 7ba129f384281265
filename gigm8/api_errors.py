"""One JSON shape for every 4xx the API answers.

    {"error": {"code": "invalid", "message": "remote: 'moon' is not one of onsite, hybrid, remote.",
               "fields": {"remote": ["'moon' is not one of onsite, hybrid, remote."]}}}

`code` is stable and machine-readable (DRF's error codes: invalid, not_authenticated,
permission_denied, not_found, method_not_allowed, throttled, parse_error, …), `message` is one
line a person can read, `fields` maps each bad parameter or body field to its messages (empty
when the error is not about a field). DRF views get it from `api_exception_handler`
(REST_FRAMEWORK["EXCEPTION_HANDLER"]); plain Django views under /api/ use `error_response`.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

NON_FIELD = "non_field_errors"
RETRY_AFTER_SECONDS = 5
logger = logging.getLogger(__name__)


def error_body(*, code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def error_response(*, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None) -> JsonResponse:
    return JsonResponse(error_body(code=code, message=message, fields=fields), status=status)


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested ValidationError detail as {"field" or "field.sub" or "items.0.x": [messages]}."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, name))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or NON_FIELD: [str(item) for item in detail]}
        out = {}
        for index, item in enumerate(detail):
            out.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return {prefix or NON_FIELD: [str(detail)]}


def _validation_message(fields: dict[str, list[str]]) -> str:
    parts = []
    for name, messages in fields.items():
        text = " ".join(messages)
        parts.append(text if name == NON_FIELD else f"{name}: {text}")
    return " ".join(parts) or "Invalid input."


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "request_too_large"
    default_detail = "The request body is larger than this endpoint accepts."


class DatabaseUnavailable(exceptions.APIException):
    status_code = 503
    default_code = "database_unavailable"
    default_detail = "The database is unavailable (restarting?); try again in a few seconds."
    # Seconds; DRF's handler sends it as Retry-After (set by the handler below).
    wait: int


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler (status, headers such as Retry-After and WWW-Authenticate), our body."""
    if isinstance(exc, OperationalError | InterfaceError):
        # The database is down or restarting: a 503 the client may retry, not a 500. Django drops
        # the broken connection at the request's end, so service returns by itself.
        logger.warning("database unavailable: %s", exc)
        exc = DatabaseUnavailable()
        exc.wait = RETRY_AFTER_SECONDS
    elif isinstance(exc, RequestDataTooBig):
        # Django refuses on Content-Length before reading; without this it is an HTML 400 page.
        exc = RequestTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response  # not an API error: a 500, which Django logs and reports
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        response.data = error_body(code="invalid", message=_validation_message(fields), fields=fields)
    elif isinstance(exc.detail, dict):
        # An error about a field with a code of its own (an upload that cannot be read): the
        # fields and message as a validation error has them, the exception's code.
        fields = _flatten(exc.detail)
        response.data = error_body(
            code=_first_code(exc.get_codes()) or exc.default_code, message=_validation_message(fields), fields=fields
        )
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        response.data = error_body(code=code, message=str(exc.detail))
    return response


def _first_code(codes: Any) -> str | None:
    if isinstance(codes, str):
        return codes
    values = codes.values() if isinstance(codes, dict) else codes
    for value in values:
        if found := _first_code(value):
            return found
    return None


# Exempt: CSRF checks would answer an unknown POST with Django's HTML 403 page; nothing here writes.
@csrf_exempt
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unknown URLs under /api/ answer in the API's shape, not with Django's HTML page."""
    message = f"No API endpoint at {request.path}."
    # This catch-all resolves every /api/ path, so APPEND_SLASH never redirects: say it instead.
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            message += f" Did you mean {request.path}/ (with the slash)?"
    return error_response(status=404, code="not_found", message=message)
