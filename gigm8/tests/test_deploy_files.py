"""The deployment files say what the runbook promises. No Docker engine runs here, so the
containers themselves are not started; what each runs is started in test_restarts.py (the
Dockerfile's gunicorn and health check, beat's health check) and checked below for the rest."""

from __future__ import annotations

import re
import shlex

import pytest
from django.core.management import get_commands

from gigm8.celery import QUEUES
from gigm8.tests.stack import ROOT, compose_services, dockerfile_instruction

SERVICES = compose_services()
DOCKERFILE = (ROOT / "Dockerfile").read_text()
APP_SERVICES = {name: service for name, service in SERVICES.items() if service.get("image") == "gigm8:latest"}


def _command(service: dict) -> list[str]:
    command = service.get("command")
    if command is None:
        return dockerfile_instruction("CMD")
    return shlex.split(command) if isinstance(command, str) else command


def test_web_the_workers_beat_and_migrate_all_run_the_one_image():
    assert set(APP_SERVICES) == {"migrate", "web", "worker", "worker-ingest", "worker-index", "worker-scrape", "beat"}
    assert _command(APP_SERVICES["web"])[0] == "gunicorn"


def test_every_container_has_a_health_check_that_fits_what_it_runs():
    # The image's check probes gunicorn on :8000; a container running anything else must say its own.
    for name, service in APP_SERVICES.items():
        if _command(service)[0] != "gunicorn":
            assert "healthcheck" in service, f"{name} would inherit the web check and always be unhealthy"
    for name in ("db", "redis", "proxy", "worker", "worker-ingest", "worker-index", "worker-scrape", "beat"):
        assert SERVICES[name]["healthcheck"].get("test"), name
    assert APP_SERVICES["migrate"]["healthcheck"] == {"disable": True}


def test_the_workers_consume_every_queue():
    consumed: list[str] = []
    for service in APP_SERVICES.values():
        command = _command(service)
        if command[:4] == ["celery", "-A", "gigm8", "worker"]:
            consumed += command[command.index("--queues") + 1].split(",")
    assert sorted(consumed) == sorted(QUEUES)  # each queue once: no work left unconsumed


def test_migrations_and_schedules_run_once_before_anything_else_starts():
    migrate = APP_SERVICES["migrate"]
    script = " ".join(_command(migrate))
    assert script.index("migrate --noinput") < script.index("setup_sources") < script.index("setup_schedules")
    assert migrate["restart"] == "no"
    for name, service in APP_SERVICES.items():
        if name != "migrate":
            assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name


def test_the_containers_run_as_a_non_root_user():
    [*_, user] = re.findall(r"^USER (\S+)$", DOCKERFILE, flags=re.MULTILINE)
    assert user not in ("root", "0")
    assert DOCKERFILE.index(f"USER {user}") < DOCKERFILE.index("CMD [")


def test_every_manage_py_command_the_deploy_files_name_exists():
    text = DOCKERFILE + (ROOT / "docker-compose.yml").read_text()
    named = set(re.findall(r"manage\.py\W+(\w+)", text))
    assert {"migrate", "setup_schedules", "setup_sources", "healthcheck", "collectstatic"} <= named
    assert named <= set(get_commands())


def test_only_the_proxy_publishes_a_port():
    assert [name for name, service in SERVICES.items() if "ports" in service] == ["proxy"]


def test_the_proxy_overwrites_x_forwarded_for_and_web_trusts_exactly_that_one_proxy():
    # web believes the last NUM_PROXIES entries of X-Forwarded-For (gigm8.lib.client_address):
    # nginx must replace whatever the client sent, or a client picks its own address.
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    directives = [line.split("#")[0].split() for line in conf.splitlines()]
    forwarded = [words for words in directives if words[:2] == ["proxy_set_header", "X-Forwarded-For"]]
    assert forwarded == [["proxy_set_header", "X-Forwarded-For", "$remote_addr;"]]
    assert "$proxy_add_x_forwarded_for" not in conf
    proxies = [name for name, service in SERVICES.items() if str(service.get("image", "")).startswith("nginx")]
    assert proxies == ["proxy"]
    assert SERVICES["web"]["environment"]["NUM_PROXIES"] == "1"


@pytest.mark.django_db
def test_the_liveness_path_answers_without_touching_the_database(client, django_assert_num_queries):
    [path] = re.findall(r"http://127\.0\.0\.1:8000(/\S+?)\s", " ".join(dockerfile_instruction("HEALTHCHECK")) + " ")
    with django_assert_num_queries(0):
        response = client.get(path)
    assert response.status_code == 200 and response.json() == {"status": "alive"}
