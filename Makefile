# Entry points. `make run` and `make test` work on a fresh machine with Python 3.11 and Node.
# Set-up steps leave stamp files, so running them again only redoes what changed.

# Python 3.11 (Django 5.2 LTS and the pinned packages are tested with it).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .venv/.stamps
HOST_PORT ?= 127.0.0.1:8000
# Where `make run` serves, so the printed sign-in address and the links in demo emails work
# when HOST_PORT is changed (`make run HOST_PORT=127.0.0.1:8080`).
SITE_URL ?= http://$(HOST_PORT)

.PHONY: run test lint format setup assets migrate demo worker beat clean

setup: $(STAMPS)/python static/build/.built

$(STAMPS)/python: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	mkdir -p $(STAMPS) && touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

static/build/.built: node_modules/.installed $(wildcard static/src/*)
	npm run build
	touch $@

assets: static/build/.built

migrate: setup
	$(PY) manage.py migrate --noinput

demo: migrate
	SITE_URL=$(SITE_URL) $(PY) manage.py seed_demo

# The app with demo data on http://127.0.0.1:8000 (or HOST_PORT): SQLite under var/, jobs run in-process,
# email written to var/mail/. Sign-ins are printed just before the server starts. The server
# runs the periodic jobs (reminders, escalations, the outbox relay) itself: notifications/schedule.py.
run: demo
	SITE_URL=$(SITE_URL) $(PY) manage.py runserver $(HOST_PORT)

# The test suite. It uses PostgreSQL and Redis when they answer on 127.0.0.1 and says what it
# skipped when they do not; with CI=true a missing service fails the run instead.
test: setup
	$(PY) tests/run.py

lint: $(STAMPS)/python
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMPS)/python
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# With CELERY_BROKER_URL set (e.g. redis://127.0.0.1:6379/0), jobs run here instead of in-process.
# One worker for both queues here; docker-compose.yml gives alerts a worker of their own.
worker: setup
	$(VENV)/bin/celery -A safeguarding worker --queues=alerts,celery --loglevel=INFO

beat: setup
	$(VENV)/bin/celery -A safeguarding beat --loglevel=INFO

clean:
	rm -rf $(VENV) node_modules static/build
