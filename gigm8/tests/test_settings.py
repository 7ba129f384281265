import os
import subprocess
import sys
from pathlib import Path

import pytest

from gigm8 import env

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    environ.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("JOB_REFRESH_TIME", "25:00", "JOB_REFRESH_TIME: expected a time as HH:MM (24-hour), got '25:00'"),
        ("JOB_EXPIRY_DAYS", "thirty", "JOB_EXPIRY_DAYS: expected a whole number, got 'thirty'"),
        ("ADZUNA_RESULTS_PER_PAGE", "500", "ADZUNA_RESULTS_PER_PAGE: must be at most 50, got 500"),
        ("MATCH_BACKEND", "elastic", "MATCH_BACKEND: expected one of local, cts, got 'elastic'"),
        ("DEBUG", "maybe", "DEBUG: expected true or false, got 'maybe'"),
    ],
)
def test_a_bad_value_stops_start_up_with_one_line_naming_the_variable(name, value, expected):
    result = _manage("check", **{name: value})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"configuration error: {expected}"]


def test_good_values_are_parsed(monkeypatch):
    monkeypatch.setenv("JOB_REFRESH_TIME", "4:05")
    monkeypatch.setenv("ALLOWED_HOSTS", "a.example, b.example,")
    assert env.env_time("JOB_REFRESH_TIME", "03:00").strftime("%H:%M") == "04:05"
    assert env.env_list("ALLOWED_HOSTS") == ["a.example", "b.example"]
    assert env.env_time("UNSET_VARIABLE_FOR_TEST", "03:00").strftime("%H:%M") == "03:00"


@pytest.mark.django_db
def test_manage_check_passes():
    result = _manage("check", DJANGO_SETTINGS_MODULE="gigm8.settings.test")
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_makemigrations_check_is_clean():
    result = _manage("makemigrations", "--check", "--dry-run", DJANGO_SETTINGS_MODULE="gigm8.settings.test")
    assert result.returncode == 0, result.stdout + result.stderr
