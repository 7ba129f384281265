"""Tests: real PostgreSQL (DATABASE_URL, or the embedded one) and real Redis."""

import os

# Tests talk to a real Redis; 127.0.0.1:6379 database 15 unless REDIS_URL says otherwise.
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from gigm8.settings.base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = False

# Several test runs may share one PostgreSQL and one Redis (parallel checkouts, a developer's
# run beside CI): GIGM8_TEST_DB_SUFFIX keeps their test databases and cache keys apart.
_suffix = os.environ.get("GIGM8_TEST_DB_SUFFIX", "")
DATABASES["default"]["TEST"] = {"NAME": f"test_gigm8{'_' + _suffix if _suffix else ''}"}  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = f"test{_suffix}"  # noqa: F405
MATCH_PARSE_SLOT_DIR = VAR_DIR / f"parse-slots-test{_suffix}"  # noqa: F405

# Every test request comes from one address: throttling would trip across tests. The throttle
# tests set their own tiny rates.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"}}  # noqa: F405
