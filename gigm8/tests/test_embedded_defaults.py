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
