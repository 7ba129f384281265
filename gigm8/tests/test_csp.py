"""Content-Security-Policy: every page type carries one; HTML pages the strict site policy,
everything else a policy that loads nothing. (The browser proof that the admin and the API docs
still work under it: gigm8/tests/browser/test_csp.py.)"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from jobs.tests.factories import JobFactory

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, set[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = set(values)
    return directives


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="pw"))
    return client


def assert_strict_page(directives: dict[str, set[str]]) -> None:
    assert directives["default-src"] == {"'self'"}
    assert {value for value in directives["script-src"] if not value.startswith("'nonce-")} == {"'self'"}
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == {"'none'"}
    assert directives["base-uri"] == {"'self'"}
    assert directives["form-action"] == {"'self'"}
    assert directives["frame-ancestors"] == {"'none'"}
    for name, values in directives.items():
        hosts = {v for v in values if not v.startswith("'") and v not in ("data:", "blob:")}
        assert not hosts, f"{name} allows other hosts: {hosts}"


def test_admin_pages_carry_the_strict_policy(staff_client):
    job = JobFactory()
    assert_strict_page(policy(Client().get(reverse("admin:login"))))
    for url in (
        reverse("admin:jobs_job_changelist"),
        reverse("admin:jobs_job_change", args=[job.pk]),
        reverse("admin:ingestion_synclog_refresh"),
    ):
        response = staff_client.get(url)
        assert response.status_code == 200, url
        directives = policy(response)
        assert_strict_page(directives)
        assert "'unsafe-inline'" not in directives.get("style-src", set())  # style attributes only: style-src-attr


def test_admin_templates_have_no_inline_script(staff_client):
    job = JobFactory()
    for url in (reverse("admin:jobs_job_changelist"), reverse("admin:jobs_job_change", args=[job.pk])):
        html = staff_client.get(url).content.decode()
        assert "<script>" not in html, url


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_api_docs_carry_the_strict_policy_and_name_no_other_host(url):
    response = Client().get(url)
    assert response.status_code == 200
    assert_strict_page(policy(response))
    html = response.content.decode()
    assert "fonts.googleapis.com" not in html and "cdn." not in html


@pytest.mark.parametrize(
    "url", ["/api/jobs/", "/api/schema/", "/api/docs/?script=", "/health/", "/api/nothing-here/", "/jobs"]
)
def test_non_html_responses_load_nothing(url):
    response = Client().get(url)
    assert policy(response) == {"default-src": {"'none'"}, "frame-ancestors": {"'none'"}}
