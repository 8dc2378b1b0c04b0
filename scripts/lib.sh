# Shared helpers for the set-up scripts; sourced, not run.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
DATA_DIR="$ROOT/.data"
# Relative to $ROOT (the scripts run there), so messages show a short path.
ADMIN_PASSWORD_FILE=".data/admin-password"

say() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() { printf '\nERROR: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# apt-get update runs at most once per script run.
_apt_updated=""
apt_install() {
  is_root || return 1
  command -v apt-get >/dev/null 2>&1 || return 1
  if [ -z "$_apt_updated" ]; then
    say "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    _apt_updated=1
  fi
  say "apt-get install -y $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" </dev/null
}

# Install Debian packages as root, or stop and say what the user must install.
require_packages() {
  local what="$1"; shift
  apt_install "$@" && return 0
  die "$what is not installed. Install it with:
    sudo apt-get update && sudo apt-get install -y $*
then run this command again."
}

ckan_cli() {
  local ini="$1"; shift
  "$VENV/bin/ckan" -c "$ini" "$@"
}

# A ckan command as a set-up step: CKAN's INFO start-up lines hidden, a failure stops the script.
ckan_step() {
  local ini="$1"; shift
  ckan_cli "$ini" "$@" 2>&1 | { grep -vE ' INFO  \[' || true; } || die "'ckan -c $ini $*' failed."
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
