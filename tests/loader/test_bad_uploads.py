"""Bad uploads meet bounds and clear messages: a workbook of a few kilobytes declaring or styling a huge range
loads in moments, a table wider than a DataStore table is refused before the table is created, UTF-16 without a
byte-order mark is read, no driver error or SQL reaches the page, and a failed file is not loaded again on every
save. Jobs run in this process (the real job functions, database, Redis queue and DataStore), not in a forked
worker, to keep the module fast."""
from __future__ import annotations

import io
import re
import time
import tracemalloc
import zipfile
from html import unescape

import openpyxl
import pytest
import sqlalchemy as sa
from ckan.tests import helpers
from ckanext.paser.checks import store
from ckanext.paser.loader import jobs as loader_jobs
from ckanext.paser.loader import status
from ckanext.paser.tables import reading
from in_process_jobs import SQL_WORDS, run_jobs_here
from openpyxl.styles import Font

from .conftest import call


def small_workbook() -> openpyxl.Workbook:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Kecamatan", "Jumlah Penduduk"])
    sheet.append(["Kuaro", 29942])
    return workbook


def saved(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def styled_far_cell() -> bytes:
    """An empty cell styled at XFD1048576: the sheet's used range (and <dimension>) spans the whole sheet."""
    workbook = small_workbook()
    workbook.active.cell(1_048_576, 16_384).font = Font(bold=True)
    return saved(workbook)


def declared_huge_range() -> bytes:
    """A <dimension ref="A1:XFD1048576"> and a merged range over all of it below the table, written into the XML."""
    source = zipfile.ZipFile(io.BytesIO(saved(small_workbook())))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"', data)
                data = data.replace(b"</sheetData>", b'</sheetData><mergeCells count="1">'
                                    b'<mergeCell ref="A5:XFD1048576"/></mergeCells>')
            target.writestr(info, data)
    return out.getvalue()


def page(app, dataset, resource) -> str:
    return unescape(app.get(f"/en/dataset/{dataset['name']}/resource/{resource['id']}").get_data(as_text=True))


@pytest.mark.parametrize("build", [styled_far_cell, declared_huge_range])
def test_a_small_workbook_with_a_huge_range_is_read_quickly_in_little_memory(world, public_dataset, upload, build):
    data = build()
    assert len(data) < 8 * 1024
    resource = upload(public_dataset, data, "penduduk.xlsx", format="XLSX")
    started = time.monotonic()
    tracemalloc.start()
    try:
        run_jobs_here()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 10  # was about 70 s and 2.3 GB a job
    assert peak < 100 * 1024 * 1024
    assert status.get(resource["id"])["status"] == status.DONE
    assert call("datastore_search", None, resource_id=resource["id"])["records"][0]["Jumlah Penduduk"] == 29942
    assert store.get_check(resource["id"])["status"] == store.DONE


@pytest.mark.ckan_config("ckanext.paser.checks.max_columns", "2000")  # an operator's limit above PostgreSQL's
def test_a_table_wider_than_a_datastore_table_is_refused_before_it_is_created(app, world, public_dataset, upload):
    width = 1700
    data = (",".join(f"Kolom {n}" for n in range(1, width + 1)) + "\n" + ",".join(["1"] * width) + "\n").encode()
    resource = upload(public_dataset, data, "lebar.csv")
    run_jobs_here()

    failed = status.get(resource["id"])
    assert (failed["status"], failed["message"]) == (status.ERROR, loader_jobs.TOO_MANY_COLUMNS)
    assert failed["params"] == {"columns": width, "limit": 1598}
    with pytest.raises(helpers.logic.NotFound):
        call("datastore_search", world.sysadmin, resource_id=resource["id"])
    html = page(app, public_dataset, resource)
    assert "The table has 1700 columns; a DataStore table holds at most 1598." in html
    assert not any(word in html for word in SQL_WORDS)


def test_a_table_over_the_configured_columns_is_refused_with_a_clear_message(app, world, public_dataset, upload):
    data = (",".join(f"Kolom {n}" for n in range(1, 5001)) + "\n" + ",".join(["1"] * 5000) + "\n").encode()
    resource = upload(public_dataset, data, "lebar.csv")
    run_jobs_here()

    assert status.get(resource["id"])["message"] == reading.TOO_MANY_COLUMNS
    assert store.get_check(resource["id"])["error_message"] == reading.TOO_MANY_COLUMNS
    html = page(app, public_dataset, resource)
    assert "The table has 5000 columns (up to its last filled cell); at most 500 are read." in html
    assert not any(word in html for word in SQL_WORDS)
    indonesian = app.get(f"/dataset/{public_dataset['name']}/resource/{resource['id']}").get_data(as_text=True)
    assert not any(word in indonesian for word in SQL_WORDS)


def test_raw_errors_stored_before_are_not_shown(app, world, public_dataset, upload):
    resource = upload(public_dataset, b"Kecamatan,Jumlah\nKuaro,1\n", "tabel.csv")
    run_jobs_here()
    sql = 'psycopg2.errors.TooManyColumns: tables can have at most 1600 columns [SQL: CREATE TABLE "x" (...)]'
    status.record_error(resource["id"], public_dataset["id"], status.get(resource["id"])["fingerprint"],
                        "The load into the DataStore failed: %(reason)s.", {"reason": sql})
    from ckan.model import meta

    with meta.engine.begin() as connection:  # a check failure stored as the earlier code stored it
        connection.execute(sa.update(store.check_table).where(store.check_table.c.resource_id == resource["id"])
                           .values(status=store.ERROR, error=f"The check failed unexpectedly: {sql}.",
                                   error_message="The check failed unexpectedly: %(reason)s.",
                                   error_params={"reason": sql}))
    html = page(app, public_dataset, resource)
    assert not any(word in html for word in SQL_WORDS)
    assert "The load into the DataStore failed unexpectedly; the portal's administrators find the cause" in html
    shown = call("paser_resource_check_show", None, id=resource["id"])
    assert "CREATE TABLE" not in str(shown) and shown["error"] == store.CHECK_FAILED


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_loaded(world, public_dataset, upload, encoding):
    text = "Kecamatan;Luas (km²);Jumlah Penduduk\nTanah Grogot;335,58;78.018\nKuaro;743,58;29.942\n"
    resource = upload(public_dataset, text.encode(encoding), "penduduk.csv")
    run_jobs_here()

    assert status.get(resource["id"])["status"] == status.DONE
    result = call("datastore_search", None, resource_id=resource["id"])
    assert [(field["id"], field["type"]) for field in result["fields"][1:]] == [
        ("Kecamatan", "text"), ("Luas (km²)", "numeric"), ("Jumlah Penduduk", "int8")]
    assert [record["Jumlah Penduduk"] for record in result["records"]] == [78018, 29942]


def test_a_failed_load_is_retried_only_when_the_file_changes_or_on_request(world, public_dataset, upload):
    resource = upload(public_dataset, b"PK\x03\x04 bukan workbook", "rusak.xlsx", format="XLSX")
    assert run_jobs_here().count("load_resource") == 1
    assert status.get(resource["id"])["status"] == status.ERROR

    # Saving the dataset or the resource's description keeps the file: nothing is read or loaded again.
    call("package_patch", world.sysadmin, id=public_dataset["id"], notes="Diperbarui")
    call("resource_patch", world.sysadmin, id=resource["id"], description="Tabel penduduk")
    assert "load_resource" not in run_jobs_here()
    assert status.get(resource["id"])["status"] == status.ERROR

    # On request (`ckan paser datastore load --queue` forces it) and with a new file, it is loaded.
    assert loader_jobs.enqueue_load(call("resource_show", None, id=resource["id"]), force=True)
    assert run_jobs_here() == ["load_resource"]
    upload(public_dataset, b"Kecamatan,Jumlah\nKuaro,1\n", "baru.csv", id=resource["id"], format="CSV")
    assert "load_resource" in run_jobs_here()
    assert status.get(resource["id"])["status"] == status.DONE
