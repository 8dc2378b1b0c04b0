"""Access rules of ckanext-harvest's actions that the portal tightens or completes."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk

from ..localization import N_

JOBS_OF_EVERY_SOURCE = N_("Only a sysadmin may list the jobs of every harvest source: give source_id to list the "
                          "jobs of one source.")


@tk.chained_auth_function
def harvest_job_list(next_auth: Callable[..., Any], context: dict[str, Any],
                     data_dict: dict[str, Any] | None) -> dict[str, Any]:
    """ckanext-harvest lists the jobs of every source when no `source_id` is given (what a sysadmin gets: CKAN
    lets sysadmins through before any auth function), but its auth function reads `data_dict["source_id"]` and
    failed with a KeyError (500) for everyone else. Without a source, only a sysadmin may list; with one, those
    who may update that source (upstream's rule)."""
    if not (data_dict or {}).get("source_id"):
        return {"success": False, "msg": tk._(JOBS_OF_EVERY_SOURCE)}
    return next_auth(context, data_dict)


def auth_functions() -> dict[str, Any]:
    import ckan.plugins as p

    return {"harvest_job_list": harvest_job_list} if p.plugin_loaded("harvest") else {}
