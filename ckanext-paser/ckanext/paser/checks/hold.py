"""The ``hold`` mode (``ckanext.paser.checks.mode = hold``): a dataset with an error flag that is not yet
resolved stays private, whatever its klasifikasi says, and goes back to what its klasifikasi says once no such
flag remains. In the default ``flag`` mode datasets are published and only flagged.

Held datasets are listed in ``paser_hold``, so the release knows what the hold changed and the schema's
validators keep a held dataset private when a steward saves it meanwhile.
"""
from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from . import flags
from .store import engine, metadata

log = logging.getLogger(__name__)

CONFIG_MODE = "ckanext.paser.checks.mode"
MODE_FLAG, MODE_HOLD = "flag", "hold"
MODES = (MODE_FLAG, MODE_HOLD)

hold_table = sa.Table(
    "paser_hold", metadata,
    sa.Column("package_id", sa.UnicodeText, primary_key=True),
    sa.Column("since", sa.DateTime(timezone=True), nullable=False),
)



def mode() -> str:
    value = (tk.config.get(CONFIG_MODE) or MODE_FLAG).strip().lower()
    return value if value in MODES else MODE_FLAG


def is_held(package_id: str | None) -> bool:
    if not package_id:
        return False
    with engine().connect() as connection:
        return connection.execute(
            sa.select(hold_table.c.package_id).where(hold_table.c.package_id == package_id)).first() is not None


def _with_unresolved_errors(package_ids: set[str]) -> set[str]:
    links, flag = flags.flag_dataset_table, flags.flag_table
    query = (sa.select(links.c.package_id).distinct()
             .select_from(links.join(flag, flag.c.id == links.c.flag_id))
             .where(links.c.package_id.in_(sorted(package_ids)), flag.c.severity == "error",
                    flag.c.status.in_(flags.ACTIVE_STATUSES)))
    from ckan import model

    # In the session: a status change of the same request (not yet committed) counts.
    return {row[0] for row in model.Session.execute(query)}


def apply(package_ids: Iterable[str], commit: bool = True) -> None:
    """Hold or release each dataset as its flags now say (release only in ``flag`` mode); ``commit=False`` leaves
    the commit to the caller's request."""
    from ckan import model

    from ..satudata.validators import TERBUKA

    package_ids = set(package_ids)
    if not package_ids:
        return
    wanted = _with_unresolved_errors(package_ids) if mode() == MODE_HOLD else set()
    # The hold rows and the datasets' privacy change together, in the session's one transaction: a failed commit
    # leaves neither a hold without its private dataset nor a private dataset the release would not know.
    session = model.Session
    held = {row[0] for row in session.execute(
        sa.select(hold_table.c.package_id).where(hold_table.c.package_id.in_(sorted(package_ids))))}
    hold_now, release_now = sorted(wanted - held), sorted(held - wanted)
    for package_id in hold_now:
        package = model.Package.get(package_id)
        if package is None:
            continue
        session.execute(hold_table.insert().values(
            package_id=package_id, since=datetime.datetime.now(datetime.timezone.utc)))
        if not package.private:
            log.info("Holding dataset %s private: it has an unresolved error flag", package.name)
            package.private = True
    for package_id in release_now:
        session.execute(hold_table.delete().where(hold_table.c.package_id == package_id))
        package = model.Package.get(package_id)
        if package is None:
            continue
        private = package.extras.get("klasifikasi") != TERBUKA
        if package.private != private:
            log.info("Releasing dataset %s: its error flags are resolved", package.name)
            package.private = private
    if commit and (hold_now or release_now):
        model.repo.commit()
