"""Actions of the figures store: ``paser_resource_check_show``."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ..localization import N_
from . import store

NOT_CHECKED = N_("This resource has not been checked.")


def _translated(message: str | None, params: dict[str, Any] | None) -> str | None:
    if not message:
        return None
    return tk._(message) % dict(params or {})


@tk.side_effect_free
def paser_resource_check_show(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The check of one resource: status (pending, running, done, error), the count of figures stored, the
    problems found (``text`` in English, ``display`` in the request's language) and the error of a failed check.

    :param id: the resource's id (``resource_id`` is accepted too)
    """
    resource_id = tk.get_or_bust(data_dict, "id") if "id" in data_dict else tk.get_or_bust(data_dict, "resource_id")
    # Whoever can read the resource (so its private dataset) can read its check.
    tk.check_access("resource_show", context, {"id": resource_id})
    check = store.get_check(resource_id)
    if check is None:
        raise tk.ObjectNotFound(tk._(NOT_CHECKED))
    problems = [
        {**problem, "display": _translated(problem["message"], problem.get("params"))}
        for problem in check["problems"]
    ]
    return {
        "resource_id": check["resource_id"],
        "package_id": check["package_id"],
        "status": check["status"],
        "figures": check["figures"],
        "problem_count": len(problems),
        "problems": problems,
        "checked_at": check["checked_at"].isoformat() if check["checked_at"] else None,
        "error": check["error"],
        "error_display": _translated(check["error_message"], check["error_params"]),
    }


def actions() -> dict[str, Any]:
    return {"paser_resource_check_show": paser_resource_check_show}
