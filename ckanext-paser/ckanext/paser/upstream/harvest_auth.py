"""Auth functions ckanext-harvest 1.6.3 lacks (see the package's docstring).

Without them CKAN's auth registry holds the action itself under the action's name: checking access recursed until
a RecursionError (a 500 for every non-sysadmin), and ``harvest_abort_failed_jobs``, which checks no access at all,
could be called by anyone through the API. Each gets the auth of the action it acts like, or sysadmins only.
Its sysadmin-only checks fail for an anonymous visitor (``user_is_sysadmin`` raises ``pt.Objectpt.ObjectNotFound``,
an AttributeError: a 500): those refuse a visitor who is not logged in before upstream's check runs.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

# action -> the upstream auth function that already decides the same thing; None: sysadmins only.
DELEGATED_AUTH = {
    "harvest_job_report": "harvest_job_show",
    "harvest_source_index_clear": "harvest_source_clear",
    "harvest_source_job_history_clear": "harvest_source_clear",
    "harvest_source_patch": "harvest_source_update",
    "harvest_log_list": None,
    "harvest_abort_failed_jobs": None,
    "harvest_sources_job_history_clear": None,
}
# Upstream auth functions that call ``user_is_sysadmin`` (directly, or as harvest_job_abort through
# harvest_jobs_run).
SYSADMIN_CHECKED = ("harvest_sources_clear", "harvest_objects_import", "harvest_jobs_run", "harvest_job_abort",
                    "harvest_sources_reindex", "harvest_job_create_all")


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def _refusing_anonymous(original: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    if not context.get("user"):
        return {"success": False, "msg": tk._("Only sysadmins may do this.")}
    return original(context, data_dict)


def _auth_like(target: str | None) -> Any:
    @tk.chained_auth_function
    def auth(original: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
        # ``original`` is the action itself (the upstream bug): never call it here.
        if target is None:
            return {"success": False, "msg": tk._("Only sysadmins may do this.")}
        try:
            tk.check_access(target, context, data_dict)
        except tk.NotAuthorized as error:
            return {"success": False, "msg": str(error)}
        return {"success": True}

    return auth


@tk.chained_action
def harvest_abort_failed_jobs(original: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    tk.check_access("harvest_abort_failed_jobs", context, data_dict)
    return original(context, data_dict)


def auth_functions() -> dict[str, Any]:
    return {**{action: _refusing_anonymous for action in SYSADMIN_CHECKED},
            **{action: _auth_like(target) for action, target in DELEGATED_AUTH.items()}}


def actions() -> dict[str, Any]:
    return {"harvest_abort_failed_jobs": harvest_abort_failed_jobs}
