"""Production settings, loaded in a child process with a production-like environment."""

import json
import subprocess
import sys

from django.conf import settings

from gigm8.tests.stack import production_env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_check_deploy_would_catch_a_weakened_setting():
    # The same run with HSTS turned off fails: the test above can fail.
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(SECURE_HSTS_SECONDS="0"))
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout


def test_production_logs_are_json_lines_with_secrets_masked():
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('ingestion.adzuna').warning("
        "'GET https://api.adzuna.com/v1/api/jobs/gb/search/1?app_id=1&app_key=K3Y-VALUE failed', "
        "extra={'api_key': 'K3Y-VALUE'})"
    )
    result = run(["-c", code], production_env())
    assert result.returncode == 0, result.stderr
    (line,) = [json.loads(text) for text in result.stderr.splitlines() if text.startswith("{")]
    assert line["level"] == "warning" and line["logger"] == "ingestion.adzuna"
    assert line["api_key"] == "***" and "app_key=***" in line["event"]
    assert "K3Y-VALUE" not in result.stderr
