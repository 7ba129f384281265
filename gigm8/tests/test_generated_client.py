"""A frontend team generates its client from /api/schema/: generate one with openapi-python-client,
import every module, and call each public operation anonymously against a live server, parsing
every answer into the generated types."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jobs.tests.factories import CompanyFactory, JobFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

RESUME = (
    "Senior Python developer. Experience: six years building Django REST APIs on PostgreSQL, "
    "Celery workers and Redis caches; code review, tests, CI. Skills: Python, Django, SQL, Docker."
)


@pytest.fixture
def generated(live_server, tmp_path):
    import requests

    schema = tmp_path / "schema.json"
    schema.write_bytes(requests.get(f"{live_server.url}/api/schema/?format=json", timeout=30).content)
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            *("generate", "--path", str(schema), "--meta", "none"),
            *("--output-path", str(tmp_path / "gigm8_client")),
        ],
        cwd=tmp_path,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
        check=True,
        timeout=180,
        capture_output=True,
    )
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("gigm8_client")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name.startswith("gigm8_client")]:
            del sys.modules[name]


def test_a_generated_client_imports_and_reads_every_public_operation(generated, live_server):
    company = CompanyFactory(slug="acme", name="Acme")
    job = JobFactory(company=company, title="Python Developer", description=RESUME, skills=["Python", "Django"])
    JobFactory(company=company, title="Django Engineer", description=RESUME)
    package = Path(generated.__file__).parent
    modules = sorted(
        ".".join(path.relative_to(package.parent).with_suffix("").parts)
        for path in (package / "api").rglob("*.py")
        if path.name != "__init__.py"
    )
    for name in modules:
        importlib.import_module(name)  # every generated module imports

    def op(name: str):
        return importlib.import_module(f"gigm8_client.api.api.{name}")

    models = importlib.import_module("gigm8_client.models")
    client = generated.Client(base_url=live_server.url, raise_on_unexpected_status=True)  # no credentials
    answers = {
        "jobs list": op("api_jobs_list").sync(client=client),
        "job": op("api_jobs_retrieve").sync(id=job.pk, client=client),
        "stats": op("api_jobs_stats_retrieve").sync(client=client),
        "sources": op("api_sources_list").sync(client=client),
        "companies": op("api_companies_list").sync(client=client),
        "company": op("api_companies_retrieve").sync(id="acme", client=client),
        "similar": op("api_jobs_similar_retrieve").sync(job_id=job.pk, client=client),
        "jd match": op("api_match_jd_create").sync(
            client=client, body=models.JdMatchInputRequest(job_description=RESUME)
        ),
        "resume match": op("api_match_resume_create").sync(
            client=client, body=models.ResumeTextMatchRequest(resume_text=RESUME)
        ),
    }
    for what, parsed in answers.items():
        assert parsed is not None and not isinstance(parsed, models.Error), what
    assert [item.id for item in answers["jobs list"].results][:2]
    assert answers["job"].id == job.pk
    assert isinstance(answers["jd match"], models.MatchPage) and isinstance(answers["jd match"].total_matches, int)
