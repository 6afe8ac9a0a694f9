# Two commands on a fresh machine with Python ≥ 3.11 and make: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo db test lint e2e e2e-skalering bench lock helligdage clean

# The demo makes its own databases; the upgrade readies the default one for the README's commands.
# It starts the service (its own Prefect server and worker) in a temporary folder, launches a case
# through it, stops it and removes the folder.
demo: db
	@$(BIN)/sagsgang demo --tjeneste

# Creates or upgrades Sagsgang's database (SAGSGANG_DATABASE_URL, default ~/.sagsgang/sagsgang.db).
db: $(STAMP)
	@$(BIN)/sagsgang db opgrader

# pytest exits 5 when it ran no test, and make then fails: an empty run is not a pass.
# One worker per core (pytest-xdist); a file's tests stay together, so a module's fixtures
# (profiles, the Prefect harness, ical.js) are set up once.
test: $(STAMP)
	$(BIN)/pytest -q -n auto --dist loadfile

# Lint, formatting and types, as configured in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Slow end-to-end tests: PostgreSQL + `prefect server` + worker, PDF, browser. The script installs
# the Debian packages they need when missing (as root), then runs every test marked e2e.
# The two-worker scale-out trial runs with 200 launches and 200 decisions at once (about 20 min on
# two cores); SKALERING_SAGER=40 make e2e for fewer while iterating.
e2e: $(STAMP)
	tests/e2e/run.sh

# Only the two-worker scale-out trial (issue 11); SKALERING_SAGER=40 for fewer cases.
e2e-skalering: $(STAMP)
	tests/e2e/run.sh -m skalering

bench: $(STAMP)
	$(BIN)/python bench/planner.py
	$(BIN)/python bench/feeds.py
	$(BIN)/python bench/find_due.py
	$(BIN)/python bench/lifecycle.py

# The virtual environment holds exactly what requirements.lock pins (with hashes; --no-deps,
# because the lock is the whole resolution and pip check confirms it is consistent), then
# Sagsgang itself in editable mode with no further downloads.
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip check --disable-pip-version-check
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@# Our own modules as bytecode, as pip does for the wheels: every command and every flow run
	@# otherwise compiles them anew where PYTHONDONTWRITEBYTECODE is set (this CI machine).
	$(BIN)/python -m compileall -q calendars models sagsgang flows
	@touch $@

# Re-resolve the pins after changing dependencies in pyproject.toml (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

# Writes Denmark's holiday table anew from the installed python-holidays (after upgrading it in the
# lock); tests/calendars/test_holiday_table.py fails until it is.
helligdage: $(STAMP)
	$(BIN)/python -m calendars.holiday_table > calendars/denmark_holidays.py.new
	mv calendars/denmark_holidays.py.new calendars/denmark_holidays.py

clean:
	rm -rf $(VENV) build *.egg-info
