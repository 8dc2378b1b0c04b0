"""Template helpers of the figures store."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


def paser_resource_check(resource_id: str) -> dict[str, Any] | None:
    """The figures check of a resource as the current user may see it; None when there is none to show."""
    try:
        return tk.get_action("paser_resource_check_show")({"user": tk.current_user.name if tk.current_user else ""},
                                                          {"id": resource_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None


def helpers() -> dict[str, Any]:
    return {"paser_resource_check": paser_resource_check}
