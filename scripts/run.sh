#!/usr/bin/env bash
# `make run`: install, start PostgreSQL and Redis, set up the databases, create the sysadmin, load the demo
# catalogue, then serve the portal with its background workers. Ctrl-C stops the server and the workers.
#   PORT=5050 scripts/run.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

INI="config/development.ini"
PORT="${PORT:-5000}"
HOST="127.0.0.1"
LOG_DIR="$DATA_DIR/logs"

[[ "$PORT" =~ ^[0-9]+$ ]] || die "PORT must be a number, not '$PORT'."
# The ini says port 5000; links the portal writes must name the port it really serves on.
export CKAN_SITE_URL="http://$HOST:$PORT"
port_open "$PORT" && die "Port $PORT on $HOST is already in use. Stop what uses it, or pick another port: make run PORT=5050"

bash scripts/install.sh
bash scripts/services.sh
bash scripts/db.sh "$INI"

bash scripts/demo.sh

# Each background process gets its own session (setsid), so stopping it also stops what it spawned
# (rq's work horses, werkzeug's reloader child), and Ctrl-C reaches only this script, which stops them all.
pids=()
# start_background NAME LOG COMMAND...: LOG is a file under .data/logs, or - for this terminal.
start_background() {
  local name="$1" log="$2"; shift 2
  if [ "$log" = - ]; then
    setsid "$@" &
  else
    setsid "$@" >>"$LOG_DIR/$log" 2>&1 &
    name="$name (log: .data/logs/$log)"
  fi
  pids+=("$!")
  say "Started $name, pid $!"
}

stop_background() {
  trap - EXIT INT TERM
  [ "${#pids[@]}" -gt 0 ] || return 0
  say "Stopping the server and the workers"
  local pid i alive
  for pid in "${pids[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  for i in $(seq 1 20); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 0.5
  done
  for pid in "${pids[@]}"; do
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  say "Stopped"
}
trap stop_background EXIT
trap 'exit 0' INT  # Ctrl-C is how the portal is meant to be stopped
trap 'exit 143' TERM

mkdir -p "$LOG_DIR"
start_background "background-job worker" jobs-worker.log "$VENV/bin/ckan" -c "$INI" jobs worker
start_background "harvest gather consumer" harvest-gather.log "$VENV/bin/ckan" -c "$INI" harvester gather-consumer
start_background "harvest fetch consumer" harvest-fetch.log "$VENV/bin/ckan" -c "$INI" harvester fetch-consumer

# Demo harvest: a local imitation of the provincial CKAN portal, its DCAT catalogue and the BPS WebAPI on a free
# port, harvest sources of each type pointing at it, and one job each for the consumers (a second `make run`
# finds nothing changed). The scheduler loop, as in production, starts queued jobs and marks finished ones.
# The same port on every run keeps the harvested links valid; another free one when it is taken.
DEMO_PORT=$((PORT + 100))
if port_open "$DEMO_PORT" || [ "$DEMO_PORT" -gt 65535 ]; then
  DEMO_PORT="$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
fi
start_background "demo harvest sources on http://$HOST:$DEMO_PORT" harvest-demo-server.log \
  "$VENV/bin/ckan" -c "$INI" paser harvest demo-server --host "$HOST" --port "$DEMO_PORT"
for _ in $(seq 1 60); do port_open "$DEMO_PORT" && break; sleep 0.5; done
say "Demo harvest sources"
ckan_step "$INI" paser harvest demo-sources --url "http://$HOST:$DEMO_PORT"
for source in demo-kaltim-ckan demo-kaltim-dcat demo-bps-webapi demo-disdukcapil-excel; do
  if ckan_cli "$INI" harvester job "$source" >>"$LOG_DIR/harvest-demo.log" 2>&1; then
    say "Queued a harvest of $source: $CKAN_SITE_URL/harvest/$source"
  else
    warn "Could not queue a harvest of $source (one may be queued already); see .data/logs/harvest-demo.log"
  fi
done
start_background "harvest scheduler (ckan harvester run every 30 s)" harvest-run.log \
  bash -c "while true; do '$VENV/bin/ckan' -c '$INI' harvester run; sleep 30; done"

# The web assets (CSS/JS bundles) built once, before the threaded server starts: built lazily instead, the first
# concurrent requests of a page raced to build the same bundle and answered 500 (webassets' BundleError).
say "Building the web assets"
ckan_step "$INI" asset build

cat >&2 <<BANNER

  Satu Data Kabupaten Paser: $CKAN_SITE_URL
  Log in as 'admin', password: $(cat "$ADMIN_PASSWORD_FILE" 2>/dev/null || echo "(not created by make run)")
  Ctrl-C stops the portal and its workers.

BANNER
start_background "web server on $CKAN_SITE_URL" - "$VENV/bin/ckan" -c "$INI" run --host "$HOST" --port "$PORT" --disable-debugger --threaded
server_pid="${pids[-1]}"
status=0
wait "$server_pid" || status=$?
exit "$status"
