"""What a ``/datastore/dump/<id>`` request asks for, checked before anything is read: every format, core's too.

Core's dump schema lets through what its search then fails on with a server error: a negative ``limit`` or
``offset``, an ``offset`` beyond PostgreSQL's bigint, ``bom=maybe`` (the portal's COPY path read it with asbool),
``filters`` that are a JSON list, an unknown ``language`` (PostgreSQL: text search configuration does not exist),
and columns the table does not have in ``sort``, ``fields``, ``filters`` or ``q`` (``datastore_search`` raises a
ValidationError the view does not catch). Here each is a 400 with a message in the reader's language; the
columns are those of the access check's empty search, so no second query is needed.
"""
from __future__ import annotations

import functools
from typing import Any, NamedTuple

import ckan.plugins.toolkit as tk
import flask
import sqlalchemy as sa

from .. import validation
from ..localization import N_

FORMATS = ("csv", "tsv", "json", "xml", "xlsx")
# The search options core's dump passes on to datastore_search.
SEARCH_OPTIONS = ("filters", "q", "distinct", "plain", "language", "fields")

NOT_FOUND = "DataStore resource not found"  # core's msgid, word for word: a private table looks the same
UNKNOWN_FORMAT = N_("Unknown format. Choose csv, tsv, json, xml or xlsx.")
UNKNOWN_COLUMNS = N_("Unknown column(s): {names}. The table's columns: {columns}.")
BAD_SORT = N_("Sort by a column of the table, optionally followed by asc or desc: {clause}")
FILTERS_NOT_OBJECT = N_("Must be a JSON object of column names and values.")
BAD_FILTER_VALUE = N_("Each filter value must be text, a number, or a list of them.")
BAD_Q = N_("Must be text, or a JSON object of column names and texts.")
UNKNOWN_LANGUAGE = N_("Unknown text search language: {value}")
BAD_TSQUERY = N_("Not a text search query PostgreSQL understands (with plain=false): {value}")
BAD_OPTIONS = N_("The download options are not valid: {details}")


class DumpRequest(NamedTuple):
    """A dump the user may read: its format, search options, offset and limit, and the table's fields."""

    format: str
    params: dict[str, Any]
    offset: int
    limit: int | None
    bom: bool
    fields: list[dict[str, Any]]

    @property
    def whole_table(self) -> bool:
        """Every row in CKAN's order: one COPY serves it (copy_stream)."""
        searching = any(self.params.get(option) for option in SEARCH_OPTIONS)
        return (not searching and not self.offset and self.limit is None
                and self.params.get("sort") in (None, "", "_id", ["_id"]))


def read(resource_id: str) -> DumpRequest:
    """The user's access checked as core does (404 when the table is missing or not theirs to read), then every
    option of the request (400 naming each bad one)."""
    if validation.text_problem(resource_id) is not None:
        tk.abort(404, tk._(NOT_FOUND))  # no table has such a name (core's search would fail on the NUL)
    try:
        fields = tk.get_action("datastore_search")({}, {
            "resource_id": resource_id, "limit": 0, "include_total": False})["fields"]
    except (tk.ObjectNotFound, tk.NotAuthorized):
        tk.abort(404, tk._(NOT_FOUND))
    field_ids = [field["id"] for field in fields]
    data, errors = tk.navl_validate(flask.request.args.to_dict(), dump_schema(field_ids), {})
    if errors:
        abort_bad_request(errors)
    params = {key: value for key, value in data.items() if key in SEARCH_OPTIONS}
    params["sort"] = data["sort"]
    if params.get("q") and params.get("plain") is False:
        _check_tsquery(params["q"], params.get("language"))
    return DumpRequest(data["format"], params, data["offset"], data.get("limit"), data["bom"], fields)


def abort_bad_request(errors: dict[str, Any]) -> None:
    """400 listing each option and what is wrong with it."""
    tk.abort(400, "\n".join(f"{key}: {' '.join(str(message) for message in messages)}"
                            for key, messages in errors.items()))


def search_refused(error: tk.ValidationError) -> None:
    """A refusal of ``datastore_search`` this schema did not foresee: still a 400. Only the names of the options
    are repeated: core's messages may hold its SQL (``q`` with ``format=json`` breaks its lists query)."""
    details = error.error_dict if isinstance(error.error_dict, dict) else {}
    names = ", ".join(key for key in details if not key.startswith("__") and key not in ("query", "info"))
    tk.abort(400, tk._(BAD_OPTIONS).format(details=names or "q"))


def dump_schema(field_ids: list[str]) -> dict[str, Any]:
    """Core's ``dump_schema`` (ckanext/datastore/blueprint.py), each option checked against the table."""
    from ckanext.datastore.logic.schema import json_validator, unicode_or_json_validator

    ignore_missing, default = tk.get_validator("ignore_missing"), tk.get_validator("default")
    return {
        "offset": [default(0), validation.whole_number(0)],
        "limit": [ignore_missing, validation.whole_number(0)],
        "format": [default("csv"), validation.clean_text, validation.one_of_or(FORMATS, UNKNOWN_FORMAT)],
        "bom": [default(False), validation.strict_boolean],
        "filters": [ignore_missing, validation.clean_text, json_validator, _filters(field_ids)],
        "q": [ignore_missing, validation.clean_text, unicode_or_json_validator, _q(field_ids)],
        "distinct": [ignore_missing, validation.strict_boolean],
        "plain": [ignore_missing, validation.strict_boolean],
        "language": [ignore_missing, validation.clean_text, _language],
        "fields": [ignore_missing, validation.clean_text, _fields(field_ids)],
        "sort": [default("_id"), validation.clean_text, _sort(field_ids)],
    }


def _unknown(names: list[str], field_ids: list[str]) -> None:
    unknown = [name for name in names if name not in field_ids]
    if unknown:
        raise tk.Invalid(tk._(UNKNOWN_COLUMNS).format(names=", ".join(unknown), columns=", ".join(field_ids)))


def _fields(field_ids: list[str]) -> validation.Validator:
    from ckanext.datastore.helpers import get_list

    def validator(value: Any, context: dict[str, Any]) -> Any:
        _unknown(get_list(value), field_ids)
        return value

    return validator


def _sort(field_ids: list[str]) -> validation.Validator:
    # Core's own grammar of a sort clause ("<column>" or "\"<column>\"", then asc/desc, nulls first/last).
    from ckanext.datastore.backend import _parse_sort_clause
    from ckanext.datastore.helpers import get_list

    def validator(value: Any, context: dict[str, Any]) -> Any:
        for clause in get_list(value, False):
            if not _parse_sort_clause(clause, field_ids):
                raise tk.Invalid(tk._(BAD_SORT).format(clause=clause))
        return value

    return validator


def _scalar(value: Any) -> bool:
    if isinstance(value, str):
        return validation.text_problem(value) is None
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _filters(field_ids: list[str]) -> validation.Validator:
    def validator(value: Any, context: dict[str, Any]) -> Any:
        if not isinstance(value, dict):
            raise tk.Invalid(tk._(FILTERS_NOT_OBJECT))
        _unknown(list(value), field_ids)
        for item in value.values():
            if not (_scalar(item) or (isinstance(item, list) and all(_scalar(part) for part in item))):
                raise tk.Invalid(tk._(BAD_FILTER_VALUE))
        return value

    return validator


def _q(field_ids: list[str]) -> validation.Validator:
    def validator(value: Any, context: dict[str, Any]) -> Any:
        if isinstance(value, dict):
            _unknown(list(value), field_ids)
            if not all(isinstance(item, str) and validation.text_problem(item) is None for item in value.values()):
                raise tk.Invalid(tk._(BAD_Q))
        return value

    return validator


def _check_tsquery(q: str | dict[str, str], language: str | None) -> None:
    """``plain=false`` hands ``q`` to PostgreSQL's to_tsquery, whose syntax errors core does not catch."""
    from ckanext.datastore.backend.postgres import get_read_engine

    language = language or tk.config.get("ckan.datastore.default_fts_lang") or "english"
    for text in ([q] if isinstance(q, str) else list(q.values())):
        try:
            with get_read_engine().connect() as connection:
                connection.execute(sa.text("SELECT to_tsquery(CAST(:language AS regconfig), :query)"),
                                   {"language": language, "query": text})
        except sa.exc.DBAPIError:
            abort_bad_request({"q": [tk._(BAD_TSQUERY).format(value=text)]})


@functools.lru_cache(maxsize=1)
def text_search_languages() -> frozenset[str]:
    """PostgreSQL's text search configurations (simple, english, ...): the names ``language`` may take."""
    from ckanext.datastore.backend.postgres import get_read_engine

    with get_read_engine().connect() as connection:
        return frozenset(connection.execute(sa.text("SELECT cfgname FROM pg_catalog.pg_ts_config")).scalars())


def _language(value: Any, context: dict[str, Any]) -> Any:
    if value not in text_search_languages():
        raise tk.Invalid(tk._(UNKNOWN_LANGUAGE).format(value=value))
    return value
