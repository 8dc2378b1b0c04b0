"""How a CSV download is written: plain UTF-8 (comma, decimal point) or for Excel set to Indonesian
(byte-order mark, semicolon, decimal comma), and a streaming writer shared by every CSV the portal serves.

Excel in the Indonesian locale splits a CSV on the list separator `;` and reads `1,5` as one and a half; without a
byte-order mark it reads the file as Windows-1252 and mangles names such as "Long Kali" written with non-ASCII
letters. Plain output is what pandas, R and scripts expect.
"""
from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

BOM = "\ufeff"
# Rows buffered before a chunk is handed to the response: large enough that a 1,000,000-row table is not sent in
# a million tiny writes, small enough that memory stays flat.
ROWS_PER_CHUNK = 1000
TRUE_VALUES = ("1", "true", "ya", "yes", "on")
# Excel runs a cell starting with one of these as a formula (CSV injection): a title such as "=HYPERLINK(...)"
# typed by a producer must reach the walidata's spreadsheet as text, so the Excel style prefixes it with `'`.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class CsvStyle:
    name: str
    delimiter: str
    decimal: str
    bom: bool
    escape_formulas: bool = False

    def cell(self, value: Any) -> Any:
        """A value as the CSV shows it: numbers with this style's decimal mark, no thousands separators."""
        if value is None:
            return ""
        if isinstance(value, str):
            return "'" + value if self.escape_formulas and value.startswith(FORMULA_STARTS) else value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float):
            text = repr(value) if value != int(value) or abs(value) >= 1e16 else str(int(value))
            return text.replace(".", self.decimal) if self.decimal != "." else text
        if isinstance(value, Decimal):
            text = format(value, "f")
            return text.replace(".", self.decimal) if self.decimal != "." else text
        if isinstance(value, (datetime.date, datetime.datetime)):
            return value.isoformat()
        return value


PLAIN = CsvStyle("utf8", ",", ".", False)
EXCEL = CsvStyle("excel", ";", ",", True, escape_formulas=True)
TSV = CsvStyle("tsv", "\t", ".", False)


def style_from_args(args: Mapping[str, Any]) -> CsvStyle:
    """The style a download asks for: `?excel=1` (or `gaya=excel`) for Indonesian Excel, else plain UTF-8."""
    excel = str(args.get("excel") or "").strip().lower() in TRUE_VALUES
    return EXCEL if excel or str(args.get("gaya") or "").strip().lower() == "excel" else PLAIN


def stream_csv(header: Iterable[str], rows: Iterable[Iterable[Any]], style: CsvStyle = PLAIN,
               rows_per_chunk: int = ROWS_PER_CHUNK) -> Iterator[str]:
    """The CSV text in chunks of `rows_per_chunk` rows, the header first (after the BOM if the style has one)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=style.delimiter, lineterminator="\r\n")
    if style.bom:
        buffer.write(BOM)
    writer.writerow(list(header))
    pending = 0
    for row in rows:
        writer.writerow([style.cell(value) for value in row])
        pending += 1
        if pending >= rows_per_chunk:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


def filename(stem: str, style: CsvStyle, extension: str = "csv") -> str:
    """The download's file name; the Excel variant says so, so both can sit side by side in a folder."""
    return f"{stem}-excel.{extension}" if style is EXCEL else f"{stem}.{extension}"
