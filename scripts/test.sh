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
# Roles and databases only: the suite's first reset (CKAN's reset_db, then the plugins' migrations) drops every
# table and creates them again, so migrating here first would be done twice.
bash scripts/db.sh "$INI" --no-migrations

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
# One worker per core and one more (pytest-xdist, a file's tests on the same worker), each on databases of its
# own (tests/workers.py writes .data/test-gwN.ini): the tests also wait on PostgreSQL, portals and browsers, and on
# the 2-core machine 3 workers finish the suite in 395 s where 2 take 420-430 s. PASER_TEST_WORKERS=1 runs the
# suite in this one process.
workers="${PASER_TEST_WORKERS:-$(( $(nproc 2>/dev/null || echo 1) + 1 ))}"
[ "$workers" -gt 8 ] && workers=8
parallel=()
if [ "$workers" -gt 1 ]; then
  # One after the other: they share the roles, which PostgreSQL does not let two sessions alter at once.
  while read -r worker_ini; do
    bash scripts/db.sh "$worker_ini" --no-migrations >"${worker_ini%.ini}.setup.log" 2>&1 \
      || die "Setting up the databases of a test worker failed; see ${worker_ini%.ini}.setup.log"
  done < <("$VENV/bin/python" tests/workers.py "$INI" "$workers")
  parallel=(-n "$workers" --dist loadfile)
fi

say "Running the tests: pytest --ckan-ini $INI ${parallel[*]} ${targets[*]} ${PYTEST_ARGS:-}"
exec "$VENV/bin/python" -m pytest --ckan-ini "$INI" "${parallel[@]}" "${targets[@]}" "${extra_args[@]}"
