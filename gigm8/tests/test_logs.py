import io
import json
import logging

import pytest
import structlog

from gigm8 import logs
from gigm8.celery import app as celery_app


@celery_app.task(name="gigm8.tests.log_probe")
def log_probe():
    logging.getLogger("gigm8.tests.probe").info("inside the task")


@pytest.fixture
def json_lines():
    """Every record logged while the test runs, rendered by the production (JSON) formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.formatter("json"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_stdlib_and_structlog_lines_share_the_bound_context(json_lines):
    with logs.bound(sync_log_id=7, source="adzuna"):
        logging.getLogger("ingestion.example").info("fetched %s pages", 3)
        structlog.get_logger("ingestion.other").info("page stored", page=2)
    logging.getLogger("ingestion.example").info("after the run")

    first, second, after = json_lines()
    assert first["event"] == "fetched 3 pages"
    assert first["level"] == "info" and first["logger"] == "ingestion.example" and first["timestamp"]
    assert (first["sync_log_id"], first["source"]) == (7, "adzuna")
    assert (second["event"], second["page"], second["sync_log_id"]) == ("page stored", 2, 7)
    assert "sync_log_id" not in after


def test_nested_bound_blocks_restore_the_outer_values(json_lines):
    with logs.bound(sync_log_id=1):
        with logs.bound(board="acme"):
            logging.getLogger("x").info("inner")
        logging.getLogger("x").info("outer")
    inner, outer = json_lines()
    assert (inner["sync_log_id"], inner["board"]) == (1, "acme")
    assert outer["sync_log_id"] == 1 and "board" not in outer


def test_run_started_and_finished_bind_the_innermost_open_run(json_lines):
    log = logging.getLogger("ingestion.refresh")
    logs.run_started(sync_log_id=10, source="refresh")
    log.info("refresh begins")
    logs.run_started(sync_log_id=11, source="adzuna")
    log.info("adzuna page")
    logs.run_finished(sync_log_id=11)
    log.info("next step")
    logs.run_finished(sync_log_id=10)
    log.info("all done")
    lines = [(line.get("sync_log_id"), line.get("source")) for line in json_lines()]
    assert lines == [(10, "refresh"), (11, "adzuna"), (10, "refresh"), (None, None)]


@pytest.mark.django_db
def test_request_id_is_echoed_and_on_every_line_of_the_request(client, json_lines):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="frontend-42.a", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response["X-Request-ID"] == "frontend-42.a"
    lines = json_lines()
    not_found = next(line for line in lines if line["logger"] == "django.request")
    access = next(line for line in lines if line["event"] == "request")
    assert not_found["request_id"] == access["request_id"] == "frontend-42.a"
    assert (access["method"], access["path"], access["status"]) == ("GET", "/no-such-page/", 404)
    assert access["duration_ms"] >= 0
    # The client as the throttle counts it: with no proxy configured, not what the header claims.
    assert access["client"] == "127.0.0.1"
    # The context does not leak into lines logged after the request.
    logging.getLogger("x").info("later")
    assert "request_id" not in json_lines()[-1]


@pytest.mark.django_db
def test_request_line_names_the_user_without_extra_queries(client, django_user_model, json_lines):
    user = django_user_model.objects.create_user("curator", password="x", is_staff=True)
    client.force_login(user)
    client.get("/admin/")  # the admin loads the user: its id is logged
    client.get("/health/")  # /health/ never needs the user: not loaded, not logged
    admin_line, health_line = [line for line in json_lines() if line["event"] == "request"]
    assert admin_line["user_id"] == user.pk
    assert health_line["user_id"] is None


@pytest.mark.django_db
@pytest.mark.parametrize("given", ["has space", "a" * 129, "line\nbreak", ""])
def test_unsafe_or_missing_request_id_is_replaced_by_a_new_one(client, given):
    response = client.get("/health/", HTTP_X_REQUEST_ID=given)
    assert response["X-Request-ID"] != given
    assert len(response["X-Request-ID"]) == 32
    assert response["X-Request-ID"] != client.get("/health/")["X-Request-ID"]


def test_secret_values_are_masked_by_key_and_inside_text(json_lines):
    url = "https://api.adzuna.com/v1/api/jobs/gb/search/1?app_id=abc&app_key=S3CRET-KEY&what=python"
    structlog.get_logger("ingestion.adzuna").info(
        "fetch",
        url=url,
        app_key="S3CRET-KEY",
        params={"password": "hunter2-pass", "nested": [{"api_key": "S3CRET-KEY"}], "board_token": "acme"},
        headers={"Authorization": "Token 0123456789abcdef"},
        note="sent Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig",
        dsn="postgres://gigm8:db-pass-word@db:5432/gigm8",
    )
    logging.getLogger("ingestion.adzuna").warning("GET %s failed", url, extra={"client_secret": "S3CRET-KEY"})
    try:
        raise ConnectionError(f"HTTPSConnectionPool: max retries exceeded with url: {url}")
    except ConnectionError:
        logging.getLogger("ingestion.adzuna").exception("page failed")

    raw = "\n".join(json.dumps(line) for line in json_lines())
    for secret in ("S3CRET-KEY", "hunter2-pass", "0123456789abcdef", "eyJhbGciOiJIUzI1NiJ9", "db-pass-word"):
        assert secret not in raw
    first, second, third = json_lines()
    assert first["app_key"] == "***"
    assert first["url"].endswith("app_id=abc&app_key=***&what=python")  # the rest stays readable
    assert first["params"]["board_token"] == "acme"  # public, though its name says token
    assert first["dsn"] == "postgres://gigm8:***@db:5432/gigm8"
    assert second["client_secret"] == "***"
    assert "ConnectionError" in third["exception"] and "app_key=***" in third["exception"]


def test_mask_text_leaves_ordinary_text_alone():
    text = "fetched 20 jobs for python in london (page 2 of 5), tokens=ok? no: 3 board_tokens"
    assert logs.mask_text("expired 12 jobs; next page=3") == "expired 12 jobs; next page=3"
    assert "fetched 20 jobs" in logs.mask_text(text)


def test_console_format_renders_readable_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.formatter("console"))
    logger = logging.getLogger("gigm8.tests.console")
    logger.addHandler(handler)
    try:
        with logs.bound(sync_log_id=5):
            logger.info("refresh started", extra={"password": "pw-123456"})
    finally:
        logger.removeHandler(handler)
    line = stream.getvalue().strip()
    assert not line.startswith("{")
    assert "refresh started" in line and "sync_log_id=5" in line and "[gigm8.tests.console]" in line
    assert "pw-123456" not in line


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="json or console"):
        logs.formatter("xml")


def test_celery_task_lines_carry_the_task_id(json_lines):
    result = log_probe.apply(task_id="task-abc-1")
    assert result.successful()
    probe = next(line for line in json_lines() if line["event"] == "inside the task")
    assert (probe["task_id"], probe["task"]) == ("task-abc-1", "gigm8.tests.log_probe")
    done = next(line for line in json_lines() if line["logger"] == "celery.app.trace")
    assert "succeeded" in done["event"] and "data" not in done
    logging.getLogger("x").info("after the task")
    assert "task_id" not in json_lines()[-1]


@pytest.mark.django_db
def test_an_ordinary_403_is_one_warning_line_without_a_traceback(client, json_lines):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_user("nobody", password="pw", is_staff=True))
    assert client.get("/admin/jobs/job/").status_code == 403
    [forbidden] = [line for line in json_lines() if line["logger"] == "django.request"]
    assert forbidden["level"] == "warning"
    assert forbidden["event"] == "Forbidden (Permission denied): /admin/jobs/job/"
    assert "exception" not in forbidden  # no traceback for a refused request


def test_a_server_error_keeps_its_traceback(json_lines):
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        logging.getLogger("django.request").error("Internal Server Error: /x", exc_info=exc, extra={"status_code": 500})
    [line] = json_lines()
    assert "RuntimeError: boom" in line["exception"]
