#!/usr/bin/env bash
# The development portal's content: the sysadmin `admin` (generated password kept in .data/admin-password),
# the kecamatan and dinas organisations (`ckan paser seed`) and the demo catalogue (`ckan paser demo`).
# All skip or keep what exists. Expects migrated databases (scripts/db.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

INI="config/development.ini"
export CKAN_SITE_URL="${CKAN_SITE_URL:-http://127.0.0.1:${PORT:-5000}}"

say "Sysadmin account"
ckan_step "$INI" paser sysadmin admin --password-file "$ADMIN_PASSWORD_FILE"
# The kecamatan and dinas organisations from the reference data (creates or updates; idempotent), before the
# demo catalogue, whose datasets belong to them.
say "Organisations: kecamatan and dinas"
ckan_step "$INI" paser seed
say "Demo catalogue"
ckan_step "$INI" paser demo

# The search index keeps each dataset's resource URLs as they were when it was indexed: after a change of
# port they would point at the old one, so reindex when the site URL differs from the last indexed one.
SITE_URL_STAMP="$DATA_DIR/indexed-site-url"
if [ "$(cat "$SITE_URL_STAMP" 2>/dev/null)" != "$CKAN_SITE_URL" ]; then
  say "Reindexing datasets for $CKAN_SITE_URL"
  ckan_step "$INI" search-index rebuild
  echo "$CKAN_SITE_URL" >"$SITE_URL_STAMP"
fi
