#!/usr/bin/env bash
# What the browser tests (tests/e2e/test_web_browser.py) need besides requirements.lock: Debian's
# Chromium (no `playwright install` download; Playwright's Python driver comes from the lock).
# Installs only what is missing. Usage: tests/e2e/setup_browser.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "Chromium mangler: kør 'sudo apt-get install -y chromium' og prøv igen." >&2
        exit 2
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# axe-core (the accessibility checker the browser tests run in the page) from the npm registry,
# into test-artifacts/node (ignored by git). Pinned to the 4.x line.
AXE=test-artifacts/node/node_modules/axe-core/axe.min.js
if [ ! -f "$AXE" ]; then
    npm install --silent --no-audit --no-fund --prefix test-artifacts/node axe-core@4 >/dev/null
fi
