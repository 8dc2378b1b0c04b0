"""Reading agency tables (CSV in any common dialect and encoding, XLSX) into sheets of rows of cells.

CSV: the encoding is taken from a byte-order mark, else UTF-8 if the bytes decode as such, else charset-normalizer's
best guess (agency exports are often Windows-1252); the dialect (delimiter, quote, escape) is detected by CleverCSV
on a sample, which, unlike the stdlib's ``csv.Sniffer``, copes with semicolon files full of ``1.234,5`` numbers.
XLSX (openpyxl): every sheet is read with its computed values; a merged range repeats its top-left value in every
cell it covers, so a header such as "Jumlah Penduduk (jiwa)" spanning the year columns names each of them.
"""
from __future__ import annotations

import codecs
import datetime
import io
import os
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

import charset_normalizer
import clevercsv
import openpyxl
from clevercsv.dialect import SimpleDialect
from openpyxl.utils.exceptions import InvalidFileException

Cell = str | int | float | Decimal | datetime.date | datetime.datetime | bool | None

CSV_FORMATS = ("csv", "txt", "tsv")
XLSX_FORMATS = ("xlsx", "xlsm")
DELIMITERS = (",", ";", "\t", "|")
# CleverCSV's detection grows with the text; a sample of this many characters (cut at a line end) is enough.
SNIFF_CHARS = 64 * 1024
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class TableReadError(ValueError):
    """The file is not a readable CSV or XLSX table."""


@dataclass
class Sheet:
    """One table: a CSV file, or one worksheet of a workbook (``name`` is the worksheet's title)."""

    name: str | None
    rows: list[list[Cell]] = field(default_factory=list)
    encoding: str | None = None  # CSV only
    delimiter: str | None = None  # CSV only


def read_table(source: str | bytes | os.PathLike, format: str | None = None, filename: str | None = None) -> list[Sheet]:
    """The sheets of a table file: a path or the file's bytes; ``format`` (csv, xlsx) or else the file name's
    extension or else the content decides how it is read."""
    if isinstance(source, (str, os.PathLike)):
        filename = filename or os.fspath(source)
        try:
            with open(source, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise TableReadError(f"cannot open the file ({error.strerror})") from None
    else:
        data = bytes(source)
    kind = _kind(data, format, filename)
    if kind == "xlsx":
        return read_xlsx(data)
    return [read_csv(data)]


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


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read with."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding
    if b"\x00" in data:
        raise TableReadError("binary data, not CSV text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise TableReadError("not text in any known encoding")
    return str(best), best.encoding


def read_csv(data: bytes) -> Sheet:
    text, encoding = decode(data)
    sample = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]
    dialect = None
    if sample.strip():
        try:
            dialect = clevercsv.Detector().detect(sample, delimiters=list(DELIMITERS))
        except (ValueError, clevercsv.Error) as error:
            raise TableReadError(f"no recognisable CSV layout ({error})") from None
    if dialect is None:
        # A single column (or an empty file): nothing to split on.
        dialect = SimpleDialect(delimiter=",", quotechar='"', escapechar="")
    try:
        rows = [list(row) for row in clevercsv.reader(io.StringIO(text, newline=""), dialect)]
    except clevercsv.Error as error:
        raise TableReadError(f"not a readable CSV file ({error})") from None
    return Sheet(None, rows, encoding=encoding, delimiter=dialect.delimiter)


def read_xlsx(data: bytes) -> list[Sheet]:
    try:
        # Not read-only: merged ranges are only known to a fully loaded workbook. data_only: formula results.
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise TableReadError(f"not a readable XLSX workbook ({error})") from None
    sheets = []
    try:
        for worksheet in workbook.worksheets:
            rows = [list(row) for row in worksheet.iter_rows(values_only=True)]
            for merged in worksheet.merged_cells.ranges:
                value = worksheet.cell(merged.min_row, merged.min_col).value
                for row in range(merged.min_row, merged.max_row + 1):
                    for column in range(merged.min_col, merged.max_col + 1):
                        if row <= len(rows) and column <= len(rows[row - 1]):
                            rows[row - 1][column - 1] = value
            sheets.append(Sheet(worksheet.title, rows))
    finally:
        workbook.close()
    return sheets
