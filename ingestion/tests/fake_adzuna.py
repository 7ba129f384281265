"""A local Adzuna search API: real HTTP on 127.0.0.1, answers in the real response shape.

GET /v1/api/jobs/{country}/search/{page}?app_id=…&app_key=…&results_per_page=…&what=… returns
{"__CLASS__": …, "count": N, "mean": …, "results": [...]} with results shaped like Adzuna's
(company.display_name, location.area from country down to town, salary_is_predicted "0"/"1",
contract_time/contract_type only on some, created in ISO 8601 with Z). Faults can be queued:
a status (429 with Retry-After, 500, 401), a slow answer, a body that is not JSON.
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlparse

from gigm8.tests.local_server import LocalHTTPServer

APP_ID = "test-app-id"
APP_KEY = "test-app-key"
_PATH = re.compile(r"^/v1/api/jobs/([a-z]{2})/search/(\d+)$")


def adzuna_result(number: int, *, country: str = "gb", **overrides: Any) -> dict[str, Any]:
    """One search result in Adzuna's shape."""
    result: dict[str, Any] = {
        "__CLASS__": "Adzuna::API::Response::Job",
        "id": str(5801147000 + number),
        "title": f"Python Developer {number}",
        "description": (
            f"Acme Analytics is hiring a Python developer ({number}) to build data pipelines &amp; APIs "
            "in Django and PostgreSQL. You will work with a small team on our hiring platform…"
        ),
        "created": "2026-07-15T08:33:45Z",
        "redirect_url": f"https://www.adzuna.co.uk/details/{5801147000 + number}?utm_medium=api&utm_source=test",
        "adref": "eyJhbGciOiJIUzI1NiJ9.eyJzIjoiVkRzQmExNkE4In0.K7GhxHYHSn2Y",
        "salary_min": 45000,
        "salary_max": 55000,
        "salary_is_predicted": "0",
        "contract_time": "full_time",
        "contract_type": "permanent",
        "latitude": 51.5074,
        "longitude": -0.1278,
        "category": {"__CLASS__": "Adzuna::API::Response::Category", "tag": "it-jobs", "label": "IT Jobs"},
        "company": {"__CLASS__": "Adzuna::API::Response::Company", "display_name": "Acme Analytics Ltd"},
        "location": {
            "__CLASS__": "Adzuna::API::Response::Location",
            "display_name": "London, UK",
            "area": ["UK", "London", "Central London", "London"],
        },
    }
    result.update(overrides)
    return result


@dataclasses.dataclass
class Fault:
    status: int = 200
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    body: bytes | None = None
    delay: float = 0.0
    page: int | None = None  # only for this page; any page when None
    times: int = 1


class FakeAdzuna(LocalHTTPServer):
    def __init__(self) -> None:
        self.jobs: dict[str, list[dict[str, Any]]] = {}
        self.faults: list[Fault] = []
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        super().__init__(self._handler())

    def set_jobs(self, country: str, jobs: list[dict[str, Any]]) -> None:
        with self.lock:
            self.jobs[country] = list(jobs)

    def fail(self, status: int = 500, *, page: int | None = None, times: int = 1, **kwargs: Any) -> None:
        with self.lock:
            self.faults.append(Fault(status=status, page=page, times=times, **kwargs))

    def pages_requested(self) -> list[int]:
        return [r["page"] for r in self.requests]

    def _take_fault(self, page: int) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.page in (None, page) and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def _answer(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, str], bytes, float]:
        match = _PATH.match(path)
        if not match:
            return 404, {}, b'{"exception": "NOT_FOUND"}', 0.0
        country, page = match.group(1), int(match.group(2))
        with self.lock:
            self.requests.append({"country": country, "page": page, **query})
        if query.get("app_id") != APP_ID or query.get("app_key") != APP_KEY:
            body = {
                "__CLASS__": "Adzuna::API::Response::Exception",
                "exception": "AUTH_FAIL",
                "display": "Unauthorised",
            }
            return 401, {}, json.dumps(body).encode(), 0.0
        fault = self._take_fault(page)
        if fault is not None and (fault.status != 200 or fault.body is not None):
            return fault.status, fault.headers, fault.body or b'{"exception": "ERROR"}', fault.delay
        delay = fault.delay if fault else 0.0
        jobs = self.jobs.get(country, [])
        what = query.get("what", "").lower()
        if what:
            jobs = [j for j in jobs if what in str(j.get("title", "")).lower()]
        per_page = min(int(query.get("results_per_page", 10)), 50)
        chunk = jobs[(page - 1) * per_page : page * per_page]
        body = {
            "__CLASS__": "Adzuna::API::Response::JobSearchResults",
            "count": len(jobs),
            "mean": 50000.0,
            "results": chunk,
        }
        return 200, {}, json.dumps(body).encode(), delay

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parsed = urlparse(self.path)
                query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
                status, headers, body, delay = fake._answer(parsed.path, query)
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a read timeout under test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
