#!/usr/bin/env bash
# Create .venv if missing and install the bundle with its dev extra (`pip install -e ".[dev]"`).
# The install is skipped while setup.py and pyproject.toml are unchanged since the last one (stamp in .venv).
# Also compiles the bundle's translations (.po -> .mo) when there are any.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

PYTHON="${PYTHON:-python3}"
STAMP="$VENV/.paser-install-stamp"
I18N_DIR="ckanext-paser/ckanext/paser/i18n"

create_venv() {
  command -v "$PYTHON" >/dev/null 2>&1 || require_packages "Python 3" python3 python3-venv
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
    || die "$PYTHON is $("$PYTHON" --version 2>&1); the bundle needs Python 3.10 or newer (set PYTHON=...)."
  say "Creating virtualenv $VENV"
  if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
    # Debian splits venv/ensurepip out of the interpreter package.
    require_packages "Python's venv module" python3-venv
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
  fi
}

install_bundle() {
  local wanted
  wanted="$(cat setup.py pyproject.toml | sha256sum | cut -d' ' -f1)"
  if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$wanted" ]; then
    say "Python environment up to date ($VENV)"
    return
  fi
  [ -x "$VENV/bin/python" ] || create_venv
  say "Installing ckanext-paser and its dependencies into $VENV (pip install -e \".[dev]\")"
  # --no-compile: Python compiles what it imports on first use, not all of the ~200 packages up front (20 s).
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-compile -e "$ROOT[dev]"
  echo "$wanted" >"$STAMP"
}

compile_translations() {
  [ -d "$I18N_DIR" ] || return 0
  local po mo
  while IFS= read -r -d '' po; do
    mo="${po%.po}.mo"
    if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then
      "$VENV/bin/pybabel" compile --statistics -i "$po" -o "$mo"
    fi
  done < <(find "$I18N_DIR" -name '*.po' -print0)
}

install_bundle
compile_translations
