"""Which datasets and flags a user may see, as SQL conditions for the exports (one filter per query, so a
million-row export is not a million ``package_show`` calls).

The dataset condition is CKAN's permission labels written in SQL: a dataset carries ``public`` when it is active
and not private, else ``member-<organisation>`` (``creator-<user>`` without one) and, when collaborators are on,
``collaborator-<dataset>``; the bundle adds ``walidata`` to private ones (checks.access.dataset_labels). The user's
labels come from the configured IPermissionLabels plugin itself, as the search backend gets them; tests compare
the outcome with ``package_show`` for every kind of reader. Exports only ever show active datasets.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import authz, model
from ckan.lib.plugins import get_permission_labels

from ..checks import access
from ..checks.flags import flag_dataset_table, flag_table

OPEN = "open"


def user_labels(user_name: str | None) -> list[str]:
    user = model.User.get(user_name) if user_name else None
    if user is not None and user.state != "active":
        user = None
    return list(get_permission_labels().get_user_dataset_labels(user))


def _is_sysadmin(user_name: str | None) -> bool:
    user = model.User.get(user_name) if user_name else None
    return bool(user is not None and user.state == "active" and user.sysadmin)


def readable_clause(package: sa.Table | Any, user_name: str | None) -> sa.ColumnElement:
    """SQL condition on a ``package`` table (or alias): the user may read this active dataset."""
    active = package.c.state == "active"
    if _is_sysadmin(user_name):
        return active
    labels = user_labels(user_name)
    owner_label = sa.case(
        (package.c.owner_org.isnot(None), sa.literal("member-") + package.c.owner_org),
        else_=sa.literal("creator-") + sa.func.coalesce(package.c.creator_user_id, ""))
    allowed = [package.c.private.is_(False), owner_label.in_(labels)]
    if authz.check_config_permission("allow_dataset_collaborators"):
        allowed.append((sa.literal("collaborator-") + package.c.id).in_(labels))
    if access.WALIDATA_LABEL in labels:
        allowed.append(package.c.private.is_(True))
    return sa.and_(active, sa.or_(*allowed))


def marked_flags_clause(user_name: str | None) -> sa.ColumnElement:
    """SQL condition on ``paser_flag``: an open flag the export may mark for this user. The walidata sees every
    flag; anyone else only flags whose every dataset they may read, so a marker never hints at private data (the
    same rule as the search's "has open flags" facet)."""
    open_flag = flag_table.c.status == OPEN
    if access.is_walidata(user_name):
        return open_flag
    package = model.package_table.alias("flag_package")
    links = flag_dataset_table.alias("flag_link")
    hidden = sa.exists(
        sa.select(1).select_from(links.outerjoin(package, package.c.id == links.c.package_id))
        .where(links.c.flag_id == flag_table.c.id,
               sa.not_(sa.func.coalesce(readable_clause(package, user_name), False))))
    return sa.and_(open_flag, ~hidden)
