"""The pages gigm8 renders itself (the API and the admin have their own): the landing page at `/`."""

from __future__ import annotations

from django.conf import settings
from django.core.management import get_commands
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ingestion.selectors import source_list
from ingestion.services.demo import REMOVE_COMMAND
from ingestion.services.refresh import refresh_steps
from ingestion.sources import SOURCES


def home(request: HttpRequest) -> HttpResponse:
    """What this service is, what it holds, which sources are set up, and where to go next."""
    sources = source_list()
    for source in sources:
        row = SOURCES.get(source["source"])
        source["label"] = row.label if row is not None else source["source"]
        source["demo"] = row is not None and row.demo
    steps = [{"name": step.name.removeprefix("spider:"), "enabled": step.enabled()} for step in refresh_steps()]
    context = {
        "sources": sources,
        "active_jobs": sum(source["active_jobs"] for source in sources),
        "demo_jobs": sum(source["active_jobs"] for source in sources if source["demo"]),
        "demo_remove": REMOVE_COMMAND,
        "steps": steps,
        "adzuna_configured": bool(settings.ADZUNA_APP_ID and settings.ADZUNA_APP_KEY),
        "cts_configured": bool(settings.GCP_PROJECT_ID and settings.GCP_TENANT_ID),
        # The catalog of public job boards, where this version has it.
        "has_board_catalog": "setup_sources" in get_commands(),
    }
    return render(request, "home.html", context)
