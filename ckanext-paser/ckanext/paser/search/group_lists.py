"""The group and organisation list and show actions, whose dataset counts and lists come from the search: their
input checked before CKAN reads it.

CKAN answers a server error for ``q`` with a NUL character (``/dinas/?q=%00``, ``/group/?q=%00``: PostgreSQL
refuses it), a ``sort`` with an empty part (``sort=,``: ``_unpick_search`` takes the first word of nothing), a
flag such as ``include_dataset_count=maybe`` or ``include_datasets=maybe`` (``asbool`` raises) and a blank
``limit``. Each becomes a ValidationError: 409 in the action API, and the list pages (``/group/``, ``/dinas/``,
``/kecamatan/``) flash its message above an empty list, as CKAN does for the errors it raises itself.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import Invalid, missing

from .. import validation
from ..localization import N_
from .guard import INT_MAX, _bounded_query

BAD_SORT = N_("Each part of the sort must be a field name, optionally followed by asc or desc.")

BOOLEAN_FLAGS = ("all_fields", "include_dataset_count", "include_datasets", "include_extras", "include_tags",
                 "include_groups", "include_users", "include_followers", "include_member_count")


def _sort(value: Any, context: dict[str, Any]) -> Any:
    if value is missing or value is None or value == "":
        return value
    validation.clean_text(value, context)
    for part in value.split(","):
        words = part.split()
        if not words or len(words) > 2:
            raise Invalid(tk._(BAD_SORT))
    return value


def group_schema() -> dict[str, list[Callable[..., Any]]]:
    ignore_missing = tk.get_validator("ignore_missing")
    schema: dict[str, list[Callable[..., Any]]] = {
        "id": [ignore_missing, validation.clean_text],
        "q": [ignore_missing, validation.clean_text, _bounded_query],
        "sort": [ignore_missing, _sort],
        "type": [ignore_missing, validation.clean_text],
        "limit": [ignore_missing, validation.whole_number(0, INT_MAX)],
        "offset": [ignore_missing, validation.whole_number(0, INT_MAX)],
    }
    for flag in BOOLEAN_FLAGS:
        schema[flag] = [ignore_missing, validation.strict_boolean]
    return schema


def check(data_dict: dict[str, Any]) -> None:
    """Raise ValidationError naming each bad parameter; the original data goes on to CKAN unchanged."""
    schema = group_schema()
    validation.validate({key: value for key, value in data_dict.items() if key in schema}, schema)


def _checked(action: str) -> Callable[..., Any]:
    def checked(original: Callable[..., Any], context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
        check(data_dict)
        return original(context, data_dict)

    checked.__name__ = action
    checked.__doc__ = f"``{action}`` with its search-related parameters checked first."
    return tk.side_effect_free(tk.chained_action(checked))


def actions() -> dict[str, Any]:
    return {action: _checked(action) for action in ("group_list", "organization_list", "group_show",
                                                      "organization_show")}
