#!/usr/bin/env bash
# End-to-end tests on the production set-up: PostgreSQL (Debian's package, started by the tests
# on 127.0.0.1 as the non-root 'postgres' user), `prefect server start` on it, `sagsgang worker`.
# Installs what is missing (Debian packages), then runs every test marked e2e. Usage: tests/e2e/run.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=.venv/bin

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "PostgreSQL mangler: kør 'sudo apt-get install -y postgresql' og prøv igen." >&2
        exit 2
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

tests/e2e/setup_browser.sh
# pdftotext reads the PDF minutes back in tests/publishing/test_agenda.py.
if ! command -v pdftotext >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null
fi

# pytest exits 5 when it collected no test; that fails the run (and CI), it is not a pass.
$BIN/pytest -q -m e2e "$@"  # `make e2e-skalering` passes -m skalering: only the scale-out trial
