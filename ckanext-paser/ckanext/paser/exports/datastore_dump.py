"""`/datastore/dump/<id>` with two more outputs: `format=xlsx` and the CSV for Indonesian Excel (`?excel=1`).

CKAN's dump view stays in charge of everything else (csv, tsv, json, xml, its `bom` option): the plugin's
``IMiddleware.make_middleware`` puts :func:`dump` in front of it (``install``), which answers only these two and
hands every other request to the original view. Access is CKAN's: ``datastore_search`` as the requesting user
(resource and dataset read access, so also the bundle's rules for terbatas and tertutup datasets) decides, and a
table the user may not read is "not found", as in core. Every request's options are checked first, whatever its
format (``dump_request``): a bad one is a 400 with a message, never core's server error. Rows are read page by page with ``datastore_search``, so
memory holds one page however large the table; the XLSX is written by openpyxl's write-only workbook to a temporary
file (its rows go to disk as they come) and sent from there in chunks.
"""
from __future__ import annotations

import csv
import datetime
import functools
import io
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import flask
import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from . import copy_stream, csv_style, dump_request
from .dump_request import DumpRequest

log = logging.getLogger(__name__)

ENDPOINT = "datastore.dump"
PAGE_ROWS = 10_000
SEND_CHUNK = 64 * 1024
# Excel opens at most 1,048,576 rows per sheet; the header takes one.
XLSX_MAX_ROWS = 1_048_575
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def install(app: Any) -> Any:
    """Put :func:`dump` in front of core's dump view, if the DataStore plugin registered it."""
    if not p.plugin_loaded("datastore"):
        return app
    view_functions = getattr(app, "view_functions", None)
    if view_functions is None or ENDPOINT not in view_functions:
        # The one place the bundle takes over an upstream view: stop the start-up rather than serve dumps
        # without the bundle's formats and checks when the DataStore renamed its endpoint.
        raise RuntimeError(f"paser_exports: the DataStore plugin is loaded but registers no {ENDPOINT!r} view "
                           "(ckanext-datastore changed); update ckanext/paser/exports/datastore_dump.py")
    original = view_functions[ENDPOINT]
    view_functions[ENDPOINT] = functools.wraps(original)(functools.partial(dump, original))
    return app


def dump(original: Callable[..., Any], resource_id: str) -> Any:
    request = dump_request.read(resource_id)
    fmt = request.format
    if fmt == "xlsx":
        return _xlsx_response(resource_id, request)
    excel = fmt == "csv" and csv_style.style_from_args(flask.request.args) is csv_style.EXCEL
    if fmt in ("csv", "tsv") and request.whole_table:
        return _copy_response(resource_id, request, excel)
    if excel:
        return _csv_response(resource_id, request, csv_style.EXCEL)
    try:
        return original(resource_id=resource_id)
    except tk.ValidationError as error:  # raised by core's first datastore_search, before anything is sent
        dump_request.search_refused(error)


def _copy_response(resource_id: str, request: DumpRequest, excel: bool) -> Any:
    fields, fmt = request.fields, request.format
    names = [field["id"] for field in fields]
    if excel:
        header = "".join(csv_style.stream_csv(names, [], csv_style.EXCEL))
        delimiter, content_type, name = ";", "text/csv; charset=utf-8", csv_style.filename(resource_id, csv_style.EXCEL)
    else:
        # Core's header: its csv/tsv writer, with a byte-order mark when `bom` is asked for.
        buffer = io.StringIO()
        if request.bom:
            buffer.write(csv_style.BOM)
        csv.writer(buffer, dialect="excel-tab" if fmt == "tsv" else "excel").writerow(names)
        header = buffer.getvalue()
        delimiter = "\t" if fmt == "tsv" else ","
        content_type = ("text/tab-separated-values; charset=utf-8" if fmt == "tsv"
                        else "text/csv; charset=utf-8")
        name = f"{resource_id}.{fmt}"
    statement = copy_stream.copy_statement(resource_id, fields, delimiter, excel=excel)

    def body() -> Iterator[bytes]:
        yield header.encode("utf-8")
        yield from copy_stream.stream(statement)

    return flask.Response(body(), headers={"Content-Type": content_type, "Content-Disposition": _attachment(name)})


def _pages(resource_id: str, params: dict[str, Any], offset: int, limit: int | None,
           user: str) -> tuple[list[dict[str, Any]], Iterator[list[Any]]]:
    """The fields and the rows (lists of values in field order), fetched ``PAGE_ROWS`` at a time as the user."""

    def search(start: int, wanted: int) -> dict[str, Any]:
        return tk.get_action("datastore_search")({"user": user}, {
            **params, "resource_id": resource_id, "offset": start, "limit": wanted,
            # Objects, not lists: core's lists query breaks on the rank column a `q` search adds.
            "records_format": "objects", "include_total": False})

    try:
        first = search(offset, PAGE_ROWS if limit is None else min(PAGE_ROWS, limit))
    except tk.ValidationError as error:  # what the options check did not foresee: still the reader's mistake
        dump_request.search_refused(error)
    page_size = first["limit"]  # lower if ckan.datastore.search.rows_max is
    names = [field["id"] for field in first["fields"]]

    def rows() -> Iterator[list[Any]]:
        result, start, remaining = first, offset, limit
        while True:
            records = result["records"]
            for record in records[: remaining if remaining is not None else None]:
                yield [record.get(name) for name in names]
            if remaining is not None:
                remaining -= len(records)
            if len(records) < page_size or (remaining is not None and remaining <= 0):
                return
            start += len(records)
            result = search(start, page_size if remaining is None else min(page_size, remaining))

    return first["fields"], rows()


def _attachment(name: str) -> str:
    return f'attachment; filename="{name}"'


def _csv_response(resource_id: str, request: DumpRequest, style: csv_style.CsvStyle) -> Any:
    fields, rows = _pages(resource_id, request.params, request.offset, request.limit, tk.g.user)
    chunks = csv_style.stream_csv([field["id"] for field in fields], rows, style)
    return flask.Response(flask.stream_with_context(chunks), headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": _attachment(csv_style.filename(resource_id, style)),
    })


def _xlsx_value(value: Any, field_type: str) -> Any:
    """A value as Excel should hold it: numbers as numbers, dates as dates, text without control characters."""
    if isinstance(value, str):
        if field_type in ("date", "timestamp"):
            try:
                parsed = datetime.datetime.fromisoformat(value)
                return parsed.date() if field_type == "date" else parsed
            except ValueError:
                pass
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, (dict, list)):
        return ILLEGAL_CHARACTERS_RE.sub("", flask.json.dumps(value))
    return value


def _write_xlsx(path: str, fields: list[dict[str, Any]], rows: Iterator[list[Any]]) -> None:
    workbook = openpyxl.Workbook(write_only=True)  # rows go to a temporary file, not into memory
    sheet = workbook.create_sheet("data")
    sheet.append([field["id"] for field in fields])
    types = [field.get("type", "text") for field in fields]
    for count, row in enumerate(rows):
        if count >= XLSX_MAX_ROWS:
            break
        sheet.append([_xlsx_value(value, field_type) for value, field_type in zip(row, types)])
    workbook.save(path)


def _send(handle: Any) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(SEND_CHUNK):
            yield chunk


def _xlsx_response(resource_id: str, request: DumpRequest) -> Any:
    fields, rows = _pages(resource_id, request.params, request.offset, request.limit, tk.g.user)
    descriptor, path = tempfile.mkstemp(suffix=".xlsx", prefix="paser-dump-")
    os.close(descriptor)
    try:
        _write_xlsx(path, fields, rows)
        handle = open(path, "rb")  # noqa: SIM115 - closed by _send once the response is sent
    finally:
        os.unlink(path)  # the open handle keeps the file readable; nothing is left behind whatever happens next
    return flask.Response(_send(handle), headers={
        "Content-Type": XLSX_TYPE,
        "Content-Length": str(os.fstat(handle.fileno()).st_size),
        "Content-Disposition": _attachment(f"{resource_id}.xlsx"),
    })
