# Two commands for a newcomer: `make run` and `make test` (README). Everything they need is
# installed here; the embedded PostgreSQL/Valkey are handled by server/services.py.
SHELL := /bin/bash
PY_VERSION := $(shell cat .python-version)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DEBUG ?= true
export DEMO_PASSWORD ?= demo-pass-2024
export PYTHONUNBUFFERED := 1
export XDG_RUNTIME_DIR ?= $(CURDIR)/.data/run
SERVICES_ENV = eval "$$($(PY) -m server.services env)"

.PHONY: run dev manage test lint format messages bench bench-board backup restore browser-deps clean fuzz screenshots

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

# `make run` serves as production does (gunicorn, server/gunicorn.py; static files by whitenoise);
# `make dev` swaps in Django's development server, which reloads on every code change (Procfile.dev).
# Links in emails point where it serves, unless SITE_URL says otherwise. The demo clock (DEMO_NOW,
# deployments/clock.py) makes the 2024 demo look live: the morning of the opening ceremony.
# `DEMO_NOW= make run` shows the real date.
run: PROCFILE = Procfile
dev: PROCFILE = Procfile.dev
run dev: export SITE_URL ?= http://127.0.0.1:$(PORT)
# The live board's event stream (staff/board.py) needs an ASGI server: uvicorn beside gunicorn, on
# the next port (Procfile `sse`); the board's page is told where by EVENTS_URL.
run dev: export SSE_PORT ?= $(shell echo $$(($(PORT) + 1)))
run dev: export EVENTS_URL ?= http://127.0.0.1:$(SSE_PORT)
run dev: export DEMO_NOW ?= 2024-07-26T09:00:00+02:00
run dev: $(VENV)/.installed
	@mkdir -p .data/run
	@$(SERVICES_ENV); \
	trap '$(PY) -m server.services stop-started' EXIT; \
	$(PY) manage.py migrate --no-input -v 0 && \
	$(PY) manage.py seed_demo && \
	$(PY) manage.py collectstatic --no-input -v 0 && \
	echo "" && echo "Reinforcements is at http://127.0.0.1:$(PORT)/  (API docs: /api/docs/, admin: /admin/)" && \
	echo "Demo logins (password $$DEMO_PASSWORD): coordinator, viewer, liaison-pl, liaison-de, admin" && \
	echo "Mail is written to .data/mail/ (links to $$SITE_URL). Ctrl-C stops everything." && \
	echo "Live board: http://127.0.0.1:$(PORT)/ops/paris-2024/board/ (its event stream: uvicorn at $$EVENTS_URL)" && \
	{ [ -z "$$DEMO_NOW" ] || echo "Demo clock: pages show $$DEMO_NOW as now (DEMO_NOW= make run for the real date)."; } && echo "" && \
	PORT=$(PORT) $(VENV)/bin/honcho start -f $(PROCFILE)

# Any manage.py command on what `make run` uses (its database and Redis, DEBUG on), in a second
# terminal while it serves: make manage ARGS="send_reminders --dry-run"
manage: $(VENV)/.installed
	@mkdir -p .data/run
	@$(SERVICES_ENV); trap '$(PY) -m server.services stop-started' EXIT; $(PY) manage.py $(ARGS)

test: $(VENV)/.installed browser-deps
	@mkdir -p .data/run
	@$(SERVICES_ENV); trap '$(PY) -m server.services stop-started' EXIT; \
	$(PY) manage.py check --fail-level WARNING && \
	$(PY) manage.py makemigrations --check --dry-run -v 0 && \
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && \
	$(VENV)/bin/lint-imports && \
	$(PY) -m pytest --create-db $(PYTEST_ARGS)

# The README's pictures (docs/screenshots/): the browser tests write them only when asked.
screenshots: $(VENV)/.installed browser-deps
	@mkdir -p .data/run
	@$(SERVICES_ENV); trap '$(PY) -m server.services stop-started' EXIT; \
	SCREENSHOTS=1 $(PY) -m pytest --create-db -q tests/browser/test_usability.py tests/browser/test_staff_journeys.py

# Backups of the app's database (server/backup.py): pg_dump -Fc with the server's own version.
backup: $(VENV)/.installed
	@mkdir -p .data/run .data/backups
	@$(SERVICES_ENV); $(PY) -m server.backup dump $(FILE)

restore: $(VENV)/.installed
	@test -n "$(FILE)" || { echo "usage: make restore FILE=.data/backups/reinforcements-....dump"; exit 2; }
	@$(SERVICES_ENV); $(PY) -m server.backup restore "$(FILE)"

# Schemathesis at depth (issue 8): at least 1,000 generated requests per role, no 5xx. About 2-3 minutes.
fuzz: $(VENV)/.installed
	@mkdir -p .data/run
	@$(SERVICES_ENV); trap '$(PY) -m server.services stop-started' EXIT; \
	SCHEMATHESIS_EXAMPLES=25 SCHEMATHESIS_MIN_REQUESTS=1000 $(PY) -m pytest -q -s tests/api/test_schemathesis.py

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/lint-imports

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

# Catalogues: project (templates/, reinforcements, pledges, deployments, config), portal/ and
# notifications/ (apps with their own locale/). New English entries read as their msgid; translate
# the French ones by hand, then `make messages` again to compile (tests/test_catalogues.py checks).
EN_CATALOGUES = locale/en/LC_MESSAGES/django.po portal/locale/en/LC_MESSAGES/django.po notifications/locale/en/LC_MESSAGES/django.po
messages: $(VENV)/.installed
	@mkdir -p .data/run
	@$(SERVICES_ENV); trap '$(PY) -m server.services stop-started' EXIT; set -e; \
	$(PY) manage.py makemessages -l fr -l en --ignore=.venv --ignore=staticfiles --no-obsolete; \
	(cd notifications && ../$(PY) ../manage.py makemessages -l fr -l en --no-location --no-obsolete); \
	for po in $(EN_CATALOGUES); do msgattrib --clear-fuzzy --empty -o $$po $$po && msgen -o $$po $$po; done; \
	$(PY) manage.py compilemessages --ignore=.venv
# Games-scale benchmark (issue 9): loads 250,000 assignments into the database reinforcements_bench,
# serves the app with gunicorn (DEBUG=false), drives it at 8 concurrent clients, prints the table
# and writes bench/results.json; then the live board (200 streams on one uvicorn, bench/board.py) and
# the change feed's paging (bench/feed.py), each a row. About 6 to 10 minutes. BENCH_ARGS="--small"
# for a quick try, "--no-seed" to reuse the loaded data, "--only coverage" for one row.
bench: $(VENV)/.installed
	@mkdir -p .data/run
	@$(SERVICES_ENV); $(PY) -m bench.run $(BENCH_ARGS)

# The live board's row alone (bench/board.py): 200 streams on one uvicorn, on `make run`'s database
# (the demo's paris-2024), about 30 s. BENCH_ARGS="--connections 400" and so on.
bench-board: $(VENV)/.installed
	@mkdir -p .data/run
	@$(SERVICES_ENV); trap '$(PY) -m server.services stop-started' EXIT; \
	$(PY) manage.py migrate --no-input -v 0 && $(PY) manage.py seed_demo && $(PY) -m bench.board $(BENCH_ARGS)

clean:
	-$(PY) -m server.services stop
	rm -rf $(VENV) .data staticfiles
