# Harambee: `make run` to try it, `make test` to check it. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/harambee
PYTEST_ARGS ?=

.PHONY: install run test test-sqlite test-postgres lint format bench schema messages fuzz clean

$(BIN)/.installed: pyproject.toml
	scripts/ensure-build-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(BIN)/.installed node_modules/.installed

run: install
	$(BIN)/harambee migrate --noinput
	$(BIN)/harambee demo --if-empty
	$(BIN)/harambee demo_logins
	@# The background worker (imports started from a page) runs beside the server and stops with it.
	$(BIN)/harambee db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/harambee runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy harambee

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The whole suite, on SQLite and again on PostgreSQL, after lint and type checks.
test: lint
	bash scripts/ensure-chromium.sh
	bash scripts/ensure-postgres.sh
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: install
	env -u DATABASE_URL $(BIN)/pytest -n 2 $(PYTEST_ARGS)

test-postgres: install
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -n 2 $(PYTEST_ARGS)

# The API fuzzed from the committed schema (also part of `make test`, with 3 examples per
# operation); a deeper run: make fuzz SCHEMATHESIS_EXAMPLES=50
SCHEMATHESIS_EXAMPLES ?= 25
fuzz: install
	env -u DATABASE_URL SCHEMATHESIS_EXAMPLES=$(SCHEMATHESIS_EXAMPLES) $(BIN)/pytest -n 2 harambee/core/tests/test_api_fuzz.py

bench: install
	$(BIN)/python -m bench

# Regenerate the committed OpenAPI schema after an API change (the tests fail on drift).
schema: install
	env -u DATABASE_URL $(BIN)/harambee spectacular --file docs/api/openapi.yaml --validate --fail-on-warn

messages: install
	cd harambee && ../$(BIN)/harambee makemessages -l fr --no-obsolete && ../$(BIN)/harambee compilemessages

clean:
	rm -rf $(VENV) node_modules var
