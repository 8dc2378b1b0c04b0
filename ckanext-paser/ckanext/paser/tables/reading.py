"""Reading agency tables (CSV in any common dialect and encoding, XLSX) into sheets of rows of cells.

CSV: the encoding is taken from a byte-order mark, else UTF-8 if the bytes decode as such, else UTF-16 without a
byte-order mark (recognised by its NUL bytes in every other position), else charset-normalizer's best guess (agency
exports are often Windows-1252); the dialect (delimiter, quote, escape) is detected by CleverCSV on a sample, which,
unlike the stdlib's ``csv.Sniffer``, copes with semicolon files full of ``1.234,5`` numbers.
XLSX (openpyxl, read-only and streamed): every sheet is read with its computed values; a merged range repeats its
top-left value in every cell it covers, so a header such as "Jumlah Penduduk (jiwa)" spanning the year columns
names each of them.

Reading is bounded (``Limits``, config ``ckanext.paser.checks.max_*``) in cells, not only in bytes: a workbook of a
few kilobytes may declare or style a cell at XFD1048576. A sheet's size is its used range up to its last *filled*
cell (the ``<dimension>`` a file declares is not trusted, trailing empty rows and columns are ignored); more rows,
columns or cells than allowed, an archive that unpacks to too much, or a read running out of time stop the read
with a ``TableLimitError`` that says which limit.
"""
from __future__ import annotations

import codecs
import datetime
import io
import logging
import os
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import charset_normalizer
import clevercsv
import openpyxl
from clevercsv.dialect import SimpleDialect
from openpyxl.utils import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

# The streaming parser openpyxl's read-only worksheets use themselves (ReadOnlyWorksheet._cells_by_row). Used
# directly because it yields only the cells a file holds (iter_rows pads rows to the declared dimension) and
# collects the merged ranges, which read-only worksheets do not expose. Checked here, at import, so an openpyxl
# that moved it fails at start-up, not in a job.
from openpyxl.worksheet._reader import WorkSheetParser

from ..localization import N_

if not callable(getattr(ReadOnlyWorksheet, "_get_source", None)):  # pragma: no cover - guards an openpyxl upgrade
    raise ImportError("openpyxl's ReadOnlyWorksheet._get_source is gone: tables/reading.py needs updating")  # noqa: TRY004

log = logging.getLogger(__name__)

Cell = str | int | float | Decimal | datetime.date | datetime.datetime | bool | None

CSV_FORMATS = ("csv", "txt", "tsv")
XLSX_FORMATS = ("xlsx", "xlsm")
DELIMITERS = (",", ";", "\t", "|")
# CleverCSV's detection grows with the text; a sample of this many characters (cut at a line end) is enough.
SNIFF_CHARS = 64 * 1024
# Bytes looked at to recognise UTF-16 without a byte-order mark.
UTF16_SAMPLE = 4096
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

UNREADABLE_FILE = N_("The file cannot be read as a table: %(reason)s.")
TOO_MANY_ROWS = N_("The table has more than %(limit)s rows and was not read; split it into smaller files.")
TOO_MANY_COLUMNS = N_(
    "The table has %(columns)s columns (up to its last filled cell); at most %(limit)s are read. Remove the "
    "unneeded columns or cells far to the right of the table, or split it.")
TOO_MANY_CELLS = N_(
    "The file spans more than %(limit)s cells (rows times columns up to the last filled cell of each sheet) and "
    "was not read. Remove cells far below or to the right of the table, or split it into smaller files.")
TOO_LARGE_UNPACKED = N_("The workbook unpacks to more than %(limit)s MB and was not read.")
TOO_SLOW = N_("Reading the file took longer than %(limit)s seconds and was stopped; split it into smaller files.")

CONFIG_MAX_ROWS = "ckanext.paser.checks.max_rows"
CONFIG_MAX_COLUMNS = "ckanext.paser.checks.max_columns"
CONFIG_MAX_CELLS = "ckanext.paser.checks.max_cells"
CONFIG_MAX_UNPACKED_MB = "ckanext.paser.checks.max_unpacked_mb"
CONFIG_MAX_SECONDS = "ckanext.paser.checks.max_read_seconds"


class TableReadError(ValueError):
    """The file is not a readable CSV or XLSX table. ``message`` (a msgid) and ``params`` say why to a steward;
    ``str()`` is the English text."""

    message: str = UNREADABLE_FILE

    def __init__(self, reason: str):
        super().__init__(reason)
        self.params: dict[str, Any] = {"reason": reason}


class TableLimitError(TableReadError):
    """The file exceeds one of the reading limits (its own message, not "cannot be read")."""

    def __init__(self, message: str, params: dict[str, Any]):
        ValueError.__init__(self, message % params)
        self.message = message
        self.params = dict(params)


@dataclass(frozen=True)
class Limits:
    """How much a read may take: rows and columns up to the last filled cell, cells (each sheet's rows times
    columns, summed over a workbook), unpacked bytes of a workbook, and seconds."""

    max_rows: int = 1_000_000
    max_columns: int = 500
    max_cells: int = 2_000_000
    max_unpacked_bytes: int = 200 * 1024 * 1024
    max_seconds: float = 60

    @classmethod
    def from_config(cls) -> Limits:
        import ckan.plugins.toolkit as tk

        def number(key: str, default: float) -> float:
            value = tk.config.get(key)
            return default if value in (None, "") else float(value)

        default = cls()
        return cls(
            max_rows=int(number(CONFIG_MAX_ROWS, default.max_rows)),
            max_columns=int(number(CONFIG_MAX_COLUMNS, default.max_columns)),
            max_cells=int(number(CONFIG_MAX_CELLS, default.max_cells)),
            max_unpacked_bytes=int(number(CONFIG_MAX_UNPACKED_MB, default.max_unpacked_bytes / 1024 / 1024)
                                   * 1024 * 1024),
            max_seconds=number(CONFIG_MAX_SECONDS, default.max_seconds),
        )


class _Budget:
    """The limits of one read as it goes: the deadline and the cells taken so far by earlier sheets."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.deadline = time.monotonic() + limits.max_seconds
        self.cells = 0

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise TableLimitError(TOO_SLOW, {"limit": f"{self.limits.max_seconds:g}"})

    def check_row(self, number: int, last_column: int, width: int) -> None:
        """A filled row ``number`` whose last filled cell is in ``last_column``, in a sheet ``width`` wide."""
        limits = self.limits
        if last_column > limits.max_columns:
            raise TableLimitError(TOO_MANY_COLUMNS, {"columns": last_column, "limit": limits.max_columns})
        if number > limits.max_rows:
            raise TableLimitError(TOO_MANY_ROWS, {"limit": limits.max_rows})
        if self.cells + number * width > limits.max_cells:
            raise TableLimitError(TOO_MANY_CELLS, {"limit": limits.max_cells})

    def take(self, cells: int) -> None:
        self.cells += cells


@dataclass
class Sheet:
    """One table: a CSV file, or one worksheet of a workbook (``name`` is the worksheet's title)."""

    name: str | None
    rows: list[list[Cell]] = field(default_factory=list)
    encoding: str | None = None  # CSV only
    delimiter: str | None = None  # CSV only


def read_table(source: str | bytes | os.PathLike, format: str | None = None, filename: str | None = None,
               limits: Limits | None = None) -> list[Sheet]:
    """The sheets of a table file: a path or the file's bytes; ``format`` (csv, xlsx) or else the file name's
    extension or else the content decides how it is read. ``limits``: the configured ones unless given."""
    if isinstance(source, (str, os.PathLike)):
        filename = filename or os.fspath(source)
        try:
            with open(source, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise TableReadError(f"cannot open the file ({error.strerror})") from None
    else:
        data = bytes(source)
    budget = _Budget(limits or Limits.from_config())
    kind = _kind(data, format, filename)
    if kind == "xlsx":
        return read_xlsx(data, budget)
    return [read_csv(data, budget)]


def _kind(data: bytes, format: str | None, filename: str | None) -> str:
    wanted = (format or "").strip().lower().lstrip(".")
    if not wanted and filename:
        wanted = os.path.splitext(filename)[1].lower().lstrip(".")
    if wanted in XLSX_FORMATS:
        return "xlsx"
    if wanted in CSV_FORMATS:
        return "csv"
    if wanted == "xls":
        raise TableReadError("old Excel format (.xls); save the workbook as .xlsx or CSV")
    # No usable hint: a zip archive is a workbook, anything else is read as text.
    return "xlsx" if data[:4] == b"PK\x03\x04" else "csv"


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a byte-order mark (Excel's "Unicode text"), told by its NUL bytes: in text of Latin
    letters, digits and punctuation every character's high byte is 0, at the odd positions in little-endian."""
    sample = data[:UTF16_SAMPLE]
    half = len(sample) // 2
    if half < 2 or len(data) % 2:
        return None
    high_le, high_be = sample[1:2 * half:2].count(0), sample[0:2 * half:2].count(0)
    if high_le >= 0.6 * half and high_be <= 0.05 * half:
        encoding = "utf-16-le"
    elif high_be >= 0.6 * half and high_le <= 0.05 * half:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return encoding if "\x00" not in text else None


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read with."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding
    if b"\x00" in data:
        if (encoding := _utf16_without_bom(data)) is not None:
            return data.decode(encoding), encoding
        raise TableReadError("binary data, not CSV text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise TableReadError("not text in any known encoding")
    return str(best), best.encoding


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _last_filled(values: list[Any]) -> int:
    """The 1-based position of the last filled value (0: none)."""
    for position in range(len(values), 0, -1):
        if _filled(values[position - 1]):
            return position
    return 0


def read_csv(data: bytes, budget: _Budget | None = None) -> Sheet:
    budget = budget or _Budget(Limits.from_config())
    text, encoding = decode(data)
    sample = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]
    dialect = None
    if sample.strip():
        try:
            dialect = clevercsv.Detector().detect(sample, delimiters=list(DELIMITERS))
        except (ValueError, clevercsv.Error) as error:
            log.info("No CSV dialect detected: %s", error)
            raise TableReadError("no recognisable CSV layout") from None
    if dialect is None:
        # A single column (or an empty file): nothing to split on.
        dialect = SimpleDialect(delimiter=",", quotechar='"', escapechar="")
    budget.check_time()
    # Rows are kept up to their last filled cell while reading (a line of 5,000 commas costs nothing), then given
    # back the empty cells they had, up to the table's width; empty lines after the last filled one are dropped.
    rows: list[tuple[list[Cell], int]] = []
    kept, width = 0, 0
    try:
        for number, row in enumerate(clevercsv.reader(io.StringIO(text, newline=""), dialect), 1):
            if number % 1024 == 0:
                budget.check_time()
            last = _last_filled(row)
            if last:
                width = max(width, last)
                budget.check_row(number, last, width)
                kept = number
            if number <= budget.limits.max_rows:
                rows.append((row[:last], len(row)))
    except clevercsv.Error as error:
        log.info("Unreadable CSV: %s", error)
        raise TableReadError("not a readable CSV file") from None
    budget.take(kept * width)
    cells: list[list[Cell]] = [row + [""] * (min(length, width) - len(row)) for row, length in rows[:kept]]
    return Sheet(None, cells, encoding=encoding, delimiter=dialect.delimiter)


def _unpacked_size(data: bytes, budget: _Budget) -> None:
    """Refuse a workbook whose parts unpack to more than allowed (zipfile reads no more than a part declares)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        log.info("Unreadable XLSX archive: %s", error)
        raise TableReadError("not a readable XLSX workbook") from None
    if unpacked > budget.limits.max_unpacked_bytes:
        raise TableLimitError(TOO_LARGE_UNPACKED, {"limit": f"{budget.limits.max_unpacked_bytes / 1024 / 1024:g}"})


def _sheet_cells(workbook: Any, worksheet: Any, budget: _Budget) -> tuple[dict[int, list[Cell]], int, list[str]]:
    """The filled rows of a worksheet by row number (each up to its last filled cell), the sheet's width and its
    merged ranges, from one streamed pass over the sheet's XML."""
    by_number: dict[int, list[Cell]] = {}
    width = 0
    source = worksheet._get_source()
    try:
        parser = WorkSheetParser(source, worksheet._shared_strings, data_only=True, epoch=workbook.epoch,
                                 date_formats=workbook._date_formats,
                                 timedelta_formats=workbook._timedelta_formats)
        for number, cells in parser.parse():
            budget.check_time()
            last = max((cell["column"] for cell in cells if _filled(cell["value"])), default=0)
            if not last:
                continue  # an empty or only styled row
            width = max(width, last)
            budget.check_row(number, last, width)
            row: list[Cell] = [None] * last
            for cell in cells:
                if cell["column"] <= last:
                    row[cell["column"] - 1] = cell["value"]
            by_number[number] = row
        merged = [str(cells.ref) for cells in (parser.merged_cells.mergeCell if parser.merged_cells else [])]
    finally:
        source.close()
    return by_number, width, merged


def _fill_merged(rows: list[list[Cell]], width: int, ranges: Iterable[str], budget: _Budget) -> None:
    """Each merged range repeats its top-left value, within the sheet's used range (a range declared over the
    whole sheet costs no more than the cells read)."""
    filled = 0
    for ref in ranges:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            continue
        if min_col is None or min_row is None or min_row > len(rows) or min_col > width:
            continue
        value = rows[min_row - 1][min_col - 1]
        if value is None:
            continue
        last_row, last_col = min(max_row or len(rows), len(rows)), min(max_col or width, width)
        filled += (last_row - min_row + 1) * (last_col - min_col + 1)
        if filled > budget.limits.max_cells:
            raise TableLimitError(TOO_MANY_CELLS, {"limit": budget.limits.max_cells})
        budget.check_time()
        for row in range(min_row, last_row + 1):
            for column in range(min_col, last_col + 1):
                rows[row - 1][column - 1] = value


def read_xlsx(data: bytes, budget: _Budget | None = None) -> list[Sheet]:
    budget = budget or _Budget(Limits.from_config())
    _unpacked_size(data, budget)
    try:
        # Read-only: cells streamed from the XML, never the declared dimension filled in. data_only: formula results.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        log.info("Unreadable XLSX workbook: %s", error)
        raise TableReadError("not a readable XLSX workbook") from None
    sheets = []
    try:
        for worksheet in workbook.worksheets:
            by_number, width, merged = _sheet_cells(workbook, worksheet, budget)
            height = max(by_number, default=0)
            budget.take(height * width)
            rows = [(by_number.get(number) or []) for number in range(1, height + 1)]
            rows = [row + [None] * (width - len(row)) for row in rows]
            _fill_merged(rows, width, merged, budget)
            sheets.append(Sheet(worksheet.title, rows))
    except TableReadError:
        raise
    except (zipfile.BadZipFile, SyntaxError, KeyError, OSError, ValueError, TypeError, AttributeError) as error:
        # A damaged part (bad XML, a CRC error, a cell openpyxl cannot convert): the file, not the portal, is at fault.
        log.info("Unreadable XLSX worksheet: %r", error)
        raise TableReadError("not a readable XLSX workbook") from None
    finally:
        workbook.close()
    return sheets
