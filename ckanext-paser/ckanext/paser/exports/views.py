"""CSV downloads of the exports (blueprint ``paser_exports``), streamed as they are read:

- ``/ekspor/indikator/<indikator>.csv``: one indicator's figures (tidy);
- ``/ekspor/kecamatan/<kecamatan>.csv``: one kecamatan's figures, its desa/kelurahan included (tidy);
- ``/ekspor/daftar-data.csv``: the Daftar Data catalogue.

``?excel=1`` gives the Indonesian Excel variant (csv_style.EXCEL). Each holds only what the visitor may read.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response, stream_with_context

from .. import validation
from . import actions, catalogue, csv_style, tidy

paser_exports = Blueprint("paser_exports", __name__)
paser_exports.before_request(validation.refuse_unstorable_request_text)


def _user_name() -> str:
    user = tk.current_user
    return user.name if user and user.is_authenticated else ""


def _download(stem: str, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Response:
    style = csv_style.style_from_args(tk.request.args)
    body = stream_with_context(csv_style.stream_csv(header, rows, style))
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{csv_style.filename(stem, style)}"'
    return response


def indicator(indikator: str) -> Response:
    try:
        selection = actions.indicator_selection(indikator, _user_name())
    except tk.ObjectNotFound as error:
        return tk.abort(404, str(error))
    return _download(_safe(selection.stem), tidy.COLUMNS, tidy.stream_rows(selection, _user_name()))


def kecamatan(kecamatan: str) -> Response:
    try:
        selection = actions.kecamatan_selection(kecamatan)
    except tk.ObjectNotFound as error:
        return tk.abort(404, str(error))
    return _download(_safe(selection.stem), tidy.COLUMNS, tidy.stream_rows(selection, _user_name()))


def daftar_data() -> Response:
    return _download("daftar-data", catalogue.HEADER, catalogue.stream_rows(_user_name()))


def _safe(stem: str) -> str:
    """A file name from an indicator name: letters, digits, dots, dashes and underscores only."""
    return "".join(char if (char.isascii() and char.isalnum()) or char in "._-" else "-" for char in stem)


paser_exports.add_url_rule("/ekspor/indikator/<indikator>.csv", view_func=indicator, methods=["GET"])
paser_exports.add_url_rule("/ekspor/kecamatan/<kecamatan>.csv", view_func=kecamatan, methods=["GET"])
paser_exports.add_url_rule("/ekspor/daftar-data.csv", view_func=daftar_data, methods=["GET"])


def blueprints() -> list[Blueprint]:
    return [paser_exports]
