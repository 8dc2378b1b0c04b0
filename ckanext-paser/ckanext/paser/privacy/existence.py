""""Private" and "does not exist" give the same answer to whoever may not read the dataset.

CKAN answers a private dataset (or its resource, its activity, its DataStore table) with 403 and a message naming
the dataset's id, and a missing one with 404: an oracle telling anyone which names and ids exist. These chained
actions turn the refusal into exactly the answer a missing object gets: when the original action is refused and
the user may not read the dataset involved, the original runs once more for an id that cannot exist, and what it
raises then (its NotFound, with the requested id put back where the message quotes it) is raised instead. A
refusal about a dataset the user may read (a public one they may not change) stays a refusal.
"""
from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz, model

PACKAGE, RESOURCE = "package", "resource"


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
    resource = model.Resource.get(identifier)
    if resource is None and (real_id := _datastore_real_id(identifier)):
        resource = model.Resource.get(real_id)
    return resource.package if resource is not None else None


def may_read(context: dict[str, Any], package: model.Package) -> bool:
    """``package_show``'s own auth (with the walidata's chained rule), for the context's user."""
    auth_context = {"model": model, "session": model.Session, "user": context.get("user") or "",
                    "auth_user_obj": context.get("auth_user_obj")}
    try:
        return authz.is_authorized_boolean("package_show", auth_context, {"id": package.id})
    except tk.ObjectNotFound:
        return False


def conceal(original: Callable[..., Any], context: dict[str, Any], data_dict: dict[str, Any], kind: str,
             keys: tuple[str, ...]) -> Any:
    try:
        return original(context, data_dict)
    except tk.NotAuthorized:
        key = next((key for key in keys if data_dict.get(key)), None)
        if key is None or not isinstance(data_dict[key], str):
            raise
        identifier = data_dict[key]
        package = _package_of(kind, identifier)
        if package is None or may_read(context, package):
            raise
        missing = str(uuid.uuid4())
        try:
            original(dict(context), {**{k: v for k, v in data_dict.items() if k not in keys}, key: missing})
        except tk.ObjectNotFound as error:
            message = error.message.replace(missing, identifier) if error.message else error.message
            raise tk.ObjectNotFound(message) from None
        except tk.NotAuthorized:
            pass  # an action that refuses before looking: a refusal for both, as it is
        raise


def _concealing(action: str, kind: str, *keys: str) -> Callable[..., Any]:
    def concealing(original: Callable[..., Any], context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
        return conceal(original, context, data_dict, kind, keys)

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
    if not p.plugin_loaded("activity"):
        wanted.pop("package_activity_list")
    result = {action: _concealing(action, kind, *keys) for action, (kind, *keys) in wanted.items()}
    from ..checks import actions as check_actions

    bundle = check_actions.actions()
    for action, (kind, *keys) in BUNDLE_CONCEALED.items():
        result[action] = tk.side_effect_free(functools.partial(_concealing(action, kind, *keys), bundle[action]))
    return result
