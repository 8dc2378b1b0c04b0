#!/bin/sh
# Entrypoint of the Paser CKAN image (installed as /usr/local/bin/paser-entrypoint).
#  1. waits until PostgreSQL, Solr and Redis named by the configuration answer (wait_for_services.py);
#  2. with PASER_MIGRATE=true (only the `ckan` web service sets it, so migrations never run twice at once),
#     applies the database migrations: `ckan db upgrade` runs CKAN core's and then the pending ones of every
#     plugin in ckan.plugins (activity, harvest, ...), the same as `ckan db upgrade -p <plugin>` one by one;
#     and builds the web assets (CSS/JS bundles) once, before any worker serves: built lazily by the workers,
#     the first concurrent requests of a page raced to build the same bundle and answered 500;
#  3. runs the given command (default: gunicorn serving wsgi:application).
# CKAN_INI names the configuration (default /srv/app/production.ini); `ckan` commands read it too.
set -eu

CKAN_INI="${CKAN_INI:-/srv/app/production.ini}"
export CKAN_INI

python /srv/app/wait_for_services.py

if [ "${PASER_MIGRATE:-false}" = "true" ]; then
    echo "paser-entrypoint: applying database migrations (CKAN core and enabled plugins)"
    ckan db upgrade
    echo "paser-entrypoint: building the web assets"
    ckan asset build
fi

exec "$@"
