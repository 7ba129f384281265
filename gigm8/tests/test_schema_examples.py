"""The docs execute: every public read's examples, sent together as Swagger UI's "Try it out" sends
them, form a request an anonymous caller gets a 200 for (against data that has the examples' ids)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from jobs.tests.factories import CompanyFactory, JobFactory

pytestmark = pytest.mark.django_db


def _example(parameter: dict[str, Any]) -> Any:
    # Swagger UI fills a field with `example`, else the first of `examples`.
    if "example" in parameter:
        return parameter["example"]
    if parameter.get("examples"):
        return next(iter(parameter["examples"].values()))["value"]
    return None


def _public_reads(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (path, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method == "get" and not operation.get("security")  # anyone may call it
    ]


def test_every_public_reads_examples_form_a_request_that_succeeds_anonymously():
    company = CompanyFactory(slug="acme", name="Acme")
    JobFactory(id=42, company=company)
    anonymous = APIClient()
    schema = anonymous.get("/api/schema/?format=json").json()
    reads = _public_reads(schema)
    assert {"/api/jobs/", "/api/jobs/{id}/", "/api/companies/", "/api/jobs/{job_id}/similar/"} <= {p for p, _ in reads}
    failures = []
    for path, operation in reads:
        query: dict[str, Any] = {}
        url = path
        for parameter in operation.get("parameters", []):
            value = _example(parameter)
            if value is None:
                continue
            if parameter["in"] == "path":
                url = url.replace("{" + parameter["name"] + "}", str(value))
            elif parameter["in"] == "query":
                query[parameter["name"]] = value
        if "{" in url:
            continue  # a path parameter with no example: Swagger UI leaves the field empty
        response = anonymous.get(url, query)
        if response.status_code != 200:
            failures.append(f"GET {url} {query}: {response.status_code} {response.content[:300]!r}")
    assert not failures, "\n".join(failures)
