"""Replacing a resource's DataStore table in one transaction: drop the old table, create the new one with
CKAN's own table code, COPY the rows in, fill ``_full_text``, then the full-text trigger and indexes.

PostgreSQL's DDL is transactional, so readers see the old table until the commit and a failure anywhere (a
value COPY rejects, a lost connection) rolls back to it: never a half-written table. ``datastore_create`` cannot do
this: it opens and commits its own connection and only adds columns to an existing table.
The field descriptions a steward wrote in the data dictionary are kept for columns that keep their name.
"""
from __future__ import annotations

import csv
import tempfile
from typing import Any

import sqlalchemy as sa

from .table import Table

# Seconds a reload waits for readers of the old table before it gives up (and is recorded as failed).
LOCK_TIMEOUT = "15s"
# COPY input kept in memory up to this size, then spooled to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024


def _write_copy_input(table: Table, spool: Any) -> None:
    writer = csv.writer(spool, lineterminator="\n")
    for values in table.values():
        # csv writes None and "" alike as an unquoted empty field, which COPY ... CSV reads as NULL.
        writer.writerow(values)
    spool.seek(0)


def replace_table(resource_id: str, table: Table) -> int:
    """Put ``table`` in place of the resource's DataStore table (created if none); the number of rows loaded."""
    from ckanext.datastore.backend import postgres as backend

    fields: list[dict[str, Any]] = [{"id": column.name, "type": column.type} for column in table.columns]
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+", encoding="utf-8", newline="") as rows:
        _write_copy_input(table, rows)
        return _replace(backend, resource_id, fields, rows)


def _replace(backend: Any, resource_id: str, fields: list[dict[str, Any]], rows: Any) -> int:
    name = backend.identifier(resource_id)
    with backend.get_write_engine().begin() as connection:
        connection.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
        exists = connection.execute(sa.text("SELECT 1 FROM pg_tables WHERE tablename = :name"),
                                    {"name": resource_id}).first()
        if exists:
            info = backend._get_field_info(connection, resource_id)
            for field in fields:
                if isinstance(info.get(field["id"]), dict):
                    field["info"] = info[field["id"]]
            connection.execute(sa.text(f"DROP TABLE {name} CASCADE"))
        context: Any = {"connection": connection}
        backend.create_table(context, {"resource_id": resource_id, "fields": fields}, {})
        columns = ", ".join(backend.identifier(field["id"]) for field in fields)
        cursor = connection.connection.cursor()
        try:
            cursor.copy_expert(f"COPY {name} ({columns}) FROM STDIN WITH (FORMAT csv)", rows)
        finally:
            cursor.close()
        # The same text as CKAN's populate_full_text_trigger builds, in one statement instead of once per row;
        # the trigger is created afterwards and keeps later upserts consistent with it.
        connection.execute(sa.text(
            f"UPDATE {name} AS t SET _full_text = (SELECT to_tsvector(string_agg(value, ' ')) "
            r"FROM json_each_text(row_to_json(t.*)) WHERE key NOT LIKE '\_%')"))
        backend._create_fulltext_trigger(connection, resource_id)
        backend.create_indexes(context, {"resource_id": resource_id, "fields": fields})
        count = connection.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one()
    return int(count)
