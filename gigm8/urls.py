from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from gigm8.api_errors import api_not_found
from gigm8.health import health, live
from gigm8.metrics_views import metrics_view
from gigm8.views import home
from jobs.api.legacy import LegacyJobListView, RefreshJobsView

# What the API docs need beyond the site's policy (settings.CONTENT_SECURITY_POLICY): ReDoc styles
# itself by adding <style> elements at run time, Swagger UI's page has one, and both draw icons from
# data: URIs. Their scripts need nothing more: Swagger UI's start-up script is served from here as
# a file (the split view), and ReDoc's page has no inline script.
DOCS_CSP = {"style-src": [UNSAFE_INLINE], "img-src": ["data:"], "worker-src": [SELF, "blob:"]}

urlpatterns = [
    # What this is and where to go next (the admin's "View site" link comes here).
    path("", home, name="home"),
    # The API, its schema and its docs (Swagger UI and ReDoc assets served from here: no CDN).
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", csp_update(DOCS_CSP)(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="swagger-ui"),
    path("api/redoc/", csp_update(DOCS_CSP)(SpectacularRedocView.as_view(url_name="schema")), name="redoc"),
    path("", include("matching.urls")),  # /api/match/…, /api/jobs/<id>/similar/, /match/resume, /match/jd
    path("api/", include("gigm8.api_router")),
    re_path(r"^api/", api_not_found),  # anything else under /api/: a JSON 404, not Django's page
    # The older API's routes, which the frontend may still call.
    path("jobs", LegacyJobListView.as_view(), name="legacy-jobs"),
    # Before admin/, which would otherwise claim it.
    path("admin/refresh-jobs", RefreshJobsView.as_view(), name="legacy-refresh-jobs"),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("health/live/", live, name="health-live"),
    path("health", health),
    # Prometheus scrape target; who may read it: gigm8.metrics_views.metrics_access.
    path("metrics", metrics_view, name="metrics"),
]
