"""The search parameters every caller of ``package_search`` may send, checked before CKAN and its plugins read them.

CKAN's own package_search schema lets through what then fails with a server error: a blank ``start``, ``rows`` or
``facet.mincount`` (its validators turn it into None, which it then compares with 0), an object as ``rows``,
``include_private=maybe`` (``asbool`` raises), ``extras`` that is not an object (ckanext-spatial calls ``.get`` on
it), ``fl`` with numbers. And ckanext-spatial 2.3.2 (``SolrBBoxSearchBackend.search_params``) wraps an ``ext_bbox``
longitude into -180..180 with ``while minx > 180: minx -= 360``, which never ends for 1e308 or infinity (a
subtraction that no longer changes the number) and runs for minutes for 1e12: one request pins a worker forever.
Upstream should bound the box itself; until then this module refuses boxes outside sensible ranges.

The checks run in a chained ``package_search`` (before ``before_dataset_search`` of any plugin, whatever the plugin
order) on a copy of the parameters; the original goes on to CKAN unchanged, so valid searches behave as before.
This holds for the embedded backend and for Solr alike. ``group_lists`` does the same for the group and
organisation actions.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import Invalid, missing
from ckan.lib.search.common import SearchError

from .. import validation
from ..localization import N_
from .lucene import MAX_QUERY_LENGTH

# Solr reads rows, start and the facet numbers as 32-bit integers.
INT_MAX = 2**31 - 1
# A map of the regency panned a few worlds east or west still lies within this; ckanext-spatial then wraps it in at
# most two steps.
MAX_LONGITUDE = 720.0
MAX_LATITUDE = 90.0
MAX_FACET_FIELDS = 100

BBOX_FORMAT = N_("The bounding box must be four numbers separated by commas: west, south, east, north.")
BBOX_NOT_FINITE = N_("Each number of the bounding box must be finite.")
BBOX_LONGITUDE = N_("Longitudes of the bounding box must be from {minimum} to {maximum}.")
BBOX_LATITUDE = N_("Latitudes of the bounding box must be from {minimum} to {maximum}.")
BBOX_ORDER = N_("The west of the bounding box must not be east of its east, nor its south north of its north.")
QUERY_TOO_LONG = N_("The query is too long: at most {limit} characters.")
NOT_EXTRAS = N_("Must be an object of ext_ parameters and their texts.")
TOO_MANY_FACETS = N_("At most {limit} facet fields.")


class SearchInputError(tk.ValidationError, SearchError):
    """Bad search input: a ValidationError (409 in the action API, naming each bad parameter) that is also a
    SearchError, which CKAN's search pages (dataset, group and organisation) catch and render as the page with
    "There was an error while searching" instead of a server error."""


def bounding_box(value: Any) -> tuple[float, float, float, float]:
    """The (west, south, east, north) of an ``ext_bbox`` as ckanext-spatial reads it; Invalid when it is not
    four finite numbers within the globe's ranges (longitudes with a few turns of slack) and in order."""
    parts = value.split(",") if isinstance(value, str) else value
    if not isinstance(parts, (list, tuple)) or len(parts) != 4 \
            or not all(isinstance(part, (str, int, float)) and not isinstance(part, bool) for part in parts):
        raise Invalid(tk._(BBOX_FORMAT))
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        raise Invalid(tk._(BBOX_FORMAT)) from None
    if not all(math.isfinite(number) for number in (west, south, east, north)):
        raise Invalid(tk._(BBOX_NOT_FINITE))
    if not all(-MAX_LONGITUDE <= number <= MAX_LONGITUDE for number in (west, east)):
        raise Invalid(tk._(BBOX_LONGITUDE).format(minimum=-MAX_LONGITUDE, maximum=MAX_LONGITUDE))
    if not all(-MAX_LATITUDE <= number <= MAX_LATITUDE for number in (south, north)):
        raise Invalid(tk._(BBOX_LATITUDE).format(minimum=-MAX_LATITUDE, maximum=MAX_LATITUDE))
    if west > east or south > north:
        raise Invalid(tk._(BBOX_ORDER))
    return west, south, east, north


def _bounded_query(value: Any, context: dict[str, Any]) -> Any:
    if isinstance(value, str) and len(value) > MAX_QUERY_LENGTH:
        raise Invalid(tk._(QUERY_TOO_LONG).format(limit=MAX_QUERY_LENGTH))
    return value


def _query_list(value: Any, context: dict[str, Any]) -> Any:
    """fq_list: a list of filter queries, each one bounded text."""
    if value is missing or value is None:
        return value
    items = value if isinstance(value, list) else [value]
    for item in items:
        validation.clean_text(item, context)
        _bounded_query(item, context)
    return value


def _facet_fields(value: Any, context: dict[str, Any]) -> Any:
    """facet.field: a list of names, or its JSON text (CKAN parses it and says when it is not a list)."""
    if value is missing or value is None:
        return value
    if isinstance(value, str):
        validation.clean_text(value, context)
        try:
            value = json.loads(value)
        except ValueError:
            return value  # CKAN's convert_to_json_if_string says so
    if isinstance(value, list):
        if len(value) > MAX_FACET_FIELDS:
            raise Invalid(tk._(TOO_MANY_FACETS).format(limit=MAX_FACET_FIELDS))
        for item in value:
            validation.clean_text(item, context)
    return value


def _extras(value: Any, context: dict[str, Any]) -> Any:
    if value is missing or value is None:
        return value
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        raise Invalid(tk._(NOT_EXTRAS))
    for key, item in value.items():
        if key == "ext_bbox":
            if item:
                bounding_box(item)
        elif isinstance(item, (str, int, float)) or item is None:
            if isinstance(item, str):
                validation.clean_text(item, context)
        else:
            raise Invalid(tk._(NOT_EXTRAS))
    return value


def package_search_schema() -> dict[str, list[Callable[..., Any]]]:
    """What each parameter must be; parameters not named here are CKAN's (or the backend's) to judge."""
    ignore_missing = tk.get_validator("ignore_missing")
    text = [ignore_missing, validation.clean_text]
    query = [ignore_missing, validation.clean_text, _bounded_query]
    boolean = [ignore_missing, validation.strict_boolean]
    return {
        "q": query,
        "fq": query,
        "fq_list": [ignore_missing, _query_list],
        "sort": text,
        "rows": [ignore_missing, validation.whole_number(0, INT_MAX)],
        "start": [ignore_missing, validation.whole_number(0, INT_MAX)],
        "facet.mincount": [ignore_missing, validation.whole_number(0, INT_MAX)],
        "facet.limit": [ignore_missing, validation.whole_number(-INT_MAX - 1, INT_MAX)],
        "facet.field": [ignore_missing, _facet_fields],
        "facet": text,
        "facet.sort": text,
        "qf": text,
        "defType": text,
        "mm": text,
        "bf": text,
        "q.op": text,
        "df": text,
        "fl": [ignore_missing, validation.clean_text_or_list],
        "include_private": boolean,
        "include_drafts": boolean,
        "include_deleted": boolean,
        "use_default_schema": boolean,
        "extras": [ignore_missing, _extras],
    }


def check_package_search(data_dict: dict[str, Any]) -> None:
    """Raise SearchInputError naming each bad parameter (ext_* at the top level as the API sends them)."""
    schema = package_search_schema()
    known = {key: value for key, value in data_dict.items() if key in schema}
    errors: dict[str, list[str]] = {}
    try:
        validation.validate(known, schema)
    except tk.ValidationError as error:
        errors.update(error.error_dict)
    top_level_extras = {key: value for key, value in data_dict.items() if key.startswith("ext_")}
    if top_level_extras:
        try:
            _extras(top_level_extras, {})
        except Invalid as error:
            name = "ext_bbox" if "ext_bbox" in top_level_extras else next(iter(top_level_extras))
            errors.setdefault(name, []).append(error.error)
    if errors:
        raise SearchInputError(errors)


@tk.side_effect_free
@tk.chained_action
def package_search(original: Callable[..., Any], context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    check_package_search(data_dict)
    return original(context, data_dict)


def check_package_autocomplete(data_dict: dict[str, Any]) -> None:
    """package_autocomplete searches with ``q`` in four fields and ``limit`` as the rows."""
    ignore_missing = tk.get_validator("ignore_missing")
    schema = {"q": [ignore_missing, validation.clean_text, _bounded_query],
              "limit": [ignore_missing, validation.whole_number(0, INT_MAX)]}
    try:
        validation.validate({key: value for key, value in data_dict.items() if key in schema}, schema)
    except tk.ValidationError as error:
        raise SearchInputError(error.error_dict) from None


@tk.side_effect_free
@tk.chained_action
def package_autocomplete(original: Callable[..., Any], context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    check_package_autocomplete(data_dict)
    return original(context, data_dict)


def actions() -> dict[str, Any]:
    from . import group_lists

    return {"package_search": package_search, "package_autocomplete": package_autocomplete,
            **group_lists.actions()}
