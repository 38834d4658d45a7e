# Planwerk – `make run` starts a local server with demo data, `make test` runs the whole suite
# on SQLite and on PostgreSQL. Both set up .venv from requirements.lock first.

PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements.lock.sha256
HOST ?= 127.0.0.1
PORT ?= 8000
# Every target here runs on a laptop: development mode (generated secret key, no HTTPS
# redirect, no HSTS). Production leaves PLANWERK_ENV unset; see README, Running in production.
export PLANWERK_ENV ?= development
# Extra pytest arguments, e.g. `make test ARGS="-x tests/actionplan"`.
ARGS ?=

.PHONY: help venv run test lint format messages bench clean

help:
	@echo "make run       .venv anlegen, migrieren, Demodaten laden, Server und Hintergrund-Worker auf http://$(HOST):$(PORT)/"
	@echo "make test      alle Tests zweimal: SQLite und PostgreSQL"
	@echo "make lint      ruff check + ruff format --check"
	@echo "make format    ruff format + ruff check --fix"
	@echo "make messages  Übersetzungen aktualisieren (makemessages + compilemessages)"
	@echo "make bench     scripts/bench_*.py ausführen"
	@echo "make clean     .venv und Caches löschen (var/ mit Datenbank bleibt)"

venv: $(STAMP)

$(STAMP): requirements.lock
	@scripts/bootstrap-venv.sh "$(PYTHON)" "$(VENV)" requirements.lock "$(STAMP)"

run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) scripts/compile_messages_if_needed.py
	$(PY) manage.py load_demo_data
	$(PY) manage.py load_demo_versions
	$(PY) manage.py load_campaign_demo_data
	$(PY) manage.py load_demo_reports
	$(PY) manage.py ensure_local_admin --base-url http://$(HOST):$(PORT)
	$(PY) manage.py load_demo_team
	@$(PY) -c "import weasyprint" 2>/dev/null || echo "Hinweis: PDF-Export braucht Pango – apt-get install libpango-1.0-0 libpangoft2-1.0-0 (PDF export needs Pango)"
	@PYTHON=$(PY) scripts/run-dev.sh $(HOST):$(PORT)

test: $(STAMP)
	@PYTHON=$(PY) scripts/run-tests.sh $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: $(STAMP)
	$(PY) manage.py makemessages -l de -l en --ignore=.venv --ignore=var --ignore=node_modules
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var

bench: $(STAMP)
	@PYTHON=$(PY) scripts/bench.sh

# Keeps var/ (local database, secret key, uploads); `rm -rf var` resets those too.
clean:
	rm -rf $(VENV) var/cache var/staticfiles .pytest_cache .ruff_cache
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
