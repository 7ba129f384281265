"""The one DRF router: every API viewset registers here; gigm8.urls mounts it under /api/.

APIViews that are not viewsets (match endpoints, actions) add their paths to `urlpatterns`.
"""

from __future__ import annotations

from rest_framework.routers import DefaultRouter

from jobs.api.views import CompanyViewSet, JobViewSet, SourceViewSet

router = DefaultRouter()
router.register("jobs", JobViewSet, basename="job")
router.register("companies", CompanyViewSet, basename="company")
router.register("sources", SourceViewSet, basename="source")

urlpatterns = [*router.urls]
