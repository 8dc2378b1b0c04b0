"""Who may read which datasets: CKAN's permission labels written in SQL, one condition per query (so an export of
a million rows, or a tag list over every dataset, is not a million ``package_show`` calls).

A dataset carries ``public`` when it is active and not private, else ``member-<organisation>`` (``creator-<user>``
without one) and, when collaborators are on, ``collaborator-<dataset>``; the bundle adds ``walidata`` to private
ones (``walidata.dataset_labels``). The user's labels come from the configured IPermissionLabels plugin itself, as
the search backend gets them; tests compare the outcome with ``package_show`` for every kind of reader. Only active
datasets are ever readable here.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from ckan import authz, model
from ckan.lib.plugins import get_permission_labels

from .walidata import WALIDATA_LABEL


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
    query = sa.select(package.c.id).where(package.c.id.in_(wanted), readable_clause(package, name))
    return {row[0] for row in model.Session.execute(query)}


def user_labels(user_name: str | None) -> list[str]:
    user = model.User.get(user_name) if user_name else None
    if user is not None and user.state != "active":
        user = None
    return list(get_permission_labels().get_user_dataset_labels(user))


def readable_clause(package: sa.Table | Any, user_name: str | None) -> sa.ColumnElement:
    """SQL condition on a ``package`` table (or alias): the user may read this active dataset."""
    active = package.c.state == "active"
    if is_sysadmin(user_name):
        return active
    labels = user_labels(user_name)
    owner_label = sa.case(
        (package.c.owner_org.isnot(None), sa.literal("member-") + package.c.owner_org),
        else_=sa.literal("creator-") + sa.func.coalesce(package.c.creator_user_id, ""))
    allowed = [package.c.private.is_(False), owner_label.in_(labels)]
    if authz.check_config_permission("allow_dataset_collaborators"):
        allowed.append((sa.literal("collaborator-") + package.c.id).in_(labels))
    if WALIDATA_LABEL in labels:
        allowed.append(package.c.private.is_(True))
    return sa.and_(active, sa.or_(*allowed))
