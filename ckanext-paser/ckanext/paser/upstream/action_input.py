"""Schemas for the input of upstream actions that never validated it (see the package's docstring)."""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model

from .. import validation
from ..localization import N_

MISSING_QUERY = N_("Missing value: give the text to look for in q.")
MISSING_ID = N_("Missing value: give the id.")
AUTOCOMPLETE_LIMIT_MAX = 100

_AUTOCOMPLETE_SCHEMA = {
    "q": [validation.required(MISSING_QUERY), validation.clean_text],
    "limit": [tk.get_validator("ignore_missing"), validation.whole_number(1, AUTOCOMPLETE_LIMIT_MAX)],
}
_ID_SCHEMA = {"id": [validation.required(MISSING_ID), validation.clean_text]}
_ACTIVITY_SCHEMA = {
    "id": [validation.required(MISSING_ID), validation.clean_text],
    "include_data": [tk.get_validator("default")(False), validation.strict_boolean],
}


def _validated(original: Any, schema: dict[str, Any], context: dict[str, Any],
               data_dict: dict[str, Any]) -> Any:
    checked = validation.validate(data_dict, schema, context)
    return original(context, {**data_dict, **checked})


@tk.chained_action
@tk.side_effect_free
def group_autocomplete(original: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    return _validated(original, _AUTOCOMPLETE_SCHEMA, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def organization_autocomplete(original: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    return _validated(original, _AUTOCOMPLETE_SCHEMA, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def activity_show(original: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    # ckanext-activity's auth function reads data_dict["include_data"], which the action itself defaults. The
    # activity of a dataset the user may not read is answered as a missing one (privacy.existence).
    from ..privacy import existence

    checked = {**data_dict, **validation.validate(data_dict, _ACTIVITY_SCHEMA, context)}
    return existence.conceal(original, context, checked, existence.ACTIVITY, ("id",))


@tk.chained_action
@tk.side_effect_free
def harvest_source_show_status(original: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    # Its auth function reads data_dict["id"] before anything checks that there is one.
    return _validated(original, _ID_SCHEMA, context, data_dict)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def package_collaborator_list(original: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    # CKAN's auth function asserts a logged-in user: an anonymous call was an AssertionError, a 500. (The API's
    # auth_user_obj is Flask-Login's anonymous user then, which is truthy: look the name up.)
    if not context.get("user") or model.User.get(context["user"]) is None:
        return {"success": False, "msg": tk._("Not authorized to see this page")}
    return original(context, data_dict)


def actions() -> dict[str, Any]:
    found = {"group_autocomplete": group_autocomplete, "organization_autocomplete": organization_autocomplete}
    if p.plugin_loaded("activity"):
        found["activity_show"] = activity_show
    if p.plugin_loaded("harvest"):
        found["harvest_source_show_status"] = harvest_source_show_status
    return found


def auth_functions() -> dict[str, Any]:
    return {"package_collaborator_list": package_collaborator_list}
