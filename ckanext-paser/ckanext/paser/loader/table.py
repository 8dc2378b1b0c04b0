"""From an agency table (rows of cells, as ``tables.reading`` reads them) to DataStore columns with types and rows
of values.

Types are decided per column over every value, so a column is numeric only if all its filled cells are numbers:
integers → ``int8`` (``numeric`` beyond its range), decimals in Indonesian (``1.234,5``) or English (``1,234.5``)
notation → ``numeric``, dates → ``date`` or ``timestamp``, anything else → ``text``. Digit strings with a leading
zero (codes such as ``0612``) stay text. Header names are cleaned only as far as the DataStore requires, so analysts
recognise them: whitespace collapsed, a leading underscore or a double quote removed, duplicates numbered.
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from ..checks import normalise
from ..checks.normalise import column_locale, parse_number
from ..tables.reading import Cell, Sheet

INT8_MIN, INT8_MAX = -(2**63), 2**63 - 1
# PostgreSQL cuts longer identifiers, so the DataStore's column name would no longer be the field id.
MAX_NAME_BYTES = 63
# Rows scanned for the header: title lines above it (often merged across the table) are skipped.
HEADER_SCAN_ROWS = 20
MAX_HEADER_CONTINUATION = 3

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DAY_FIRST_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
_LEADING_ZERO = re.compile(r"^0\d+$")
_YEAR = re.compile(r"^(19|20)\d{2}$")
# What an OPD writes under a table: "Keterangan: ...", "Sumber: BPS", "Catatan", "*) angka sementara".
_NOTE = re.compile(r"^(?:(?:keterangan|ket\.?|sumber|catatan|source|notes?)\s*:|\*)", re.IGNORECASE)


class EmptyTableError(ValueError):
    """The file holds no table (no header row)."""


@dataclass
class Column:
    name: str
    type: str = "text"
    locale: str = "id"  # of the column's text numbers


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[Cell]]  # the data rows, as read

    def values(self) -> Iterator[list[str | None]]:
        """Each row as COPY text per column (None: NULL)."""
        for row in self.rows:
            yield [copy_text(row[index] if index < len(row) else None, column)
                   for index, column in enumerate(self.columns)]


def cell_text(cell: Cell) -> str:
    """A cell as the checks read it, whitespace inside collapsed, booleans as DataStore writes them."""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    return " ".join(normalise.cell_text(cell).split())


def _filled(row: list[Cell]) -> list[str]:
    return [text for text in (cell_text(cell) for cell in row) if text]


def _find_header(rows: list[list[Cell]]) -> int:
    """The first row naming at least two different columns (a title merged across the table names one); a
    one-column table's first filled row."""
    first_filled = None
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        texts = _filled(row)
        if texts and first_filled is None:
            first_filled = index
        if len(set(texts)) >= 2:
            return index
    if first_filled is None:
        raise EmptyTableError("no header row")
    return first_filled


def _is_data(row: list[Cell]) -> bool:
    """A row with a number other than a year is data, not a header line."""
    for cell in row:
        if isinstance(cell, (int, float, Decimal)) and not isinstance(cell, bool) and not _YEAR.match(cell_text(cell)):
            return True
        if isinstance(cell, str) and parse_number(cell) is not None and not _YEAR.match(cell.strip()):
            return True
    return False


def _header_labels(rows: list[list[Cell]], header: int, width: int) -> tuple[list[str], int]:
    """The column labels and the first data row. A merged group header ("Jumlah Penduduk" over the year
    columns) repeats its text; the rows under it that tell those columns apart continue the header."""
    labels = [[cell_text(rows[header][i])] if i < len(rows[header]) else [""] for i in range(width)]
    start = header + 1
    while start < len(rows) and start <= header + MAX_HEADER_CONTINUATION:
        flat = [" ".join(p for p in parts if p) for parts in labels]
        repeated = {label for label in flat if label and flat.count(label) > 1}
        row = rows[start]
        texts = [cell_text(row[i]) if i < len(row) else "" for i in range(width)]
        grouped = [i for i, label in enumerate(flat) if label in repeated]
        # Under a group header every grouped column is named; the others are empty or repeat a vertical merge.
        others_blank = all(texts[i] in ("", flat[i]) for i in range(width) if i not in grouped)
        if not repeated or _is_data(row) or not all(texts[i] for i in grouped) or not others_blank:
            break
        for i, text in enumerate(texts):
            if text and text not in labels[i]:
                labels[i].append(text)
        start += 1
    return [" ".join(p for p in parts if p) for parts in labels], start


def field_name(label: str, position: int) -> str:
    """A DataStore field id close to the header: no leading underscore or space, no double quote, at most 63
    bytes; an empty header becomes ``kolom_<n>``."""
    name = " ".join(label.replace('"', "'").split()).lstrip("_ ").strip()
    while len(name.encode("utf-8")) > MAX_NAME_BYTES:
        name = name[:-1].rstrip()
    return name or f"kolom_{position}"


def _unique(names: list[str]) -> list[str]:
    seen: set[str] = set()
    unique = []
    for name in names:
        candidate, number = name, 2
        while candidate.lower() in seen:  # PostgreSQL folds nothing in quoted names, but analysts would confuse them
            suffix = f" ({number})"
            candidate = field_name(name[: MAX_NAME_BYTES - len(suffix)], 0) + suffix
            number += 1
        seen.add(candidate.lower())
        unique.append(candidate)
    return unique


def _date(cell: Cell) -> datetime.date | datetime.datetime | None:
    if isinstance(cell, datetime.datetime):
        return cell if (cell.hour, cell.minute, cell.second, cell.microsecond) != (0, 0, 0, 0) else cell.date()
    if isinstance(cell, datetime.date):
        return cell
    if not isinstance(cell, str):
        return None
    text = cell.strip()
    try:
        if match := _ISO_DATE.match(text):
            return datetime.date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DAY_FIRST_DATE.match(text):  # Indonesian order: day, month, year
            return datetime.date(int(match[3]), int(match[2]), int(match[1]))
        if _ISO_TIMESTAMP.match(text):
            return datetime.datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError:
        return None
    return None


def infer_type(cells: list[Cell]) -> tuple[str, str]:
    """The DataStore type of a column's cells and the notation of its text numbers."""
    filled = [cell for cell in cells if cell_text(cell)]
    locale = column_locale(filled)
    if not filled:
        return "text", locale
    numbers = []
    for cell in filled:
        if isinstance(cell, str) and _LEADING_ZERO.match(cell.strip()):
            break
        number = parse_number(cell, locale)
        if number is None:
            break
        numbers.append(number)
    else:
        if all(n == n.to_integral_value() and INT8_MIN <= n <= INT8_MAX for n in numbers):
            return "int8", locale
        return "numeric", locale
    dates = [_date(cell) for cell in filled]
    if all(date is not None for date in dates):
        if all(not isinstance(date, datetime.datetime) for date in dates):
            return "date", locale
        return "timestamp", locale
    return "text", locale


def copy_text(cell: Cell, column: Column) -> str | None:
    """A cell as COPY reads it for its column's type; None is NULL."""
    text = cell_text(cell)
    if not text:
        return None
    if column.type in ("int8", "numeric"):
        number = parse_number(cell, column.locale)
        assert number is not None  # the column's type was inferred from every cell
        return format(number.to_integral_value() if column.type == "int8" else number, "f")
    if column.type in ("date", "timestamp"):
        value = _date(cell)
        assert value is not None
        return value.isoformat()
    return text


def _without_notes(data: list[list[Cell]]) -> list[list[Cell]]:
    """The data rows without the notes under the table: trailing rows whose one filled cell reads as a note
    (kept as rows, they would be records with every figure empty, in the DataStore and in every export)."""
    end = len(data)
    while end > 0:
        texts = _filled(data[end - 1])
        if len(texts) != 1 or not _NOTE.match(texts[0]):
            break
        end -= 1
    return data[:end] if end else data


def table_from_sheet(sheet: Sheet) -> Table:
    """The header, its columns with types and the data rows of a sheet (empty rows and empty unnamed columns
    dropped)."""
    rows = sheet.rows
    header = _find_header(rows)
    width = max((len(row) for row in rows[header:]), default=0)
    labels, start = _header_labels(rows, header, width)
    data = _without_notes([row for row in rows[start:] if _filled(row)])
    keep = [i for i in range(width) if labels[i] or any(i < len(row) and cell_text(row[i]) for row in data)]
    names = _unique([field_name(labels[i], position) for position, i in enumerate(keep, 1)])
    columns = []
    for name, index in zip(names, keep):
        column_type, locale = infer_type([row[index] if index < len(row) else None for row in data])
        columns.append(Column(name, column_type, locale))
    return Table(columns, [[row[i] if i < len(row) else None for i in keep] for row in data])
