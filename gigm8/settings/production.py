"""Production: secrets required, HTTPS assumed behind the reverse proxy."""

from django.core.exceptions import ImproperlyConfigured

from gigm8 import env, logs
from gigm8.settings.base import *  # noqa: F403

if not env.is_set("SECRET_KEY"):
    raise env.EnvError("SECRET_KEY: must be set in production")
if len(SECRET_KEY) < 50:  # noqa: F405
    raise ImproperlyConfigured("SECRET_KEY: must be at least 50 characters in production")

# Names the web container answers to inside the private network: its own health check
# (127.0.0.1) and Prometheus (web:8000), which come neither through the proxy nor by HTTPS.
INTERNAL_HOSTS = env.env_list("INTERNAL_HOSTS", ["localhost", "127.0.0.1", "web"])
ALLOWED_HOSTS = [*ALLOWED_HOSTS, *(host for host in INTERNAL_HOSTS if host not in ALLOWED_HOSTS)]  # noqa: F405

# The demo postings are fictional: manage.py load_demo refuses to load them here.
DEMO_DATA_ALLOWED = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.env_bool("SECURE_SSL_REDIRECT", default=True)
# Probes and the metrics scraper speak plain HTTP from inside the network: a redirect to HTTPS
# would make a health check pass without checking anything (curl -f takes a 301 as success).
SECURE_REDIRECT_EXEMPT = [r"^health/?$", r"^health/live/$", r"^metrics$"]
SECURE_HSTS_SECONDS = env.env_int("SECURE_HSTS_SECONDS", 31536000, min_value=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env.env_list("CSRF_TRUSTED_ORIGINS")

# JSON lines for the log collector, unless LOG_FORMAT says otherwise.
LOG_FORMAT = env.env_choice("LOG_FORMAT", ("json", "console"), "json")
LOGGING = logs.logging_config(fmt=LOG_FORMAT, level=LOG_LEVEL)  # noqa: F405
