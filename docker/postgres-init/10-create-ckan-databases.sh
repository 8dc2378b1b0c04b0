#!/bin/sh
# Run once by the postgres:15 image, as the superuser, when the pg_data volume is first initialised
# (docker-compose.yml mounts this directory at /docker-entrypoint-initdb.d). It creates:
#   PASER_DB_USER               the CKAN role (not a superuser), owner of both databases below
#   PASER_DB_NAME               CKAN's database (sqlalchemy.url)
#   PASER_DATASTORE_DB_NAME     the DataStore database (ckan.datastore.write_url, as PASER_DB_USER)
#   PASER_DATASTORE_RO_USER     the DataStore read-only role (ckan.datastore.read_url)
# and gives the read-only role SELECT on the DataStore only. The `datastore` plugin is enabled: after the first
# start, run CKAN's own permission script once (it adds the _table_metadata view and the full-text trigger):
#   docker compose exec -T ckan ckan datastore set-permissions \
#     | docker compose exec -T db psql -U postgres --set ON_ERROR_STOP=1
# Passwords are passed as psql variables (:'name'), never pasted into SQL text by the shell.
set -eu

case "$POSTGRES_PASSWORD $PASER_DB_PASSWORD $PASER_DATASTORE_RO_PASSWORD" in
    *change-me*)
        echo "postgres-init: set real passwords in docker/.env (still the .env.example placeholders)" >&2
        exit 1 ;;
esac

psql --set ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
     --set db_user="$PASER_DB_USER" \
     --set db_password="$PASER_DB_PASSWORD" \
     --set db_name="$PASER_DB_NAME" \
     --set datastore_db="$PASER_DATASTORE_DB_NAME" \
     --set ro_user="$PASER_DATASTORE_RO_USER" \
     --set ro_password="$PASER_DATASTORE_RO_PASSWORD" <<'EOSQL'
CREATE ROLE :"db_user" LOGIN PASSWORD :'db_password';
CREATE ROLE :"ro_user" LOGIN PASSWORD :'ro_password';
CREATE DATABASE :"db_name" OWNER :"db_user" ENCODING 'UTF8';
CREATE DATABASE :"datastore_db" OWNER :"db_user" ENCODING 'UTF8';

-- only the CKAN role (the owner) may connect to CKAN's own database
REVOKE CONNECT, TEMPORARY ON DATABASE :"db_name" FROM PUBLIC;
REVOKE CONNECT, TEMPORARY ON DATABASE :"datastore_db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"datastore_db" TO :"ro_user";

\connect :"datastore_db"
REVOKE CREATE, USAGE ON SCHEMA public FROM PUBLIC;
GRANT CREATE, USAGE ON SCHEMA public TO :"db_user";
GRANT USAGE ON SCHEMA public TO :"ro_user";
GRANT SELECT ON ALL TABLES IN SCHEMA public TO :"ro_user";
ALTER DEFAULT PRIVILEGES FOR ROLE :"db_user" IN SCHEMA public GRANT SELECT ON TABLES TO :"ro_user";
EOSQL
