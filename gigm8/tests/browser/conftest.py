"""Browser tests: headless Debian Chromium driven by Playwright against pytest-django's live
server, with a real Celery worker (a subprocess) on the same test database and Redis."""

from __future__ import annotations

import importlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

CHROMIUM = settings.CHROMIUM_PATH
CHROMIUM_ARGS = settings.CHROMIUM_ARGS
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
WORKER_LOG = Path(settings.BASE_DIR) / "test-artifacts" / "celery-worker.log"


@pytest.fixture
def screenshots(request):
    """save(page, name): a full-page PNG under test-artifacts/screenshots/<test>/, numbered in order."""
    folder = SCREENSHOTS / request.node.name.removeprefix("test_")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    taken: list[Path] = []

    def save(page, name: str) -> Path:
        path = folder / f"{len(taken) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        taken.append(path)
        return path

    return save


@pytest.fixture
def browser_page(monkeypatch):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (make system-deps)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop in this thread; the test's own ORM calls are
    # still plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            yield page
        finally:
            context.close()
            browser.close()


@pytest.fixture
def curator_group(transactional_db):
    """The curator group as the data migration makes it (a transactional test flushes it away)."""
    migration = importlib.import_module("jobs.migrations.0004_curator_group")
    from django.apps import apps

    # The migration sets models_module on the (migration-state) app configs and clears it
    # after; given the live registry, put the real modules back.
    saved = {label: apps.get_app_config(label).models_module for label in ("jobs", "ingestion")}
    try:
        migration.create_curator_group(apps, None)
    finally:
        for label, module in saved.items():
            apps.get_app_config(label).models_module = module


def _database_url() -> str:
    db = settings.DATABASES["default"]
    host = quote(db["HOST"], safe="") if db["HOST"].startswith("/") else db["HOST"]
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{quote(db['USER'], safe='')}{password}@{host}{port}/{db['NAME']}"


def _broker_prefix() -> str:
    return f"{settings.DATABASES['default']['NAME']}:browser:"  # as worker_settings computes it


@pytest.fixture
def celery_broker_prefix():
    """Send this process's Celery messages under the prefix the test worker listens on."""
    import redis

    from gigm8.celery import app

    prefix = _broker_prefix()
    saved = dict(app.conf.broker_transport_options or {})
    app.conf.broker_transport_options = {**saved, "global_keyprefix": prefix}
    app._pool = None
    app.amqp._producer_pool = None
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)

    def clear() -> None:
        keys = list(client.scan_iter(f"{prefix}*"))
        if keys:
            client.delete(*keys)

    clear()
    try:
        yield prefix
    finally:
        clear()
        app.conf.broker_transport_options = saved
        app._pool = None
        app.amqp._producer_pool = None


@pytest.fixture
def celery_worker_process(celery_broker_prefix, transactional_db):
    """start(**env): a real `celery -A gigm8 worker` on the ingest queue, on this test database
    (start(queues="ingest,default,scrape", ...) to take crawls as well)."""
    started: list[subprocess.Popen] = []

    def start(queues: str = "ingest,default", **extra_env: str) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "gigm8.tests.browser.worker_settings",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": settings.CELERY_BROKER_URL,
            "PYTHONUNBUFFERED": "1",
            **extra_env,
        }
        celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
        WORKER_LOG.parent.mkdir(parents=True, exist_ok=True)
        log = WORKER_LOG.open("w")
        proc = subprocess.Popen(
            [
                celery,
                "-A",
                "gigm8",
                "worker",
                "-Q",
                queues,
                "--pool=threads",
                "--concurrency=2",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
                f"--hostname=browser-{os.getpid()}@%h",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(proc)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"celery worker exited with {proc.returncode}; see {WORKER_LOG}")
            if " ready." in WORKER_LOG.read_text(errors="replace"):
                return proc
            time.sleep(0.2)
        pytest.fail(f"celery worker not ready after 60 s; see {WORKER_LOG}")

    try:
        yield start
    finally:
        for proc in started:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)
