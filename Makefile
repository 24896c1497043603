# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PYTHONUNBUFFERED := 1

.PHONY: run test check lint format migrate demo bench sandbox clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 or newer is needed (set PYTHON=python3.x)"; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || \
	  { echo "The venv module is missing: install it (Debian/Ubuntu: apt-get install python3-venv)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

migrate: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable

## Run web (http://127.0.0.1:8000), worker and beat together on the configured backends.
run: migrate
	$(BIN)/python manage.py ensure_admin
	@echo "Starting web, workers and beat; open http://127.0.0.1:8000 (Ctrl-C stops them all)"
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

## The test suite (pytest) on whatever DATABASE_URL / REDIS_URL say (embedded defaults if unset).
## PYTEST_ARGS are passed on, e.g. make test PYTEST_ARGS='-m "not browser"'.
PYTEST_ARGS ?=
test: $(VENV)/.dev
	$(BIN)/pytest $(PYTEST_ARGS)

## Lint, format check, types, and migrations in step with the models.
check: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## The Playtomic sandbox on its own (port 8800).
sandbox: $(VENV)/.runtime
	$(BIN)/python manage.py sandbox --port 8800 --seed 1

## The whole system against the built-in sandbox, with weeks of history filled in behind the
## running site. The demo migrates in its own process (--migrate): every manage.py start costs
## seconds on a busy machine. DEMO_ARGS are passed on, e.g. make demo DEMO_ARGS='--days 7'.
DEMO_ARGS ?=
demo: $(VENV)/.runtime
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python manage.py demo --migrate $(DEMO_ARGS)

## Benchmarks: print tables and merge figures into var/bench/results.json. The PostgreSQL and
## Redis figures need servers: DATABASE_URL and REDIS_URL if set, else throw-away ones on
## loopback (.ci/start-services).
bench: $(VENV)/.dev
	@if [ -z "$$DATABASE_URL" ]; then \
	  services=$$(.ci/start-services) && eval "$$services"; \
	fi; $(BIN)/python -m bench

clean:
	rm -rf var/test-db.sqlite3* var/broker .pytest_cache .mypy_cache .ruff_cache
