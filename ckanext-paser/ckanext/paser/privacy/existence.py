""""Private" and "does not exist" give the same answer to whoever may not read the dataset.

CKAN answers a private dataset (or its resource, its activity, its DataStore table) with 403 and a message naming
the dataset's id, and a missing one with 404: an oracle telling anyone which names and ids exist. These chained
actions turn the refusal into exactly the answer a missing object gets: when the original action is refused and
the user may not read the dataset involved, the original runs once more for an id that cannot exist, and what it
raises then (its NotFound, with the requested id put back where the message quotes it) is raised instead. A
refusal about a dataset the user may read (a public one they may not change) stays a refusal. A few actions answer
for a dataset without asking whether the user may read it (``dataset_follower_count``): those are asked about the
dataset first (``ANSWERS_UNREAD``).
"""
from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz, model

PACKAGE, RESOURCE, ACTIVITY, VIEW = "package", "resource", "activity", "view"
# What actions and auth functions keep in the context for the next call to find.
CACHED_OBJECTS = frozenset({"package", "resource", "resource_view", "activity", "group"})


def _datastore_real_id(resource_id: str) -> str | None:
    """The resource behind a DataStore alias (None when it is no alias)."""
    try:
        from ckanext.datastore.backend import DatastoreBackend

        exists, real_id = DatastoreBackend.get_active_backend().resource_id_from_alias(resource_id)
    except Exception:  # noqa: BLE001 - no DataStore configured, or its database is down: no alias to follow
        return None
    return real_id if exists else None


def _package_of(kind: str, identifier: str) -> model.Package | None:
    if kind == PACKAGE:
        return model.Package.get(identifier)
    if kind == ACTIVITY:
        from ckanext.activity.model import Activity

        activity = model.Session.query(Activity).get(identifier)
        # a dataset's activities name it as their object; other objects' (users, groups) are not concealed here
        return model.Package.get(activity.object_id) if activity is not None and activity.object_id else None
    if kind == VIEW:
        view = model.ResourceView.get(identifier)
        identifier = view.resource_id if view is not None else ""
    resource = model.Resource.get(identifier) if identifier else None
    if resource is None and kind == RESOURCE and (real_id := _datastore_real_id(identifier)):
        resource = model.Resource.get(real_id)
    return resource.package if resource is not None else None


def may_read(context: dict[str, Any], package: model.Package) -> bool:
    """``package_show``'s own auth (with the walidata's chained rule), for the context's user."""
    user = context.get("user") or ""
    # before the action's own check_access, the context may not hold the user object package_show's auth reads
    auth_context = {"model": model, "session": model.Session, "user": user,
                    "auth_user_obj": context.get("auth_user_obj") or (model.User.get(user) if user else None)}
    try:
        return authz.is_authorized_boolean("package_show", auth_context, {"id": package.id})
    except tk.ObjectNotFound:
        return False


def conceal(original: Callable[..., Any], context: dict[str, Any], data_dict: dict[str, Any], kind: str,
            keys: tuple[str, ...], ask_first: bool = False) -> Any:
    """``original``, answering a dataset (resource, activity) the user may not read as a missing one.

    With ``ask_first`` the user's read access is checked before the action runs (for actions that would answer
    without checking it); otherwise only once the action has refused."""
    key = next((key for key in keys if data_dict.get(key)), None)
    if ask_first and key is not None and isinstance(data_dict[key], str):
        package = _package_of(kind, data_dict[key])
        if package is not None and not may_read(context, package):
            _raise_as_missing(original, context, data_dict, key)
            raise tk.NotAuthorized()
    try:
        return original(context, data_dict)
    except tk.NotAuthorized:
        if key is None or not isinstance(data_dict[key], str):
            raise
        package = _package_of(kind, data_dict[key])
        if package is None or may_read(context, package):
            raise
        _raise_as_missing(original, context, data_dict, key)
        raise


def _raise_as_missing(original: Callable[..., Any], context: dict[str, Any], data_dict: dict[str, Any],
                      key: str) -> None:
    """Raise what ``original`` raises for an id that cannot exist, the requested id put back in its message
    (returns only when the action refuses that one too: a refusal before looking, the same for both)."""
    identifier, missing = data_dict[key], str(uuid.uuid4())
    # without the objects the first call left in the context (auth functions read context["activity"] first)
    fresh = {name: value for name, value in context.items() if name not in CACHED_OBJECTS}
    try:
        original(fresh, {**data_dict, key: missing})
    except tk.ObjectNotFound as error:
        message = error.message.replace(missing, identifier) if error.message else error.message
        raise tk.ObjectNotFound(message) from None
    except tk.ValidationError as error:  # "Not found: Dataset", as the follower counts say it
        raise tk.ValidationError(_put_back(error.error_dict, missing, identifier)) from None
    except tk.NotAuthorized:
        return
    # an action that answers for a missing id too: nothing to tell apart, but the private dataset's own answer
    # must not be given
    raise tk.ObjectNotFound()


def _put_back(value: Any, missing: str, identifier: str) -> Any:
    if isinstance(value, str):
        return value.replace(missing, identifier)
    if isinstance(value, list):
        return [_put_back(item, missing, identifier) for item in value]
    if isinstance(value, dict):
        return {name: _put_back(item, missing, identifier) for name, item in value.items()}
    return value


def _concealing(action: str, kind: str, *keys: str) -> Callable[..., Any]:
    ask_first = action in ANSWERS_UNREAD

    def concealing(original: Callable[..., Any], context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
        return conceal(original, context, data_dict, kind, keys, ask_first)

    concealing.__name__ = action
    concealing.__doc__ = f"``{action}`` answering an unreadable dataset as a missing one."
    return tk.side_effect_free(tk.chained_action(concealing))


# The read actions that take the id of a dataset or resource (or DataStore table); datastore_* only when the
# DataStore plugin is on (a chained action needs its original).
CONCEALED = {
    "package_show": (PACKAGE, "id", "name_or_id"),
    "resource_show": (RESOURCE, "id"),
    "package_activity_list": (PACKAGE, "id"),
    "resource_view_list": (RESOURCE, "id"),
    "resource_view_show": (VIEW, "id"),
    "package_relationships_list": (PACKAGE, "id", "id2"),
    "package_collaborator_list": (PACKAGE, "id"),
    "dataset_follower_count": (PACKAGE, "id"),
}
# Actions that answer for any dataset, readable or not.
ANSWERS_UNREAD = frozenset({"dataset_follower_count"})
# ckanext-activity's (activity_show is chained in upstream.action_input, which validates its input first).
ACTIVITY_CONCEALED = {
    "activity_data_show": (ACTIVITY, "id"),
    "activity_diff": (ACTIVITY, "id"),
}
# The bundle's own: wrapped directly (the same plugin cannot chain its own action).
BUNDLE_CONCEALED = {
    "paser_resource_check_show": (RESOURCE, "id", "resource_id"),
}
DATASTORE_CONCEALED = {
    "datastore_info": (RESOURCE, "resource_id", "id"),
}  # datastore_search: privacy.datastore, which also guards _table_metadata


def actions() -> dict[str, Any]:
    import ckan.plugins as p

    wanted = dict(CONCEALED)
    if p.plugin_loaded("datastore"):
        wanted.update(DATASTORE_CONCEALED)
    if p.plugin_loaded("activity"):
        wanted.update(ACTIVITY_CONCEALED)
    else:
        wanted.pop("package_activity_list")
    return {action: _concealing(action, kind, *keys) for action, (kind, *keys) in wanted.items()}


def bundle_actions(originals: dict[str, Any]) -> dict[str, Any]:
    """The bundle's own actions of ``BUNDLE_CONCEALED`` among ``originals``, concealing (a plugin cannot chain
    its own action, so they are wrapped directly)."""
    return {action: tk.side_effect_free(functools.partial(_concealing(action, kind, *keys), originals[action]))
            for action, (kind, *keys) in BUNDLE_CONCEALED.items() if action in originals}
