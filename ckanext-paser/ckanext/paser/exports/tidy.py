"""Tidy exports of the figures store: one row per stored figure, for one indicator over every region, period and
producer, or for one kecamatan (and its desa/kelurahan) over every indicator.

Rows come from one SQL query, filtered to the datasets the reader may read (``readable``) and streamed from a
server-side cursor, so memory stays flat however many figures there are. Region names and BPS codes come from the
reference tables (a dictionary look-up per row); the open-flag marker from a join on the open flags' figures as
every reader of the row sees them (privacy.flags).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ..access import datasets
from ..checks import store
from ..checks.flags import OPEN, flag_table
from ..checks.normalise import indicator_name
from ..reference import desa_by_code, kabupaten, kecamatan_by_code, kecamatan_by_name

COLUMNS = (
    "indikator", "kode_indikator", "kode_wilayah", "kode_bps", "nama_wilayah", "tingkat", "periode", "nilai",
    "satuan", "produsen", "organisasi", "dataset", "judul_dataset", "url_dataset", "resource_id", "sel",
    "flag_terbuka", "flag",
)
# Rows fetched from the cursor at a time.
FETCH_ROWS = 1000


@dataclass(frozen=True)
class Selection:
    """What an export holds: the figures of one indicator, or of one kecamatan and its desa."""

    indicator: str | None = None
    kecamatan_code: str | None = None

    def condition(self, figure: sa.Table) -> sa.ColumnElement:
        if self.indicator is not None:
            return figure.c.indicator == self.indicator
        code = self.kecamatan_code or ""
        return sa.or_(figure.c.region_code == code, figure.c.region_code.like(code + ".%"))

    @property
    def stem(self) -> str:
        if self.indicator is not None:
            return f"indikator-{self.indicator}"
        return f"kecamatan-{self.kecamatan_code}"


def _marks(selection: Selection) -> sa.Subquery:
    """The open flags marking each figure (indicator, resource, region, period), as every reader of that figure
    sees them (privacy.flags.figure_marks): the marker of a row is the same for anyone who may read the row, and a
    flag involving a private figure marks a public one only when the public figures alone raise it."""
    from ..privacy.flags import figure_marks

    query = sa.select(flag_table).where(flag_table.c.status == OPEN)
    if selection.indicator is not None:
        query = query.where(flag_table.c.indicator == selection.indicator)
    with store.engine().connect() as connection:
        rows = [dict(row) for row in connection.execute(query).mappings()]
    marks = figure_marks(rows)
    columns = (sa.column("indicator", sa.UnicodeText), sa.column("resource_id", sa.UnicodeText),
               sa.column("region_code", sa.UnicodeText), sa.column("period", sa.UnicodeText),
               sa.column("flag_ids", sa.UnicodeText))
    if not marks:
        return sa.select(*(sa.cast(sa.null(), column.type).label(column.name) for column in columns)).where(
            sa.false()).subquery("marks")
    return sa.values(*columns, name="marks").data(
        [(*key, " ".join(ids)) for key, ids in sorted(marks.items(), key=str)]).alias("marks")


def _kode_indikator() -> sa.Subquery:
    extra = model.package_extra_table
    return (sa.select(extra.c.package_id, extra.c.value)
            .where(extra.c.key == "kode_indikator", extra.c.state == "active")
            .subquery("kode_indikator"))


def query(selection: Selection, user_name: str | None) -> tuple[sa.Select, sa.Select]:
    """The rows (ordered by indicator, region code, period and producer) and their count, for this reader."""
    figure, package, group = store.figure_table, model.package_table, model.group_table
    resource = model.resource_table
    marks, code = _marks(selection), _kode_indikator()
    joined = (
        figure.join(package, package.c.id == figure.c.package_id)
        .join(resource, sa.and_(resource.c.id == figure.c.resource_id, resource.c.state == "active"))
        .outerjoin(group, group.c.id == package.c.owner_org)
    )
    where = sa.and_(selection.condition(figure), datasets.readable_clause(package, user_name))
    rows = (
        sa.select(figure.c.indicator, code.c.value.label("kode_indikator"), figure.c.region_code,
                  figure.c.region_level, figure.c.period, figure.c.value, figure.c.unit,
                  group.c.title.label("producer_title"), group.c.name.label("producer_name"),
                  package.c.name.label("package_name"), package.c.title.label("package_title"), figure.c.resource_id,
                  figure.c.sheet, figure.c.cell, marks.c.flag_ids)
        .select_from(
            joined.outerjoin(code, code.c.package_id == package.c.id)
            .outerjoin(marks, sa.and_(marks.c.indicator == figure.c.indicator,
                                      marks.c.resource_id == figure.c.resource_id,
                                      marks.c.region_code == figure.c.region_code,
                                      marks.c.period.isnot_distinct_from(figure.c.period))))
        .where(where)
        .order_by(figure.c.indicator, figure.c.region_code, figure.c.period.nulls_first(), group.c.name.nulls_last(),
                  package.c.name, figure.c.resource_id, figure.c.id)
    )
    count = sa.select(sa.func.count()).select_from(joined).where(where)
    return rows, count


def _region(code: str, level: str) -> tuple[str, str]:
    """The BPS code and name of a region (the BPS code is known for the regency and the kecamatan only)."""
    regency = kabupaten()
    if code == regency.kode_kemendagri:
        return regency.kode_bps, regency.nama
    if (kecamatan := kecamatan_by_code(code)) is not None:
        return kecamatan.kode_bps, kecamatan.nama
    if (desa := desa_by_code(code)) is not None:
        return "", desa.nama
    return "", ""


def _dataset_url(name: str) -> str:
    return tk.config.get("ckan.site_url", "").rstrip("/") + f"/dataset/{name}"


def row_values(row: Any) -> tuple[Any, ...]:
    """One result row as the export's columns (in ``COLUMNS`` order)."""
    kode_bps, name = _region(row.region_code, row.region_level)
    cell = f"{row.sheet}!{row.cell}" if row.sheet and row.cell else (row.cell or "")
    return (
        row.indicator, row.kode_indikator or "", row.region_code, kode_bps, name, row.region_level,
        row.period or "", row.value, row.unit or "", row.producer_title or "", row.producer_name or "",
        row.package_name, row.package_title or "", _dataset_url(row.package_name), row.resource_id, cell,
        bool(row.flag_ids), row.flag_ids or "",
    )


def stream_rows(selection: Selection, user_name: str | None) -> Iterator[tuple[Any, ...]]:
    """Every row, read from a server-side cursor. The reader's access is worked out at once (within the request);
    the rows follow as the response is written."""
    rows, _count = query(selection, user_name)

    def generate() -> Iterator[tuple[Any, ...]]:
        with store.engine().connect() as connection:
            result = connection.execution_options(stream_results=True, yield_per=FETCH_ROWS).execute(rows)
            for row in result:
                yield row_values(row)

    return generate()


def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def page(selection: Selection, user_name: str | None, limit: int, offset: int) -> dict[str, Any]:
    """One page of rows as dictionaries, with the total count, for the API."""
    rows, count = query(selection, user_name)
    with store.engine().connect() as connection:
        total = connection.execute(count).scalar_one()
        results = [dict(zip(COLUMNS, (json_value(value) for value in row_values(row))))
                   for row in connection.execute(rows.limit(limit).offset(offset))]
    for result in results:
        result["flag"] = result["flag"].split() if result["flag"] else []
    return {"count": total, "limit": limit, "offset": offset, "results": results}


def has_rows(selection: Selection, user_name: str | None) -> bool:
    rows, _count = query(selection, user_name)
    with store.engine().connect() as connection:
        return connection.execute(rows.with_only_columns(sa.literal(1)).order_by(None).limit(1)).first() is not None


# --- what the request names ---------------------------------------------------------------------------------

def indicator_selection(value: str, user_name: str | None) -> Selection | None:
    """An indicator by its stored key (a kode indikator such as 2.12.01, or a normalised name such as
    jumlah_penduduk) or by a name written as a header ("Jumlah Penduduk"); None when the reader may see no
    figure of it."""
    text = (value or "").strip()
    if not text:
        return None
    for candidate in dict.fromkeys((text, indicator_name(text))):
        if candidate and has_rows(Selection(indicator=candidate), user_name):
            return Selection(indicator=candidate)
    return None


def kecamatan_selection(value: str) -> Selection | None:
    """A kecamatan by Kemendagri code (64.01.04), BPS code, its organisation (kecamatan-tanah-grogot) or name."""
    from ..reference import kecamatan_by_bps_code

    text = (value or "").strip()
    if not text:
        return None
    kecamatan = kecamatan_by_code(text) or kecamatan_by_bps_code(text)
    if kecamatan is None:
        group = model.Group.get(text)
        if group is not None and group.is_organization and group.state == "active":
            kecamatan = kecamatan_by_code(group.extras.get("kode_kemendagri") or "")
    if kecamatan is None:
        kecamatan = kecamatan_by_name(text.removeprefix("kecamatan-").replace("-", " "))
    return Selection(kecamatan_code=kecamatan.kode_kemendagri) if kecamatan is not None else None
