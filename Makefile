# Karriere: `make run` serves the demo site, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
STAMP  := $(VENV)/.installed

.PHONY: run install migrate demo test test-unit test-browser lint format messages bench bench-newsletter lock clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py demo_content
	$(BIN)/python manage.py demo_comments
	$(BIN)/python manage.py ensure_superuser

# Web server, task worker and the periodic-job scheduler together; Ctrl+C stops all three.
run: demo
	@echo "Karriere läuft auf http://127.0.0.1:$(PORT)/ (Admin: /$(or $(ADMIN_URL),admin/))"
	@$(BIN)/python manage.py db_worker --queue-name '*' --no-reload & worker=$$!; \
	$(BIN)/python manage.py run_periodic_jobs & scheduler=$$!; \
	trap 'kill $$worker $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Everything but the browser tests; and only those (Debian's Chromium, screenshots in
# artifacts/screenshots/). Without /usr/bin/chromium they are skipped with a note.
test-unit: install
	$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

test-browser: install
	$(BIN)/python -m pytest tests/browser $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract and compile the German catalogue (needs gettext; the compiled .mo is committed).
messages: install
	cd $(CURDIR) && $(BIN)/python manage.py makemessages -l de --no-obsolete --ignore=.venv --ignore=bench --ignore=tests --ignore=staticfiles
	$(BIN)/python manage.py compilemessages -l de --ignore=.venv

# Load test through gunicorn on PostgreSQL + Redis (not run by CI); writes bench/RESULTS.md.
bench: install
	command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	$(BIN)/python -m bench

# One newsletter issue to generated subscribers through real workers and a local SMTP sink
# (BENCH_SUBSCRIBERS=10000,100000 BENCH_WORKERS=1,2); writes its section of bench/RESULTS.md.
bench-newsletter: install
	$(BIN)/python -m bench.newsletter

# Re-pin every dependency after changing pyproject.toml.
lock:
	rm -rf /tmp/karriere-lock && $(PYTHON) -m venv /tmp/karriere-lock
	/tmp/karriere-lock/bin/pip install --quiet -e ".[dev]"
	/tmp/karriere-lock/bin/pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
