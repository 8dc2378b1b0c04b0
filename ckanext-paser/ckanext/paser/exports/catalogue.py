"""The walidata's catalogue export "Daftar Data": one row per dataset with its Satu Data metadata, in the column
order of the regional Daftar Data lists (shared DOMAIN notes), then the other Satu Data fields of the schema.

The portal has no field for "kode metadata" nor for the dataset's address on the national portal (SDI): those
columns stay empty until the schema has them, so the column order still matches the regional template.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ..access import datasets

# (column, where its value comes from): an extra of the dataset, or a core field prefixed with ":".
COLUMNS: tuple[tuple[str, str], ...] = (
    ("produsen_data", ":producer"),
    ("jenis_data", "jenis_data"),
    ("kode_indikator", "kode_indikator"),
    ("nama_data", ":title"),
    ("klasifikasi", "klasifikasi"),
    ("definisi", "definisi"),
    ("satuan", "satuan"),
    ("klasifikasi_penyajian", "klasifikasi_penyajian"),
    ("jadwal_pemutakhiran", "frequency"),
    ("kode_metadata", ":none"),
    ("link_portal_daerah", ":url"),
    ("link_portal_sdi", ":none"),
    # The other Satu Data fields, in the schema's order.
    ("walidata", "walidata"),
    ("tingkat_penyajian", "tingkat_penyajian"),
    ("cakupan_kecamatan", "cakupan_kecamatan"),
    ("cakupan_desa", "cakupan_desa"),
    ("periode", "temporal_coverage"),
    ("urusan", "urusan"),
    ("konsep", "konsep"),
    ("ukuran", "ukuran"),
    ("sumber_data", "sumber_data"),
    ("metode_pengumpulan", "metode_pengumpulan"),
    ("narahubung", "contact"),
    ("dataset", ":name"),
    ("organisasi", ":organization"),
    ("diperbarui", ":modified"),
)
HEADER = tuple(column for column, _source in COLUMNS)
FETCH_ROWS = 500


def query(user_name: str | None) -> tuple[sa.Select, sa.Select]:
    """Every dataset the reader may read with its extras, by producer and title; and their count."""
    package, group, extra = model.package_table, model.group_table, model.package_extra_table
    extras = (sa.select(extra.c.package_id, sa.func.jsonb_object_agg(extra.c.key, extra.c.value).label("extras"))
              .where(extra.c.state == "active").group_by(extra.c.package_id).subquery("extras"))
    joined = package.outerjoin(group, group.c.id == package.c.owner_org)
    where = sa.and_(package.c.type == "dataset", datasets.readable_clause(package, user_name))
    rows = (
        sa.select(package.c.id, package.c.name, package.c.title, package.c.metadata_modified,
                  group.c.title.label("producer_title"), group.c.name.label("producer_name"), extras.c.extras)
        .select_from(joined.outerjoin(extras, extras.c.package_id == package.c.id))
        .where(where)
        .order_by(group.c.title.nulls_last(), package.c.title, package.c.name)
    )
    return rows, sa.select(sa.func.count()).select_from(joined).where(where)


def _plain(value: Any) -> str:
    """A stored extra as one cell: lists joined with "; ", periods as start–end, contacts as name <email>."""
    if value in (None, ""):
        return ""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, dict):
        if "start" in value or "end" in value:
            start, end = value.get("start") or "", value.get("end") or ""
            return start if not end or end == start else f"{start}–{end}"
        if "name" in value or "email" in value:
            name, email = value.get("name") or "", value.get("email") or ""
            return f"{name} <{email}>".strip() if email else name
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "; ".join(part for part in (_plain(item) for item in value) if part)
    return str(value)


def row_values(row: Any) -> tuple[str, ...]:
    extras = row.extras or {}
    site_url = tk.config.get("ckan.site_url", "").rstrip("/")
    core = {
        ":producer": row.producer_title or "", ":title": row.title or "", ":none": "",
        ":url": f"{site_url}/dataset/{row.name}", ":name": row.name, ":organization": row.producer_name or "",
        ":modified": row.metadata_modified.isoformat(timespec="seconds") if row.metadata_modified else "",
    }
    return tuple(core[source] if source.startswith(":") else _plain(extras.get(source)) for _column, source in COLUMNS)


def stream_rows(user_name: str | None) -> Iterator[tuple[str, ...]]:
    rows, _count = query(user_name)

    def generate() -> Iterator[tuple[str, ...]]:
        with model.meta.engine.connect() as connection:
            for row in connection.execution_options(stream_results=True, yield_per=FETCH_ROWS).execute(rows):
                yield row_values(row)

    return generate()


def page(user_name: str | None, limit: int, offset: int) -> dict[str, Any]:
    rows, count = query(user_name)
    with model.meta.engine.connect() as connection:
        total = connection.execute(count).scalar_one()
        results = [dict(zip(HEADER, row_values(row))) for row in connection.execute(rows.limit(limit).offset(offset))]
    return {"count": total, "limit": limit, "offset": offset, "results": results}
