"""The load status as the resource page shows it: the failure message translated and filled."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from . import jobs, status

# Failures stored before their technical cause was only logged quoted it (a driver's error, even SQL): shown as
# the generic message.
RAW_CAUSE_MESSAGES = ("The load into the DataStore failed: %(reason)s.",
                      "The load into the DataStore could not be queued: %(reason)s.")


def message(row: Mapping[str, Any]) -> str | None:
    if not row.get("message"):
        return None
    params = dict(row.get("params") or {})
    msgid: str = row["message"]  # marked with N_ in loader.jobs, checks.jobs and checks.reading
    if msgid in RAW_CAUSE_MESSAGES:
        msgid, params = jobs.LOAD_FAILED, {}
    try:
        return tk._(msgid) % params
    except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder: the English text
        return msgid % params


def paser_datastore_load(resource_id: str) -> dict[str, Any] | None:
    """The DataStore load of a resource (status, rows, loaded_at, message); None when it was never queued."""
    try:
        row = status.get(resource_id)
    except sa.exc.SQLAlchemyError:  # the page shows without it (e.g. before the migration ran)
        return None
    if row is None:
        return None
    return {"status": row["status"], "rows": row["rows"], "loaded_at": row["loaded_at"], "message": message(row)}


def helpers() -> dict[str, Any]:
    return {"paser_datastore_load": paser_datastore_load}
