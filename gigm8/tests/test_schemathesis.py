"""Bad input: schemathesis-generated requests against every operation in /api/schema/.

Valid and invalid requests (GET and POST, the match endpoints included), anonymous and as staff,
go through the WSGI application in this process; every answer must be below 500 and match the
schema's declared body and content type for its status. bench/fuzz_api.py runs the same thing
with more requests (GIGM8_FUZZ_REQUESTS).
"""

from __future__ import annotations

import collections
import os

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from jobs.choices import JobStatus
from jobs.tests.factories import STAFF_PERMISSIONS, CompanyFactory, JobFactory, grant
from matching import services

# A test knob, not a setting: bench/fuzz_api.py raises it for longer runs.
TOTAL_REQUESTS = int(os.environ.get("GIGM8_FUZZ_REQUESTS", "1200"))
GOOD_TEXT = "Senior Python developer: Django, PostgreSQL, Docker and REST APIs; five years building web services."
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def wsgi_in_test_transaction():
    # The WSGI handler closes the database connection after each request, which would end the
    # test's transaction; Django's own test client detaches the same two receivers.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(db, settings, wsgi_in_test_transaction):
    """A few companies and jobs (embedded, some expired or hidden) so detail and similar routes have data."""
    companies = [CompanyFactory() for _ in range(3)]
    jobs = [
        JobFactory(
            company=companies[i % 3],
            title=title,
            description=f"{title}: Python, Django, PostgreSQL, Docker. Nursing care. Sales targets.",
        )
        for i, title in enumerate(["Python Developer", "Staff Nurse", "Sales Executive", "Data Engineer"])
    ]
    jobs.append(JobFactory(company=companies[0], status=JobStatus.EXPIRED))
    services.job_embeddings_index(job_ids=[job.pk for job in jobs])
    user = get_user_model().objects.create_user("fuzzstaff", "fuzz@example.com", "pw", is_staff=True)
    user = grant(user, *STAFF_PERMISSIONS)  # the writes' model permissions, so writes get past them
    yield {"token": Token.objects.create(user=user).key, "job_ids": [job.pk for job in jobs]}
    cache.delete_pattern(f"{services.CACHE_PREFIX}:*")
    cache.delete_pattern("throttle_*")


def operations(schema):
    found = []
    for result in schema.get_all_operations():
        found.append(result.ok())
    return found


def fuzz(*, total: int, token: str, job_ids: list[int]) -> collections.Counter:
    """Send about `total` generated requests spread over every operation; returns (operation, status) counts."""
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    ops = operations(schema)
    assert {op.method.upper() for op in ops} >= {"GET", "POST"}
    # Half valid, half invalid input; a quarter of each as staff (so writes get past permissions).
    per_run = max(total // (len(ops) * 4), 1)
    seen: collections.Counter = collections.Counter()
    failures: list[str] = []
    # Operations with few possible inputs run out of new cases early: go round again (another seed).
    rounds = 0
    while sum(seen.values()) < total and not failures:
        rounds += 1
        for op in ops:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                for headers in ({}, {"Authorization": f"Token {token}"}):
                    _run(op, mode, headers, per_run, seen, failures, seed_value=rounds, job_ids=job_ids)
    # Requests known to be good, checked the same way, so ranked answers are validated too.
    by_path = {(op.method.upper(), op.path): op for op in ops}
    good = [
        (("POST", "/api/match/jd/"), {"body": {"job_description": GOOD_TEXT}, "media_type": "application/json"}),
        (
            ("POST", "/api/match/resume/"),
            {"body": {"resume_text": GOOD_TEXT, "remote": ["onsite"]}, "media_type": "application/json"},
        ),
        (("POST", "/api/match/resume/"), {"body": {"resume_text": GOOD_TEXT}, "media_type": "multipart/form-data"}),
        (("GET", "/api/jobs/{job_id}/similar/"), {"path_parameters": {"job_id": job_ids[0]}, "query": {"limit": 3}}),
        (("GET", "/api/jobs/"), {"query": {"q": "python", "facets": "remote,employment_type"}}),
        (("GET", "/api/jobs/{id}/"), {"path_parameters": {"id": job_ids[0]}}),
    ]
    for key, fields in good:
        case = by_path[key].Case(**fields)
        response = case.call()
        seen[(f"{key[0]} {key[1]}", response.status_code)] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (AssertionError, BaseExceptionGroup) as exc:
            failures.append(f"{key}: " + "\n".join(str(exc).splitlines()[:25]))
    assert not failures, "\n\n".join(failures[:10])
    return seen


def _with_real_ids(strategy, job_ids: list[int]):
    """Path ids are mostly a seeded job's (random integers would nearly always be a 404)."""

    def place(pair):
        case, pk = pair
        for name in ("id", "job_id"):
            if pk is not None and name in (case.path_parameters or {}):
                case.path_parameters[name] = pk
        return case

    return st.tuples(strategy, st.sampled_from([*job_ids, None])).map(place)


def _run(op, mode, headers, examples, seen, failures, *, seed_value: int, job_ids: list[int]) -> None:
    @given(case=_with_real_ids(op.as_strategy(generation_mode=mode), job_ids))
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @seed(20261123 + seed_value)
    def one(case):
        response = case.call(headers=headers)
        seen[(f"{op.method.upper()} {op.path}", response.status_code)] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (AssertionError, BaseExceptionGroup) as exc:  # schemathesis raises a group of check failures
            where = f"{op.method.upper()} {op.path} ({mode.value}, {'staff' if headers else 'anonymous'})"
            failures.append(f"{where}:\n" + "\n".join(str(exc).splitlines()[:25]))

    try:
        one()
    except Unsatisfiable:
        # No invalid input exists for an operation without parameters or body.
        assert mode is GenerationMode.NEGATIVE, f"{op.method.upper()} {op.path}: no valid request could be generated"


@pytest.mark.slow
def test_generated_requests_get_no_5xx_and_match_the_schema(seeded):
    seen = fuzz(total=TOTAL_REQUESTS, token=seeded["token"], job_ids=seeded["job_ids"])
    sent = sum(seen.values())
    assert sent >= 1000, f"only {sent} requests were generated"
    statuses = collections.Counter(status for (_op, status) in seen.elements())
    print(f"\n{sent} requests over {len({op for op, _ in seen})} operations; statuses {dict(sorted(statuses.items()))}")
    by_operation = collections.Counter()
    for (operation, _status), count in seen.items():
        by_operation[operation] += count
    # Every operation got requests, and the match endpoints got answers, not only refusals.
    assert len(by_operation) >= 18, by_operation  # every operation in the schema today
    assert any(op.endswith("/api/match/resume/") and status == 200 for (op, status) in seen), seen
    assert any(op.endswith("/api/match/jd/") and status == 200 for (op, status) in seen), seen
    assert all(status < 500 for (_op, status) in seen), seen


# --- what the generated requests found, held by plain tests ---------------------------------


@pytest.fixture
def api_schema(db):
    from django.test import Client

    return Client().get("/api/schema/", HTTP_ACCEPT="application/json").json()


def test_schema_listing_answers_one_page_object_not_an_array(api_schema):
    body = api_schema["paths"]["/api/jobs/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/JobPage"}


def test_schema_allows_the_blank_values_real_answers_hold(api_schema):
    schemas = api_schema["components"]["schemas"]
    job = schemas["JobList"]
    # Scores appear only when asked for (q, near): not required.
    assert "relevance" not in job["required"] and "distance_km" not in job["required"]
    # A job with no known level or type, no apply URL; a company with no website.
    for name, component in (("job_level", "JobList"), ("employment_type", "JobList")):
        refs = [part.get("$ref", "") for part in schemas[component]["properties"][name].get("oneOf", [])]
        assert "#/components/schemas/BlankEnum" in refs, (name, schemas[component]["properties"][name])
    for component, name in (("JobList", "apply_url"), ("Company", "website"), ("Company", "careers_url")):
        assert {"type": "string", "maxLength": 0} in schemas[component]["properties"][name]["oneOf"], name


def test_unknown_api_path_posted_without_csrf_token_is_a_json_404(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/api/jobs/1.5/activate/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_schema_says_public_reads_need_no_credentials_and_writes_do(api_schema):
    paths = api_schema["paths"]
    # No requirement at all: generators read even an optional `{}` as "credentials required".
    for path, method in [("/api/jobs/", "get"), ("/api/jobs/{id}/", "get"), ("/api/match/jd/", "post")]:
        assert not paths[path][method].get("security"), (path, method)
    assert {} not in paths["/api/jobs/{id}/"]["delete"]["security"]
    assert {} not in paths["/admin/refresh-jobs"]["post"]["security"]


def test_schema_documents_the_match_errors_and_the_bounds_of_limits(api_schema):
    paths = api_schema["paths"]
    assert {"400", "429"} <= set(paths["/api/match/jd/"]["post"]["responses"])
    assert {"400", "404", "429"} <= set(paths["/api/jobs/{job_id}/similar/"]["get"]["responses"])
    limits = {p["name"]: p["schema"] for p in paths["/jobs"]["get"]["parameters"]}
    assert (limits["limit"]["minimum"], limits["limit"]["maximum"]) == (1, 100)
    # Job writes take JSON only: a form cannot carry skills or null.
    assert set(paths["/api/jobs/"]["post"]["requestBody"]["content"]) == {"application/json"}


@pytest.mark.parametrize("query", ["offset=null", "limit=0", "limit=101", "offset=-1"])
def test_company_paging_outside_the_schema_is_a_400(db, query):
    from django.test import Client

    response = Client().get(f"/api/companies/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
