"""An agency workbook as a tidy table: the figures reader of the consistency checks (``tables.reading`` and
``checks.normalise``) reads it, guided by the source's mapping, and the figures become a clean CSV.

The clean CSV has one row per region and period: ``kode_wilayah`` (Kemendagri), ``kode_bps``, ``nama_wilayah``,
``tahun`` (``periode`` when the periods are not all years), one value column per indicator named after it with
its unit ("Jumlah Penduduk (jiwa)"), and ``satuan`` when every indicator has the same unit. Naming the value
columns after their indicator (rather than a long ``indikator``/``nilai`` layout) lets the figures check store
each figure under its indicator, as it does for the BPS harvester's tables. Numbers are written with a dot as
decimal mark and no grouping; the regency's total row ("Jumlah") stays, as region 64.01.

What the mapping adds to the recognition: the sheets to read, the header row (rows above it only give the title
and period), a header spread over rows whose merged cells were lost (a CSV export: the label over the year columns is
repeated to its right), the region, period and value columns by name, an indicator column (a long table: each
indicator becomes a value column), the unit and the period when the table does not say them.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from ... import reference
from ...checks.normalise import HEADER_SCAN_ROWS, Figure, TableDescription, indicator_name, normalise_sheets
from ...localization import N_
from ...tables.reading import Sheet, TableReadError, read_table
from ..base import MessageError
from .config import TableMapping

UNREADABLE = N_("The workbook %(file)s cannot be read: %(reason)s.")
SHEET_NOT_FOUND = N_('The workbook %(file)s has no sheet "%(sheet)s" (its sheets: %(available)s).')
NO_TABLE = N_("The workbook %(file)s has no recognisable table header: %(reason)s.")
NO_FIGURES = N_("no region rows with numeric values were found")

_UNIT = re.compile(r"\s*\(([^()]*)\)")
_YEAR = re.compile(r"^(19|20)\d{2}$")
_TITLE_YEAR = re.compile(r"\s+(?:tahun|th\.?)\s+(19|20)\d{2}\b.*$", re.IGNORECASE)
_NUMBERING = re.compile(r"^\(?\d{1,2}\)?$")
_LEVEL_ORDER = {"kecamatan": 0, "desa": 1, "kelurahan": 1, "kabupaten": 2}


class ConvertError(MessageError, ValueError):
    """A workbook without a readable table: ``message`` is a msgid, ``params`` its values."""


@dataclass
class Table:
    csv: bytes
    value_columns: list[str]
    period_column: str
    unit: str | None  # shared by every value column, else None
    indicators: list[str]  # labels, in column order
    periods: list[str]
    regions: dict[str, str]  # Kemendagri code → level
    title: str | None
    problems: list[str] = field(default_factory=list)


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _header_safe(text: str) -> str:
    """Value column names are listed comma-separated in ``kolom_nilai`` and carry the unit in parentheses."""
    return " ".join(re.sub(r"[,;()]", " ", text).split())


def _number(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _is_numbering(row: list) -> bool:
    """A row numbering the columns, (1) (2) (3) or 1 2 3, as statistical tables print under their header."""
    texts = [_text(cell) for cell in row if _text(cell)]
    return len(texts) >= 3 and all(_NUMBERING.match(text) for text in texts) and \
        [int(text.strip("()")) for text in texts] == list(range(int(texts[0].strip("()")),
                                                                int(texts[0].strip("()")) + len(texts)))


def _fill_header(rows: list[list], count: int) -> None:
    """In a header of ``count`` rows, an empty cell right of a label takes the label where the row below names
    a column: the merged "Jumlah Penduduk (jiwa)" over the year columns, as a CSV export leaves it."""
    for index in range(min(count, len(rows)) - 1):
        row, below = rows[index], rows[index + 1]
        for column in range(1, len(row)):
            if not _text(row[column]) and _text(row[column - 1]) and column < len(below) and _text(below[column]):
                row[column] = row[column - 1]


def _prepare(sheet: Sheet, mapping: TableMapping) -> Sheet:
    rows = [list(row) for row in sheet.rows]
    if mapping.header_row:
        # Rows above the header (letterhead, title) keep their texts, one per row, for the title and period.
        above = [[text] for row in rows[:mapping.header_row - 1]
                 for text in dict.fromkeys(_text(cell) for cell in row) if text]
        header = rows[mapping.header_row - 1:]
        if mapping.header_rows and mapping.header_rows > 1:
            _fill_header(header, mapping.header_rows)
        rows = above + header
    rows = [row for row in rows if not _is_numbering(row)]
    return Sheet(sheet.name, rows, sheet.encoding, sheet.delimiter)


def _split_by_indicator(sheet: Sheet, mapping: TableMapping) -> list[tuple[Sheet, str | None]]:
    """A long table (one row per region, period and indicator) as one sheet per indicator, whose value column is
    headed by the indicator's name."""
    wanted_indicator = _key(mapping.indicator_column or "")
    wanted_value = _key(mapping.value_columns[0])
    for header_index, row in enumerate(sheet.rows[:25]):
        keys = [_key(_text(cell)) for cell in row]
        if wanted_indicator in keys and wanted_value in keys:
            break
    else:
        return [(sheet, None)]  # the normaliser reports the missing columns
    indicator_at, value_at = keys.index(wanted_indicator), keys.index(wanted_value)
    header, data = sheet.rows[:header_index + 1], sheet.rows[header_index + 1:]
    names: list[str] = []
    for row in data:
        name = _text(row[indicator_at]) if indicator_at < len(row) else ""
        if name and name not in names:
            names.append(name)
    split = []
    for name in names:
        renamed = [list(row) for row in header]
        renamed[-1][value_at] = name
        for row in renamed[:-1]:
            if value_at < len(row) and _key(_text(row[value_at])) == wanted_value:
                row[value_at] = name
        kept = [row for row in data if indicator_at < len(row) and _text(row[indicator_at]) == name]
        split.append((Sheet(sheet.name, renamed + kept, sheet.encoding, sheet.delimiter), name))
    return split or [(sheet, None)]


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _labels(sheets: Iterable[Sheet]) -> dict[str, tuple[str, str | None]]:
    """Indicator name → (label, unit) from the header texts ("Jumlah Penduduk (jiwa)" → "Jumlah Penduduk")."""
    labels: dict[str, tuple[str, str | None]] = {}
    for sheet in sheets:
        for row in sheet.rows[:25]:
            for cell in row:
                text = _text(cell)
                if not isinstance(cell, str) or not text or _YEAR.match(text):
                    continue
                unit = _UNIT.search(text)
                label = " ".join(_UNIT.sub(" ", text).split())
                labels.setdefault(indicator_name(text), (label, unit.group(1).strip() if unit else None))
    return labels


def _title(sheets: list[Sheet]) -> str | None:
    """The table's title: the last row above the header holding a single text (a merged title repeats it)."""
    title = None
    for row in sheets[0].rows[:HEADER_SCAN_ROWS] if sheets else []:
        texts = list(dict.fromkeys(_text(cell) for cell in row if _text(cell)))
        if len(texts) > 1:
            break
        if texts and not _YEAR.match(texts[0]) and not texts[0].replace(".", "").replace(",", "").isdigit():
            title = texts[0]
    return title


def convert(data: bytes, filename: str, mapping: TableMapping) -> Table:
    """The tidy table of a workbook; ConvertError when it cannot be read or has no recognisable table."""
    try:
        sheets = read_table(data, filename=filename)
    except TableReadError as error:
        raise ConvertError(UNREADABLE, {"file": filename, "reason": error}) from None
    if mapping.sheets:
        by_key = {_key(sheet.name or ""): sheet for sheet in sheets}
        chosen = []
        for name in mapping.sheets:
            if (sheet := by_key.get(_key(name))) is None:
                raise ConvertError(SHEET_NOT_FOUND, {"file": filename, "sheet": name,
                                                     "available": ", ".join(s.name or "" for s in sheets)})
            chosen.append(sheet)
        sheets = chosen
    prepared = [_prepare(sheet, mapping) for sheet in sheets]
    parts: list[tuple[Sheet, str | None]] = [(sheet, None) for sheet in prepared]
    if mapping.indicator_column:
        parts = [part for sheet in prepared for part in _split_by_indicator(sheet, mapping)]
    figures: list[Figure] = []
    problems: list[str] = []
    for sheet, indicator in parts:
        description = TableDescription(
            region_column=mapping.region_column, region_code_type=mapping.region_code_type,
            period_column=mapping.period_column,
            value_columns=(indicator,) if indicator else mapping.value_columns, unit=mapping.unit)
        result = normalise_sheets([sheet], description)
        figures += result.figures
        problems += [_located(problem) for problem in result.problems]
    if not figures:
        raise ConvertError(NO_TABLE, {"file": filename, "reason": problems[0] if problems else NO_FIGURES})
    return _tidy(figures, _labels(sheet for sheet, _ in parts), mapping, _title(prepared), problems)


def _located(problem) -> str:
    where = ", ".join(part for part in (f"sheet {problem.sheet}" if problem.sheet else "",
                                        f"row {problem.row}" if problem.row else "") if part)
    return f"{problem.text} ({where})" if where else problem.text


def _tidy(figures: list[Figure], labels: dict[str, tuple[str, str | None]], mapping: TableMapping,
          title: str | None, problems: list[str]) -> Table:
    columns: dict[str, str] = {}  # indicator name → column name
    units: dict[str, str | None] = {}
    indicator_labels: list[str] = []
    rows: dict[tuple[str, str], dict[str, str]] = {}
    regions: dict[str, str] = {}
    for figure in figures:
        if figure.indicator not in columns:
            label, header_unit = labels.get(figure.indicator, (figure.indicator.replace("_", " ").capitalize(), None))
            unit = mapping.unit or figure.unit or header_unit
            name = _header_safe(label)
            columns[figure.indicator] = f"{name} ({_header_safe(unit)})" if unit else name
            units[figure.indicator] = unit
            indicator_labels.append(label)
        period = figure.period or mapping.period or ""
        cells = rows.setdefault((figure.region_code, period), {})
        column = columns[figure.indicator]
        if column in cells:
            problems.append(f"{figure.region_code} {period}: a second value for {column} "
                            f"(sheet {figure.sheet}, cell {figure.cell}) was left out")
            continue
        cells[column] = _number(figure.value)
        regions[figure.region_code] = figure.region_level
    shared_units = set(units.values())
    unit = shared_units.pop() if len(shared_units) == 1 else None
    periods = sorted({period for _, period in rows if period})
    period_column = "tahun" if all(_YEAR.match(period) for period in periods) else "periode"
    value_columns = list(columns.values())
    header = ["kode_wilayah", "kode_bps", "nama_wilayah", period_column, *value_columns]
    if unit:
        header.append("satuan")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for code, period in sorted(rows, key=lambda key: (_LEVEL_ORDER.get(regions[key[0]], 3), key[0], key[1])):
        kode_bps, nama = _region_names(code)
        values = rows[(code, period)]
        writer.writerow([code, kode_bps, nama, period, *(values.get(column, "") for column in value_columns),
                         *([unit] if unit else [])])
    if title and len(periods) > 1:
        title = _TITLE_YEAR.sub("", title).strip() or title
    return Table(buffer.getvalue().encode("utf-8"), value_columns, period_column, unit, indicator_labels, periods,
                 regions, mapping.title or title, problems)


def _region_names(code: str) -> tuple[str, str]:
    regency = reference.kabupaten()
    if code == regency.kode_kemendagri:
        return regency.kode_bps, regency.nama
    if (kecamatan := reference.kecamatan_by_code(code)) is not None:
        return kecamatan.kode_bps, kecamatan.nama
    if (desa := reference.desa_by_code(code)) is not None:
        return "", desa.nama
    return "", ""
