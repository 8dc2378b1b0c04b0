"""The load status of each table resource (``paser_datastore_load``, migration 03 of the ``paser`` plugin).

The status says what the loader last did with which file (its fingerprint): the resource page shows it, and a save
that keeps the file (same fingerprint) queues no reload. A failed load keeps ``rows`` and ``loaded_at`` of the last
good one, whose table stays in the DataStore.
"""
from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ..checks import store

PENDING = "pending"
RUNNING = "running"
DONE = "done"
ERROR = "error"

# Own metadata, not CKAN's: CKAN's create_all must not make this table, the migration does.
metadata = sa.MetaData()

load_table = sa.Table(
    "paser_datastore_load", metadata,
    sa.Column("resource_id", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("status", sa.UnicodeText, nullable=False),
    sa.Column("fingerprint", sa.UnicodeText, nullable=False),
    sa.Column("rows", sa.BigInteger),
    sa.Column("loaded_at", sa.DateTime(timezone=True)),
    sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
    sa.Column("message", sa.UnicodeText),
    sa.Column("params", postgresql.JSONB),
)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def fingerprint(resource: Mapping[str, Any]) -> str:
    """What identifies the resource's file: a new upload changes ``last_modified`` and ``size``, a new link its URL;
    a ``hash`` (set by harvesters and clients, empty for uploads) counts when there is one, so fingerprints stored
    before it counted stay the same."""
    keys = ("url", "url_type", "last_modified", "size", "format")
    values = {key: resource.get(key) for key in keys}
    if resource.get("hash"):
        values["hash"] = resource["hash"]
    return json.dumps(values, sort_keys=True, default=str)


def get(resource_id: str) -> dict[str, Any] | None:
    with store.engine().connect() as connection:
        row = connection.execute(sa.select(load_table).where(load_table.c.resource_id == resource_id)).mappings().first()
    return dict(row) if row else None


def _upsert(resource_id: str, package_id: str, values: dict[str, Any]) -> None:
    values = {"package_id": package_id, "updated": _now(), **values}
    statement = postgresql.insert(load_table).values(resource_id=resource_id, **values)
    with store.engine().begin() as connection:
        connection.execute(statement.on_conflict_do_update(index_elements=[load_table.c.resource_id], set_=values))


def mark(resource_id: str, package_id: str, status: str, resource_fingerprint: str) -> None:
    """Pending or running; the message of an earlier failure goes, the last good load's figures stay."""
    _upsert(resource_id, package_id, {"status": status, "fingerprint": resource_fingerprint,
                                      "message": None, "params": None})


def record_done(resource_id: str, package_id: str, resource_fingerprint: str, rows: int) -> None:
    _upsert(resource_id, package_id, {"status": DONE, "fingerprint": resource_fingerprint, "rows": rows,
                                      "loaded_at": _now(), "message": None, "params": None})


def record_error(resource_id: str, package_id: str, resource_fingerprint: str, message: str,
                 params: Mapping[str, Any] | None = None) -> None:
    _upsert(resource_id, package_id, {"status": ERROR, "fingerprint": resource_fingerprint, "message": message,
                                      "params": dict(params or {})})


def forget(resource_id: str) -> None:
    with store.engine().begin() as connection:
        connection.execute(sa.delete(load_table).where(load_table.c.resource_id == resource_id))
