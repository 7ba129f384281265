"""The pages gigm8 renders itself (the API and the admin have their own): the landing page at `/`."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ingestion.selectors import source_list
from ingestion.services.refresh import refresh_steps


def home(request: HttpRequest) -> HttpResponse:
    """What this service is, what it holds, which sources are set up, and where to go next."""
    sources = source_list()
    steps = [{"name": step.name.removeprefix("spider:"), "enabled": step.enabled()} for step in refresh_steps()]
    context = {
        "sources": sources,
        "active_jobs": sum(source["active_jobs"] for source in sources),
        "steps": steps,
        "adzuna_configured": bool(settings.ADZUNA_APP_ID and settings.ADZUNA_APP_KEY),
        "cts_configured": bool(settings.GCP_PROJECT_ID and settings.GCP_TENANT_ID),
    }
    return render(request, "home.html", context)
