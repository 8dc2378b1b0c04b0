"""The DataStore's own channels to private tables.

- ``_table_metadata``: CKAN lets anyone ``datastore_search`` it (and so ``/datastore/dump/_table_metadata``); it
  lists every table, private resources' ids included. Only sysadmins read it; anyone else gets the answer of a
  table that does not exist.
- ``datastore_search`` of a private resource: the answer of a missing one (privacy.existence).
- ``datastore_search_sql``: CKAN checks each table the query plan reads, but a cast to a catalogue type
  (``'<id>'::regclass``) looks a table up without reading it, so a private table answered 200 where a missing one
  gave an error. Such casts are refused for everyone but sysadmins; and a query naming a table the user may not
  read gets the same answer as one naming a table that does not exist. PostgreSQL's own error about a query is
  passed on without the driver's wrapping (``(psycopg2.errors.UndefinedTable) ...`` and its ``[SQL: ...]`` tail),
  also for the errors core lets through as a server error (``1/0``, a bad cast: DataError).
"""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk

from ..access import datasets
from ..localization import N_
from . import existence

TABLE_METADATA = "_table_metadata"
# PostgreSQL's object identifier types: a cast to one of them resolves a name in the catalogue.
CATALOGUE_TYPE = re.compile(
    r"\breg(?:class|collation|config|dictionary|namespace|oper|operator|proc|procedure|role|type)\b",
    re.IGNORECASE)
CATALOGUE_CAST_REFUSED = N_("Casts to PostgreSQL catalogue types (regclass and the like) are not allowed.")
NO_SUCH_TABLE = N_("A table in the query does not exist, or you may not read it.")
# What CKAN's search_sql says when PostgreSQL finds no such relation (its error text, under "info"/"orig").
_UNDEFINED_RELATION = re.compile(r'relation "[^"]*" does not exist')
# Refusals about the query itself (not about a table), the same whatever tables exist: kept as they are.
_QUERY_REFUSED = ("Not authorized to access system tables", "Not authorized to call function")


@tk.side_effect_free
@tk.chained_action
def datastore_search(original: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    resource_id = data_dict.get("resource_id")
    if resource_id == TABLE_METADATA and not datasets.is_sysadmin(datasets.user_name(context)):
        # Word for word core's answer for a table that does not exist.
        # Core's own words, untranslated as core leaves them, so this answer and a missing table's are the same.
        raise tk.ObjectNotFound(f'Resource "{resource_id}" was not found.')
    return existence.conceal(original, context, data_dict, existence.RESOURCE, ("resource_id",))


# Core's datastore_search checks no access for _table_metadata (its listing is public upstream); CKAN exempts
# extensions' actions from its auth audit, and this chained one keeps that exemption for the sysadmin's reading.
datastore_search.auth_audit_exempt = True  # type: ignore[attr-defined]


def _undefined_relation(error: tk.ValidationError) -> bool:
    return bool(_UNDEFINED_RELATION.search(str(error.error_dict)))


def _postgresql_words(error: tk.ValidationError) -> tk.ValidationError:
    """The error as PostgreSQL worded it (core's ``query`` is SQLAlchemy's text of the driver's exception)."""
    info = error.error_dict.get("info")
    orig = info.get("orig") if isinstance(info, dict) else None
    if not orig:
        return error
    message = str(orig[0]).strip()
    return tk.ValidationError({"query": [message.splitlines()[0] if message else ""],
                               "info": {"statement": info.get("statement", []), "orig": [message]}})


@tk.side_effect_free
@tk.chained_action
def datastore_search_sql(original: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    from sqlalchemy.exc import DBAPIError

    try:
        return _search_sql(original, context, data_dict)
    except tk.ValidationError as error:
        raise _postgresql_words(error) from None
    except DBAPIError as error:  # what core lets through as a server error: division by zero, a bad cast, ...
        message = str(error.orig).strip()
        raise tk.ValidationError({"query": [message.splitlines()[0] if message else ""],
                                  "info": {"orig": [message]}}) from None


def _search_sql(original: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    if datasets.is_sysadmin(datasets.user_name(context)):
        return original(context, data_dict)
    sql = data_dict.get("sql")
    if isinstance(sql, str) and CATALOGUE_TYPE.search(sql):
        raise tk.ValidationError({"sql": [tk._(CATALOGUE_CAST_REFUSED)]})
    try:
        return original(context, data_dict)
    except tk.NotAuthorized as error:
        if str(error).startswith(_QUERY_REFUSED):
            raise
        raise tk.ObjectNotFound(tk._(NO_SUCH_TABLE)) from None
    except tk.ObjectNotFound:  # a table that is no resource (core's auth looks it up as one)
        raise tk.ObjectNotFound(tk._(NO_SUCH_TABLE)) from None
    except tk.ValidationError as error:
        if not _undefined_relation(error):
            raise
        raise tk.ObjectNotFound(tk._(NO_SUCH_TABLE)) from None


def actions() -> dict[str, Any]:
    import ckan.plugins as p

    if not p.plugin_loaded("datastore"):
        return {}
    return {"datastore_search": datastore_search, "datastore_search_sql": datastore_search_sql}
