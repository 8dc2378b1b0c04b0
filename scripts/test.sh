#!/usr/bin/env bash
# `make test`: install, start PostgreSQL and Redis, set up the test databases (config/test.ini), make sure
# Chromium is there for the UI tests, then run the suite through CKAN's pytest plugin.
#   PYTEST_ARGS='-x -k search' scripts/test.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

INI="config/test.ini"

bash scripts/install.sh
bash scripts/services.sh
bash scripts/db.sh "$INI"

if ! command -v chromium >/dev/null 2>&1; then
  # The UI tests drive Debian's Chromium (/usr/bin/chromium), not a browser downloaded by Playwright.
  apt_install chromium || warn "Chromium is not installed, so the UI tests cannot run. Install it with:
    sudo apt-get update && sudo apt-get install -y chromium"
fi

# PYTEST_ARGS is split like a shell command line, so quoted arguments survive: PYTEST_ARGS='-k "a and b"'.
eval "extra_args=(${PYTEST_ARGS:-})"
# The whole suite, unless the arguments name test files or folders (tests/search, tests/x.py::test_y).
targets=(tests)
for arg in "${extra_args[@]}"; do
  if [ -e "${arg%%::*}" ]; then targets=(); break; fi
done
say "Running the tests: pytest --ckan-ini $INI ${targets[*]} ${PYTEST_ARGS:-}"
exec "$VENV/bin/python" -m pytest --ckan-ini "$INI" "${targets[@]}" "${extra_args[@]}"
