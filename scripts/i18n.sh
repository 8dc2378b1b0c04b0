#!/usr/bin/env bash
# `make i18n`: re-extract the bundle's translatable strings into the .pot and bring the id and en catalogues
# up to date (new msgids added untranslated, removed ones dropped, no fuzzy guesses), give the en catalogue
# its identity translations, then compile. Translate the new entries of i18n/id/LC_MESSAGES/ckanext-paser.po
# afterwards; tests/localization fails until every one has its Indonesian text.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

PACKAGE_DIR="ckanext-paser/ckanext/paser"
I18N_DIR="$PACKAGE_DIR/i18n"
DOMAIN="ckanext-paser"
POT="$I18N_DIR/$DOMAIN.pot"
LOCALES=(id en)
WIDTH=120  # the same as PO_WIDTH in ckanext/paser/localization/catalogues.py
CATALOGUES=("$VENV/bin/python" -m ckanext.paser.localization.catalogues)

[ -x "$VENV/bin/pybabel" ] || bash scripts/install.sh

say "Extracting messages into $POT"
"$VENV/bin/pybabel" -q extract --mapping-file babel.cfg --output-file "$POT" --width "$WIDTH" \
  --add-comments "TRANSLATORS:" --project ckanext-paser "$PACKAGE_DIR"

for locale in "${LOCALES[@]}"; do
  po="$I18N_DIR/$locale/LC_MESSAGES/$DOMAIN.po"
  if [ -f "$po" ]; then
    "$VENV/bin/pybabel" -q update --input-file "$POT" --output-dir "$I18N_DIR" --domain "$DOMAIN" \
      --locale "$locale" --width "$WIDTH" --no-fuzzy-matching --ignore-obsolete
  else
    "$VENV/bin/pybabel" -q init --input-file "$POT" --output-dir "$I18N_DIR" --domain "$DOMAIN" \
      --locale "$locale" --width "$WIDTH"
  fi
done
"${CATALOGUES[@]}" fill-identity en >/dev/null  # msgids are English: en maps each to itself
"${CATALOGUES[@]}" compile >/dev/null
if missing="$("${CATALOGUES[@]}" untranslated id)"; then
  say "Every message has its Indonesian text"
else
  warn "$(grep -c '' <<<"$missing") messages still need their Indonesian text in $I18N_DIR/id/LC_MESSAGES/$DOMAIN.po:
$missing"
fi
