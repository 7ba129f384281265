"""The browser cannot reach inside: every SSRF vector of a JavaScript careers page, through real Chromium.

Two loopback addresses stand for two networks: the "public" careers site listens on
127.0.0.2 (allowed with CRAWL_ALLOWED_PRIVATE_NETWORKS=127.0.0.2/32), the "internal" target on
127.0.0.1 (refused as loopback). The target counts every TCP connection made to it, so a
WebSocket handshake or a connection dropped half-way counts as much as a page served.
"""

from __future__ import annotations

import importlib
import json
import socketserver
import threading
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from ingestion.choices import SyncStatus
from ingestion.models import SyncLog
from ingestion.tests.test_admin import _curator, isolated_broker
from jobs.choices import AtsKind
from jobs.models import Job
from jobs.tests.factories import CompanyFactory
from scrapers.tests.fakes import FakeSite, html_reply

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]

PUBLIC_HOST = "127.0.0.2"
ALLOWED = f"{PUBLIC_HOST}/32"
SECRET_TITLE = "Internal Secret Role"
SECRET_TEXT = "root password is hunter2"


def _job_page(title: str, description: str) -> str:
    posting = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": title,
        "description": description,
        "datePosted": "2026-11-01",
        "hiringOrganization": {"@type": "Organization", "name": "Umbrella"},
    }
    return (
        f'<!doctype html><html><head><script type="application/ld+json">{json.dumps(posting)}</script>'
        f"</head><body><h1>{title}</h1><p>{description}</p></body></html>"
    )


class InternalTarget:
    """A service on 127.0.0.1 the crawl must never reach: records every connection, serves a "job"."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        target = self
        page = _job_page(SECRET_TITLE, SECRET_TEXT).encode()

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                target.hits.append(f"connection from {self.client_address[0]}")
                self.request.settimeout(5)
                try:
                    head = self.rfile.readline(8192).decode("latin-1").strip()
                    target.hits.append(head)
                    while self.rfile.readline(8192).strip():
                        pass
                    self.wfile.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                        + b"Access-Control-Allow-Origin: *\r\n"
                        + f"Content-Length: {len(page)}\r\nConnection: close\r\n\r\n".encode()
                        + page
                    )
                except OSError:
                    pass

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def target() -> Iterator[InternalTarget]:
    server = InternalTarget()
    yield server
    server.stop()


@pytest.fixture
def public_site() -> Iterator[FakeSite]:
    site = FakeSite(host=PUBLIC_HOST).start()
    yield site
    site.stop()


def _serve_vector(site: FakeSite, target: InternalTarget, body: str) -> None:
    """The careers page (with one real job) and /bounce, a public URL that 302-redirects to the target."""
    site.routes["/careers"] = html_reply(f"<!doctype html><html><body><h1>Careers</h1>{body}</body></html>")
    site.routes["/bounce"] = (302, {"Location": f"{target.url}/jobs/internal"}, b"")
    site.routes["/jobs/public-role"] = html_reply(_job_page("Public Role", "Sell umbrellas in the rain."))


def _assert_refused(log: SyncLog, target: InternalTarget) -> None:
    assert target.hits == []
    assert log.details["refused"] >= 1, log.details
    refusals = [e for e in log.error_sample if e.startswith("refused") and f"127.0.0.1:{target.port}" in e]
    assert refusals and all("loopback" in e for e in refusals), log.error_sample
    assert not Job.objects.filter(title=SECRET_TITLE).exists()
    assert not Job.objects.filter(description__contains="hunter2").exists()


def _assert_not_served(client) -> None:
    body = client.get("/api/jobs/").content.decode()
    assert SECRET_TITLE not in body and SECRET_TEXT not in body


REAL_JOB_LINK = "<a href='/jobs/public-role'>Public Role</a>"
VECTORS = {
    # (a) is the case reported: a script navigates to a public URL that redirects inside.
    "script-navigation-through-redirect": "<script>location.href = '/bounce';</script>",
    "websocket": f"{REAL_JOB_LINK}<script>new WebSocket('ws://127.0.0.1:{{port}}/socket');</script>",
    "img-through-redirect": f"{REAL_JOB_LINK}<img src='/bounce'>",
    "static-iframe-through-redirect": f"{REAL_JOB_LINK}<iframe src='/bounce'></iframe>",
    "dynamic-iframe-through-redirect": (
        f"{REAL_JOB_LINK}<script>const f = document.createElement('iframe'); f.src = '/bounce';"
        "document.body.appendChild(f);</script>"
    ),
    "fetch-through-redirect": f"{REAL_JOB_LINK}<script>fetch('/bounce').then((r) => r.text());</script>",
}


@pytest.mark.parametrize("vector", list(VECTORS))
def test_the_browser_reaches_nothing_internal(vector, public_site, target, run_spider, client):
    _serve_vector(public_site, target, VECTORS[vector].replace("{port}", str(target.port)))
    careers_url = f"{public_site.url}/careers"

    log = run_spider("careers", args={"urls": careers_url, "render": "always"}, CRAWL_ALLOWED_PRIVATE_NETWORKS=ALLOWED)

    _assert_refused(log, target)
    _assert_not_served(client)
    if REAL_JOB_LINK in VECTORS[vector]:
        # The page itself still rendered through the proxy, and its job was read.
        assert log.details["boards"][careers_url]["status"] == "complete", log.details
        assert Job.objects.filter(source="careers", title="Public Role").exists()


def test_a_start_url_redirecting_inside_is_refused_in_the_browser(public_site, target, run_spider, client):
    _serve_vector(public_site, target, "")
    start = f"{public_site.url}/bounce"

    log = run_spider("careers", args={"urls": start, "render": "always"}, CRAWL_ALLOWED_PRIVATE_NETWORKS=ALLOWED)

    _assert_refused(log, target)
    _assert_not_served(client)
    assert log.details["boards"][start]["status"] == "failed"  # so it expires nothing
    assert log.status == SyncStatus.FAILED


def test_a_name_resolving_to_loopback_is_refused_by_the_proxy(public_site, target, run_spider):
    """The proxy is the browser's only resolver: `localhost` reaches it as a name and is refused there."""
    _serve_vector(public_site, target, f"{REAL_JOB_LINK}<img src='http://localhost:{target.port}/pixel'>")

    log = run_spider(
        "careers",
        args={"urls": f"{public_site.url}/careers", "render": "always"},
        CRAWL_ALLOWED_PRIVATE_NETWORKS=ALLOWED,
    )

    assert target.hits == []
    assert any(
        f"localhost:{target.port}" in e and "localhost resolves to" in e and "loopback" in e for e in log.error_sample
    ), log.error_sample


def _curator_group_again() -> None:
    """The curator group as its migration makes it (a transactional test's flush removed it)."""
    migration = importlib.import_module("jobs.migrations.0004_curator_group")
    group, _ = Group.objects.get_or_create(name=migration.GROUP)
    for (app_label, model), actions in migration.PERMISSIONS.items():
        for action in actions:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
            )


def test_crawl_this_company_now_cannot_reach_inside(public_site, target, client, monkeypatch):
    """A curator sets a careers URL whose page navigates inside and presses "Crawl this company now"."""
    from ingestion.tasks import crawl_spider

    # The worker's crawl reads its settings from the environment, as in production.
    monkeypatch.setenv("CRAWL_ALLOWED_PRIVATE_NETWORKS", ALLOWED)
    _serve_vector(public_site, target, VECTORS["script-navigation-through-redirect"])
    company = CompanyFactory(name="Umbrella", ats_kind=AtsKind.CAREERS, careers_url=f"{public_site.url}/careers")
    _curator_group_again()
    client.force_login(_curator())

    with isolated_broker() as broker:
        response = client.post(reverse("admin:jobs_company_crawl", args=[company.pk]))
        (message,) = broker.messages("scrape")
    crawl_spider.apply(kwargs=message["kwargs"])  # what the scrape worker does with it

    log = SyncLog.objects.get()
    assert response["Location"] == reverse("admin:ingestion_synclog_change", args=[log.pk])
    _assert_refused(log, target)
    _assert_not_served(client)
    page = client.get(reverse("admin:ingestion_synclog_change", args=[log.pk])).content.decode()
    assert f"refused {target.url}/jobs/internal" in page and "loopback" in page
