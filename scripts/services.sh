#!/usr/bin/env bash
# Make sure PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) are running: start them when they are
# installed but stopped, install the Debian packages when missing (as root; otherwise say what to install).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_PORT=5432
REDIS_PORT=6379

redis_answers() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT" || exit 1
    printf 'PING\r\n' >&3
    read -r -t 3 reply <&3 && [[ "$reply" == +PONG* ]]
  ) 2>/dev/null
}

wait_for() {
  local what="$1" check="$2" i
  for i in $(seq 1 30); do
    "$check" && return 0
    sleep 1
  done
  die "$what did not come up within 30 s."
}

postgres_up() { port_open "$PG_PORT"; }

ensure_postgres() {
  if postgres_up; then
    say "PostgreSQL is running on 127.0.0.1:$PG_PORT"
    return
  fi
  if ! command -v pg_lsclusters >/dev/null 2>&1 || ! command -v psql >/dev/null 2>&1; then
    require_packages "PostgreSQL" postgresql
    postgres_up && { say "PostgreSQL is running on 127.0.0.1:$PG_PORT"; return; }
  fi
  local cluster version
  cluster="$(pg_lsclusters --no-header 2>/dev/null | awk -v port="$PG_PORT" '$3 == port {print $1 " " $2; exit}')"
  if [ -z "$cluster" ]; then
    is_root || die "No PostgreSQL cluster listens on port $PG_PORT. Create one with:
    sudo pg_createcluster <version> main --port $PG_PORT"
    version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
    say "Creating PostgreSQL cluster $version/main on port $PG_PORT"
    pg_createcluster "$version" main --port "$PG_PORT" >/dev/null
    cluster="$version main"
  fi
  say "Starting PostgreSQL cluster $cluster"
  # shellcheck disable=SC2086 # "$cluster" is "<version> <name>"
  if ! pg_ctlcluster --skip-systemctl-redirect $cluster start 2>&1; then
    postgres_up || die "Could not start PostgreSQL. Start it with:
    sudo pg_ctlcluster --skip-systemctl-redirect $cluster start"
  fi
  wait_for "PostgreSQL" postgres_up
  say "PostgreSQL is running on 127.0.0.1:$PG_PORT"
}

ensure_redis() {
  if redis_answers; then
    say "Redis is running on 127.0.0.1:$REDIS_PORT"
    return
  fi
  port_open "$REDIS_PORT" && die "Something listens on 127.0.0.1:$REDIS_PORT but does not answer as Redis."
  if ! command -v redis-server >/dev/null 2>&1; then
    require_packages "Redis" redis-server
    redis_answers && { say "Redis is running on 127.0.0.1:$REDIS_PORT"; return; }
  fi
  say "Starting Redis (in memory only, nothing saved to disk)"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >/dev/null
  wait_for "Redis" redis_answers
  say "Redis is running on 127.0.0.1:$REDIS_PORT"
}

ensure_postgres
ensure_redis
