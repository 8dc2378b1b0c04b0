"""Turning the rows of an agency table into normalised figures: indicator, region (Kemendagri code), period, value.

The resource's table description (``kolom_wilayah``, ``jenis_kode_wilayah``, ``kolom_periode``, ``kolom_nilai``,
``satuan``) says which columns hold what. Without one, the common layouts are recognised:

- a header row with a Kecamatan / Desa / Kode Wilayah column, optionally a Tahun / Periode column, and numeric value
  columns named after the indicator ("Jumlah Penduduk (jiwa)": indicator ``jumlah_penduduk``, unit ``jiwa``);
- kecamatan as rows and years as columns, often under a merged header ("Jumlah Penduduk (jiwa)" over 2020, 2021);
- one sheet per year (the sheet's title, or a title row "... Tahun 2020", gives the period).

Regions resolve from names (tolerant of variants such as Pasir/Paser Belengkong, through the reference matching),
Kemendagri codes (64.01.03) or BPS codes (6401030), always through the reference tables, never derived. The
regency's total row ("Jumlah", "Total", "Kabupaten Paser") becomes a figure of the kabupaten (64.01).
Numbers are read in Indonesian notation (``1.234,5``; ``12.345`` is twelve thousand) unless a column shows
otherwise (``1111.38``, ``1,234.5``). Anything that cannot be read becomes a ``Problem``, never an exception.
"""
from __future__ import annotations

import datetime
import functools
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, parse_decimal
from openpyxl.utils import get_column_letter

from ..localization import N_
from ..reference import (
    best_match,
    desa_by_code,
    desa_by_name,
    desa_list,
    kabupaten,
    kecamatan_by_bps_code,
    kecamatan_by_code,
    kecamatan_by_name,
    kecamatan_list,
)
from ..reference import normalise as normalise_name
from ..tables.reading import UNREADABLE_FILE, Cell, Sheet, TableReadError, read_table  # noqa: F401 (UNREADABLE_FILE: its home was here)

# Problem messages: English msgids with named placeholders, filled in with ``message % params`` (after translation).
NO_REGION_COLUMN = N_(
    "No region column found: head a column Kecamatan, Desa or Kode Wilayah, or name it in the resource's "
    "table description."
)
COLUMN_NOT_FOUND = N_('The column "%(column)s" named in the table description is not in the table.')
NO_VALUE_COLUMN = N_("No column with numeric values found.")
NOT_A_NUMBER = N_('"%(value)s" in the column "%(column)s" is not a number.')
MISSING_REGION = N_("This row has values but names no region.")
UNKNOWN_REGION = N_('Unknown region "%(name)s".')
UNKNOWN_REGION_SUGGESTION = N_('Unknown region "%(name)s"; did you mean %(suggestion)s (%(code)s)?')
UNKNOWN_REGION_CODE = N_('Unknown region code "%(code)s".')
DESA_WRONG_KECAMATAN = N_(
    '"%(name)s" (%(code)s) lies in Kecamatan %(actual)s, not in Kecamatan %(kecamatan)s named in this row.')

# How far ahead a header row is looked for (title rows come first in agency spreadsheets).
HEADER_SCAN_ROWS = 20
# Rows below the header row that may continue it (a merged two- or three-row header).
MAX_HEADER_CONTINUATION = 3
# A name too far from every region for a match may still get a suggestion this close.
SUGGESTION_CUTOFF = 50.0

LEVEL_KABUPATEN = "kabupaten"
LEVEL_KECAMATAN = "kecamatan"

_YEAR = re.compile(r"^(19|20)\d{2}$")
_TITLE_YEAR = re.compile(r"\b(?:tahun|th)\.?\s*((?:19|20)\d{2})\b", re.IGNORECASE)
_UNIT = re.compile(r"\(([^()]*)\)")
_KEMENDAGRI_CODE = re.compile(r"^\d{2}(\.\d{2}){1,2}(\.\d{4})?$")
_BPS_CODE = re.compile(r"^\d{4}(\d{3})?$")
_TOTAL_NAMES = {"jumlah", "total", "jumlah total", "grand total", "total kabupaten", "jumlah kabupaten",
                "kabupaten", "kabupaten paser", "paser", "jumlah total kabupaten"}
_PERIOD_HEADERS = {"tahun", "th", "thn", "periode", "period", "year", "tahun periode"}
_SKIP_HEADERS = {"no", "nomor", "no urut", "nomor urut", "keterangan", "catatan", "sumber", "sumber data", "ket",
                 "ibukota", "ibu kota", "ibukota kecamatan", "ibu kota kecamatan"}
_UNIT_HEADERS = {"satuan", "unit"}
# Identifier columns hold numbers that are not figures (kode_bps 6401, kode_induk 64, id 17).
_IDENTIFIER_WORDS = {"kode", "id", "kd", "nip", "npsn", "nik"}


def _not_a_value(key: str) -> bool:
    return key in _SKIP_HEADERS or (key.split(" ", 1)[0] in _IDENTIFIER_WORDS if key else False)


@dataclass(frozen=True)
class Figure:
    """One normalised figure, with the cell it was read from (1-based row and column of its sheet)."""

    indicator: str
    region_code: str  # Kemendagri
    region_level: str  # kabupaten, kecamatan, desa or kelurahan
    period: str | None
    value: Decimal
    unit: str | None
    sheet: str | None
    row: int
    column: int

    @property
    def cell(self) -> str:
        return f"{get_column_letter(self.column)}{self.row}"


@dataclass(frozen=True)
class Problem:
    """Something that kept a cell, a row or the whole table from giving figures. ``message`` is a msgid: show
    ``_(problem.message) % problem.params``; ``text`` is the English rendering."""

    message: str
    params: Mapping[str, str] = field(default_factory=dict)
    sheet: str | None = None
    row: int | None = None
    column: int | None = None
    suggestion: str | None = None  # the Kemendagri code of the suggested region, for unknown regions

    @property
    def text(self) -> str:
        return self.message % dict(self.params)


@dataclass(frozen=True)
class TableDescription:
    """The resource's table description (schema fields of a resource), plus the dataset's indicator and unit."""

    region_column: str | None = None  # kolom_wilayah
    region_code_type: str | None = None  # jenis_kode_wilayah: nama, kode_kemendagri or kode_bps
    period_column: str | None = None  # kolom_periode
    value_columns: tuple[str, ...] = ()  # kolom_nilai, comma- or semicolon-separated in the resource
    unit: str | None = None  # satuan
    indicator: str | None = None  # the dataset's kode_indikator, where the table holds one indicator

    @classmethod
    def from_resource(cls, resource: Mapping, dataset: Mapping | None = None) -> TableDescription:
        dataset = dataset or {}
        values = tuple(part.strip() for part in re.split(r"[,;]", resource.get("kolom_nilai") or "") if part.strip())
        return cls(
            region_column=(resource.get("kolom_wilayah") or "").strip() or None,
            region_code_type=(resource.get("jenis_kode_wilayah") or "").strip() or None,
            period_column=(resource.get("kolom_periode") or "").strip() or None,
            value_columns=values,
            unit=(resource.get("satuan") or dataset.get("satuan") or "").strip() or None,
            indicator=(dataset.get("kode_indikator") or "").strip() or None,
        )


@dataclass
class Result:
    figures: list[Figure] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def figures_from_file(
    source, format: str | None = None, filename: str | None = None, description: TableDescription | None = None
) -> Result:
    """Read a CSV or XLSX file (path or bytes) and normalise its figures; an unreadable file is one problem."""
    try:
        sheets = read_table(source, format=format, filename=filename)
    except TableReadError as error:  # unreadable, or beyond a reading limit: its own message
        return Result(problems=[Problem(error.message, error.params)])
    return normalise_sheets(sheets, description)


def normalise_sheets(sheets: Iterable[Sheet], description: TableDescription | None = None) -> Result:
    result = Result()
    for sheet in sheets:
        _normalise_sheet(sheet, description or TableDescription(), result)
    return result


# --- text helpers ---------------------------------------------------------------------------------------------

def cell_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, (datetime.date, datetime.datetime)):
        return cell.isoformat()
    return str(cell).strip()


def _key(text: str) -> str:
    """A header compared loosely: case, accents, punctuation and underscores ignored."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def indicator_name(text: str) -> str:
    """An indicator named by a header: "Jumlah Penduduk (jiwa)" → ``jumlah_penduduk``."""
    return _key(_UNIT.sub(" ", text)).replace(" ", "_")


def _unit_of(text: str) -> str | None:
    found = _UNIT.search(text)
    return found.group(1).strip() or None if found else None


def _year(cell: Cell) -> str | None:
    text = cell_text(cell)
    return text if _YEAR.match(text) else None


def _region_header(text: str) -> str | None:
    """What a region column holds, judged by its header: code, desa, kecamatan or wilayah (names, any level)."""
    words = set(_key(text).split())
    if not words:
        return None
    if "kode" in words and words <= {"kode", "wilayah", "kecamatan", "kec", "desa", "kelurahan", "kemendagri",
                                     "bps", "kab", "kabupaten", "daerah", "kel"}:
        return "code"
    if words & {"desa", "kelurahan"} and words <= {"nama", "desa", "kelurahan", "kel"}:
        return "desa"
    if words & {"kecamatan", "kec"} and words <= {"nama", "kecamatan", "kec"}:
        return "kecamatan"
    if words & {"wilayah", "daerah"} and words <= {"nama", "wilayah", "daerah"}:
        return "wilayah"
    return None


# --- numbers ----------------------------------------------------------------------------------------------------

_ID_DECIMAL = re.compile(r"^[-+]?\d{1,3}(\.\d{3})*,\d+$|^[-+]?\d+,\d+$")
_EN_GROUPED_DECIMAL = re.compile(r"^[-+]?\d{1,3}(,\d{3})+\.\d+$")
_DOT_DECIMAL = re.compile(r"^[-+]?\d*\.\d+$")
_DOT_GROUPS = re.compile(r"^[-+]?\d{1,3}(\.\d{3})+$")


def _number_text(cell: Cell) -> str:
    return re.sub(r"[\s\u00a0\u202f]", "", cell_text(cell)).removesuffix("%")


def column_locale(cells: Iterable[Cell]) -> str:
    """``en`` when the column's text numbers use a decimal point (1111.38, 1,234.5), else ``id`` (1.234,5; an
    ambiguous 12.345 is then twelve thousand three hundred and forty-five, as Indonesian agencies write it)."""
    for cell in cells:
        if not isinstance(cell, str):
            continue
        text = _number_text(cell)
        if _ID_DECIMAL.match(text):
            return "id"
        if _EN_GROUPED_DECIMAL.match(text) or (_DOT_DECIMAL.match(text) and not _DOT_GROUPS.match(text)):
            return "en"
    return "id"


def parse_number(cell: Cell, locale: str = "id") -> Decimal | None:
    """The value of a cell, or None if it is not a number (empty cells are not numbers either)."""
    if isinstance(cell, bool) or cell is None:
        return None
    if isinstance(cell, (int, Decimal)):
        return Decimal(cell)
    if isinstance(cell, float):
        return Decimal(repr(cell)) if math.isfinite(cell) else None
    if not isinstance(cell, str):
        return None
    text = _number_text(cell)
    if not re.match(r"^[-+]?[\d.,]*\d[\d.,]*$", text):
        return None
    try:
        return parse_decimal(text.lstrip("+"), locale=locale, strict=True)
    except (NumberFormatError, InvalidOperation):
        return None


# --- regions ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Region:
    code: str
    level: str


def _region_by_code(text: str) -> _Region | None:
    code = text.strip()
    regency = kabupaten()
    if code in (regency.kode_kemendagri, regency.kode_bps):
        return _Region(regency.kode_kemendagri, LEVEL_KABUPATEN)
    if _KEMENDAGRI_CODE.match(code):
        if (kecamatan := kecamatan_by_code(code)) is not None:
            return _Region(kecamatan.kode_kemendagri, LEVEL_KECAMATAN)
        if (desa := desa_by_code(code)) is not None:
            return _Region(desa.kode_kemendagri, desa.tingkat)
    elif _BPS_CODE.match(code) and (kecamatan := kecamatan_by_bps_code(code)) is not None:
        return _Region(kecamatan.kode_kemendagri, LEVEL_KECAMATAN)
    return None


def _is_total(name: str) -> bool:
    return normalise_name(name, strip_prefix=False) in _TOTAL_NAMES or normalise_name(name) in _TOTAL_NAMES


@functools.lru_cache(maxsize=4096)
def _region_by_name(name: str, kind: str, kecamatan_code: str | None) -> _Region | None:
    if kind in ("kecamatan", "wilayah") and (kecamatan := kecamatan_by_name(name)) is not None:
        return _Region(kecamatan.kode_kemendagri, LEVEL_KECAMATAN)
    if kind in ("desa", "wilayah") and (desa := desa_by_name(name, kecamatan_code)) is not None:
        return _Region(desa.kode_kemendagri, desa.tingkat)
    return None


@functools.lru_cache(maxsize=1024)
def _suggestion(name: str, kind: str, kecamatan_code: str | None) -> tuple[str, str] | None:
    candidates: list[tuple[str, tuple[str, str]]] = []
    if kind in ("kecamatan", "wilayah"):
        candidates += [(k.nama, (k.nama, k.kode_kemendagri)) for k in kecamatan_list()]
    if kind in ("desa", "wilayah"):
        candidates += [(d.nama, (d.nama, d.kode_kemendagri)) for d in desa_list(kecamatan_code)]
    found = best_match(name, candidates, SUGGESTION_CUTOFF)
    return found.item if found else None


# --- layout -----------------------------------------------------------------------------------------------------

@dataclass
class _Column:
    index: int  # 0-based
    parts: list[str]  # the distinct texts of the header cells above the data, top to bottom

    @property
    def label(self) -> str:
        return " ".join(self.parts)


@dataclass
class _Layout:
    header_row: int  # 0-based index of the first header row
    data_start: int  # 0-based index of the first data row
    region_columns: dict[str, int]  # kind (code, desa, kecamatan, wilayah) → column index
    period_column: int | None
    unit_column: int | None
    value_columns: list[_Column]
    title_period: str | None
    title: str | None


def _find_header(rows: list[list[Cell]], description: TableDescription) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        for column, cell in enumerate(row):
            text = cell_text(cell)
            if not text:
                continue
            if description.region_column:
                if _key(text) == _key(description.region_column):
                    kind = "code" if (description.region_code_type or "").startswith("kode") else None
                    found[kind or _region_header(text) or "wilayah"] = column
            elif (kind := _region_header(text)) is not None:
                found.setdefault(kind, column)
        if found:
            return index, found
    return None


def _layout(sheet: Sheet, description: TableDescription, result: Result) -> _Layout | None:
    rows = sheet.rows
    header = _find_header(rows, description)
    if header is None:
        if description.region_column:
            result.problems.append(Problem(COLUMN_NOT_FOUND, {"column": description.region_column}, sheet.name))
        elif any(cell_text(cell) for row in rows for cell in row):
            result.problems.append(Problem(NO_REGION_COLUMN, {}, sheet.name))
        return None
    header_row, region_columns = header
    labels = {cell_text(rows[header_row][column]) for column in region_columns.values()}
    taken = set(region_columns.values())
    data_start = header_row + 1
    # A merged or multi-row header continues while the region cells stay empty or repeat the header.
    while data_start < len(rows) and data_start <= header_row + MAX_HEADER_CONTINUATION:
        row = rows[data_start]
        cells = [cell_text(row[c]) if c < len(row) else "" for c in region_columns.values()]
        if any(cell and cell not in labels for cell in cells) or not any(cell_text(c) for c in row):
            break
        # A row of values (numbers other than years) is data, even without a region: no header.
        if any(parse_number(c) is not None and not _year(c) for i, c in enumerate(row) if i not in taken):
            break
        data_start += 1
    width = max((len(row) for row in rows), default=0)
    columns = []
    for index in range(width):
        parts: list[str] = []
        for row in rows[header_row:data_start]:
            text = cell_text(row[index]) if index < len(row) else ""
            if text and text not in parts:
                parts.append(text)
        columns.append(_Column(index, parts))

    title_texts = [cell_text(cell) for row in rows[:header_row] for cell in row if cell_text(cell)]
    title_period = next((m.group(1) for text in title_texts if (m := _TITLE_YEAR.search(text))), None)
    period_column = unit_column = None
    for column in columns:
        key = _key(column.label)
        if column.index in taken:
            continue
        if (description.period_column and key == _key(description.period_column)) or (
            not description.period_column and key in _PERIOD_HEADERS
        ):
            period_column = column.index
        elif key in _UNIT_HEADERS:
            unit_column = column.index
    if description.period_column and period_column is None:
        result.problems.append(Problem(COLUMN_NOT_FOUND, {"column": description.period_column}, sheet.name))
    taken |= {period_column, unit_column}

    data = rows[data_start:]
    values: list[_Column] = []
    if description.value_columns:
        for wanted in description.value_columns:
            match = next((c for c in columns if c.index not in taken and (
                _key(wanted) in (_key(c.label), *(_key(p) for p in c.parts)))), None)
            if match is None:
                result.problems.append(Problem(COLUMN_NOT_FOUND, {"column": wanted}, sheet.name))
            else:
                values.append(match)
    else:
        for column in columns:
            if column.index in taken or not column.parts or _not_a_value(_key(column.label)):
                continue
            cells = [row[column.index] for row in data if column.index < len(row)]
            locale = column_locale(cells)
            # Without a description, a column counts as a value column once it holds a number.
            if any(parse_number(cell, locale) is not None for cell in cells):
                values.append(column)
    if not values and not description.value_columns:
        result.problems.append(Problem(NO_VALUE_COLUMN, {}, sheet.name))
    return _Layout(header_row, data_start, region_columns, period_column, unit_column, values, title_period,
                   title_texts[0] if title_texts else None)


def _normalise_sheet(sheet: Sheet, description: TableDescription, result: Result) -> None:
    layout = _layout(sheet, description, result)
    if layout is None or not layout.value_columns:
        return
    rows = sheet.rows
    sheet_period = _year(sheet.name) if sheet.name else None
    # Indicator and unit of each value column; the dataset's indicator code names a table of one indicator.
    names: dict[int, str] = {}
    units: dict[int, str | None] = {}
    periods: dict[int, str | None] = {}
    spanning: list[str] = []  # the label over the year columns, when it is written (unmerged) over the first only
    for column in layout.value_columns:
        years = [part for part in column.parts if _year(part)]
        others = [part for part in column.parts if not _year(part)]
        if years and not others:
            others = spanning
        spanning = others if years else []
        periods[column.index] = years[-1] if years else None
        names[column.index] = indicator_name(" ".join(others))
        units[column.index] = description.unit or next((u for p in others if (u := _unit_of(p))), None)
    distinct = set(names.values())
    for index, name in names.items():
        if description.indicator and len(distinct) == 1:
            names[index] = description.indicator
        elif not name:
            names[index] = description.indicator or indicator_name(layout.title or "") or "nilai"
    locales = {
        column.index: column_locale(row[column.index] for row in rows[layout.data_start:] if column.index < len(row))
        for column in layout.value_columns
    }

    for offset, row in enumerate(rows[layout.data_start:]):
        line = layout.data_start + offset + 1
        cells = {column.index: (row[column.index] if column.index < len(row) else None)
                 for column in layout.value_columns}
        if not any(cell_text(cell) for cell in cells.values()):
            continue  # a blank line, a section heading or a note below the table
        region = _resolve_region(sheet, row, line, layout, result)
        if region is False:
            continue  # an unknown region: the problem is recorded
        if region is None:
            result.problems.append(Problem(MISSING_REGION, {}, sheet.name, line))
            continue
        row_period = None
        if layout.period_column is not None and layout.period_column < len(row):
            row_period = cell_text(row[layout.period_column]) or None
        row_unit = None
        if layout.unit_column is not None and layout.unit_column < len(row):
            row_unit = cell_text(row[layout.unit_column]) or None
        for column in layout.value_columns:
            cell = cells[column.index]
            if not cell_text(cell):
                continue
            value = parse_number(cell, locales[column.index])
            if value is None:
                result.problems.append(Problem(
                    NOT_A_NUMBER, {"value": cell_text(cell), "column": column.label}, sheet.name, line, column.index + 1))
                continue
            result.figures.append(Figure(
                indicator=names[column.index],
                region_code=region.code,
                region_level=region.level,
                period=periods[column.index] or row_period or sheet_period or layout.title_period,
                value=value,
                unit=row_unit or units[column.index],
                sheet=sheet.name,
                row=line,
                column=column.index + 1,
            ))


def _resolve_region(sheet: Sheet, row: list[Cell], line: int, layout: _Layout, result: Result):
    """The row's region; None if the row names none; False if it names one that is not known (a problem)."""
    def cell(kind: str) -> str:
        index = layout.region_columns.get(kind)
        return cell_text(row[index]) if index is not None and index < len(row) else ""

    def unknown(kind: str, name: str, kecamatan_code: str | None = None) -> bool:
        column = layout.region_columns[kind] + 1
        suggestion = _suggestion(name, kind, kecamatan_code)
        if suggestion is None:
            result.problems.append(Problem(UNKNOWN_REGION, {"name": name}, sheet.name, line, column))
        else:
            result.problems.append(Problem(
                UNKNOWN_REGION_SUGGESTION, {"name": name, "suggestion": suggestion[0], "code": suggestion[1]},
                sheet.name, line, column, suggestion=suggestion[1]))
        return False

    def wrong_kecamatan(kind: str, desa, kecamatan_code: str) -> bool:
        result.problems.append(Problem(
            DESA_WRONG_KECAMATAN,
            {"name": desa.nama, "code": desa.kode_kemendagri, "actual": kecamatan_by_code(desa.kode_kecamatan).nama,
             "kecamatan": kecamatan_by_code(kecamatan_code).nama},
            sheet.name, line, layout.region_columns[kind] + 1, suggestion=desa.kode_kemendagri))
        return False

    code = cell("code")
    if code:
        if (region := _region_by_code(code)) is not None:
            named = cell("kecamatan")
            desa = desa_by_code(region.code) if region.level not in (LEVEL_KABUPATEN, LEVEL_KECAMATAN) else None
            stated = _region_by_name(named, "kecamatan", None) if named and not _is_total(named) else None
            if desa is not None and stated is not None and stated.code != desa.kode_kecamatan:
                return wrong_kecamatan("code", desa, stated.code)
            return region
        if not _is_total(code):
            result.problems.append(Problem(
                UNKNOWN_REGION_CODE, {"code": code}, sheet.name, line, layout.region_columns["code"] + 1))
            return False
    regency = _Region(kabupaten().kode_kemendagri, LEVEL_KABUPATEN)
    kecamatan_region = None
    kecamatan_name = cell("kecamatan")
    if kecamatan_name:
        if _is_total(kecamatan_name) or _is_total(code):
            return regency
        kecamatan_region = _region_by_name(kecamatan_name, "kecamatan", None)
        if kecamatan_region is None:
            return unknown("kecamatan", kecamatan_name)
    for kind in ("desa", "wilayah"):
        name = cell(kind)
        if not name:
            continue
        if _is_total(name):
            return kecamatan_region or regency
        context = kecamatan_region.code if kecamatan_region else None
        region = _region_by_name(name, kind, context)
        if region is not None:
            return region
        if context is not None and (elsewhere := desa_by_name(name, None)) is not None:
            return wrong_kecamatan(kind, elsewhere, context)
        return unknown(kind, name, context)
    if kecamatan_region is not None:
        return kecamatan_region
    return regency if code and _is_total(code) else None
