"""With no DATABASE_URL and no REDIS_URL, gigm8 runs on its embedded defaults."""

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest

from gigm8.tests.stack import ROOT, free_port


@pytest.fixture
def fresh_var_dir():
    # Under the project (not /tmp) so the unprivileged server user can reach it.
    path = ROOT / "var" / f"embedded-test-{uuid.uuid4().hex[:8]}"
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.slow
def test_with_no_service_urls_the_project_migrates_and_answers_health(fresh_var_dir):
    environ = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    environ.update(GIGM8_VAR_DIR=str(fresh_var_dir), DJANGO_SETTINGS_MODULE="gigm8.settings.local")

    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr
    [line] = [line for line in migrate.stderr.splitlines() if "embedded defaults in use" in line]
    assert "database=embedded PostgreSQL" in line
    assert "cache=files" in line
    assert "broker=filesystem" in line

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5) as response:
                    assert response.status == 200
                    body = json.load(response)
            except OSError:
                assert server.poll() is None, server.stdout.read()
                time.sleep(0.3)
        assert body is not None, "the server never answered /health/"
        assert body["status"] == "ok"
        assert all(check["ok"] for check in body["checks"].values())
    finally:
        server.terminate()
        server.wait(timeout=30)

    # The last process holding the embedded server stops it on exit.
    postmaster_pid = fresh_var_dir / "postgres" / "postmaster.pid"
    deadline = time.monotonic() + 15
    while postmaster_pid.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not postmaster_pid.exists(), "the embedded PostgreSQL was left running"


@pytest.mark.slow
def test_a_holder_killed_without_exit_hooks_does_not_keep_the_server_up(fresh_var_dir):
    join = (
        "import os, signal, sys; from pathlib import Path; from gigm8.lib import embedded_pg; "
        "embedded_pg.start(Path(sys.argv[1])); "
        "os.kill(os.getpid(), signal.SIGKILL) if sys.argv[2] == 'die' else None"
    )
    data_dir = fresh_var_dir / "postgres"
    killed = subprocess.run([sys.executable, "-c", join, str(data_dir), "die"], cwd=ROOT, timeout=120)
    assert killed.returncode == -9
    assert (data_dir / "postmaster.pid").exists()

    clean = subprocess.run([sys.executable, "-c", join, str(data_dir), "exit"], cwd=ROOT, timeout=120)
    assert clean.returncode == 0
    deadline = time.monotonic() + 15
    while (data_dir / "postmaster.pid").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not (data_dir / "postmaster.pid").exists()


BROKER_ROUND_TRIP = """
import django
django.setup()
from gigm8.celery import app
app.send_task("gigm8.tests.broker_probe", kwargs={"n": 7}, queue="default")
with app.connection_for_read() as connection:
    queue = connection.SimpleQueue("default")
    message = queue.get(timeout=10)
    message.ack()
    print("received", message.headers["task"], message.payload[1])
    queue.close()
"""


def test_the_filesystem_broker_carries_a_task_without_a_hostname_warning(tmp_path):
    """Under embedded defaults (no REDIS_URL) a task goes through the filesystem broker, and kombu
    does not warn "No hostname was supplied" (it did on every command that touched the broker)."""
    environ = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    environ.update(
        GIGM8_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="gigm8.settings.local",
        # Parsed, never connected to: the broker is all this test touches.
        DATABASE_URL="postgres://unused@127.0.0.1:1/unused",
    )
    result = subprocess.run(
        [sys.executable, "-c", BROKER_ROUND_TRIP], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "received gigm8.tests.broker_probe {'n': 7}" in result.stdout
    assert "broker=filesystem" in result.stderr  # the embedded default was the one in use
    assert "No hostname was supplied" not in result.stderr
    assert "warning" not in result.stderr.lower()
