# gigm8: one image for web, worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=gigm8.settings.production

# Chromium renders JavaScript careers pages for the generic spider.
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements/ requirements/
RUN pip install -r requirements/base.txt

COPY . .
RUN useradd --system --create-home --uid 10001 gigm8 \
    && mkdir -p /app/var \
    && SECRET_KEY=build-only-$(head -c 48 /dev/urandom | base64) DATABASE_URL=postgres://build@localhost/build \
       python manage.py collectstatic --noinput \
    && chown -R gigm8:gigm8 /app/var
USER gigm8

EXPOSE 8000
# The web process answers (worker, beat and migrate set their own check in docker-compose.yml).
# Liveness only: restarting web cures neither a database nor a Redis outage; /health/ names those.
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD curl -fsS http://127.0.0.1:8000/health/live/ || exit 1
# Threads: a listing is served while a match computes in the same worker (bench/load.py at 150,000
# jobs: listing p99 312 ms vs 637 ms with 2 sync workers; bench/README "Scale"). One worker a core.
CMD ["gunicorn", "gigm8.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--worker-class", "gthread", "--threads", "4", "--access-logfile", "-"]
