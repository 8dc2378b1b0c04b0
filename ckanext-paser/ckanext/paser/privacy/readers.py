"""Who may read which datasets, in one query: the permission-label rule of ``exports.readable`` (the same as
``package_show``'s) applied to a set of dataset ids."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from ckan import model

from ..exports import readable


def user_name(context: dict[str, Any]) -> str | None:
    return context.get("user") or None


def is_sysadmin(name: str | None) -> bool:
    user = model.User.get(name) if name else None
    return bool(user is not None and user.state == "active" and user.sysadmin)


def readable_ids(name: str | None, package_ids: Iterable[str]) -> set[str]:
    """The ids among ``package_ids`` of active datasets the user may read."""
    wanted = sorted({str(package_id) for package_id in package_ids if package_id})
    if not wanted:
        return set()
    package = model.package_table
    query = sa.select(package.c.id).where(package.c.id.in_(wanted), readable.readable_clause(package, name))
    return {row[0] for row in model.Session.execute(query)}


def can_read(name: str | None, package_id: str) -> bool:
    return package_id in readable_ids(name, [package_id])
