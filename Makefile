# Atelier — the two commands are `make demo` and `make test`; `make help` lists the rest.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# The site's public address (links in certificates, e-mails, QR codes) follows
# HOST and PORT unless SITE_BASE_URL is set (cms/settings/base.py).
SERVE := HOST=$(HOST) PORT=$(PORT) $(MANAGE)
STAMP := $(VENV)/.installed
# Browser libraries from the npm registry (package-lock.json), copied where the
# static files are: built by `npm ci`, so not committed (.gitignore).
VENDOR := cms/static/vendor
VENDOR_STAMP := $(VENDOR)/.installed
SCORM_AGAIN := node_modules/scorm-again
SCALE ?= full
DEMO_DEBUG ?= false
# pytest-xdist workers for `make test` (one per core). `--dist load` keeps the
# collection order on each worker, so tests that empty the database (live server,
# transaction=True; pytest-django puts them last) still run after the others.
TEST_WORKERS ?= auto

.DEFAULT_GOAL := help
.PHONY: help check-python install vendor migrate messages seed demo run worker test test-e2e lint format migrations-check bench clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}'

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || { \
		echo "Atelier needs Python 3.11 or newer: '$(PYTHON)' is missing, broken or older."; \
		echo "Run with PYTHON=/path/to/python3.11 (a pyenv shim may exist and still fail)."; \
		exit 1; }

$(STAMP): pyproject.toml | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(VENDOR_STAMP): package.json package-lock.json Makefile
	@command -v npm >/dev/null || { echo "Atelier needs Node.js 20 and npm (the SCORM player's scorm-again)."; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR)/scorm-again
	mkdir -p $(VENDOR)/scorm-again
	@# The SCORM run-time API (learning/scorm/), MIT: its licence travels with it.
	@# With their source maps: the bundles name them, and collectstatic's manifest
	@# storage refuses a bundle whose map is missing (production deploys).
	cp $(SCORM_AGAIN)/dist/scorm12.min.js $(SCORM_AGAIN)/dist/scorm12.min.js.map \
		$(SCORM_AGAIN)/dist/scorm2004.min.js $(SCORM_AGAIN)/dist/scorm2004.min.js.map \
		$(SCORM_AGAIN)/LICENSE $(SCORM_AGAIN)/package.json $(VENDOR)/scorm-again/
	@touch $(VENDOR_STAMP)

vendor: $(VENDOR_STAMP) ## Install the browser libraries (npm ci) into cms/static/vendor/

install: check-python $(STAMP) $(VENDOR_STAMP) ## Create .venv, install Atelier with its dev tools and its browser libraries

migrate: install ## Apply database migrations
	$(MANAGE) migrate --noinput

messages: install ## Compile the translation catalogues (fr, en)
	$(MANAGE) compilemessages --ignore '.venv' --ignore var -v 0

seed: migrate messages ## Seed the demo courses and users (idempotent)
	$(SERVE) seed_demo

demo: seed ## Install, migrate, seed and serve the demo on http://HOST:PORT (127.0.0.1:8000)
	@echo "Atelier demo on http://$(HOST):$(PORT)/ (admin: /admin/, see README for accounts)"
	@# Visitors of the demo get the site's 404 and 500 pages, not Django's debug
	@# pages (DEMO_DEBUG=true for those); --insecure: runserver serves static files.
	DEBUG=$(DEMO_DEBUG) $(SERVE) runserver --insecure $(HOST):$(PORT)

run: install ## Serve the site without seeding
	$(SERVE) runserver $(HOST):$(PORT)

worker: install ## Run an RQ worker with RQ's schedulers (needs REDIS_URL)
	@test -n "$$REDIS_URL" || { echo "REDIS_URL is not set: jobs run synchronously, no worker needed."; exit 1; }
	@# rqcron enqueues the periodic jobs (cms/cron.py): compliance reminders, certificate sweep, expired exports.
	$(SERVE) rqcron cms.cron & cron=$$!; \
	trap 'kill $$cron' EXIT INT TERM; \
	$(SERVE) rqworker --with-scheduler default certificates xapi

test: install ## Run the whole test suite (browser tests included)
	$(MANAGE) compilemessages --ignore '.venv' --ignore var -v 0
	$(BIN)/pytest -n $(TEST_WORKERS) --dist load $(PYTEST_ARGS)

test-e2e: install ## Run only the browser tests
	$(BIN)/pytest tests/e2e $(PYTEST_ARGS)

lint: install ## ruff format --check, ruff check, djhtml --check
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/djhtml --check templates

format: install ## Fix formatting (ruff, djhtml)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/djhtml templates

migrations-check: install ## Fail if a model change lacks its migration
	$(MANAGE) makemigrations --check --dry-run

bench: install ## Run the benchmarks at institutional scale (tests/bench/; SCALE=small for a quick run)
	$(PY) -m tests.bench --scale $(SCALE)

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var db.sqlite3 node_modules $(VENDOR)
