"""Auth functions of the flags: who may list, show and update them (the rules themselves are in ``access``)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ..access import walidata


def paser_flag_list(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    # Any logged-in user: what each sees is narrowed in the flag actions (privacy.flags).
    from ckan import model

    if not context.get("user") or model.User.get(context["user"]) is None:
        return {"success": False, "msg": tk._("Log in to see consistency flags.")}
    return {"success": True}


def paser_flag_show(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    return paser_flag_list(context, data_dict)


def paser_flag_update(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    if walidata.can_manage(context.get("user")):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the walidata changes the status of a consistency flag.")}


def auth_functions() -> dict[str, Any]:
    return {"paser_flag_list": paser_flag_list, "paser_flag_show": paser_flag_show,
            "paser_flag_update": paser_flag_update, **walidata.auth_functions()}
