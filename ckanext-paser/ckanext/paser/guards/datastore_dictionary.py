"""The DataStore's data dictionary form (``/dataset/<id>/dictionary/<resource_id>``, CKAN 2.11) with a field it
does not know.

Upstream unflattens whatever the POST holds: ``info__0`` or ``fields__0`` (no sub-key) is an IndexError in
``unflatten``, ``fields__0__id`` or ``fields__0__type`` a TypeError in ``datastore_create``, and a huge index
(``info__99999999__label``) builds a list that long. Here a POST may hold only what the form and the
IDataDictionaryForm plugins render: ``info__<n>__<name>`` (the template's documented convention for extra info
keys), ``fields__<n>__<key>`` for a key those plugins add to the field schema, the save button and CKAN's CSRF
token; ``n`` below PostgreSQL's 1,600 columns, every value text without NUL. Anything else is a 400 naming the field.
Worth reporting upstream (ckan/ckan, ckanext/datastore/blueprint.py DictionaryView.post).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import flask

from .. import validation
from ..localization import N_

ENDPOINT = "datastore.dictionary"
MAX_COLUMNS = 1600  # PostgreSQL's limit of columns per table
UNKNOWN_FORM_FIELD = N_("The form has no field {name}.")

_INFO_KEY = re.compile(r"info__(\d{1,4})__[A-Za-z_][A-Za-z0-9_]{0,99}")
_FIELDS_KEY = re.compile(r"fields__(\d{1,4})__([A-Za-z_][A-Za-z0-9_]{0,99})")


def _plugin_field_keys() -> set[str]:
    """Keys the IDataDictionaryForm plugins add to a field of ``datastore_create`` (none without such plugins)."""
    from ckanext.datastore.interfaces import IDataDictionaryForm
    from ckanext.datastore.logic.schema import datastore_create_schema

    schema = datastore_create_schema()
    for plugin in p.PluginImplementations(IDataDictionaryForm):
        schema = plugin.update_datastore_create_schema(schema)
    return set(schema["fields"]) - {"id", "type", "info"}


def _known(name: str, field_keys: set[str]) -> bool:
    if name in ("save", tk.config.get("WTF_CSRF_FIELD_NAME") or "_csrf_token"):
        return True
    if match := _INFO_KEY.fullmatch(name):
        return int(match.group(1)) < MAX_COLUMNS
    if match := _FIELDS_KEY.fullmatch(name):
        return int(match.group(1)) < MAX_COLUMNS and match.group(2) in field_keys
    return False


def guard(original: Callable[..., Any], **view_args: Any) -> Any:
    if flask.request.method == "POST":
        field_keys = _plugin_field_keys()
        for name, value in flask.request.form.items(multi=True):
            if not _known(name, field_keys):
                tk.abort(400, tk._(UNKNOWN_FORM_FIELD).format(name=name if validation.text_error(name) is None
                                                              else repr(name)))
            if (error := validation.text_error(value)) is not None:
                tk.abort(400, f"{name}: {error}")
    return original(**view_args)
