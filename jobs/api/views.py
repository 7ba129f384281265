"""The jobs API: listing with facets, detail, staff writes, stats, sources and companies.

Each viewset states what it serves: its queryset, serializer, filter set and pagination. The
listing's filters run in jobs.api.filtering.FilterSetBackend, its keyset pages and facet counts
in jobs.api.pagination.KeysetPagination; the OpenAPI descriptions live in jobs.api.openapi and
the older routes (/jobs, /admin/refresh-jobs) in jobs.api.legacy. Anonymous reads are served
from the response cache in jobs.api.caching.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from gigm8.api_parsers import JSONParser
from ingestion.selectors import source_list
from jobs.api.caching import CachedReadsMixin
from jobs.api.filtering import FilterSetBackend
from jobs.api.openapi import COMPANY_SCHEMA, JOB_SCHEMA, SOURCE_SCHEMA
from jobs.api.pagination import CompanyPagination, KeysetPagination
from jobs.api.permissions import StaffModelPermissions, model_permission
from jobs.api.serializers import (
    DETAIL_DEFERRED,
    LIST_DEFERRED,
    CompanySerializer,
    JobDetailSerializer,
    JobListSerializer,
    JobStatsSerializer,
    JobStatusSerializer,
    JobWriteSerializer,
    SourceSerializer,
)
from jobs.choices import JobStatus
from jobs.filters import CompanyFilterSet, JobFilterSet
from jobs.models import Company, Job
from jobs.selectors import company_list_public, job_list_public, job_list_staff, job_stats
from jobs.services.staff import job_staff_create, job_staff_update, job_status_set

ADD_JOB, CHANGE_JOB, DELETE_JOB = (model_permission(action, Job) for action in ("add", "change", "delete"))


@JOB_SCHEMA
class JobViewSet(CachedReadsMixin, viewsets.ModelViewSet):
    # Anonymous reads come from the response cache (jobs.api.caching), keyed by the listing version.
    cached_actions = frozenset({"list", "retrieve", "stats"})
    serializer_class = JobDetailSerializer
    filter_backends = [FilterSetBackend]
    filterset_class = JobFilterSet
    pagination_class = KeysetPagination
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

    def get_serializer_class(self) -> type[BaseSerializer]:
        return JobListSerializer if self.action == "list" else JobDetailSerializer

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

    @action(detail=True, methods=["post"])
    def hide(self, request: Request, pk: str | None = None) -> Response:
        return self._set_status(JobStatus.HIDDEN)

    @action(detail=True, methods=["post"])
    def expire(self, request: Request, pk: str | None = None) -> Response:
        return self._set_status(JobStatus.EXPIRED)

    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str | None = None) -> Response:
        return self._set_status(JobStatus.ACTIVE)

    @action(detail=False, methods=["get"])
    def stats(self, request: Request) -> Response:
        return Response(JobStatsSerializer(job_stats()).data)


@SOURCE_SCHEMA
class SourceViewSet(CachedReadsMixin, viewsets.ViewSet):
    permission_classes = [permissions.AllowAny]

    def list(self, request: Request) -> Response:
        return Response(SourceSerializer(source_list(), many=True).data)


@COMPANY_SCHEMA
class CompanyViewSet(CachedReadsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = company_list_public().order_by("name", "id")
    serializer_class = CompanySerializer
    filter_backends = [FilterSetBackend]
    filterset_class = CompanyFilterSet
    pagination_class = CompanyPagination
    permission_classes = [permissions.AllowAny]
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_object(self) -> Company:
        key = self.kwargs["pk"]
        lookup = {"pk": int(key)} if key.isdigit() else {"slug": key}
        try:
            return self.get_queryset().get(**lookup)
        except Company.DoesNotExist:
            raise Http404 from None
