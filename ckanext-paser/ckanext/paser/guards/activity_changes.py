"""``/dataset/changes_multiple`` (and its group and organisation twins) of ckanext-activity 2.11 with bad input.

Upstream calls ``activity_show`` on ``new_id`` and ``old_id`` without catching its errors, so a dataset id, a
missing or unknown id, a NUL character or a private dataset's activity is a server error; a reversed range without
``current_new_id`` is one too, and two activities of different objects walk one object's whole history. Here both
ids must be activities the visitor may see (else 404, the same for private and missing), of the same object
(else 400); the upstream view then runs, its own ObjectNotFound/NotAuthorized/ValidationError answered 404/400.
Worth reporting upstream (ckan/ckan, ckanext/activity/views.py).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
import flask

from .. import validation
from ..localization import N_

ENDPOINTS = ("activity.package_changes_multiple", "activity.group_changes_multiple",
             "activity.organization_changes_multiple")
ACTIVITY_NOT_FOUND = "Activity not found"  # core's msgid, as its own changes page says it
CHOOSE_TWO_VERSIONS = N_("Choose two versions of the same item to compare (new_id and old_id).")
DIFFERENT_OBJECTS = N_("The two versions to compare belong to different items.")


def _activity(activity_id: Any) -> dict[str, Any]:
    user = tk.current_user
    context = {"user": user.name if user and user.is_authenticated else "", "auth_user_obj": user}
    try:
        return tk.get_action("activity_show")(context, {"id": activity_id, "include_data": False})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        tk.abort(404, tk._(ACTIVITY_NOT_FOUND))


def guard(original: Callable[..., Any], **view_args: Any) -> Any:
    args = flask.request.args
    new_id, old_id = args.get("new_id"), args.get("old_id")
    if not new_id or not old_id:
        tk.abort(400, tk._(CHOOSE_TWO_VERSIONS))
    for value in (new_id, old_id, args.get("current_new_id") or ""):
        if (error := validation.text_error(value)) is not None:
            tk.abort(400, error)
    new, old = _activity(new_id), _activity(old_id)
    if new.get("object_id") != old.get("object_id"):
        tk.abort(400, tk._(DIFFERENT_OBJECTS))
    if old["timestamp"] >= new["timestamp"]:
        # Upstream then shows the single change `current_new_id`: it must be one of the same item.
        current = _activity(args.get("current_new_id") or new_id)
        if current.get("object_id") != new.get("object_id"):
            tk.abort(400, tk._(DIFFERENT_OBJECTS))
    try:
        return original(**view_args)
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._(ACTIVITY_NOT_FOUND))
    except tk.ValidationError:
        return tk.abort(400, tk._(CHOOSE_TWO_VERSIONS))
