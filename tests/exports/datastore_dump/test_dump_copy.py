"""A whole-table CSV/TSV download is one `COPY ... TO STDOUT` streamed in chunks (exports/copy_stream.py): the
bytes equal CKAN's own paged dump, the Excel variant equals the row-by-row one, and a download the client drops
stops its COPY (its thread ends and gives the connection back)."""
from __future__ import annotations

import csv
import io
import threading
import time
from decimal import Decimal

import pytest
from loader.conftest import run_jobs

from .test_dump import dump

FORMULA_CSV = (
    b"Kecamatan;Jumlah Penduduk;Rasio;Catatan\n"
    b"Batu Sopang;25.479;108,6;=HYPERLINK(\"http://contoh.test\")\n"
    b"Kuaro;29.942;101,25;-\n"
    b"Tanah Grogot;78.018;99,5;+62 543 21000\n"
)


@pytest.mark.parametrize("params", [{}, {"format": "tsv"}, {"bom": "true"}, {"format": "tsv", "bom": "true"}])
def test_whole_table_is_byte_for_byte_cores_dump(app, loaded, params):
    whole = dump(app, loaded["id"], **params)
    # A limit sends the request to CKAN's own paged dump.
    paged = dump(app, loaded["id"], limit="1000", **params)
    assert whole.get_data() == paged.get_data()
    # (core's own response ends up application/octet-stream; this one says what it is)
    kind = "text/tab-separated-values" if params.get("format") == "tsv" else "text/csv"
    assert whole.headers["Content-Type"] == f"{kind}; charset=utf-8"
    assert whole.headers["Content-Disposition"].lower() == paged.headers["Content-Disposition"].lower()
    assert whole.get_data().startswith(b"\xef\xbb\xbf") == ("bom" in params)


def _excel_rows(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_excel_whole_table_equals_the_row_by_row_variant(app, world, public_dataset, upload):
    resource = upload(public_dataset, FORMULA_CSV, "penduduk.csv")
    run_jobs()
    whole = _excel_rows(dump(app, resource["id"], excel="1"))
    by_row = _excel_rows(dump(app, resource["id"], excel="1", limit="1000"))
    assert whole[0] == by_row[0] == ["_id", "Kecamatan", "Jumlah Penduduk", "Rasio", "Catatan"]
    assert len(whole) == len(by_row) == 4
    for one, other in zip(whole[1:], by_row[1:]):
        # Numbers with a decimal comma in both; the COPY keeps PostgreSQL's digits ("108,60" may read "108,6").
        assert Decimal(one[3].replace(",", ".")) == Decimal(other[3].replace(",", "."))
        assert [one[index] for index in (0, 1, 2, 4)] == [other[index] for index in (0, 1, 2, 4)]
    assert [row[3] for row in whole[1:]] == ["108,6", "101,25", "99,5"]
    # Text Excel would run as a formula arrives as text.
    assert [row[4] for row in whole[1:]] == ["'=HYPERLINK(\"http://contoh.test\")", "'-", "'+62 543 21000"]


def _copy_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "paser-copy-stream" and thread.is_alive()]


# without the checker: 20,000 unknown desa, only the load matters
def test_a_dropped_download_stops_its_copy(without_checks, app, world, public_dataset, upload, monkeypatch):
    from ckanext.paser.exports import copy_stream

    rows = "".join(f"Desa {number};{number}\n" for number in range(20_000))
    resource = upload(public_dataset, ("Desa;Jumlah\n" + rows).encode(), "desa.csv")
    run_jobs()
    # Small chunks and queue, so the reading thread is still waiting to hand over when the client goes.
    monkeypatch.setattr(copy_stream, "CHUNK_BYTES", 1024)
    monkeypatch.setattr(copy_stream, "QUEUE_CHUNKS", 2)
    monkeypatch.setattr(copy_stream, "PUT_WAIT_S", 0.05)
    response = app.get(f"/datastore/dump/{resource['id']}", buffered=False)
    chunks = iter(response.response)
    assert next(chunks).startswith(b"_id,Desa,Jumlah")
    next(chunks)
    # The COPY's thread waits for the client (the table is far larger than what was read).
    assert len(_copy_threads()) == 1
    response.close()
    deadline = time.monotonic() + 10
    while _copy_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _copy_threads() == []
    # The whole table still downloads afterwards.
    assert dump(app, resource["id"]).get_data().count(b"\n") == 20_001
