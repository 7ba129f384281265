# The two set-up commands: `make run` (the service) and `make test` (the whole suite).
# Each creates the virtualenv and installs what is missing first.

VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
PORT ?= 8000

.PHONY: install system-deps test-deps run test lint typecheck format migrate

$(VENV)/.installed: requirements/base.txt requirements/dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements/dev.txt
	touch $@

install: $(VENV)/.installed

# Debian packages, each named for the command it provides. Chromium renders JavaScript careers
# pages and drives the browser tests; the fault tests start a redis-server of their own and run
# the Dockerfile's curl health check.
SYSTEM_PACKAGES := chromium
system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do command -v $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing; \
	fi

test-deps:
	@$(MAKE) --no-print-directory system-deps SYSTEM_PACKAGES="chromium redis-server curl"

migrate: install
	$(PY) manage.py migrate --noinput
	# The default beat schedules and the board catalog's companies (ingestion/data/boards.csv);
	# both keep what staff edited, and neither re-creates what staff deleted.
	# Sources first: a spider's schedule is switched on only once it has boards.
	$(PY) manage.py setup_sources
	$(PY) manage.py setup_schedules

run: install system-deps migrate
	# The demo postings, into an empty embedded database only (DEMO_DATA=0 skips it); one line says what it did.
	$(PY) manage.py load_demo --if-empty
	PATH="$(abspath $(VENV))/bin:$$PATH" PORT=$(PORT) honcho -f Procfile.dev start

test: install test-deps lint typecheck
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	# The direction of imports (pyproject.toml [tool.importlinter], docs/architecture.md).
	$(VENV)/bin/lint-imports --no-cache

# mypy with django-stubs over the files listed in pyproject.toml. The plugin imports the
# settings: a placeholder DATABASE_URL (parsed, never connected to) keeps them from starting
# the embedded PostgreSQL.
typecheck: install
	DATABASE_URL=postgres://typecheck@127.0.0.1:1/typecheck $(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
