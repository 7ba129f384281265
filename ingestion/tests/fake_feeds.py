"""Local stand-ins for the feed APIs (Remotive, USAJobs): real HTTP on 127.0.0.1, their real shapes.

One server, a route per API path:
- Remotive: GET /api/remote-jobs?category=&search=&limit= answers
  {"0-legal-notice": …, "job-count": N, "jobs": [...]} at once (no pages), as
  ../shared/data/api_fixtures/remotive_jobs.json does.
- USAJobs: GET /api/search?Keyword=&ResultsPerPage=&Page= with the headers Authorization-Key,
  User-Agent and Host answers {"LanguageCode", "SearchParameters", "SearchResult": {SearchResultCount,
  SearchResultCountAll, SearchResultItems: [{MatchedObjectId, MatchedObjectDescriptor, RelevanceRank}],
  UserArea: {NumberOfPages, IsRadialSearch}}}; a wrong key gets 401. The descriptors carry the fields
  of USAJobs' documentation (PositionLocation with coordinates, ApplyURI, JobCategory, PositionSchedule,
  PositionOfferingType, ApplicationCloseDate, UserArea.Details…); the postings are our own.

Faults can be queued per path: a status with headers (429 with Retry-After, 500, 403), a body that
is not JSON, a JSON body of another shape.
"""

from __future__ import annotations

import dataclasses
import json
import math
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from gigm8.tests.local_server import LocalHTTPServer

Reply = tuple[int, dict[str, str], bytes]
Route = Callable[[dict[str, str], dict[str, str]], Reply]

REMOTIVE_PATH = "/api/remote-jobs"
USAJOBS_PATH = "/api/search"
USAJOBS_KEY = "test-usajobs-key"
USAJOBS_EMAIL = "jobs@example.org"


def json_reply(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(payload).encode()


@dataclasses.dataclass
class Fault:
    status: int = 500
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    body: bytes = b'{"error": "fault"}'
    times: int = 1


class FakeFeeds(LocalHTTPServer):
    """Routes by path; `fail(path, …)` queues faults answered before the route; every request is kept
    as {"path", "query", "headers"}."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.faults: dict[str, list[Fault]] = {}
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
                headers = {key.casefold(): value for key, value in self.headers.items()}
                status, reply_headers, body = fake.answer(parts.path, query, headers)
                self.send_response(status)
                # "X-No-Length": no Content-Length, the body ends when the connection closes (HTTP/1.0).
                unmeasured = reply_headers.pop("X-No-Length", None) is not None
                for key, value in reply_headers.items():
                    self.send_header(key, value)
                if not unmeasured:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(Handler)

    def fail(self, path: str, status: int = 500, **kwargs: Any) -> None:
        with self.lock:
            self.faults.setdefault(path, []).append(Fault(status=status, **kwargs))

    def asked(self, path: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"] == path]

    def answer(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        with self.lock:
            self.requests.append({"path": path, "query": query, "headers": headers})
            fault = next((f for f in self.faults.get(path, []) if f.times > 0), None)
            if fault is not None:
                fault.times -= 1
                return fault.status, {"Content-Type": "application/json", **fault.headers}, fault.body
        route = self.routes.get(path)
        if route is None:
            return 404, {"Content-Type": "text/html"}, b"<h1>Not found</h1>"
        return route(query, headers)


# --- Remotive ---------------------------------------------------------------------------------


def remotive_job(number: int, **overrides: Any) -> dict[str, Any]:
    """One posting in Remotive's shape (remotive_jobs.json's keys)."""
    job_id = 2100000 + number
    job: dict[str, Any] = {
        "id": job_id,
        "url": f"https://remotive.com/remote-jobs/software-development/backend-engineer-{number}-{job_id}",
        "title": f"Backend Engineer {number}",
        "company_name": "Northwind Cloud",
        "company_logo": f"https://remotive.com/job/{job_id}/logo",
        "category": "Software Development",
        "tags": ["python", "django", "postgresql"],
        "job_type": "full_time",
        "publication_date": "2026-07-14T09:30:00",
        "candidate_required_location": "Worldwide",
        "salary": "$120k - $150k",
        "description": (
            f"<p><strong>Northwind Cloud</strong> is hiring backend engineer {number} to build our billing "
            "APIs in Python and Django.</p><ul><li>Design services</li><li>Own PostgreSQL schemas</li></ul>"
        ),
        "company_logo_url": f"https://remotive.com/job/{job_id}/logo",
    }
    job.update(overrides)
    return job


def remotive_route(jobs: list[Any]) -> Route:
    """The remote-jobs endpoint over `jobs` (changed in place by the tests): search on the title, limit."""

    def route(query: dict[str, str], headers: dict[str, str]) -> Reply:
        listed = list(jobs)
        if search := query.get("search", "").casefold():
            listed = [j for j in listed if search in str(j.get("title", "") if isinstance(j, dict) else "").casefold()]
        if limit := int(query.get("limit") or 0):
            listed = listed[:limit]
        return json_reply(
            {
                "0-legal-notice": "Remotive API Legal Notice: link back to Remotive and name it as the source.",
                "job-count": len(listed),
                "jobs": listed,
            }
        )

    return route


# --- USAJobs ----------------------------------------------------------------------------------


def usajobs_item(number: int, **overrides: Any) -> dict[str, Any]:
    """One SearchResultItem with the descriptor fields of USAJobs' documentation; `overrides` go into
    the descriptor (`details=` into UserArea.Details)."""
    control = str(880000000 + number)
    details: dict[str, Any] = {
        "JobSummary": (
            f"Data scientist {number} at the Bureau of Example Statistics builds survey models in Python and SQL "
            "and publishes the nation's labor figures."
        ),
        "WhoMayApply": {"Name": "United States Citizens", "Code": ""},
        "LowGrade": "12",
        "HighGrade": "13",
        "PromotionPotential": "13",
        "MajorDuties": ["Design statistical models of survey data.", "Write reproducible analysis code."],
        "TeleworkEligible": False,
        "RemoteIndicator": False,
    }
    details.update(overrides.pop("details", {}))
    descriptor: dict[str, Any] = {
        "PositionID": f"BES-2026-{number:04d}",
        "PositionTitle": f"Data Scientist {number}",
        "PositionURI": f"https://www.usajobs.gov:443/job/{control}",
        "ApplyURI": [f"https://www.usajobs.gov:443/job/{control}/apply"],
        "PositionLocationDisplay": "Washington, District of Columbia",
        "PositionLocation": [
            {
                "LocationName": "Washington, District of Columbia",
                "CountryCode": "United States",
                "CountrySubDivisionCode": "District of Columbia",
                "CityName": "Washington, District of Columbia",
                "Longitude": -77.032,
                "Latitude": 38.8904,
            }
        ],
        "OrganizationName": "Bureau of Example Statistics",
        "DepartmentName": "Department of Examples",
        "JobCategory": [{"Name": "Mathematical Statistics", "Code": "1529"}],
        "JobGrade": [{"Code": "GS"}],
        "PositionSchedule": [{"Name": "Full-time", "Code": "1"}],
        "PositionOfferingType": [{"Name": "Permanent", "Code": "15317"}],
        "QualificationSummary": "One year of specialized experience at the GS-11 level in statistical programming.",
        "PositionRemuneration": [
            {"MinimumRange": "99200", "MaximumRange": "153354", "RateIntervalCode": "PA", "Description": "Per Year"}
        ],
        "PositionStartDate": "2026-07-10T00:00:00.0000",
        "PositionEndDate": "2026-08-10T23:59:59.9970",
        "PublicationStartDate": "2026-07-10T00:00:00.0000",
        "ApplicationCloseDate": "2026-08-10T23:59:59.9970",
        "UserArea": {"Details": details, "IsRadialSearch": False},
    }
    descriptor.update(overrides)
    return {"MatchedObjectId": control, "MatchedObjectDescriptor": descriptor, "RelevanceRank": number}


def usajobs_route(items: list[Any]) -> Route:
    """The search endpoint over `items` (changed in place by the tests): the key and the e-mail checked,
    Keyword matched on the title, ResultsPerPage/Page paging, NumberOfPages in UserArea."""

    def route(query: dict[str, str], headers: dict[str, str]) -> Reply:
        if headers.get("authorization-key") != USAJOBS_KEY or headers.get("user-agent") != USAJOBS_EMAIL:
            return 401, {"Content-Type": "text/html"}, b"<h1>401 Unauthorized</h1>"
        listed = list(items)
        if keyword := query.get("Keyword", "").casefold():
            listed = [
                item
                for item in listed
                if isinstance(item, dict)
                and keyword in str(item.get("MatchedObjectDescriptor", {}).get("PositionTitle", "")).casefold()
            ]
        per_page = min(int(query.get("ResultsPerPage") or 25), 500)
        page = int(query.get("Page") or 1)
        chunk = listed[(page - 1) * per_page : page * per_page]
        return json_reply(
            {
                "LanguageCode": "EN",
                "SearchParameters": {},
                "SearchResult": {
                    "SearchResultCount": len(chunk),
                    "SearchResultCountAll": len(listed),
                    "SearchResultItems": chunk,
                    "UserArea": {"NumberOfPages": str(math.ceil(len(listed) / per_page)), "IsRadialSearch": False},
                },
            }
        )

    return route
