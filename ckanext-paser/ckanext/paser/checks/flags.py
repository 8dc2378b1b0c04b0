"""The flags store: one row per finding (``paser_flag``), the datasets it involves (``paser_flag_dataset``) and
its status history (``paser_flag_history``); tables of the ``paser`` plugin's migrations.

``sync`` brings the flags of one *scope* (an indicator, a resource or a dataset: what one evaluation looks at) in
line with the findings of that evaluation, in one transaction: a new finding opens a flag, a finding already
flagged updates it, and an open or acknowledged flag whose finding is gone is resolved automatically. A flag that
was closed automatically opens again when its finding returns; one a person acknowledged or resolved opens again
only if its figures changed since.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ..localization import N_
from .rules import Finding
from .store import engine, metadata

OPEN, ACKNOWLEDGED, RESOLVED = "open", "acknowledged", "resolved"
STATUSES = (OPEN, ACKNOWLEDGED, RESOLVED)
ACTIVE_STATUSES = (OPEN, ACKNOWLEDGED)

AUTO_RESOLVED_NOTE = N_("The finding is gone: resolved automatically.")
AUTO_REOPENED_NOTE = N_("The finding is back: opened again automatically.")
CHANGED_REOPENED_NOTE = N_("The figures involved changed: opened again automatically.")

flag_table = sa.Table(
    "paser_flag", metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("key", sa.UnicodeText, nullable=False, unique=True),
    sa.Column("scope", sa.UnicodeText, nullable=False),
    sa.Column("rule", sa.UnicodeText, nullable=False),
    sa.Column("severity", sa.UnicodeText, nullable=False),
    sa.Column("status", sa.UnicodeText, nullable=False),
    sa.Column("message", sa.UnicodeText, nullable=False),
    sa.Column("params", postgresql.JSONB, nullable=False),
    sa.Column("indicator", sa.UnicodeText),
    sa.Column("region_code", sa.UnicodeText),
    sa.Column("period", sa.UnicodeText),
    sa.Column("figures", postgresql.JSONB, nullable=False),
    sa.Column("fingerprint", sa.UnicodeText, nullable=False),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.Column("closed_automatically", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("note", sa.UnicodeText),
)

flag_dataset_table = sa.Table(
    "paser_flag_dataset", metadata,
    sa.Column("flag_id", sa.UnicodeText, sa.ForeignKey("paser_flag.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("package_id", sa.UnicodeText, primary_key=True),
    sa.Column("organization_id", sa.UnicodeText),
)

flag_history_table = sa.Table(
    "paser_flag_history", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("flag_id", sa.UnicodeText, sa.ForeignKey("paser_flag.id", ondelete="CASCADE"), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user_id", sa.UnicodeText),  # None: the portal itself
    sa.Column("status_from", sa.UnicodeText),
    sa.Column("status_to", sa.UnicodeText, nullable=False),
    sa.Column("note", sa.UnicodeText),
)

# Figure fields kept in a flag (ids change on every re-check, so they are left out).
FIGURE_FIELDS = ("package_id", "resource_id", "organization_id", "region_code", "region_level", "period", "value",
                 "unit", "sheet", "cell")



def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def stored_figures(finding: Finding) -> list[dict[str, Any]]:
    figures = [{name: _plain(figure.get(name)) for name in FIGURE_FIELDS} for figure in finding.figures]
    return sorted(figures, key=lambda figure: json.dumps(figure, sort_keys=True))


def fingerprint(figures: Sequence[Mapping[str, Any]], params: Mapping[str, Any]) -> str:
    payload = json.dumps([list(figures), dict(params)], sort_keys=True, default=str)
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()


def _lock(connection: sa.engine.Connection, scope: str) -> None:
    # Two workers evaluating the same scope would both insert its new flags: one waits for the other.
    connection.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:scope))"), {"scope": scope})


def sync(scope: str, findings: Iterable[Finding]) -> set[str]:
    """Bring the scope's flags in line with ``findings``; the ids of the datasets whose flags changed."""
    now = _now()
    wanted = {finding.key: finding for finding in findings}
    touched: set[str] = set()
    with engine().begin() as connection:
        _lock(connection, scope)
        existing = {row.key: row for row in connection.execute(
            sa.select(flag_table).where(flag_table.c.scope == scope)).all()}
        datasets_of: dict[str, set[str]] = {}
        if existing:
            for row in connection.execute(sa.select(flag_dataset_table).where(
                    flag_dataset_table.c.flag_id.in_([row.id for row in existing.values()]))):
                datasets_of.setdefault(row.flag_id, set()).add(row.package_id)
        new_flags, new_links, history, link_deletes = [], [], [], []
        for key, finding in wanted.items():
            figures = stored_figures(finding)
            print_ = fingerprint(figures, finding.params)
            fields = {"rule": finding.rule, "severity": finding.severity, "message": finding.message,
                      "params": finding.params, "indicator": finding.indicator, "region_code": finding.region_code,
                      "period": finding.period, "figures": figures, "fingerprint": print_}
            row = existing.get(key)
            if row is None:
                flag_id = str(uuid.uuid4())
                new_flags.append({"id": flag_id, "key": key, "scope": scope, "status": OPEN, "created": now,
                                  "updated": now, **fields})
                new_links += [{"flag_id": flag_id, "package_id": package_id, "organization_id": organization_id}
                              for package_id, organization_id in finding.datasets.items()]
                history.append({"flag_id": flag_id, "at": now, "status_from": None, "status_to": OPEN})
                touched.update(finding.datasets)
                continue
            status, note = row.status, None
            if row.status == RESOLVED and row.closed_automatically:
                status, note = OPEN, AUTO_REOPENED_NOTE
            elif row.status != OPEN and row.fingerprint != print_:
                status, note = OPEN, CHANGED_REOPENED_NOTE
            changed = status != row.status or any(
                getattr(row, name) != value for name, value in fields.items() if name != "figures")
            if set(finding.datasets) != datasets_of.get(row.id, set()):
                link_deletes.append(row.id)
                new_links += [{"flag_id": row.id, "package_id": package_id, "organization_id": organization_id}
                              for package_id, organization_id in finding.datasets.items()]
                touched.update(datasets_of.get(row.id, set()) | set(finding.datasets))
            if not changed and row.figures == figures:
                continue
            values = {**fields, "updated": now}
            if status != row.status:
                values.update(status=status, closed_at=None, closed_automatically=False)
                history.append({"flag_id": row.id, "at": now, "status_from": row.status, "status_to": status,
                                "note": note})
                touched.update(finding.datasets)
            connection.execute(flag_table.update().where(flag_table.c.id == row.id).values(**values))
        gone = [row for key, row in existing.items() if key not in wanted and row.status in ACTIVE_STATUSES]
        if gone:
            connection.execute(flag_table.update().where(flag_table.c.id.in_([row.id for row in gone])).values(
                status=RESOLVED, closed_at=now, closed_automatically=True, updated=now))
            history += [{"flag_id": row.id, "at": now, "status_from": row.status, "status_to": RESOLVED,
                         "note": AUTO_RESOLVED_NOTE} for row in gone]
            for row in gone:
                touched.update(datasets_of.get(row.id, set()))
        if new_flags:
            connection.execute(flag_table.insert(), new_flags)
        if link_deletes:
            connection.execute(flag_dataset_table.delete().where(flag_dataset_table.c.flag_id.in_(link_deletes)))
        if new_links:
            connection.execute(flag_dataset_table.insert(), new_links)
        if history:
            connection.execute(flag_history_table.insert(),
                               [{"user_id": None, "note": None, **entry} for entry in history])
    return touched


def set_status(flag_id: str, status: str, note: str, user_id: str | None) -> None:
    """A person changes the status, with a note; recorded in the history even when the status stays. Written in
    the request's session (``model.Session``): it commits, or rolls back, with the rest of the request."""
    from ckan import model

    now = _now()
    session = model.Session
    row = session.execute(sa.select(flag_table).where(flag_table.c.id == flag_id).with_for_update()).first()
    if row is None:
        raise KeyError(flag_id)
    values: dict[str, Any] = {"status": status, "note": note, "updated": now, "closed_automatically": False,
                              "closed_at": now if status == RESOLVED else None}
    session.execute(flag_table.update().where(flag_table.c.id == flag_id).values(**values))
    session.execute(flag_history_table.insert().values(
        flag_id=flag_id, at=now, user_id=user_id, status_from=row.status, status_to=status, note=note))


def get(flag_id: str) -> dict[str, Any] | None:
    """One flag as the request's session sees it."""
    from ckan import model

    row = model.Session.execute(sa.select(flag_table).where(flag_table.c.id == flag_id)).mappings().first()
    return dict(row) if row is not None else None


def datasets_of(flag_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """The datasets each flag involves, with the dataset's current name, title and organisation."""
    from ckan import model

    if not flag_ids:
        return {}
    package, group = model.package_table, model.group_table
    query = (
        sa.select(flag_dataset_table.c.flag_id, package.c.id, package.c.name, package.c.title, package.c.state,
                  package.c.private, group.c.id.label("org_id"), group.c.name.label("org_name"),
                  group.c.title.label("org_title"))
        .select_from(flag_dataset_table.join(package, package.c.id == flag_dataset_table.c.package_id)
                     .outerjoin(group, group.c.id == package.c.owner_org))
        .where(flag_dataset_table.c.flag_id.in_(list(flag_ids)))
        .order_by(group.c.title, package.c.title)
    )
    result: dict[str, list[dict[str, Any]]] = {}
    with engine().connect() as connection:
        for row in connection.execute(query):
            result.setdefault(row.flag_id, []).append({
                "id": row.id, "name": row.name, "title": row.title, "state": row.state, "private": row.private,
                "organization": {"id": row.org_id, "name": row.org_name, "title": row.org_title}
                if row.org_id else None,
            })
    return result


def history_of(flag_id: str) -> list[dict[str, Any]]:
    from ckan import model

    user = model.user_table
    query = (
        sa.select(flag_history_table, user.c.name.label("user_name"))
        .select_from(flag_history_table.outerjoin(user, user.c.id == flag_history_table.c.user_id))
        .where(flag_history_table.c.flag_id == flag_id)
        .order_by(flag_history_table.c.at, flag_history_table.c.id)
    )
    # The request's session: the history includes a change the request made and has not committed yet.
    return [dict(row) for row in model.Session.execute(query).mappings()]


def packages_with_open_flags(package_ids: Sequence[str] | None = None) -> set[str]:
    query = (sa.select(flag_dataset_table.c.package_id).distinct()
             .select_from(flag_dataset_table.join(flag_table, flag_table.c.id == flag_dataset_table.c.flag_id))
             .where(flag_table.c.status == OPEN))
    if package_ids is not None:
        query = query.where(flag_dataset_table.c.package_id.in_(list(package_ids)))
    with engine().connect() as connection:
        return {row[0] for row in connection.execute(query)}


def datasets_sharing_open_flags(package_id: str) -> set[str]:
    """The other datasets that share an open flag with this one."""
    mine = sa.select(flag_dataset_table.c.flag_id).where(flag_dataset_table.c.package_id == package_id)
    query = (sa.select(flag_dataset_table.c.package_id).distinct()
             .select_from(flag_dataset_table.join(flag_table, flag_table.c.id == flag_dataset_table.c.flag_id))
             .where(flag_dataset_table.c.flag_id.in_(mine), flag_table.c.status == OPEN,
                    flag_dataset_table.c.package_id != package_id))
    with engine().connect() as connection:
        return {row[0] for row in connection.execute(query)}


def has_open_flag_for_readers(package_id: str, owner_org: str | None, private: bool) -> bool:
    """Whether the dataset's search document carries "has open flags": an open flag that everyone who reads this
    document sees with this dataset in it, a flag involving a private figure shown without it
    (privacy.flags: the same rule as the flags' pages and the tidy export's marker)."""
    from ..privacy import flags as privacy_flags

    return privacy_flags.has_open_flag_for_readers(package_id, owner_org, private)
