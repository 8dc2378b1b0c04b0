"""The message catalogues: complete for what the sources say today, consistent, and wired into CKAN.

The messages are extracted here from the current sources with babel and the mapping of `make i18n`
(babel.cfg), so a new `_()` string or template text fails this test until `make i18n` has added it to the
catalogues and it has its Indonesian text.
"""
from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
import yaml
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping
from babel.messages.pofile import read_po
from ckanext.paser.localization import catalogues
from ckanext.paser.localization.extract import translatable_nodes

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIR = ROOT / "ckanext-paser" / "ckanext" / "paser"
SCHEMA_DIR = PACKAGE_DIR / "schemas"
LOCALES = ("id", "en")
HOW_TO_FIX = "run `make i18n`, then give each entry its text in {po}"
# str.format fields ({code}, {count:,}), and printf conversions (%s, %(name)s) in python-format messages.
FORMAT_FIELD = re.compile(r"\{[^{}]*\}")
PRINTF_CONVERSION = re.compile(r"%(?:\([^)]*\))?[#0 +-]*\d*(?:\.\d+)?[sdifrx%]")
GETTEXT_NAMES = {"_", "gettext", "ngettext", "ungettext", "pgettext", "npgettext"}


@pytest.fixture(scope="module")
def extracted() -> dict[str, list[str]]:
    """msgid (the singular of a plural) -> locations, from the sources as they are now."""
    with (ROOT / "babel.cfg").open() as mapping:
        method_map, options_map = parse_mapping(mapping)
    messages: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(str(PACKAGE_DIR), method_map, options_map):
        msgid = message[0] if isinstance(message, tuple) else message
        messages.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return messages


def read_catalogue(locale: str) -> Catalog:
    with catalogues.catalogue_path(locale).open("rb") as po:
        return read_po(po, locale=locale)


def _strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _ids(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _placeholders(text: str, message) -> list[str]:
    found = FORMAT_FIELD.findall(text)
    if message.python_format:
        found += PRINTF_CONVERSION.findall(text)
    return sorted(found)


def test_sources_have_messages(extracted):
    # A broken mapping would extract nothing and let every other test pass vacuously.
    files = {location.rsplit(":", 1)[0] for found in extracted.values() for location in found}
    assert any(name.endswith(".py") for name in files)
    assert any(name.endswith(".html") for name in files)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_has_its_translation(extracted, locale):
    catalog = read_catalogue(locale)
    missing = []
    for msgid, locations in sorted(extracted.items()):
        message = catalog.get(msgid)
        if message is None or message.fuzzy or not all(_strings(message)):
            state = "not in the catalogue" if message is None else "fuzzy" if message.fuzzy else "untranslated"
            missing.append(f"{msgid!r} ({state}; {', '.join(locations[:3])})")
    po = catalogues.catalogue_path(locale).relative_to(ROOT)
    assert not missing, f"{len(missing)} messages lack their {locale} text; {HOW_TO_FIX.format(po=po)}:\n" + "\n".join(
        missing)


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_their_placeholders(locale):
    wrong = []
    for message in read_catalogue(locale):
        if not message.id:
            continue
        # A plural form may drop the number ("one character"), as its singular msgid does.
        wanted = [_placeholders(msgid, message) for msgid in _ids(message)]
        for string in _strings(message):
            if string and _placeholders(string, message) not in wanted:
                wrong.append(f"{_ids(message)[0]!r} -> {string!r}")
    assert not wrong, "placeholders differ between msgid and translation:\n" + "\n".join(wrong)


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_passes_babels_checks(locale):
    """What `pybabel compile` checks (python-format placeholders, plural forms): an error there stops set-up."""
    problems = [f"{_ids(message)[0]!r}: {error}" for message, errors in read_catalogue(locale).check()
                for error in errors]
    assert not problems, "\n".join(problems)


# Both catalogues have two plural forms, the Indonesian ones identical: CKAN's translations (flask-babel)
# merge every catalogue into one whose plural rule is gettext's default (n != 1), so a catalogue with one
# form would fall back to English for every count but 1.
@pytest.mark.parametrize(("locale", "plural_forms"), [("id", "nplurals=2; plural=(n != 1);"),
                                                      ("en", "nplurals=2; plural=(n != 1);")])
def test_catalogue_headers(locale, plural_forms):
    catalog = read_catalogue(locale)
    assert str(catalog.locale) == locale
    assert catalog.plural_forms == plural_forms
    # `pybabel compile` skips a whole catalogue whose header is fuzzy.
    assert not catalog.fuzzy


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogue_serves_every_translation(locale):
    catalogues.compile_stale()
    compiled = gettext.translation(catalogues.DOMAIN, str(catalogues.I18N_DIR), [locale])
    for message in read_catalogue(locale):
        if message.id and not message.pluralizable and message.string and not message.fuzzy:
            assert compiled.gettext(message.id) == message.string, message.id


def test_schema_texts_are_given_in_both_languages():
    """Scheming picks `id` or `en` from a dict by the page's language; both must be there and non-empty."""
    incomplete = []
    for path in sorted(SCHEMA_DIR.glob("*.yaml")):
        document = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        for key, node in translatable_nodes(document):
            if isinstance(node, yaml.MappingNode):
                texts = {k.value: v.value for k, v in node.value if isinstance(v, yaml.ScalarNode)}
                if not all(str(texts.get(locale) or "").strip() for locale in LOCALES):
                    incomplete.append(f"{path.name}:{node.start_mark.line + 1} {key}: {texts}")
    assert not incomplete, "schema texts without both id and en:\n" + "\n".join(incomplete)


def _gettext_calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name in GETTEXT_NAMES:
                yield node


def test_python_messages_are_literals():
    """`_(f"...")`, `_("a" + b)` or `_("...".format(...))` never match a catalogue entry.

    `_(variable)` is allowed: the variable's messages are marked where they are written with
    `ckanext.paser.localization.N_`, which babel extracts.
    """
    wrong = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if "migration" in path.parts:
            continue
        for call in _gettext_calls(ast.parse(path.read_text(encoding="utf-8"))):
            arg = call.args[0]
            if not (isinstance(arg, (ast.Name, ast.Attribute))
                    or (isinstance(arg, ast.Constant) and isinstance(arg.value, str))):
                wrong.append(f"{path.relative_to(ROOT)}:{call.lineno}: {ast.unparse(call)[:100]}")
    assert not wrong, "messages gettext cannot find in a catalogue:\n" + "\n".join(wrong)


def test_upstream_messages_are_still_upstream():
    """The CKAN and scheming msgids the bundle translates (localization/upstream.py) exist in their sources.

    After an upgrade, a msgid CKAN reworded would otherwise sit in our catalogue unused while the page shows
    the new English text.
    """
    import ckan
    import ckanext.scheming
    from ckanext.paser.localization.upstream import MESSAGES, TERMINOLOGY

    with (Path(ckan.__file__).parent / "i18n" / "ckan.pot").open("rb") as pot:
        known = {_ids(message)[0] for message in read_po(pot) if message.id}
    # ckan.pot lags behind CKAN's templates by a few messages, so those are read too.
    for templates in (Path(ckan.__file__).parent / "templates", Path(ckanext.scheming.__file__).parent / "templates"):
        known |= {message[0] if isinstance(message, tuple) else message for _file, _line, message, _comments, _context
                  in extract_from_dir(str(templates), [("**.html", "ckan.lib.extract:extract_ckan")])}
    gone = [message for message in MESSAGES + TERMINOLOGY if (message[0] if isinstance(message, tuple) else message) not in known]
    assert not gone, "no longer msgids of CKAN or ckanext-scheming (drop or update them):\n" + "\n".join(map(repr, gone))


def test_paser_plugin_provides_the_catalogues():
    from ckan import plugins

    plugin = plugins.get_plugin("paser")
    assert plugin in list(plugins.PluginImplementations(plugins.ITranslation))
    assert Path(plugin.i18n_directory()).resolve() == catalogues.I18N_DIR
    assert plugin.i18n_domain() == catalogues.DOMAIN
    assert set(LOCALES) <= set(plugin.i18n_locales())
