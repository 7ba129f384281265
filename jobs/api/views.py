"""The jobs API: listing with facets, detail, staff writes, stats, sources and companies."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gigm8.api_parsers import JSONParser
from ingestion.selectors import source_list
from jobs.api.pagination import CURSOR_PARAM, PAGE_SIZE_PARAM, page_size_from, paginate_keyset
from jobs.api.permissions import StaffModelPermissions, model_permission
from jobs.api.schema import (
    COMPANY_EXAMPLE,
    CURSOR_EXAMPLE,
    DETAIL_EXAMPLE,
    ERROR_EXAMPLE,
    JOB_ID,
    LIST_EXAMPLE,
    SOURCES_EXAMPLE,
    STATS_EXAMPLE,
    error_responses,
    job_filter_parameters,
    page_parameters,
    response_example,
)
from jobs.api.serializers import (
    DETAIL_DEFERRED,
    LIST_DEFERRED,
    CompanySerializer,
    JobDetailSerializer,
    JobListSerializer,
    JobPageSerializer,
    JobStatsSerializer,
    JobStatusSerializer,
    JobWriteSerializer,
    RefreshStartedSerializer,
    SourceSerializer,
)
from jobs.choices import JobStatus
from jobs.filters import JobFilterSet
from jobs.models import Company, Job
from jobs.rules import STIPEND_MONTHS
from jobs.selectors import (
    FACETS,
    company_list_public,
    job_facet_counts,
    job_list_public,
    job_list_staff,
    job_stats,
)
from jobs.services.staff import job_staff_create, job_staff_update, job_status_set

PAGE_PARAMS = frozenset({CURSOR_PARAM, PAGE_SIZE_PARAM, "facets", "format"})
ADD_JOB, CHANGE_JOB, DELETE_JOB = (model_permission(action, Job) for action in ("add", "change", "delete"))
# Starting a run creates its SyncLog: the admin's run buttons ask for this one
# (ingestion.admin_views.START_PERMISSION; jobs does not import ingestion at load time).
START_RUN = "ingestion.add_synclog"


def check_known_params(request: Request, *, allowed: frozenset[str] | set[str]) -> None:
    """A misspelt parameter would silently filter nothing: say so instead."""
    unknown = sorted(set(request.query_params) - set(allowed))
    if unknown:
        raise ValidationError({name: [f"unknown parameter; known: {', '.join(sorted(allowed))}."] for name in unknown})


def parse_facets(request: Request) -> list[str]:
    names = [part.strip() for value in request.query_params.getlist("facets") for part in value.split(",")]
    names = list(dict.fromkeys(name for name in names if name))
    unknown = [name for name in names if name not in FACETS]
    if unknown:
        raise ValidationError({"facets": [f"'{unknown[0]}' is not one of {', '.join(FACETS)}."]})
    return names


def job_page(
    *, request: Request, params: QueryDict, queryset: QuerySet[Job], size: int, facets: list[str]
) -> dict[str, Any]:
    """Filter, paginate and (with facets) count: the listing's body, shared by /api/jobs/ and /jobs."""
    filterset = JobFilterSet(params, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    page = paginate_keyset(queryset=filterset.qs, ordering=filterset.sort, size=size, cursor=params.get(CURSOR_PARAM))
    body: dict[str, Any] = {
        "count": page.count,
        "count_is_estimate": page.count_is_estimate,
        "next": page.link(request, page.next_cursor),
        "previous": page.link(request, page.previous_cursor),
        "results": JobListSerializer(page.rows, many=True).data,
    }
    if facets:
        body["facets"] = {
            name: job_facet_counts(name=name, queryset=filterset.queryset_for_facet(name)) for name in facets
        }
    return body


@extend_schema_view(
    list=extend_schema(
        summary="List active jobs",
        description="Active jobs (a job listed by several sources appears once), newest first, filtered, "
        "with optional facet counts. Keyset pagination: follow `next`/`previous`; pages stay stable while "
        "jobs are added.",
        parameters=[*job_filter_parameters(), *page_parameters()],
        responses={200: JobPageSerializer, **error_responses(400, 429)},
        examples=[
            OpenApiExample("A page with facets", value=LIST_EXAMPLE, response_only=True, status_codes=["200"]),
            OpenApiExample("A bad parameter", value=ERROR_EXAMPLE, response_only=True, status_codes=["400"]),
        ],
    ),
    retrieve=extend_schema(
        parameters=[JOB_ID],
        summary="One job",
        description="A job with its company, salary (period, currency, annualized, provenance), location and "
        "every source's apply URL (`sources`).",
        responses={200: JobDetailSerializer, **error_responses(404, 429)},
        examples=[response_example("A job two sources list", DETAIL_EXAMPLE)],
    ),
    create=extend_schema(
        summary="Create a job (staff)",
        request=JobWriteSerializer,
        responses={201: JobDetailSerializer, **error_responses(400, 401, 403)},
        examples=[
            OpenApiExample(
                "A hand-entered job",
                value={
                    "title": "Data Analyst",
                    "company": 7,
                    "location": "Leeds, UK",
                    "country": "GB",
                    "employment_type": "FULL_TIME",
                    "salary_min": 35000,
                    "salary_max": 42000,
                    "salary_currency": "GBP",
                    "salary_period": "year",
                    "apply_url": "https://acme.example.com/careers/analyst",
                },
                request_only=True,
            ),
            response_example("The created job", DETAIL_EXAMPLE, "201"),
        ],
    ),
    update=extend_schema(
        parameters=[JOB_ID],
        summary="Replace a job's editable fields (staff); edited fields are locked against refreshes",
        request=JobWriteSerializer,
        responses={200: JobDetailSerializer, **error_responses(400, 401, 403, 404)},
        examples=[response_example("The edited job", DETAIL_EXAMPLE)],
    ),
    partial_update=extend_schema(
        parameters=[JOB_ID],
        summary="Edit a job (staff); edited fields are locked against refreshes",
        request=JobWriteSerializer,
        responses={200: JobDetailSerializer, **error_responses(400, 401, 403, 404)},
        examples=[
            OpenApiExample("Fix a title", value={"title": "Senior Data Analyst"}, request_only=True),
            response_example("The edited job", DETAIL_EXAMPLE),
        ],
    ),
    destroy=extend_schema(
        parameters=[JOB_ID],
        summary="Delete a job (staff). Prefer hide: a deleted job comes back on the next refresh.",
        responses={204: None, **error_responses(401, 403, 404)},
    ),
)
class JobViewSet(viewsets.ModelViewSet):
    serializer_class = JobDetailSerializer
    permission_classes = [StaffModelPermissions]
    # Writes take JSON only: a form cannot carry skills (a list) or null, and the schema says so.
    parser_classes = [JSONParser]
    # As the admin: hide, expire and activate are its "change" bulk actions.
    write_permissions = {
        "create": (ADD_JOB,),
        "update": (CHANGE_JOB,),
        "partial_update": (CHANGE_JOB,),
        "destroy": (DELETE_JOB,),
        "hide": (CHANGE_JOB,),
        "expire": (CHANGE_JOB,),
        "activate": (CHANGE_JOB,),
    }
    filter_backends: list[Any] = []  # JobFilterSet runs in job_page(), with facets and the keyset cursor
    pagination_class = None

    def get_queryset(self) -> QuerySet[Job]:
        user = self.request.user
        staff = bool(user and user.is_authenticated and user.is_staff)
        if self.action == "list":
            queryset = job_list_public()
            if staff and "status" in self.request.query_params:
                queryset = job_list_staff().filter(duplicate_of__isnull=True)
            # A listing shows no description: leave the big columns in the database.
            return queryset.defer(*LIST_DEFERRED)
        queryset = (job_list_staff() if staff else job_list_public()).defer(*DETAIL_DEFERRED)
        duplicates = Job.objects.defer(*LIST_DEFERRED)
        if not staff:
            duplicates = duplicates.filter(status=JobStatus.ACTIVE)
        return queryset.prefetch_related(Prefetch("duplicates", queryset=duplicates))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        check_known_params(request, allowed=set(JobFilterSet.base_filters) | PAGE_PARAMS)
        body = job_page(
            request=request,
            params=request.query_params,
            queryset=self.get_queryset(),
            size=page_size_from(request),
            facets=parse_facets(request),
        )
        return Response(body)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = JobWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = job_staff_create(data=serializer.validated_data)
        return Response(JobDetailSerializer(self._fresh(job)).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        job = self.get_object()
        serializer = JobWriteSerializer(job, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        job_staff_update(job=job, data=serializer.validated_data)
        return Response(JobDetailSerializer(self._fresh(job)).data)

    def _fresh(self, job: Job) -> Job:
        return self.get_queryset().get(pk=job.pk)

    def _set_status(self, status_value: str) -> Response:
        job = self.get_object()
        job_status_set(job_ids=[job.pk], status=status_value)
        return Response(JobStatusSerializer({"id": job.pk, "status": status_value}).data)

    @extend_schema(
        parameters=[JOB_ID],
        summary="Hide a job (staff): out of the listing, and refreshes leave it hidden",
        request=None,
        responses={200: JobStatusSerializer, **error_responses(401, 403, 404)},
        examples=[response_example("Hidden", {"id": 42, "status": "hidden"})],
    )
    @action(detail=True, methods=["post"])
    def hide(self, request: Request, pk: str | None = None) -> Response:
        return self._set_status(JobStatus.HIDDEN)

    @extend_schema(
        parameters=[JOB_ID],
        summary="Expire a job (staff): out of the listing until a refresh sees it again",
        request=None,
        responses={200: JobStatusSerializer, **error_responses(401, 403, 404)},
        examples=[response_example("Expired", {"id": 42, "status": "expired"})],
    )
    @action(detail=True, methods=["post"])
    def expire(self, request: Request, pk: str | None = None) -> Response:
        return self._set_status(JobStatus.EXPIRED)

    @extend_schema(
        parameters=[JOB_ID],
        summary="Put a hidden or expired job back in the listing (staff)",
        request=None,
        responses={200: JobStatusSerializer, **error_responses(401, 403, 404)},
        examples=[response_example("Active again", {"id": 42, "status": "active"})],
    )
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str | None = None) -> Response:
        return self._set_status(JobStatus.ACTIVE)

    @extend_schema(
        summary="Totals by status, source, type, level, remote; top companies; new jobs per day (30 days)",
        responses={200: JobStatsSerializer, **error_responses(429)},
        examples=[response_example("Stats", STATS_EXAMPLE)],
    )
    @action(detail=False, methods=["get"])
    def stats(self, request: Request) -> Response:
        return Response(JobStatsSerializer(job_stats()).data)


@extend_schema_view(
    list=extend_schema(
        summary="Sources: job counts and their last run, last success and last error",
        responses={200: SourceSerializer(many=True), **error_responses(429)},
        examples=[response_example("Sources", SOURCES_EXAMPLE)],
    )
)
class SourceViewSet(viewsets.ViewSet):
    permission_classes = [permissions.AllowAny]

    def list(self, request: Request) -> Response:
        return Response(SourceSerializer(source_list(), many=True).data)


class CompanyPagination(LimitOffsetPagination):
    """limit and offset as the schema says (whole numbers, limit 1 to 100): anything else is a 400.

    DRF's falls back to its defaults on `offset=null` or `limit=-5`, so a client's bug goes unseen.
    """

    default_limit = 20
    max_limit = 100

    def _whole(self, request: Request, name: str, *, default: int, low: int, high: int | None) -> int:
        raw = request.query_params.get(name)
        if raw is None:
            return default
        if not raw.isdigit() or not low <= int(raw) <= (high if high is not None else int(raw)):
            bounds = f"from {low} to {high}" if high is not None else f"{low} or more"
            raise ValidationError({name: [f"expected a whole number {bounds}, got '{raw[:40]}'."]})
        return int(raw)

    def get_limit(self, request: Request) -> int:
        return self._whole(request, self.limit_query_param, default=self.default_limit, low=1, high=self.max_limit)

    def get_offset(self, request: Request) -> int:
        return self._whole(request, self.offset_query_param, default=0, low=0, high=None)


@extend_schema_view(
    list=extend_schema(
        summary="Companies (not blocked), by name, with open-job counts",
        parameters=[
            OpenApiParameter(
                "q",
                str,
                description="Name contains this text.",
                examples=[OpenApiExample("q", value="acme")],
            ),
            OpenApiParameter(
                "has_jobs",
                bool,
                description="true: only companies with open jobs.",
                examples=[OpenApiExample("has_jobs", value="true")],
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": 100},
                description="Companies per page, 1 to 100 (default 20).",
                examples=[OpenApiExample("limit", value=50)],
            ),
            OpenApiParameter(
                "offset",
                {"type": "integer", "minimum": 0},
                description="Companies to skip.",
                examples=[OpenApiExample("offset", value=50)],
            ),
        ],
        responses={200: CompanySerializer(many=True), **error_responses(400, 429)},
        examples=[
            response_example(
                "A page of companies", {"count": 1, "next": None, "previous": None, "results": [COMPANY_EXAMPLE]}
            )
        ],
    ),
    retrieve=extend_schema(
        summary="One company by id or slug, with its open-job count",
        parameters=[
            OpenApiParameter(
                "id",
                str,
                OpenApiParameter.PATH,
                description="The company's id or slug.",
                examples=[OpenApiExample("by slug", value="acme"), OpenApiExample("by id", value="7")],
            )
        ],
        responses={200: CompanySerializer, **error_responses(404, 429)},
        examples=[response_example("A company", COMPANY_EXAMPLE)],
    ),
)
class CompanyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CompanySerializer
    permission_classes = [permissions.AllowAny]
    pagination_class = CompanyPagination
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self) -> QuerySet[Company]:
        with_jobs_only = False
        if self.action == "list":
            check_known_params(self.request, allowed={"q", "has_jobs", "limit", "offset", "format"})
            has_jobs = self.request.query_params.get("has_jobs", "")
            if has_jobs.lower() not in ("", "true", "false"):
                raise ValidationError({"has_jobs": [f"expected true or false, got '{has_jobs}'."]})
            with_jobs_only = has_jobs.lower() == "true"
            # PostgreSQL text cannot hold NUL (it was a 500): a 400, as the job listing's q gives.
            if "\x00" in self.request.query_params.get("q", ""):
                raise ValidationError({"q": ["Null characters are not allowed."]})
        return company_list_public(with_jobs_only=with_jobs_only).order_by("name", "id")

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.action == "list" and (q := self.request.query_params.get("q", "").strip()):
            queryset = queryset.filter(name__icontains=q[:200])
        return queryset

    def get_object(self) -> Company:
        key = self.kwargs["pk"]
        lookup = {"pk": int(key)} if key.isdigit() else {"slug": key}
        try:
            return self.get_queryset().get(**lookup)
        except Company.DoesNotExist:
            raise Http404 from None


# --- The older API's routes, kept for the frontend that may still call them ----------------------

# x12 must still fit salary_min (JobFilterSet: 14 digits, 2 after the point).
STIPEND_FIELD = forms.DecimalField(min_value=0, max_digits=12, decimal_places=2)


@extend_schema(
    summary="Older listing: GET /jobs?min_stipend=&internship=&remote=&limit=",
    description="Kept for older clients; new ones use /api/jobs/. `min_stipend` is a monthly amount, compared "
    "with each job's annualized salary (min_stipend x 12). `limit` is the page size (1 to 100, default 20).",
    parameters=[
        OpenApiParameter(
            "min_stipend",
            float,
            description="At least this much a month.",
            examples=[OpenApiExample("min_stipend", value=1500)],
        ),
        OpenApiParameter(
            "internship", bool, description="Only internships.", examples=[OpenApiExample("internship", value="true")]
        ),
        OpenApiParameter(
            "remote",
            str,
            description="true (remote or hybrid), false, or onsite/hybrid/remote.",
            examples=[OpenApiExample("remote", value="true")],
        ),
        OpenApiParameter(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": settings.API_MAX_PAGE_SIZE},
            description=f"Jobs per page, 1 to {settings.API_MAX_PAGE_SIZE}.",
            examples=[OpenApiExample("limit", value=20)],
        ),
        OpenApiParameter(
            "cursor",
            str,
            description="From a page's next link.",
            examples=[OpenApiExample("cursor", value=CURSOR_EXAMPLE)],
        ),
    ],
    responses={200: JobPageSerializer, **error_responses(400, 429)},
    examples=[response_example("A page", {key: value for key, value in LIST_EXAMPLE.items() if key != "facets"})],
)
class LegacyJobListView(APIView):
    permission_classes = [permissions.AllowAny]

    def get(self, request: Request) -> Response:
        check_known_params(request, allowed={"min_stipend", "internship", "remote", "limit", CURSOR_PARAM, "format"})
        query = request.query_params
        params = QueryDict(mutable=True)
        if (stipend := query.get("min_stipend", "").strip()) != "":
            try:
                monthly = STIPEND_FIELD.clean(stipend)
            except forms.ValidationError as exc:
                # 1e999999 is a finite Decimal whose x12 overflowed (a 500); the bounds say no first.
                message = f"expected a monthly amount, 0 or more, got '{stipend}': {' '.join(exc.messages)}"
                raise ValidationError({"min_stipend": [message]}) from None
            params["salary_min"] = str(monthly * STIPEND_MONTHS)
        for name in ("internship", "remote", CURSOR_PARAM):
            if name in query:
                params.setlist(name, query.getlist(name))
        body = job_page(
            request=request,
            params=params,
            queryset=job_list_public().defer(*LIST_DEFERRED),
            size=page_size_from(request, param="limit"),
            facets=[],
        )
        return Response(body)


@extend_schema(
    summary="Start the full refresh (staff): every source, then expiry; returns its SyncLog at once",
    description="Older route kept for the frontend. The refresh runs in a Celery worker; a second call while "
    "one runs returns the running one's log instead of starting another.",
    request=None,
    responses={202: RefreshStartedSerializer, **error_responses(401, 403, 429)},
    examples=[
        OpenApiExample(
            "Started",
            value={
                "sync_log_id": 118,
                "status": "running",
                "started_at": "2026-11-23T03:00:00Z",
                "already_running": False,
            },
            response_only=True,
            status_codes=["202"],
        )
    ],
)
class RefreshJobsView(APIView):
    permission_classes = [StaffModelPermissions]
    write_permissions = {"post": (START_RUN,)}

    def post(self, request: Request) -> Response:
        from ingestion.choices import TriggerKind
        from ingestion.services.runs import run_enqueue

        started_before = timezone.now()
        sync_log, _ = run_enqueue(source="refresh", triggered_by=TriggerKind.API, user=request.user)
        body = {
            "sync_log_id": sync_log.id,
            "status": sync_log.status,
            "started_at": sync_log.started_at,
            "already_running": sync_log.started_at < started_before,
        }
        return Response(RefreshStartedSerializer(body).data, status=status.HTTP_202_ACCEPTED)
