"""The walidata: who belongs to it, who of them manages flags, and its reading of every dataset.

The walidata organisation (``ckanext.paser.walidata_organization``, Diskominfostaper by default) checks the data of
every producer before it is published, so its members read every dataset, private ones included, and see all flags;
its editors and admins (and sysadmins) change a flag's status. Anyone else sees a flag only when it involves a
dataset of an organisation they belong to and they can read every dataset it involves.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

CONFIG_WALIDATA_ORGANIZATION = "ckanext.paser.walidata_organization"
DEFAULT_WALIDATA_ORGANIZATION = "diskominfostaper"
WALIDATA_LABEL = "walidata"
MANAGING_CAPACITIES = ("editor", "admin")


def walidata_organization() -> str:
    return (tk.config.get(CONFIG_WALIDATA_ORGANIZATION) or DEFAULT_WALIDATA_ORGANIZATION).strip()


def _user(user_name: str | None) -> model.User | None:
    return model.User.get(user_name) if user_name else None


def _walidata_capacity(user: model.User) -> str | None:
    group = model.Group.get(walidata_organization())
    if group is None or not group.is_organization:
        return None
    member = (model.Session.query(model.Member.capacity)
              .filter(model.Member.group_id == group.id, model.Member.table_name == "user",
                      model.Member.table_id == user.id, model.Member.state == "active").first())
    return member[0] if member else None


def is_walidata(user_name: str | None) -> bool:
    """Sysadmins and members of the walidata organisation: they see everything."""
    user = _user(user_name)
    if user is None or user.state != "active":
        return False
    return bool(user.sysadmin) or _walidata_capacity(user) is not None


def can_manage(user_name: str | None) -> bool:
    user = _user(user_name)
    if user is None or user.state != "active":
        return False
    return bool(user.sysadmin) or _walidata_capacity(user) in MANAGING_CAPACITIES


def organization_ids(user_name: str | None) -> list[str]:
    """The organisations the user is a member of (any capacity)."""
    user = _user(user_name)
    if user is None:
        return []
    return [group_id for (group_id,) in model.Session.query(model.Member.group_id)
            .join(model.Group, model.Group.id == model.Member.group_id)
            .filter(model.Member.table_name == "user", model.Member.table_id == user.id,
                    model.Member.state == "active", model.Group.is_organization.is_(True),
                    model.Group.state == "active")]


# --- the walidata reads every dataset ---------------------------------------------------------------------

@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def package_show(original: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    result = original(context, data_dict)
    if result.get("success"):
        return result
    if is_walidata(context.get("user")):
        return {"success": True}
    return result


def auth_functions() -> dict[str, Any]:
    return {"package_show": package_show}


def dataset_labels(dataset: Any, labels: list[str]) -> list[str]:
    """Permission labels of a dataset for the search index: private ones are also readable by the walidata."""
    if getattr(dataset, "private", False):
        return [*labels, WALIDATA_LABEL]
    return labels


def user_labels(user: Any, labels: list[str]) -> list[str]:
    if user is not None and not getattr(user, "is_anonymous", False) and is_walidata(getattr(user, "name", None)):
        return [*labels, WALIDATA_LABEL]
    return labels

