"""The match endpoints: a resume or a job description against the jobs, and jobs like a job.

Each view parses input with its serializer, calls one matching service and shapes the result;
filters go to the listing's JobFilterSet (through the service), so they mean the same here.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gigm8.api_parsers import JSONParser
from jobs.api.schema import error_responses, job_filter_parameters
from jobs.rules import STIPEND_MONTHS
from matching import services
from matching.api.serializers import (
    JdMatchInputSerializer,
    MatchFiltersSerializer,
    MatchPageSerializer,
    MatchResponseSerializer,
    ResumeMatchInputSerializer,
    ResumeTextMatchSerializer,
    match_page,
)
from matching.backends.base import MatchBackendError, MatchResponse
from matching.text import ParsingBusy, TextExtractionError, check_parser_free, extract_text

# Parameters of the request that are not filters.
OWN_FIELDS = {"resume_text", "resume_file", "job_description", "job_title", "limit", "offset", "format", "backend"}
# JobFilterSet parameters a match request may not use: it has its own order, and staff-only ones.
NOT_FOR_MATCHING = {"ordering", "status", "q"}
# Names the match endpoints accept for a JobFilterSet parameter.
ALIASES = {"internship_only": "internship", "stipend_min": "salary_min"}
_STATUS_FOR = {
    "file_too_large": status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    "unpacked_too_large": status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    "too_many_pages": status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    "text_too_long": status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    "unsupported_type": status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    "too_complex": status.HTTP_422_UNPROCESSABLE_ENTITY,
}
UPLOAD_FIELD = "resume_file"


class UploadRejected(exceptions.APIException):
    """The uploaded file cannot be read: its own code and status, reported against resume_file."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_file"

    def __init__(self, error: TextExtractionError) -> None:
        super().__init__(detail={UPLOAD_FIELD: [error.message]}, code=error.code)
        self.status_code = _STATUS_FOR.get(error.code, status.HTTP_400_BAD_REQUEST)


class UploadBusy(exceptions.APIException):
    """Every resume parse slot on this host is taken: a 503 with Retry-After, not a queue."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "busy"

    def __init__(self, error: ParsingBusy) -> None:
        super().__init__(
            detail={
                UPLOAD_FIELD: [f"Too many resume files are being read right now; try again in {error.retry_after} s."]
            },
            code=self.default_code,
        )
        self.wait = error.retry_after


class MatchUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "match_unavailable"
    default_detail = "The matching engine is unavailable; try again later."


def filter_params(data: Mapping[str, Any]) -> dict[str, Any]:
    """The request's filters under JobFilterSet's names; unknown names are a 400, not silently ignored."""
    from jobs.filters import JobFilterSet

    known = (set(JobFilterSet.base_filters) - NOT_FOR_MATCHING) | set(ALIASES)
    params: dict[str, Any] = {}
    unknown = []
    for name in data:
        if name in OWN_FIELDS:
            continue
        if name not in known:
            unknown.append(name)
            continue
        values = data.getlist(name) if hasattr(data, "getlist") else data[name]
        if isinstance(values, list | tuple) and len(values) == 1:
            values = values[0]
        params[ALIASES.get(name, name)] = _as_param(name, values)
    if unknown:
        allowed = ", ".join(sorted(known))
        raise exceptions.ValidationError({name: [f"unknown parameter; known: {allowed}."] for name in unknown})
    return params


def _as_param(name: str, value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return [_as_param(name, item) for item in value]
    if name == "stipend_min" and value not in (None, ""):
        try:
            return str(Decimal(str(value)) * STIPEND_MONTHS)
        except ArithmeticError:
            raise exceptions.ValidationError({name: [f"expected a monthly amount, got '{value}'."]}) from None
    return value if isinstance(value, str) else str(value)


def chosen_backend(request: Request, data: Mapping[str, Any]) -> str | None:
    """`backend` (staff only): run this request on another engine (settings.MATCH_BACKENDS)."""
    from django.conf import settings

    name = data.get("backend")
    if not name:
        return None
    user = getattr(request, "user", None)
    if not (user is not None and user.is_authenticated and user.is_staff):
        raise exceptions.ValidationError({"backend": ["only staff may choose the matching backend."]})
    if name not in settings.MATCH_BACKENDS:
        known = ", ".join(sorted(settings.MATCH_BACKENDS))
        raise exceptions.ValidationError({"backend": [f"'{name}' is not one of {known}."]})
    return str(name)


def run_match(call: Any, *, legacy: bool = False, **kwargs: Any) -> Response:
    """Call a match service; answer with the listing's job objects (the older routes: their own shape)."""
    try:
        response: MatchResponse = call(**kwargs)
    except services.MatchInputError as exc:
        raise exceptions.ValidationError(exc.fields or {"non_field_errors": [exc.message]}) from None
    except services.MatchJobNotFound as exc:
        raise exceptions.NotFound(str(exc)) from None
    except MatchBackendError as exc:
        raise MatchUnavailable(f"The matching engine is unavailable: {exc}") from None
    if legacy:
        return Response(MatchResponseSerializer(response.to_dict()).data)
    return Response(match_page(response))


# Room for the form's other fields beside the file (resume_text alone may be 200,000 characters).
FORM_ALLOWANCE_BYTES = 1024 * 1024


def refuse_oversized_body(request: Request) -> None:
    """413 on the declared length, before the parser reads (and spools to disk) the body."""
    from django.conf import settings

    limit = settings.MATCH_MAX_UPLOAD_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise exceptions.ParseError("Content-Length is not a number.") from None
    if length > limit + FORM_ALLOWANCE_BYTES:
        raise UploadRejected(
            TextExtractionError(
                "file_too_large", f"The request is {length:,} bytes; the file limit is {limit:,} bytes."
            )
        )


def refuse_upload_when_parsers_busy(request: Request) -> None:
    """503 before the multipart body is parsed when no parse slot is free.

    A refusal must stay cheap: while the parse slots are taken, the other workers answer every
    queued request (health checks too), one after another. The body is still read (and dropped):
    closing on an unread body resets the connection, and the client would never see the 503.
    """
    if not request.content_type.startswith("multipart/"):
        return
    try:
        check_parser_free()
    except ParsingBusy as exc:
        while request._request.read(64 * 1024):
            pass
        raise UploadBusy(exc) from None


def resume_text_from(validated: dict[str, Any]) -> str:
    upload = validated.get("resume_file")
    if upload is None:
        return validated["resume_text"]
    from django.conf import settings

    limit = settings.MATCH_MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        # Said before reading the file into memory.
        raise UploadRejected(
            TextExtractionError("file_too_large", f"The file is {upload.size:,} bytes; the limit is {limit:,} bytes.")
        )
    try:
        return extract_text(upload.read(limit + 1)).text
    except TextExtractionError as exc:
        raise UploadRejected(exc) from None
    except ParsingBusy as exc:
        raise UploadBusy(exc) from None


class ResumeMatchView(APIView):
    permission_classes = [permissions.AllowAny]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        # JSON (resume_text) first, then multipart (resume_file or resume_text): a component each.
        request={"application/json": ResumeTextMatchSerializer, "multipart/form-data": ResumeMatchInputSerializer},
        responses={200: MatchPageSerializer, **error_responses(400, 429)},
        summary="Jobs for a resume (text or an uploaded PDF, DOCX or text file), ranked and explained.",
    )
    def post(self, request: Request) -> Response:
        refuse_oversized_body(request)
        refuse_upload_when_parsers_busy(request)
        serializer = ResumeMatchInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        text = resume_text_from(data)
        return run_match(
            services.resume_match,
            text=text,
            filters=filter_params(request.data),
            limit=data["limit"],
            offset=data["offset"],
            backend=chosen_backend(request, request.data),
            request=request,
        )


class JdMatchView(APIView):
    permission_classes = [permissions.AllowAny]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        # JSON only in the schema, though forms are taken too: openapi-python-client 0.29 writes a
        # module that does not import for a required body with several content types.
        request={"application/json": JdMatchInputSerializer},
        responses={200: MatchPageSerializer, **error_responses(400, 429)},
        summary="Jobs like a job description, ranked and explained.",
        description="A JSON body; the same fields are also taken as a form (application/x-www-form-urlencoded "
        "or multipart/form-data).",
    )
    def post(self, request: Request) -> Response:
        serializer = JdMatchInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        return run_match(
            services.jd_match,
            text=data["job_description"],
            title=data["job_title"],
            filters=filter_params(request.data),
            limit=data["limit"],
            offset=data["offset"],
            backend=chosen_backend(request, request.data),
            request=request,
        )


class JobSimilarView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            # The listing's filters, less those a match may not use (its own order; staff's status).
            *(param for param in job_filter_parameters(include_staff=False) if param.name not in NOT_FOR_MATCHING),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": services.MAX_LIMIT},
                description=f"Jobs to return (1-{services.MAX_LIMIT}, default 20).",
            ),
            OpenApiParameter(
                "offset",
                {"type": "integer", "minimum": 0, "maximum": services.MAX_OFFSET},
                description="Jobs to skip (default 0).",
            ),
        ],
        responses={200: MatchPageSerializer, **error_responses(400, 404, 429)},
        summary="Jobs like this job (the listing's filters apply as query parameters).",
    )
    def get(self, request: Request, job_id: int) -> Response:
        page = MatchFiltersSerializer(data=request.query_params)
        page.is_valid(raise_exception=True)
        return run_match(
            services.job_similar,
            job_id=job_id,
            filters=filter_params(request.query_params),
            limit=page.validated_data["limit"],
            offset=page.validated_data["offset"],
            backend=chosen_backend(request, request.query_params),
            request=request,
        )


# --- the older API's routes -------------------------------------------------------------------
# POST /match/resume and /match/jd as the frontend called them before: `resume` (file) or
# `resume_text`/`text`, `jd`/`jd_text`/`text`, `top_k` for limit, `min_stipend` (monthly),
# `internship`, `remote`, `location`. They answer in their own (seed-compatible) shape.

LEGACY_NAMES = {
    "resume": "resume_file",
    "file": "resume_file",
    "text": None,  # resume_text or job_description, per endpoint
    "jd": "job_description",
    "jd_text": "job_description",
    "top_k": "limit",
    "min_stipend": "stipend_min",
}


def _legacy_data(request: Request, *, text_field: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in request.data:
        value = request.data.getlist(name) if hasattr(request.data, "getlist") else request.data[name]
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        target = LEGACY_NAMES.get(name, name) or text_field
        data[target] = value
    return data


class LegacyResumeMatchView(APIView):
    permission_classes = [permissions.AllowAny]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(exclude=True)
    def post(self, request: Request) -> Response:
        refuse_oversized_body(request)
        refuse_upload_when_parsers_busy(request)
        data = _legacy_data(request, text_field="resume_text")
        serializer = ResumeMatchInputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        text = resume_text_from(serializer.validated_data)
        return run_match(
            services.resume_match,
            legacy=True,
            text=text,
            filters=filter_params(data),
            limit=serializer.validated_data["limit"],
            offset=serializer.validated_data["offset"],
            backend=chosen_backend(request, data),
            request=request,
        )


class LegacyJdMatchView(APIView):
    permission_classes = [permissions.AllowAny]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(exclude=True)
    def post(self, request: Request) -> Response:
        data = _legacy_data(request, text_field="job_description")
        serializer = JdMatchInputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        return run_match(
            services.jd_match,
            legacy=True,
            text=serializer.validated_data["job_description"],
            filters=filter_params(data),
            limit=serializer.validated_data["limit"],
            offset=serializer.validated_data["offset"],
            backend=chosen_backend(request, data),
            request=request,
        )
