"""Where the bundle's catalogues live, and the two chores babel's command line does not do for us.

- ``compile_stale()``: .po -> .mo for every catalogue whose .mo is missing or older (the .mo files are build
  products, kept out of git; scripts/install.sh and the test suite call this before CKAN reads them).
- ``fill_identity("en")``: msgids are English, so the ``en`` catalogue maps each one to itself.

- ``untranslated("id")``: the msgids of a catalogue still without a (non-fuzzy) translation.

Run as ``python -m ckanext.paser.localization.catalogues compile | fill-identity en | untranslated id``.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

DOMAIN = "ckanext-paser"
I18N_DIR = Path(__file__).resolve().parent.parent / "i18n"
# Line width of the .po files, the same as `pybabel update --width` in scripts/i18n.sh.
PO_WIDTH = 120


def template_path(i18n_dir: Path = I18N_DIR) -> Path:
    """The .pot: every msgid extracted from the package."""
    return i18n_dir / f"{DOMAIN}.pot"


def catalogue_path(locale: str, i18n_dir: Path = I18N_DIR) -> Path:
    """The .po of one locale (its .mo sits next to it)."""
    return i18n_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_stale(i18n_dir: Path = I18N_DIR) -> list[Path]:
    """Compile every .po whose .mo is missing or older; returns the .mo files written. Fuzzy entries stay out."""
    written = []
    for po in sorted(i18n_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source)
        partial = mo.with_name(mo.name + ".partial")
        with partial.open("wb") as target:
            write_mo(target, catalog, use_fuzzy=False)
        os.replace(partial, mo)  # a CKAN process starting meanwhile never reads half a file
        written.append(mo)
    return written


def fill_identity(locale: str, i18n_dir: Path = I18N_DIR) -> int:
    """Give every untranslated entry of a catalogue its msgid as translation; returns how many were filled."""
    po = catalogue_path(locale, i18n_dir)
    with po.open("rb") as source:
        catalog = read_po(source, locale=locale)
    filled = 0
    for message in catalog:
        if not message.id or (message.string and all(message.string)):
            continue
        message.string = tuple(message.id) if message.pluralizable else message.id
        message.flags.discard("fuzzy")
        filled += 1
    if filled:
        with po.open("wb") as target:
            write_po(target, catalog, width=PO_WIDTH)
    return filled


def untranslated(locale: str, i18n_dir: Path = I18N_DIR) -> list[str]:
    """Msgids of a catalogue whose translation is empty (any plural form) or marked fuzzy."""
    with catalogue_path(locale, i18n_dir).open("rb") as source:
        catalog = read_po(source, locale=locale)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id[0] if isinstance(message.id, tuple) else message.id)
    return missing


def main(argv: list[str]) -> int:
    command, *args = argv or [""]
    if command == "compile" and not args:
        for mo in compile_stale():
            print(f"compiled {mo}")
        return 0
    if command == "fill-identity" and len(args) == 1:
        print(f"{args[0]}: {fill_identity(args[0])} entries given their msgid as translation")
        return 0
    if command == "untranslated" and len(args) == 1:
        missing = untranslated(args[0])
        for msgid in missing:
            print(msgid)
        return 1 if missing else 0
    print("usage: python -m ckanext.paser.localization.catalogues compile | fill-identity LOCALE | untranslated LOCALE",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
