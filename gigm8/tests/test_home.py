"""The landing page at /: what gigm8 is, what it holds, which sources are set up, where to go next."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jobs.choices import JobStatus
from jobs.tests.factories import JobFactory

pytestmark = pytest.mark.django_db


def test_home_links_the_docs_the_admin_and_health(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for href in ('href="/api/docs/"', 'href="/api/redoc/"', 'href="/admin/"', 'href="/health/"', 'href="/api/"'):
        assert href in html
    assert "No jobs yet" in html  # an empty board says what to do
    assert "manage.py load_demo</code>" in html  # and how to get something to look at


def test_home_counts_jobs_by_source_and_names_unconfigured_sources(client, settings):
    settings.ADZUNA_APP_ID = settings.ADZUNA_APP_KEY = ""
    JobFactory.create_batch(2, source="adzuna")
    JobFactory(source="greenhouse")
    JobFactory(source="greenhouse", status=JobStatus.EXPIRED)
    html = client.get("/").content.decode()
    assert "<strong>3</strong> active jobs" in html
    assert '<td title="Greenhouse">greenhouse</td>\n            <td>1</td>\n            <td>2</td>' in html
    assert "adzuna: not set up" in html and "greenhouse: not set up" in html
    assert "ADZUNA_APP_KEY" in html  # the next step names what to set


def test_home_queries_do_not_grow_with_jobs(client):
    JobFactory(source="adzuna")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    JobFactory.create_batch(5, source="lever")
    JobFactory.create_batch(5, source="ashby")
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few)


def test_the_admins_view_site_link_reaches_the_landing_page(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert 'href="/"' in html
    assert admin_client.get("/").status_code == 200


def test_home_labels_demo_jobs_and_says_how_to_remove_them(client):
    JobFactory(source="adzuna")
    html = client.get("/").content.decode()
    assert "demo data" not in html and "load_demo --remove" not in html
    JobFactory.create_batch(3, source="demo")
    html = client.get("/").content.decode()
    assert "<strong>4</strong> active jobs" in html
    assert '<td title="Demo data">demo <span class="tag">demo data</span></td>\n            <td>3</td>' in html
    assert '<td title="Adzuna">adzuna</td>' in html  # a real source is not marked
    assert "<strong>3</strong> of these jobs are demo data" in html
    assert "<code>.venv/bin/python manage.py load_demo --remove</code>" in html


def test_home_lists_the_next_steps(client, settings):
    settings.ADZUNA_APP_ID = settings.ADZUNA_APP_KEY = ""
    html = client.get("/").content.decode()
    assert "manage.py createsuperuser" in html
    assert "ADZUNA_APP_ID" in html and "ADZUNA_APP_KEY" in html
    assert "board token" in html
    settings.ADZUNA_APP_ID = settings.ADZUNA_APP_KEY = "set"
    assert "ADZUNA_APP_KEY" not in client.get("/").content.decode()
