"""Hostile resume uploads get a 4xx naming resume_file, in bounded time and memory.

The files are built here (matching.tests.hostile): a DOCX that unpacks to 1 GB, one whose headers
lie about its size, a 30,000-page PDF, a PDF whose one stream inflates to 512 MB (pypdf's
LimitReachedError), a 10 KB PDF whose text takes a minute to extract, a text resume quoting
"%PDF-". Memory is measured twice: the serving process (this one: its peak may not rise much)
and the parse child (its own peak, which it reports and matching.sandbox logs).
"""

from __future__ import annotations

import fcntl
import os
import re
import resource
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from matching.tests import hostile

pytestmark = pytest.mark.django_db

RESUME_URL = "/api/match/resume/"
LEGACY_URL = "/match/resume"
MB = 1024 * 1024
# What one upload may add to the serving process's peak, and what the parse child may reach.
SERVER_GROWTH_LIMIT = 150 * MB
CHILD_PEAK_LIMIT = 300 * MB


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    return {
        "docx-bomb": hostile.docx_bomb(folder / "bomb.docx").read_bytes(),
        "docx-liar": hostile.docx_that_lies(folder / "liar.docx").read_bytes(),
        "many-pages": hostile.many_page_pdf(30_000),
        "pdf-bomb": hostile.pdf_bomb(512 * MB),
    }


def _peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _child_peaks(caplog) -> list[int]:
    return [int(m) * MB for m in re.findall(r"child peak (\d+) MB", caplog.text)]


def _post(url, name, data, field="resume_file"):
    return APIClient().post(url, {field: SimpleUploadedFile(name, data)}, format="multipart")


@pytest.mark.parametrize(
    ("name", "status", "code", "words"),
    [
        ("docx-bomb", 413, "unpacked_too_large", "unpacks to 1,02"),
        ("docx-liar", 400, "corrupt_docx", "cannot be read"),
        ("many-pages", 413, "too_many_pages", "30,000 pages"),
        ("pdf-bomb", 422, "too_complex", "too complex"),
    ],
)
def test_hostile_file_is_refused_quickly_within_memory(files, caplog, settings, name, status, code, words):
    caplog.set_level("INFO", logger="matching.sandbox")
    before = _peak_bytes()
    started = time.monotonic()
    response = _post(RESUME_URL, name, files[name])
    seconds = time.monotonic() - started
    assert response.status_code == status, response.content[:500]
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"].startswith("resume_file: ") and words in error["message"], error
    assert list(error["fields"]) == ["resume_file"]
    assert seconds < settings.MATCH_PARSE_TIMEOUT_SECONDS, f"{seconds:.1f} s"
    assert _peak_bytes() - before < SERVER_GROWTH_LIMIT
    [child_peak] = _child_peaks(caplog)
    assert child_peak < CHILD_PEAK_LIMIT


def test_docx_bomb_is_refused_on_the_legacy_route_too(files):
    response = _post(LEGACY_URL, "cv.docx", files["docx-bomb"], field="resume")
    assert response.status_code == 413, response.content[:500]
    assert response.json()["error"]["fields"]["resume_file"]


def test_pdf_that_takes_too_long_is_cut_off_at_the_timeout(caplog, settings):
    settings.MATCH_PARSE_TIMEOUT_SECONDS = 2
    started = time.monotonic()
    response = _post(RESUME_URL, "cv.pdf", hostile.slow_pdf())
    seconds = time.monotonic() - started
    assert response.status_code == 422, response.content[:500]
    error = response.json()["error"]
    assert error["code"] == "too_complex"
    assert "longer than 2 s" in error["fields"]["resume_file"][0]
    assert seconds < 4, f"{seconds:.1f} s"


def test_text_resume_that_quotes_the_pdf_header_is_read_as_text(make_job):
    make_job(title="Python developer", description="Python, Django and PostgreSQL for web services.")
    response = _post(RESUME_URL, "cv.txt", hostile.TEXT_RESUME_QUOTING_PDF)
    assert response.status_code == 200, response.content[:500]
    assert response.json()["jobs"]


def test_text_file_longer_than_a_resume_is_413():
    response = _post(RESUME_URL, "cv.txt", b"Python developer. " * 20_000)
    assert response.status_code == 413, response.content[:500]
    assert response.json()["error"]["code"] == "text_too_long"


def test_upload_when_every_parse_slot_is_taken_is_a_503_with_retry_after(settings):
    from matching.tests.documents import text_pdf

    folder = settings.MATCH_PARSE_SLOT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    held = [
        os.open(folder / f"slot-{n}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        for n in range(settings.MATCH_PARSE_CONCURRENCY)
    ]
    try:
        for fd in held:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        started = time.monotonic()
        response = _post(RESUME_URL, "cv.pdf", text_pdf(["Python developer"]))
        seconds = time.monotonic() - started
    finally:
        for fd in held:
            os.close(fd)
    assert response.status_code == 503, response.content[:500]
    assert int(response["Retry-After"]) >= 1
    error = response.json()["error"]
    assert error["code"] == "busy"
    assert error["message"].startswith("resume_file: ")
    assert seconds < 2
    # The slot is free again: the same file is read.
    assert _post(RESUME_URL, "cv.pdf", text_pdf(["Python developer with Django"])).status_code in {200, 400}
