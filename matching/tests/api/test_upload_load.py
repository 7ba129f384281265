"""Twenty 5 MB resume uploads at once against gunicorn as deployed: liveness keeps answering.

gunicorn runs the Dockerfile's command (2 sync workers, production settings) on this test's
database and a Redis of its own. Twenty clients each POST a 5 MB PDF that takes pypdf a minute to
read, while another client asks /health/live/ every 0.2 s, with the container health check's 5 s
in mind. Parsing is bounded (one file at a time per host, cut off at MATCH_PARSE_TIMEOUT_SECONDS),
so one worker reads one file and the other answers the rest: the uploads get a 4xx or a 503
"busy" with Retry-After, never a 500, and liveness stays well under the health check's timeout.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
from django.db import connection

from gigm8.tests.stack import PUBLIC_HOST, Gunicorn, ThrowawayRedis, production_env
from matching.tests.hostile import padded, slow_pdf

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

UPLOADS = 20
FILE_BYTES = 5_000_000
HEALTH_CHECK_TIMEOUT = 5  # Dockerfile HEALTHCHECK --timeout
# The free worker still reads each refused 5 MB body (gunicorn reads it 1 KB at a time, ~0.1 s),
# so a probe queued behind 19 refusals waits ~2-3 s here; before the fix it waited 17.5 s.
LIVENESS_LIMIT = 3.5


def _database_url() -> str:
    db = connection.settings_dict
    host = quote(db["HOST"], safe="") if db["HOST"].startswith("/") else db["HOST"]
    port = f":{db['PORT']}" if db["PORT"] else ""
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{host}{port}/{db['NAME']}"


@pytest.fixture
def web(tmp_path):
    redis = ThrowawayRedis()
    server = None
    try:
        metrics = tmp_path / "prometheus"
        metrics.mkdir()
        env = production_env(
            DATABASE_URL=_database_url(),
            REDIS_URL=redis.url,
            GIGM8_VAR_DIR=str(tmp_path / "var"),  # parse slots of its own, not the shared var/
            PROMETHEUS_MULTIPROC_DIR=str(metrics),
            API_THROTTLE_ANON="1000000/second",
            LOG_LEVEL="WARNING",
        )
        server = Gunicorn(env, tmp_path / "gunicorn.log")
        yield server
    finally:
        if server is not None:
            server.close()
        redis.close()


def _upload(port: int, data: bytes) -> tuple[int, dict, float]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="resume_file"; filename="cv.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {
        "Host": PUBLIC_HOST,
        "X-Forwarded-Proto": "https",
        "Content-Type": f"multipart/form-data; boundary={boundary}",
    }
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("POST", "/api/match/resume/", body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
    finally:
        conn.close()
    return (
        response.status,
        {**json.loads(payload or b"{}"), "retry_after": response.getheader("Retry-After")},
        (time.monotonic() - started),
    )


def _live(port: int) -> tuple[int, float]:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/health/live/", headers={"Host": PUBLIC_HOST, "X-Forwarded-Proto": "https"})
        status = conn.getresponse().status
    except OSError:
        status = 0
    finally:
        conn.close()
    return status, time.monotonic() - started


def test_twenty_parallel_5mb_uploads_leave_liveness_answering(web):
    data = padded(slow_pdf(), size=FILE_BYTES)
    assert len(data) == FILE_BYTES
    probes: list[tuple[int, float]] = []
    done = threading.Event()

    def probe() -> None:
        while not done.is_set():
            probes.append(_live(web.port))
            time.sleep(0.2)

    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    started = time.monotonic()
    try:
        with ThreadPoolExecutor(UPLOADS) as pool:
            answers = list(pool.map(lambda _: _upload(web.port, data), range(UPLOADS)))
    finally:
        done.set()
        prober.join(timeout=40)
    elapsed = time.monotonic() - started

    statuses = Counter(status for status, _, _ in answers)
    # Each file read is refused: cut off at the timeout (422) or, on a fast run, found to hold more
    # text than a resume (413); the others wait for the slot, then get a 503.
    assert set(statuses) <= {413, 422, 503}, (statuses, [body for _, body, _ in answers])
    assert statuses[422] + statuses[413] >= 1  # one file at a time was read
    for status, body, _ in answers:
        assert body["error"]["fields"]["resume_file"], body
        if status == 503:
            assert body["error"]["code"] == "busy" and int(body["retry_after"]) >= 1
    assert len(probes) >= 5, probes
    assert all(status == 200 for status, _ in probes), probes
    slowest = max(seconds for _, seconds in probes)
    print(f"\n{UPLOADS} uploads in {elapsed:.1f} s: {dict(statuses)}; /health/live/ slowest {slowest:.2f} s")
    assert slowest < LIVENESS_LIMIT < HEALTH_CHECK_TIMEOUT, probes
