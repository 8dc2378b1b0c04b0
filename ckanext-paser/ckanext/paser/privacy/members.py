"""``member_list`` of an organisation or group lists only the datasets the viewer may read.

CKAN returns every member row, so ``member_list?id=<org>`` (and ``object_type=package`` of a group) gave anyone
the ids of its private datasets. Users and groups among the members are left as core gives them.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ..access import datasets


@tk.side_effect_free
@tk.chained_action
def member_list(original: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    members = original(context, data_dict)
    name = datasets.user_name(context)
    if datasets.is_sysadmin(name):
        return members
    package_ids = [member[0] for member in members if member[1] == "package"]
    readable = datasets.readable_ids(name, package_ids)
    return [member for member in members if member[1] != "package" or member[0] in readable]


def actions() -> dict[str, Any]:
    return {"member_list": member_list}
