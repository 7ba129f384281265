"""The one DRF router: every API viewset registers here; gigm8.urls mounts it under /api/.

APIViews that are not viewsets (match endpoints, actions) add their paths to `urlpatterns`.
"""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from rest_framework import routers
from rest_framework.request import Request
from rest_framework.response import Response

from jobs.api.views import CompanyViewSet, JobViewSet, SourceViewSet

# Beside the viewsets: the match endpoints, the schema and its docs (URL names in gigm8.urls and
# matching.urls), so a client starting at /api/ finds everything.
ROOT_LINKS = {
    "match_resume": "match-resume",
    "match_jd": "match-jd",
    "schema": "schema",
    "docs": "swagger-ui",
    "redoc": "redoc",
}


class APIRootView(routers.APIRootView):
    """The API's entry point: every resource and endpoint, linked."""

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().get(request, *args, **kwargs)
        for key, name in ROOT_LINKS.items():
            try:
                response.data[key] = request.build_absolute_uri(reverse(name))
            except NoReverseMatch:  # a route this installation does not mount
                continue
        return response


class Router(routers.DefaultRouter):
    APIRootView = APIRootView


router = Router()
router.register("jobs", JobViewSet, basename="job")
router.register("companies", CompanyViewSet, basename="company")
router.register("sources", SourceViewSet, basename="source")

urlpatterns = [*router.urls]
