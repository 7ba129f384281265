"""The older API's routes, kept for the frontend that may still call them: GET /jobs and
POST /admin/refresh-jobs. Their shapes are the seed's; they must not change."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils import timezone
from rest_framework import permissions, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.api.filtering import FORMAT_PARAM, check_known_params
from jobs.api.openapi import LEGACY_JOB_LIST_SCHEMA, REFRESH_JOBS_SCHEMA
from jobs.api.pagination import CURSOR_PARAM, LegacyKeysetPagination
from jobs.api.permissions import StaffModelPermissions
from jobs.api.serializers import LIST_DEFERRED, JobListSerializer, RefreshStartedSerializer
from jobs.filters import JobFilterSet
from jobs.rules import STIPEND_MONTHS
from jobs.selectors import job_list_public

# Starting a run creates its SyncLog: the admin's run buttons ask for this one
# (ingestion.admin_views.START_PERMISSION; jobs does not import ingestion at load time).
START_RUN = "ingestion.add_synclog"
# x12 must still fit salary_min (JobFilterSet: 14 digits, 2 after the point).
STIPEND_FIELD = forms.DecimalField(min_value=0, max_digits=12, decimal_places=2)
LEGACY_FILTERS = ("min_stipend", "internship", "remote")


def legacy_filter_params(query: QueryDict) -> QueryDict:
    """The older parameters as JobFilterSet's: min_stipend (a month) becomes salary_min (a year)."""
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
    return params


@LEGACY_JOB_LIST_SCHEMA
class LegacyJobListView(APIView):
    permission_classes = [permissions.AllowAny]
    pagination_class = LegacyKeysetPagination

    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        check_known_params(request, allowed={*LEGACY_FILTERS, *paginator.query_params, FORMAT_PARAM})
        params = legacy_filter_params(request.query_params)
        # The pagination reads the filter set's sort from the view, as FilterSetBackend leaves it.
        self.filterset = JobFilterSet(params, queryset=job_list_public().defer(*LIST_DEFERRED), request=request)
        if not self.filterset.is_valid():
            raise ValidationError(self.filterset.errors)
        rows = paginator.paginate_queryset(self.filterset.qs, request, view=self)
        return paginator.get_paginated_response(JobListSerializer(rows, many=True).data)


@REFRESH_JOBS_SCHEMA
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
