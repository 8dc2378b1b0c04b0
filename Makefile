# The two commands of the README, and the steps they are made of. The work is done in scripts/*.sh.
#   make run            portal with demo data on http://127.0.0.1:5000    (make run PORT=5050)
#   make test           the test suite                                (make test PYTEST_ARGS='-x -k search')
PORT ?= 5000
PYTEST_ARGS ?=
export PORT PYTEST_ARGS

DEV_INI := config/development.ini
TEST_INI := config/test.ini

.PHONY: run test install services db db-test demo lint i18n help

help:
	@sed -n '2,3p' Makefile | cut -c3-
	@echo "  helpers: make install | services | db | db-test | demo | lint | i18n"

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh

# .venv with `pip install -e ".[dev]"`, skipped while setup.py is unchanged; compiles translations.
install:
	@bash scripts/install.sh

# PostgreSQL and Redis on 127.0.0.1, started (or installed, as root) when needed.
services:
	@bash scripts/services.sh

# Roles, databases and migrations of the development portal / of the tests.
db: install services
	@bash scripts/db.sh $(DEV_INI)

db-test: install services
	@bash scripts/db.sh $(TEST_INI)

# The sysadmin `admin` (password in .data/admin-password) and the demo catalogue.
demo: db
	@bash scripts/demo.sh

# Re-extract the translatable strings into the .pot, update the id and en catalogues, compile them;
# then translate the new entries of ckanext-paser/ckanext/paser/i18n/id/LC_MESSAGES/ckanext-paser.po.
i18n: install
	@bash scripts/i18n.sh

lint: install
	@.venv/bin/ruff check .
	@for script in scripts/*.sh .ci/run; do bash -n "$$script" || exit 1; done
