"""Local stand-ins for the job boards: a threaded HTTP server on 127.0.0.1 and payload builders.

The payloads have the keys and value shapes of the real APIs (see ../shared/data/api_fixtures:
greenhouse_jobs.json, lever_postings.json, ashby_jobs.json, microsoft.json); the postings are
our own.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from gigm8.tests.local_server import LocalHTTPServer

Reply = tuple[int, dict[str, str], bytes]
Handler = Callable[[dict[str, Any]], Reply]


def json_reply(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(payload).encode()


def html_reply(text: str, status: int = 200) -> Reply:
    return status, {"Content-Type": "text/html; charset=utf-8"}, text.encode()


class FakeSite(LocalHTTPServer):
    """Answers GETs (and POSTs) from routes keyed by path; a route is a reply, a list of replies (one
    per request, the last repeating) or a function of the query. A POST's JSON body is given to a
    function route under the query key "json" (Workday's paging). Records every path asked for."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Reply | list[Reply] | Handler] = {}
        self.requests: list[str] = []
        self.posted: list[Any] = []
        site = self

        class _Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"null")
                except ValueError:
                    body = None
                site.posted.append(body)
                self.do_GET(body)

            def do_GET(self, body: Any = None) -> None:
                parts = urlsplit(self.path)
                site.requests.append(self.path)
                query: dict[str, Any] = parse_qs(parts.query)
                if body is not None:
                    query["json"] = body
                status, headers, body_bytes = site.answer(parts.path, query)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body_bytes)))
                self.end_headers()
                self.wfile.write(body_bytes)

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(_Handler, host=host)

    def answer(self, path: str, query: dict[str, Any]) -> Reply:
        route = self.routes.get(path)
        if route is None:
            return html_reply("<h1>Not found</h1>", 404)
        if callable(route):
            return route(query)
        if isinstance(route, list):
            return route.pop(0) if len(route) > 1 else route[0]
        return route

    def asked(self, path: str) -> int:
        return sum(1 for p in self.requests if urlsplit(p).path == path)


# --- Greenhouse: GET /v1/boards/{token}/jobs?content=true ------------------------------------


def greenhouse_job(job_id: int, title: str | None, *, location: str = "Sydney, Australia", **extra: Any) -> dict:
    content = extra.pop("content", f"<p>About the role: {title}.</p><ul><li>Python</li></ul>")
    return {
        "absolute_url": f"https://job-boards.greenhouse.io/acme/jobs/{job_id}",
        "data_compliance": [{"type": "gdpr", "requires_consent": False, "retention_period": None}],
        "internal_job_id": job_id + 1000,
        "location": {"name": location},
        "metadata": extra.pop(
            "metadata", [{"id": 1, "name": "Location Type", "value": None, "value_type": "single_select"}]
        ),
        "id": job_id,
        "updated_at": "2026-07-14T18:35:00-04:00",
        "requisition_id": str(job_id),
        "title": title,
        "company_name": "Acme Robotics",
        "first_published": "2026-07-10T16:15:41-04:00",
        "language": "en",
        "application_deadline": None,
        # The real API escapes the HTML once more as entities.
        "content": html.escape(content),
        "departments": [{"id": 7, "name": "Engineering", "child_ids": [], "parent_id": None}],
        "offices": [{"id": 8, "name": location, "location": location, "child_ids": [], "parent_id": None}],
        **extra,
    }


def greenhouse_board(jobs: list[dict]) -> dict:
    return {"jobs": jobs, "meta": {"total": len(jobs)}}


def greenhouse_pay(low: str, high: str) -> str:
    return (
        '<div class="content-pay-transparency"><div class="pay-input"><div class="description">'
        "<p>The annual compensation range for this role is listed below.</p></div>"
        '<div class="title">Annual Salary:</div><div class="pay-range"><span>'
        f'{low}</span><span class="divider">&mdash;</span><span>{high} USD</span></div></div></div>'
    )


# --- Lever: GET /v0/postings/{site}?mode=json&skip=&limit= -----------------------------------


def lever_posting(posting_id: str, title: str, **extra: Any) -> dict:
    categories = extra.pop(
        "categories",
        {
            "commitment": "Permanent",
            "department": "Engineering",
            "location": "London",
            "team": "Payments",
            "allLocations": ["London"],
        },
    )
    return {
        "additionalPlain": "We are an equal opportunity employer.",
        "additional": "<div>We are an equal opportunity employer.</div>",
        "categories": categories,
        "createdAt": 1782821535482,
        "descriptionPlain": f"{title}: build things.",
        "description": f"<p>{title}: build things.</p>",
        "id": posting_id,
        "lists": [{"text": "What you'll do", "content": "<li>Ship features</li><li>Review code</li>"}],
        "text": title,
        "country": "GB",
        "workplaceType": "onsite",
        "opening": "",
        "openingPlain": "",
        "descriptionBody": f"<p>{title}: build things.</p>",
        "descriptionBodyPlain": f"{title}: build things.",
        "hostedUrl": f"https://jobs.lever.co/acme/{posting_id}",
        "applyUrl": f"https://jobs.lever.co/acme/{posting_id}/apply",
        **extra,
    }


def lever_pages(postings: list[dict]) -> Handler:
    """Lever's skip/limit paging over a list of postings."""

    def handler(query: dict[str, list[str]]) -> Reply:
        skip = int(query.get("skip", ["0"])[0])
        limit = int(query.get("limit", ["100"])[0])
        return json_reply(postings[skip : skip + limit])

    return handler


# --- Ashby: GET /posting-api/job-board/{board}?includeCompensation=true ----------------------


def ashby_job(job_id: str, title: str, **extra: Any) -> dict:
    return {
        "id": job_id,
        "title": title,
        "department": "Sales",
        "team": "Solutions Consulting",
        "employmentType": "FullTime",
        "location": "Remote (US)",
        "shouldDisplayCompensationOnJobPostings": True,
        "secondaryLocations": [],
        "publishedAt": "2026-07-07T20:47:09.753+00:00",
        "isListed": True,
        "isRemote": True,
        "workplaceType": "Remote",
        "address": {"postalAddress": {"addressCountry": "United States"}},
        "jobUrl": f"https://jobs.ashbyhq.com/acme/{job_id}",
        "applyUrl": f"https://jobs.ashbyhq.com/acme/{job_id}/application",
        "descriptionHtml": f"<h1>About</h1><p>{title}</p>",
        "descriptionPlain": f"ABOUT\n\n{title}",
        "compensation": {
            "compensationTierSummary": "$151K \u2013 $231K \u2022 Offers Equity",
            "scrapeableCompensationSalarySummary": "$151K - $231K",
            "compensationTiers": [],
            "summaryComponents": [
                {"compensationType": "EquityCashValue", "minValue": None, "maxValue": None, "interval": "1 YEAR"},
                {
                    "minValue": 151000,
                    "maxValue": 231000,
                    "currencyCode": "USD",
                    "interval": "1 YEAR",
                    "compensationType": "Salary",
                },
            ],
        },
        **extra,
    }


def ashby_board(jobs: list[dict]) -> dict:
    return {"jobs": jobs, "apiVersion": "1"}


# --- Microsoft Careers: /api/pcsx/search and /api/pcsx/position_details ----------------------


def microsoft_position(position_id: int, name: str | None, **extra: Any) -> dict:
    return {
        "id": position_id,
        "displayJobId": str(position_id % 1_000_000),
        "name": name,
        "locations": ["United States, Washington, Redmond"],
        "standardizedLocations": ["Redmond, WA, US"],
        "postedTs": 1790838000,
        "solrScore": None,
        "stars": 0,
        "department": "Software Engineering",
        "creationTs": 1782937949,
        "isHot": 0,
        "workLocationOption": "onsite",
        "locationFlexibility": None,
        "atsJobId": str(position_id % 1_000_000),
        "positionUrl": f"/careers/job/{position_id}",
        **extra,
    }


def microsoft_search(positions: list[dict], *, page_size: int = 10) -> Handler:
    def handler(query: dict[str, list[str]]) -> Reply:
        start = int(query.get("start", ["0"])[0])
        return json_reply(
            {
                "status": 200,
                "error": {"message": "", "body": ""},
                "data": {"positions": positions[start : start + page_size], "count": len(positions)},
                "metadata": None,
            }
        )

    return handler


def microsoft_details(descriptions: dict[str, str]) -> Handler:
    def handler(query: dict[str, list[str]]) -> Reply:
        position_id = query.get("position_id", [""])[0]
        if position_id not in descriptions:
            return json_reply({"status": 404, "error": {"message": "not found", "body": ""}, "data": None}, 404)
        return json_reply(
            {
                "status": 200,
                "error": {"message": "", "body": ""},
                "data": {"id": int(position_id), "jobDescription": descriptions[position_id]},
            }
        )

    return handler


# --- Workday: POST /wday/cxs/{tenant}/{site}/jobs, then GET /wday/cxs/{tenant}/{site}{externalPath} --


def workday_listed(slug: str, title: str | None, *, place: str = "USA VA Chantilly", **extra: Any) -> dict:
    """One jobPostings entry as the listing gives it (workday_search.json's keys)."""
    return {
        "title": title,
        "externalPath": f"/job/{place.replace(' ', '-')}/{slug}",
        "locationsText": place,
        "postedOn": "Posted 8 Days Ago",
        "bulletFields": [slug.rpartition("_")[2]],
        **extra,
    }


def workday_detail(
    listed: dict, *, host: str = "acme.wd5.myworkdayjobs.com", site: str = "External", **info: Any
) -> dict:
    """The detail answer for a listed posting (workday_job_detail.json's keys)."""
    slug = listed["externalPath"].rpartition("/")[2]
    return {
        "jobPostingInfo": {
            "id": f"{abs(hash(slug)):032x}"[:32],
            "title": listed["title"],
            "jobDescription": f"<p>About the role: {listed['title']}.</p><ul><li>Python</li></ul>",
            "location": listed["locationsText"],
            "postedOn": listed["postedOn"],
            "startDate": "2026-07-07",
            "timeType": "Full time",
            "jobReqId": slug.rpartition("_")[2],
            "jobPostingId": slug,
            "jobPostingSiteId": site,
            "country": {"descriptor": "United States of America", "id": "bc33aa3152ec42d4995f4791a106ed09"},
            "canApply": True,
            "posted": True,
            "jobRequisitionLocation": {
                "descriptor": listed["locationsText"],
                "country": {
                    "descriptor": "United States of America",
                    "id": "bc33aa3152ec42d4995f4791a106ed09",
                    "alpha2Code": "US",
                },
            },
            "externalUrl": f"https://{host}/{site}{listed['externalPath']}",
            **info,
        },
        "hiringOrganization": {"name": "Acme Defense, Inc.", "url": ""},
        "similarJobs": [],
        "userAuthenticated": False,
    }


def workday_listing(listed: list[dict], *, later_total: int | None = 0) -> Handler:
    """The listing's offset/limit paging over the POSTed body; like real boards, pages after the
    first say total 0 (`later_total`)."""

    def handler(query: dict[str, Any]) -> Reply:
        body = query.get("json") or {}
        offset, limit = int(body.get("offset", 0)), int(body.get("limit", 20))
        total = len(listed) if offset == 0 or later_total is None else later_total
        return json_reply({"total": total, "jobPostings": listed[offset : offset + limit], "facets": []})

    return handler


def workday_serve(site: FakeSite, host: str, tenant: str, board_site: str, details: dict[str, dict]) -> dict:
    """Route each posting's detail (keyed by externalPath) under the board's path; returns the paths."""
    paths = {}
    for external_path, detail in details.items():
        path = f"/{host}/wday/cxs/{tenant}/{board_site}{external_path}"
        site.routes[path] = json_reply(detail)
        paths[external_path] = path
    return paths


# --- SmartRecruiters: GET /v1/companies/{company}/postings?offset=&limit=, then …/postings/{id} -------
# No real sample is in ../shared/data: the keys are the Posting API's documented field names (the
# list's offset/limit/totalFound/content, a posting's id, name, refNumber, company, releasedDate,
# location{city, region, country, remote}, department, function, typeOfEmployment, experienceLevel,
# and the detail's postingUrl, applyUrl and jobAd.sections), as SmartRecruiters' developer
# documentation names them; the values are our own.


def smartrecruiters_listed(posting_id: str, title: str | None, **extra: Any) -> dict:
    return {
        "id": posting_id,
        "name": title,
        "uuid": f"00000000-0000-4000-8000-{int(posting_id) % 10**12:012d}",
        "refNumber": f"REF{posting_id[-4:]}",
        "company": {"identifier": "AcmeCorp", "name": "Acme Corp"},
        "releasedDate": "2026-07-10T14:22:31.000Z",
        "location": {"city": "Austin", "region": "TX", "country": "us", "remote": False},
        "industry": {"id": "computer_software", "label": "Computer Software"},
        "department": {"id": "1234", "label": "Engineering"},
        "function": {"id": "engineering", "label": "Engineering"},
        "typeOfEmployment": {"id": "permanent", "label": "Full-time"},
        "experienceLevel": {"id": "mid_senior_level", "label": "Mid-Senior Level"},
        "customField": [],
        "ref": f"https://api.smartrecruiters.com/v1/companies/AcmeCorp/postings/{posting_id}",
        "language": {"code": "en", "label": "English"},
        **extra,
    }


def smartrecruiters_detail(listed: dict, **extra: Any) -> dict:
    return {
        **listed,
        "postingUrl": f"https://jobs.smartrecruiters.com/AcmeCorp/{listed['id']}-role",
        "applyUrl": f"https://jobs.smartrecruiters.com/AcmeCorp/{listed['id']}-role?oga=true",
        "jobAd": {
            "sections": {
                "companyDescription": {"title": "Company Description", "text": "<p>Acme builds things.</p>"},
                "jobDescription": {"title": "Job Description", "text": f"<p>As a {listed['name']}, you ship.</p>"},
                "qualifications": {"title": "Qualifications", "text": "<ul><li>Python</li></ul>"},
                "additionalInformation": {"title": "Additional Information", "text": "<p>Benefits.</p>"},
            }
        },
        **extra,
    }


def smartrecruiters_pages(listed: list[dict]) -> Handler:
    def handler(query: dict[str, Any]) -> Reply:
        offset, limit = int(query.get("offset", ["0"])[0]), int(query.get("limit", ["100"])[0])
        page = listed[offset : offset + limit]
        return json_reply({"offset": offset, "limit": limit, "totalFound": len(listed), "content": page})

    return handler


# --- Workable: GET /api/v1/widget/accounts/{account}?details=true (every job in one answer) ------------
# No real sample in ../shared/data: the keys are the public jobs widget's field names as Workable's
# help centre and public client code name them (name, description, jobs[title, shortcode, code,
# employment_type, telecommuting, department, url, shortlink, application_url, published_on,
# created_at, country, city, state, experience, function, industry, locations[], description]).


def workable_job(shortcode: str, title: str | None, **extra: Any) -> dict:
    return {
        "title": title,
        "shortcode": shortcode,
        "code": "",
        "employment_type": "Full-time",
        "telecommuting": False,
        "department": "Engineering",
        "url": f"https://apply.workable.com/j/{shortcode}",
        "shortlink": f"https://apply.workable.com/j/{shortcode}",
        "application_url": f"https://apply.workable.com/j/{shortcode}/apply",
        "published_on": "2026-07-09",
        "created_at": "2026-07-08",
        "country": "Greece",
        "city": "Athens",
        "state": "Attica",
        "education": "",
        "experience": "Mid-Senior level",
        "function": "Engineering",
        "industry": "Computer Software",
        "locations": [
            {"country": "Greece", "countryCode": "GR", "city": "Athens", "region": "Attica", "hidden": False}
        ],
        "description": f"<p>{title}: build the product.</p><ul><li>Python</li></ul>",
        **extra,
    }


def workable_account(jobs: list[dict], name: str = "Acme Labs") -> dict:
    return {"name": name, "description": "<p>We build things.</p>", "jobs": jobs}


# --- Recruitee: GET https://{company}.recruitee.com/api/offers/ (every offer in one answer) -----------
# No real sample in ../shared/data: the keys are the Careers Site API's documented offer fields
# (id, slug, title, description, requirements, location, city, state_code, country_code, remote,
# hybrid, on_site, employment_type_code, department, careers_url, careers_apply_url, published_at,
# created_at, close_at, salary{min, max, currency, period}, locations[]).


def recruitee_offer(offer_id: int, title: str | None, **extra: Any) -> dict:
    slug = (title or "offer").lower().replace(" ", "-")
    return {
        "id": offer_id,
        "slug": slug,
        "title": title,
        "status": "published",
        "description": f"<p>{title}: join us.</p>",
        "requirements": "<ul><li>Python</li></ul>",
        "location": "Amsterdam, Netherlands",
        "city": "Amsterdam",
        "state_code": "NH",
        "state_name": "North Holland",
        "country": "Netherlands",
        "country_code": "NL",
        "postal_code": "1011",
        "remote": False,
        "hybrid": False,
        "on_site": True,
        "employment_type_code": "fulltime_permanent",
        "department": "Engineering",
        "careers_url": f"https://acme.recruitee.com/o/{slug}",
        "careers_apply_url": f"https://acme.recruitee.com/o/{slug}/c/new",
        "published_at": "2026-07-10 12:00:00 UTC",
        "created_at": "2026-07-09 08:30:00 UTC",
        "close_at": None,
        "salary": {"min": None, "max": None, "currency": None, "period": None},
        "locations": [{"city": "Amsterdam", "country": "Netherlands", "country_code": "NL", "state": "North Holland"}],
        **extra,
    }


# --- Many boards at once: the board catalog, or a benchmark's boards -------------------------

BOARD_PATHS = {
    "greenhouse": "/v1/boards/{token}/jobs",
    "lever": "/v0/postings/{token}",
    "ashby": "/posting-api/job-board/{token}",
}


def board_path(ats_kind: str, token: str) -> str:
    """The API path the spider of this ATS kind asks for a board's jobs (as the spider quotes it)."""
    return BOARD_PATHS[ats_kind].format(token=quote(token, safe=""))


def serve_boards(site: FakeSite, boards: list[tuple[str, str]], *, jobs_per_board: int = 1) -> dict[str, list[str]]:
    """Route every (ATS kind, token) to a board of `jobs_per_board` postings in that API's shape.

    Returns the titles served per board path; every title is unique across boards.
    """
    served: dict[str, list[str]] = {}
    for number, (kind, token) in enumerate(boards):
        titles = [f"Engineer {number}-{n}" for n in range(jobs_per_board)]
        path = board_path(kind, token)
        if kind == "greenhouse":
            jobs = [greenhouse_job((number + 1) * 1000 + n, title) for n, title in enumerate(titles)]
            site.routes[path] = json_reply(greenhouse_board(jobs))
        elif kind == "lever":
            site.routes[path] = lever_pages([lever_posting(f"{token}-{n}", title) for n, title in enumerate(titles)])
        elif kind == "ashby":
            jobs = [ashby_job(f"{token}-{n}", title) for n, title in enumerate(titles)]
            site.routes[path] = json_reply(ashby_board(jobs))
        else:
            raise ValueError(f"no fake for ATS kind {kind!r}")
        served[path] = titles
    return served
