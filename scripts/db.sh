#!/usr/bin/env bash
# Create the roles and databases named in a CKAN ini file (idempotent), set the DataStore permissions,
# and run every migration: CKAN core plus the enabled plugins (activity, harvest, paser_search, paser).
#   scripts/db.sh config/development.ini
#   scripts/db.sh config/test.ini --no-migrations   (the suite's first reset drops and migrates everything itself)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

INI="${1:?usage: scripts/db.sh <ini file> [--no-migrations]}"
MIGRATE=1
[ "${2:-}" = "--no-migrations" ] && MIGRATE=0
[ -f "$INI" ] || die "No such configuration file: $INI"
eval "$("$VENV/bin/python" scripts/db_settings.py "$INI")"

# How to reach PostgreSQL as superuser: over TCP as `postgres` (trust auth), else through the local socket
# as the `postgres` system user (peer auth, the default on a fresh Debian install).
PSQL_SUPER=()
choose_superuser() {
  if psql -X -w -h 127.0.0.1 -U postgres -d postgres -tAc 'SELECT 1' >/dev/null 2>&1 </dev/null; then
    PSQL_SUPER=(psql -h 127.0.0.1 -U postgres)
  elif is_root && command -v runuser >/dev/null 2>&1 \
      && (cd / && runuser -u postgres -- psql -X -w -d postgres -tAc 'SELECT 1') >/dev/null 2>&1 </dev/null; then
    PSQL_SUPER=(runuser -u postgres -- psql)
  elif command -v sudo >/dev/null 2>&1 \
      && (cd / && sudo -n -u postgres psql -X -w -d postgres -tAc 'SELECT 1') >/dev/null 2>&1 </dev/null; then
    PSQL_SUPER=(sudo -n -u postgres psql)
  else
    die "Cannot connect to PostgreSQL as superuser 'postgres' (tried 127.0.0.1 and the local socket).
Run this as root, or create the roles and databases yourself as a PostgreSQL superuser:
    roles $MAIN_USER, $DS_READ_USER (passwords as in $INI); databases $MAIN_DB and $DS_WRITE_DB owned by $MAIN_USER"
  fi
}

# super_psql DB [psql options] < SQL
super_psql() {
  local db="$1"; shift
  (cd / && "${PSQL_SUPER[@]}" -X -q -w -v ON_ERROR_STOP=1 -d "$db" "$@")
}

super_query() {
  local db="$1"; shift
  super_psql "$db" -tA "$@"
}

ensure_role() {
  local role="$1" password="$2"
  if [ -z "$(super_query postgres -v role="$role" <<<"SELECT 1 FROM pg_roles WHERE rolname = :'role'")" ]; then
    say "Creating PostgreSQL role $role"
    super_psql postgres -v role="$role" <<<"SELECT format('CREATE ROLE %I LOGIN', :'role') \\gexec"
  fi
  # The ini file holds the password: keep the role in step with it (matters where auth is not `trust`).
  super_psql postgres -v role="$role" -v password="$password" \
    <<<"SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'role', :'password') \\gexec"
}

ensure_database() {
  local name="$1" owner="$2"
  if [ -n "$(super_query postgres -v name="$name" <<<"SELECT 1 FROM pg_database WHERE datname = :'name'")" ]; then
    return 0
  fi
  say "Creating database $name (owner $owner)"
  super_psql postgres -v name="$name" -v owner="$owner" \
    <<<"SELECT format('CREATE DATABASE %I OWNER %I ENCODING ''UTF8'' TEMPLATE template0', :'name', :'owner') \\gexec"
}

ensure_datastore_permissions() {
  # CKAN's own set-permissions script; its last step creates the _table_metadata view, so the view
  # tells whether it has run on this database.
  local done
  done="$(super_query "$DS_WRITE_DB" <<<"SELECT to_regclass('public._table_metadata') IS NOT NULL")"
  [ "$done" = "t" ] && return
  say "Setting DataStore permissions on $DS_WRITE_DB (read-only role $DS_READ_USER)"
  "$VENV/bin/python" scripts/db_settings.py --permissions-sql "$INI" | super_psql "$DS_WRITE_DB" >/dev/null
}

choose_superuser
say "PostgreSQL roles and databases for $INI"
ensure_role "$MAIN_USER" "$MAIN_PASSWORD"
[ "$DS_WRITE_USER" = "$MAIN_USER" ] || ensure_role "$DS_WRITE_USER" "$DS_WRITE_PASSWORD"
ensure_role "$DS_READ_USER" "$DS_READ_PASSWORD"
ensure_database "$MAIN_DB" "$MAIN_USER"
ensure_database "$DS_WRITE_DB" "$DS_WRITE_USER"
ensure_datastore_permissions

[ "$MIGRATE" = 1 ] || exit 0
# `db init` is `db upgrade`: CKAN core, then the pending migrations of every enabled plugin.
say "Running migrations (ckan db init) for $INI"
ckan_step "$INI" db init
