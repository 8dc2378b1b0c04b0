"""Template helpers of the figures store and the flags."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ..access import walidata
from . import display, evaluation, flags, rules, store


def _user_name() -> str:
    return getattr(tk.current_user, "name", "") or "" if tk.current_user else ""


def paser_resource_check(resource_id: str) -> dict[str, Any] | None:
    """The figures check of a resource as the current user may see it; None when there is none to show."""
    try:
        return tk.get_action("paser_resource_check_show")({"user": _user_name()}, {"id": resource_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None


def paser_flags(dataset_id: str | None = None, resource_id: str | None = None,
                status: str = "open,acknowledged", limit: int = 100) -> list[dict[str, Any]]:
    """The flags the current user may see about a dataset or a resource; [] for anonymous visitors."""
    data_dict: dict[str, Any] = {"status": status, "limit": limit}
    if dataset_id:
        data_dict["dataset_id"] = dataset_id
    if resource_id:
        data_dict["resource_id"] = resource_id
    try:
        return tk.get_action("paser_flag_list")({"user": _user_name()}, data_dict)["results"]
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return []


def paser_resource_check_summary(check: dict[str, Any]) -> dict[str, int]:
    """The counts of a resource's figures check as its page sums them up: ``problems`` found reading the table
    plus the open flags on its figures that come from other rules (cross-producer, sums of levels, ...), and
    ``open_flags``, all open flags on its figures the reader may see (the page's list of flags shows them). A
    reading problem that is a consistency finding is also an open flag of the resource's own scope: counted once.
    """
    open_flags = paser_flags(resource_id=check["resource_id"], status="open", limit=1000)
    ids = [flag["id"] for flag in open_flags]
    own = 0
    if ids:
        table = flags.flag_table
        query = sa.select(sa.func.count()).select_from(table).where(
            table.c.id.in_(ids), table.c.scope == evaluation.resource_scope(check["resource_id"]))
        with store.engine().connect() as connection:
            own = connection.execute(query).scalar_one()
    problems = int(check.get("problem_count") or 0)
    return {"problems": problems + len(ids) - own, "open_flags": len(ids)}


def paser_can_manage_flags() -> bool:
    return walidata.can_manage(_user_name())


def paser_is_walidata() -> bool:
    return walidata.is_walidata(_user_name())


def paser_flag_rule_label(rule: str) -> str:
    return display.label(rules.RULE_LABELS, rule)


def paser_flag_status_label(status: str) -> str:
    return display.label(display.STATUS_LABELS, status)


def paser_flag_severity_label(severity: str) -> str:
    return display.label(display.SEVERITY_LABELS, severity)


def paser_flag_rules() -> list[tuple[str, str]]:
    return [(rule, tk._(label)) for rule, label in rules.RULE_LABELS.items()]


def helpers() -> dict[str, Any]:
    return {
        "paser_resource_check": paser_resource_check, "paser_flags": paser_flags,
        "paser_resource_check_summary": paser_resource_check_summary,
        "paser_can_manage_flags": paser_can_manage_flags, "paser_is_walidata": paser_is_walidata,
        "paser_flag_rule_label": paser_flag_rule_label, "paser_flag_status_label": paser_flag_status_label,
        "paser_flag_severity_label": paser_flag_severity_label, "paser_flag_rules": paser_flag_rules,
    }
