"""Stats, sources, companies, the older routes, throttling, CORS and the OpenAPI schema."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from ingestion.choices import SyncKind, SyncStatus
from ingestion.tests.factories import SyncLogFactory
from jobs.choices import JobStatus, Remote
from jobs.tests.api.conftest import all_pages
from jobs.tests.factories import CompanyFactory, JobFactory

pytestmark = pytest.mark.django_db

# Swagger UI's Try it out sends every example together (gigm8/tests/test_schema_examples.py): a
# cursor comes only from a page's links, radius_mi is the alternative to radius_km, status is
# staff-only, and the companies' limit/offset are the older alternative to page_size.
WITHOUT_EXAMPLE = {"cursor", "radius_mi", "status", "limit", "offset"}


def test_stats_totals(client):
    acme = CompanyFactory(name="Acme")
    JobFactory.create_batch(2, company=acme, remote=Remote.REMOTE, source="lever")
    JobFactory(status=JobStatus.EXPIRED)
    body = client.get("/api/jobs/stats/").json()
    assert body["total"] == 2
    assert body["by_status"] == {"active": 2, "expired": 1}
    assert body["by_source"] == {"lever": 2}
    assert body["by_remote"] == {"remote": 2}
    assert body["top_companies"][0] == {"id": acme.id, "name": "Acme", "slug": acme.slug, "count": 2}
    assert len(body["new_per_day"]) == 30
    assert body["new_per_day"][-1] == {"date": timezone.now().date().isoformat(), "count": 3}


def test_sources_show_job_counts_and_last_run_success_and_error(client):
    JobFactory.create_batch(2, source="adzuna")
    JobFactory(source="adzuna", status=JobStatus.EXPIRED)
    now = timezone.now() + timedelta(seconds=5)  # finished after they started
    ok = SyncLogFactory(source="adzuna", status=SyncStatus.SUCCESS, finished_at=now)
    failed = SyncLogFactory(
        source="adzuna", status=SyncStatus.FAILED, finished_at=now, message="HTTP 401", error_sample=["bad key"]
    )
    SyncLogFactory(source="greenhouse", kind=SyncKind.SPIDER, status=SyncStatus.RUNNING)
    SyncLogFactory(source="expiry", kind=SyncKind.EXPIRY, status=SyncStatus.SUCCESS, finished_at=now)
    body = {row["source"]: row for row in client.get("/api/sources/").json()}
    assert set(body) == {"adzuna", "greenhouse"}
    adzuna = body["adzuna"]
    assert (adzuna["jobs"], adzuna["active_jobs"]) == (3, 2)
    assert adzuna["last_run"]["id"] == failed.id
    assert adzuna["last_success_at"] is not None and ok.finished_at is not None
    assert adzuna["last_error"]["message"] == "HTTP 401" and adzuna["last_error"]["sample"] == ["bad key"]
    assert body["greenhouse"]["jobs"] == 0 and body["greenhouse"]["last_run"]["status"] == "running"


def test_companies_list_and_detail_by_id_or_slug(client):
    acme = CompanyFactory(name="Acme")
    CompanyFactory(name="Blocked Co", is_blocked=True)
    idle = CompanyFactory(name="Idle")
    JobFactory.create_batch(2, company=acme)
    JobFactory(company=acme, status=JobStatus.HIDDEN)
    listing = client.get("/api/companies/").json()
    assert [(c["name"], c["open_jobs"]) for c in listing["results"]] == [("Acme", 2), ("Idle", 0)]
    assert [c["id"] for c in client.get("/api/companies/?has_jobs=true").json()["results"]] == [acme.id]
    assert client.get("/api/companies/?q=idl").json()["results"][0]["id"] == idle.id
    assert client.get(f"/api/companies/{acme.id}/").json()["open_jobs"] == 2
    assert client.get(f"/api/companies/{acme.slug}/").json()["id"] == acme.id
    assert client.get("/api/companies/blocked-co/").status_code == 404
    assert client.get("/api/companies/?has_jobs=perhaps").status_code == 400
    # A NUL cannot reach PostgreSQL (it was a 500; schemathesis found it): 400, like the job listing's q.
    assert client.get("/api/companies/?q=a%00b").status_code == 400
    assert client.get("/api/jobs/?q=a%00b").status_code == 400


def test_company_list_query_count(client, django_assert_max_num_queries):
    for company in CompanyFactory.create_batch(30):
        JobFactory(company=company)
    # The listing version (jobs.api.caching) + count + page (open_jobs is a subquery).
    with django_assert_max_num_queries(3):
        assert len(client.get("/api/companies/?limit=100").json()["results"]) == 30


def test_companies_page_by_keyset_like_jobs_by_name(client):
    companies = [CompanyFactory(name=name) for name in ("Delta", "Alpha", "Delta Two", "Charlie", "Bravo")]
    expected = [c.id for c in sorted(companies, key=lambda c: (c.name, c.id))]
    first = client.get("/api/companies/?page_size=2").json()
    assert (first["count"], first["count_is_estimate"], first["previous"]) == (5, False, None)
    assert [c["id"] for c in all_pages(client, "/api/companies/?page_size=2")] == expected
    second = client.get(first["next"]).json()
    assert [c["id"] for c in client.get(second["previous"]).json()["results"]] == expected[:2]
    assert [c["id"] for c in all_pages(client, "/api/companies/?page_size=2&q=delta")] == expected[3:]


def test_companies_limit_and_offset_still_page_the_old_way(client):
    names = ("Alpha", "Bravo", "Charlie")
    for name in names:
        CompanyFactory(name=name)
    body = client.get("/api/companies/?limit=1&offset=1").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert (body["count"], [c["name"] for c in body["results"]]) == (3, ["Bravo"])
    assert "offset=2" in body["next"]


@pytest.mark.parametrize(
    ("query", "field", "fragment"),
    [
        ("limit=5&page_size=5", "page_size", "not both"),
        ("offset=1&cursor=abc", "cursor", "not both"),
        ("page_size=0", "page_size", "from 1 to 100"),
        ("cursor=garbage", "cursor", "invalid cursor"),
        ("facets=remote", "facets", "unknown parameter"),
    ],
)
def test_company_paging_errors_are_400s(client, query, field, fragment):
    response = client.get(f"/api/companies/?{query}")
    assert response.status_code == 400
    assert any(fragment in message for message in response.json()["error"]["fields"][field])


def test_a_company_cursor_is_no_job_cursor(client):
    CompanyFactory.create_batch(2)
    cursor = client.get("/api/companies/?page_size=1").json()["next"].split("cursor=")[1]
    assert "invalid cursor" in client.get(f"/api/jobs/?cursor={cursor}").json()["error"]["message"]


def test_company_keyset_page_query_count(client, django_assert_max_num_queries):
    for company in CompanyFactory.create_batch(30):
        JobFactory(company=company)
    # The listing version (jobs.api.caching), counting the matches as the job listing does
    # (EXPLAIN, then a COUNT under a time limit: 7), + the page.
    with django_assert_max_num_queries(9):
        assert len(client.get("/api/companies/?page_size=100").json()["results"]) == 30


# --- the older API -------------------------------------------------------------------------------


def _paid(monthly: int, **kwargs):
    return JobFactory(
        salary_min=Decimal(monthly),
        salary_max=Decimal(monthly),
        salary_period="month",
        salary_annual_min=Decimal(monthly * 12),
        salary_annual_max=Decimal(monthly * 12),
        **kwargs,
    )


def test_legacy_jobs_route_maps_stipend_internship_remote_and_limit(client):
    rich = _paid(3000, is_internship=True, remote=Remote.REMOTE)
    _paid(1000, is_internship=True, remote=Remote.REMOTE)  # stipend too low
    _paid(3000, is_internship=False, remote=Remote.REMOTE)  # not an internship
    _paid(3000, is_internship=True, remote=Remote.ONSITE)  # on site
    yearly = JobFactory(  # paid yearly: compared on its annualized value, 30,000 a year = 2,500 a month
        salary_annual_min=Decimal(30000), salary_annual_max=Decimal(30000), is_internship=True, remote=Remote.HYBRID
    )
    response = client.get("/jobs?min_stipend=2000&internship=true&remote=true&limit=10")
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {rich.id, yearly.id}
    page = client.get("/jobs?min_stipend=2000&internship=true&remote=true&limit=1").json()
    assert len(page["results"]) == 1 and page["next"].startswith("http://testserver/jobs?")
    assert client.get(page["next"]).json()["results"][0]["id"] != page["results"][0]["id"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("min_stipend=lots", "min_stipend"), ("limit=0", "limit"), ("remote=moon", "remote"), ("page=2", "page")],
)
def test_legacy_jobs_route_rejects_bad_parameters(client, query, field):
    response = client.get(f"/jobs?{query}")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_health_without_slash_still_answers(client):
    response = client.get("/health")
    assert response.status_code in (200, 503)
    assert "checks" in response.json()


# --- throttling, CORS, docs ----------------------------------------------------------------------


def _rates(anon: str, user: str):
    rates = {"anon": anon, "user": user}
    return override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates})


def test_anonymous_clients_are_throttled_through_redis(client):
    from django.core.cache import cache

    address = f"127.0.0.{timezone.now().microsecond % 200 + 20}"
    cache.delete(f"throttle_anon_{address}")
    with _rates("3/minute", "1000/minute"):
        codes = [client.get("/api/sources/", REMOTE_ADDR=address).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        response = client.get("/api/jobs/", REMOTE_ADDR=address)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    assert "django_redis" in settings.CACHES["default"]["BACKEND"]
    cache.delete(f"throttle_anon_{address}")


def test_signed_in_clients_have_their_own_rate(staff_client, staff_user):
    from django.core.cache import cache

    cache.delete(f"throttle_user_{staff_user.pk}")
    with _rates("1/minute", "2/minute"):
        codes = [staff_client.get("/api/sources/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    cache.delete(f"throttle_user_{staff_user.pk}")


@override_settings(CORS_ALLOWED_ORIGINS=["https://jobs.example.com"])
def test_cors_allows_the_configured_origin_only(client):
    allowed = client.get("/api/jobs/", HTTP_ORIGIN="https://jobs.example.com")
    assert allowed["Access-Control-Allow-Origin"] == "https://jobs.example.com"
    other = client.get("/api/jobs/", HTTP_ORIGIN="https://evil.example.net")
    assert "Access-Control-Allow-Origin" not in other


def test_schema_validates_and_docs_are_served_without_a_cdn(client):
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)  # raises on an invalid OpenAPI 3 document
    listing = schema["paths"]["/api/jobs/"]["get"]
    documented = {p["name"] for p in listing["parameters"]}
    from jobs.filters import JobFilterSet

    assert set(JobFilterSet.base_filters) | {"cursor", "page_size", "facets"} <= documented
    assert all(p.get("description") for p in listing["parameters"])
    assert all(p.get("examples") for p in listing["parameters"] if p["name"] not in WITHOUT_EXAMPLE)
    assert {"200", "400", "429"} <= set(listing["responses"])
    assert client.get("/api/schema/").status_code == 200
    for page in ("/api/docs/", "/api/redoc/"):
        html = client.get(page).content.decode()
        assert "cdn." not in html and "/static/drf_spectacular_sidecar/" in html


def test_every_parameter_and_response_of_the_jobs_api_has_an_example():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    ours = ("/api/jobs/", "/api/companies/", "/api/sources/", "/jobs", "/admin/refresh-jobs")
    missing = []
    for path, operations in schema["paths"].items():
        if not path.startswith(ours) or "/similar/" in path:  # the match endpoints document themselves
            continue
        for method, operation in operations.items():
            missing += [
                f"{method} {path} ?{p['name']}"
                for p in operation.get("parameters", [])
                if not p.get("examples") and p["name"] not in WITHOUT_EXAMPLE
            ]
            for code, response in operation["responses"].items():
                missing += [
                    f"{method} {path} {code} {kind}"
                    for kind, body in response.get("content", {}).items()
                    if not body.get("examples")
                ]
    assert missing == []


def test_spectacular_command_validates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").stat().st_size > 10000


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_docs_assets_are_served_by_the_app_itself():
    import re

    from django.test import Client

    client = Client()  # a new handler, so WhiteNoise reads the settings above
    html = client.get("/api/docs/").content.decode()
    assets = re.findall(r"/static/drf_spectacular_sidecar/[^\"']+\.js", html)
    assert assets
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert b"".join(response.streaming_content if response.streaming else [response.content])
