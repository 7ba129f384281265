"""Security: anonymous writes, throttles, oversized uploads (and where the other proofs live).

Careers URLs to private, loopback and link-local addresses, directly or through a redirect:
scrapers/tests/test_parsing.py (the address guard) and scrapers/tests/test_careers.py (the
spider against a fake site). Secrets never logged: gigm8/tests/test_logs.py (masking by key and
inside text).
"""

from __future__ import annotations

import io
import re
import sys
from functools import partial

import pytest
from django.conf import settings
from django.core import signals
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from jobs.models import Company, Job
from jobs.tests.factories import CompanyFactory, JobFactory

pytestmark = pytest.mark.django_db

WRITE_METHODS = {"post", "put", "patch", "delete"}
# Open to everyone by design: matching a resume or a job description writes nothing.
PUBLIC_WRITES = {"/api/match/resume/", "/api/match/jd/", "/match/resume", "/match/jd"}


def _routes(patterns=None, prefix=""):
    """(path pattern, view callback) for every route in the URLconf."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _write_methods(callback) -> set[str]:
    """Write methods a DRF view answers (a viewset's mapped actions, an APIView's handlers)."""
    actions = getattr(callback, "actions", None)
    if actions is not None:
        return set(actions) & WRITE_METHODS
    cls = getattr(callback, "cls", None)
    if cls is None:
        return set()
    return {method for method in WRITE_METHODS if hasattr(cls, method)}


def _concrete(pattern: str, job_id: int) -> str:
    """A URL for a pattern: path converters and regex groups become an existing job's id."""
    if "<format>" in pattern:  # the router's format-suffix twin of a route: the plain one covers it
        return ""
    path = re.sub(r"\(\?P<\w+>[^)]*\)", str(job_id), pattern)
    path = re.sub(r"<(?:\w+:)?\w+>", str(job_id), path)
    path = path.replace("\\.", ".").replace("^", "").replace("$", "")
    assert "(" not in path and "[" not in path, f"cannot build a URL for {pattern}"
    return "/" + path


def test_every_write_route_refuses_anonymous_clients():
    job = JobFactory()
    company_count, job_count = Company.objects.count(), Job.objects.count()
    # CSRF enforced, as a browser would meet it: the refusal must still be the API's JSON.
    client = Client(enforce_csrf_checks=True)
    checked = []
    for pattern, callback in _routes():
        methods = _write_methods(callback)
        url = _concrete(pattern, job.pk)
        if not methods or not url or url in PUBLIC_WRITES:
            continue
        for method in sorted(methods):
            response = getattr(client, method)(url, data="{}", content_type="application/json")
            assert response.status_code in (401, 403), (method, url, response.status_code)
            assert response.json()["error"]["code"] in ("not_authenticated", "permission_denied"), (method, url)
            checked.append(f"{method.upper()} {url}")
    # The known write routes are among those walked (a new route is walked the same way).
    for expected in (
        "POST /api/jobs/",
        f"PUT /api/jobs/{job.pk}/",
        f"PATCH /api/jobs/{job.pk}/",
        f"DELETE /api/jobs/{job.pk}/",
        f"POST /api/jobs/{job.pk}/hide/",
        "POST /admin/refresh-jobs",
    ):
        assert expected in checked, (expected, checked)
    job.refresh_from_db()
    assert (Company.objects.count(), Job.objects.count(), job.status) == (company_count, job_count, "active")


def _write_routes() -> list[tuple[str, str]]:
    """(method, URL pattern) of every write route but the public ones, from the URLconf."""
    found = []
    for pattern, callback in _routes():
        url = _concrete(pattern, 1)
        if url and url not in PUBLIC_WRITES:
            found.extend((method, pattern) for method in sorted(_write_methods(callback)))
    return found


def _token_client(user) -> Client:
    from rest_framework.authtoken.models import Token

    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")


def test_the_walk_finds_the_known_write_routes():
    walked = {(method, _concrete(pattern, 7)) for method, pattern in _write_routes()}
    for method, url in (("post", "/api/jobs/"), ("delete", "/api/jobs/7/"), ("post", "/api/jobs/7/activate/")):
        assert (method, url) in walked
    assert ("post", "/admin/refresh-jobs") in walked


@pytest.mark.parametrize(("method", "pattern"), _write_routes())
def test_every_write_route_asks_staff_for_a_model_permission(method, pattern):
    from django.contrib.auth import get_user_model

    job = JobFactory()
    url = _concrete(pattern, job.pk)
    users = get_user_model().objects
    bare_staff = _token_client(users.create_user("bare", password="x", is_staff=True))
    response = getattr(bare_staff, method)(url, data="{}", content_type="application/json")
    assert response.status_code == 403, (method, url, response.status_code)
    error = response.json()["error"]
    assert error["code"] == "permission_denied"
    assert re.search(r"the [a-z_]+\.[a-z_]+ permission", error["message"]), error["message"]
    job.refresh_from_db()
    assert job.status == "active"
    # A superuser holds every permission: past the check (a 400 for the empty body is fine).
    superuser = _token_client(users.create_superuser("root", password="x"))
    response = getattr(superuser, method)(url, data="{}", content_type="application/json")
    assert response.status_code not in (401, 403), (method, url, response.content)


def test_a_curator_may_edit_but_not_delete_a_job_through_the_api():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    job = JobFactory(title="Original")
    curator = get_user_model().objects.create_user("cura", password="x", is_staff=True)
    curator.groups.add(Group.objects.get(name="curator"))  # jobs migration 0004
    api = _token_client(curator)
    refused = api.delete(f"/api/jobs/{job.pk}/")
    assert refused.status_code == 403
    assert refused.json()["error"] == {
        "code": "permission_denied",
        "message": "You need the jobs.delete_job permission to do this (the admin asks for the same).",
        "fields": {},
    }
    assert Job.objects.filter(pk=job.pk).exists()
    edited = api.patch(f"/api/jobs/{job.pk}/", {"title": "Curated"}, content_type="application/json")
    assert edited.status_code == 200 and edited.json()["title"] == "Curated"
    assert api.post(f"/api/jobs/{job.pk}/hide/").json()["status"] == "hidden"


def test_staff_without_change_job_may_not_edit_and_a_superuser_may_delete():
    from django.contrib.auth import get_user_model

    from jobs.tests.factories import grant

    job = JobFactory(title="Original")
    users = get_user_model().objects
    adder = grant(users.create_user("adder", password="x", is_staff=True), "jobs.add_job", "jobs.view_job")
    refused = _token_client(adder).patch(f"/api/jobs/{job.pk}/", {"title": "X"}, content_type="application/json")
    assert refused.status_code == 403
    assert "jobs.change_job" in refused.json()["error"]["message"]
    job.refresh_from_db()
    assert job.title == "Original"
    superuser = _token_client(users.create_superuser("root", password="x"))
    assert superuser.delete(f"/api/jobs/{job.pk}/").status_code == 204
    assert not Job.objects.filter(pk=job.pk).exists()


def test_the_refresh_route_asks_what_the_admins_run_buttons_ask():
    from ingestion.admin_views import START_PERMISSION
    from jobs.api.legacy import START_RUN, RefreshJobsView

    assert RefreshJobsView.write_permissions == {"post": (START_RUN,)}
    assert START_RUN == START_PERMISSION


def test_admin_writes_send_anonymous_clients_to_the_login_page():
    job = JobFactory(title="Original")
    client = Client(enforce_csrf_checks=False)
    for url in (f"/admin/jobs/job/{job.pk}/change/", "/admin/jobs/job/add/", f"/admin/jobs/job/{job.pk}/delete/"):
        response = client.post(url, {"title": "Changed", "post": "yes"})
        assert response.status_code == 302 and "/admin/login/" in response["Location"], (url, response.status_code)
    job.refresh_from_db()
    assert job.title == "Original" and Job.objects.count() == 1


def test_anonymous_match_requests_are_throttled_with_the_error_shape():
    address = "127.0.0.77"
    cache.delete(f"throttle_anon_{address}")
    rates = {"anon": "2/minute", "user": "1000/minute"}
    client = Client()
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}):
        codes = [
            client.post(
                "/api/match/jd/", {"job_description": ""}, content_type="application/json", REMOTE_ADDR=address
            ).status_code
            for _ in range(3)
        ]
        refused = client.post("/match/resume", {"resume_text": "x"}, REMOTE_ADDR=address)
    cache.delete(f"throttle_anon_{address}")
    assert codes == [400, 400, 429]  # the blank text is a 400 until the rate is spent
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0


def _spent_after(rate: str, requests) -> list[int]:
    """Status codes of the requests under a tiny anonymous rate."""
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": rate, "user": "1000/minute"}}
    ):
        return [request().status_code for request in requests]


@override_settings(NUM_PROXIES=0)
def test_rotating_x_forwarded_for_does_not_escape_the_anonymous_throttle():
    address = "127.0.0.78"
    cache.delete_pattern("throttle_anon_*")
    client = Client()
    codes = _spent_after(
        "3/minute",
        [
            lambda n=n: client.get("/api/sources/", REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
            for n in range(6)
        ],
    )
    cache.delete_pattern("throttle_anon_*")
    # No proxy is trusted: the header is the client's word, and the client is REMOTE_ADDR.
    assert codes == [200, 200, 200, 429, 429, 429]


@override_settings(NUM_PROXIES=1)
def test_behind_one_proxy_the_rightmost_forwarded_address_is_the_client():
    from gigm8.lib.client_address import client_address

    proxy = "172.18.0.9"
    cache.delete_pattern("throttle_anon_*")
    client = Client()
    # What a client wrote itself (left of the proxy's entry) changes nothing: still one client.
    spoofed = [
        lambda n=n: client.get("/api/sources/", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 203.0.113.5")
        for n in range(4)
    ]
    # Another client behind the same proxy has a rate of its own.
    other = [lambda: client.get("/api/sources/", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.6")]
    codes = _spent_after("3/minute", [*spoofed, *other])
    cache.delete_pattern("throttle_anon_*")
    assert codes == [200, 200, 200, 429, 200]
    request = Client().get("/health/live/", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5").wsgi_request
    assert client_address(request) == "203.0.113.5"
    assert client_address(Client().get("/health/live/", REMOTE_ADDR=proxy).wsgi_request) == proxy


# --- crafted input that was a 500 -----------------------------------------------------------------

DASHES = " ".join(["-"] * 40)  # 40 "-" terms: PostgreSQL's "tsquery stack too small"
FAR_OFFSET = "2026-01-01T00:00:00+23:59"  # legal ISO 8601; PostgreSQL allows up to ±15:59
JD = "Senior Python developer: Django, PostgreSQL, Docker and REST APIs; five years building web services."


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("get", "/api/jobs/", {"q": DASHES}, "q"),
        ("get", "/api/jobs/", {"q": "python " + "-! " * 33}, "q"),
        ("post", "/api/match/jd/", {"job_description": JD, "q": DASHES}, "q"),
        ("get", "/api/jobs/", {"posted_after": FAR_OFFSET}, None),
        ("get", "/api/jobs/", {"posted_after": "9999-12-31T23:00:00-23:59"}, "posted_after"),
        ("post", "/api/match/jd/", {"job_description": JD, "posted_after": FAR_OFFSET}, None),
        ("get", "/jobs", {"min_stipend": "1e999999"}, "min_stipend"),
        ("get", "/jobs", {"min_stipend": "Infinity"}, "min_stipend"),
        ("get", "/jobs", {"min_stipend": "NaN"}, "min_stipend"),
    ],
)
def test_crafted_parameters_are_a_400_or_an_answer_never_a_500(method, url, body, field):
    JobFactory(title="Python developer")
    client = Client()
    send = client.get if method == "get" else partial(client.post, content_type="application/json")
    response = send(url, body)
    if field is None:  # a far offset is a legal time: converted to UTC, it is an ordinary filter
        assert response.status_code == 200, response.content
        return
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"], error


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"a":' * 40 + "1" + "}" * 40])
def test_deeply_nested_json_is_a_400_parse_error(body):
    response = Client().post("/api/match/jd/", body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    error = response.json()["error"]
    assert error["code"] == "parse_error" and "nested deeper than" in error["message"]


def test_a_json_number_too_large_for_a_float_is_a_400_parse_error():
    # By hand: json.dumps cannot write 1e999.
    body = '{"job_description": "' + JD + '", "radius_km": 1e999, "near": "51.5,-0.1"}'
    response = Client().post("/api/match/jd/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "parse_error"


@pytest.mark.parametrize(
    ("amount", "period"), [("481597904440", "day"), ("999999999", "hour"), ("-481597904440", "year")]
)
def test_a_staff_salary_whose_yearly_figure_cannot_be_stored_is_a_400(amount, period):
    # Found by bench/fuzz_api.py: the annualized salary overflowed its numeric(14, 2) column.
    from django.contrib.auth import get_user_model

    job = JobFactory()
    api = _token_client(get_user_model().objects.create_superuser("root", password="x"))
    body = {"salary_min": amount, "salary_period": period}
    response = api.patch(f"/api/jobs/{job.pk}/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == ["salary_min"]
    created = api.post("/api/jobs/", {"title": "Overpaid", **body}, content_type="application/json")
    assert created.status_code == 400, created.content


# --- oversized uploads --------------------------------------------------------------------------


class CountingInput(io.BytesIO):
    """wsgi.input that remembers how many bytes the application read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.consumed = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk

    def readline(self, size: int | None = -1) -> bytes:
        chunk = super().readline(size)
        self.consumed += len(chunk)
        return chunk


@pytest.fixture
def wsgi_app():
    # The handler closes the connection after each request (ending the test's transaction);
    # Django's test client detaches the same receivers.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _multipart(file_bytes: bytes) -> tuple[bytes, str]:
    boundary = "proofboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="resume_file"; filename="cv.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    return head + file_bytes + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _call(app, path: str, body: bytes, content_type: str) -> tuple[int, bytes, CountingInput]:
    stream = CountingInput(body)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": stream,
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    status = []
    chunks = b"".join(app(environ, lambda s, headers, exc_info=None: status.append(s)))
    return int(status[0].split()[0]), chunks, stream


@pytest.mark.parametrize("path", ["/api/match/resume/", "/match/resume"])
def test_oversized_upload_is_refused_before_it_is_read(wsgi_app, settings, path):
    import json

    settings.MATCH_MAX_UPLOAD_BYTES = 64 * 1024
    body, content_type = _multipart(b"Python developer. " * 200_000)  # 3.6 MB
    status, content, stream = _call(wsgi_app, path, body, content_type)
    assert status == 413, content[:300]
    assert json.loads(content)["error"]["code"] == "file_too_large"
    assert stream.consumed < 64 * 1024, f"read {stream.consumed:,} of {len(body):,} bytes before refusing"


def test_oversized_json_body_is_refused_before_it_is_read(wsgi_app, settings):
    import json

    settings.MATCH_MAX_UPLOAD_BYTES = 64 * 1024
    body = json.dumps({"resume_text": "Python developer. " * 200_000}).encode()
    status, content, stream = _call(wsgi_app, "/api/match/resume/", body, "application/json")
    assert status == 413, content[:300]
    assert stream.consumed < 64 * 1024


def test_upload_within_the_limit_is_still_read_and_matched(wsgi_app, settings):
    import json

    CompanyFactory()
    settings.MATCH_MAX_UPLOAD_BYTES = 64 * 1024
    body, content_type = _multipart(b"Python developer with Django. " * 1000)  # 30 KB
    status, content, stream = _call(wsgi_app, "/api/match/resume/", body, content_type)
    assert status == 200, content[:300]
    assert stream.consumed == len(body)
    assert "jobs" in json.loads(content)


def test_any_api_body_over_djangos_limit_is_a_json_413(settings):
    from django.contrib.auth import get_user_model

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    staff = get_user_model().objects.create_superuser("big", "big@example.com", "pw")
    client = Client()
    client.force_login(staff)
    response = client.post("/api/jobs/", {"title": "x" * 20_000}, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
