# Two commands for a newcomer: `make run` and `make test` (README). Everything they need is
# installed here; the embedded PostgreSQL/Valkey are handled by config/services.py.
SHELL := /bin/bash
PY_VERSION := $(shell cat .python-version)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DEBUG ?= true
export DEMO_PASSWORD ?= demo-pass-2024
export PYTHONUNBUFFERED := 1
export XDG_RUNTIME_DIR ?= $(CURDIR)/.data/run
SERVICES_ENV = eval "$$($(PY) -m config.services env)"

.PHONY: run test lint format bench backup restore browser-deps clean

$(PY):
	@set -e; base=""; \
	if command -v pyenv >/dev/null && [ -x "$$(pyenv root)/versions/$(PY_VERSION)/bin/python" ]; then \
		base="$$(pyenv root)/versions/$(PY_VERSION)/bin/python"; \
	elif command -v python$(basename $(PY_VERSION)) >/dev/null; then base=python$(basename $(PY_VERSION)); \
	else base=$$(command -v python3.13 || command -v python3); fi; \
	echo "creating $(VENV) with $$base"; "$$base" -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	@touch $@

browser-deps:
	@command -v chromium >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

run: $(VENV)/.installed
	@mkdir -p .data/run
	@$(SERVICES_ENV); \
	trap '$(PY) -m config.services stop-started' EXIT; \
	$(PY) manage.py migrate --no-input -v 0 && \
	$(PY) manage.py seed_demo && \
	$(PY) manage.py collectstatic --no-input -v 0 && \
	echo "" && echo "Reinforcements is at http://127.0.0.1:$(PORT)/  (API docs: /api/docs/, admin: /admin/)" && \
	echo "Demo logins (password $$DEMO_PASSWORD): coordinator, viewer, liaison-pl, liaison-de, admin" && \
	echo "Mail is written to .data/mail/. Ctrl-C stops everything." && echo "" && \
	PORT=$(PORT) $(VENV)/bin/honcho start -f Procfile

test: $(VENV)/.installed browser-deps
	@mkdir -p .data/run
	@$(SERVICES_ENV); trap '$(PY) -m config.services stop-started' EXIT; \
	$(PY) manage.py check --fail-level WARNING && \
	$(PY) manage.py makemigrations --check --dry-run -v 0 && \
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && \
	$(PY) -m pytest --create-db $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

# Games-scale benchmark (issue 9): loads 250,000 assignments into the database reinforcements_bench,
# serves the app with gunicorn (DEBUG=false), drives it at 8 concurrent clients, prints the table
# and writes bench/results.json. About 5 to 8 minutes. BENCH_ARGS="--small" for a quick try,
# "--no-seed" to reuse the loaded data, "--only coverage" for one row.
bench: $(VENV)/.installed
	@mkdir -p .data/run
	@$(SERVICES_ENV); $(PY) -m bench.run $(BENCH_ARGS)

clean:
	-$(PY) -m config.services stop
	rm -rf $(VENV) .data staticfiles
