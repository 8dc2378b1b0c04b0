"""Uploaded CSV and XLSX files loaded into the DataStore by the background job, typed, searchable, previewed."""
from __future__ import annotations

import datetime
import subprocess
from decimal import Decimal

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.lib import jobs
from ckan.tests import helpers
from ckanext.paser.loader import jobs as loader_jobs
from ckanext.paser.loader import status
from live_portal import CKAN, ROOT, derived_ini

from .conftest import FIXTURES, call, run_jobs, workbook_bytes

CSV_ROWS = [
    ["64.01.01", "Batu Sopang", Decimal("1111.38"), 25479, None],
    ["64.01.02", "Muara Komam", Decimal("1753.68"), 18027, None],
    ["64.01.04", "Tanah Grogot", Decimal("335.58"), 78018, "ibu kota kabupaten – pusat pemerintahan"],
    ["64.01.05", "Kuaro", Decimal("743.58"), 29942, None],
]
CSV_FIELDS = [("Kode Wilayah", "text"), ("Kecamatan", "text"), ("Luas (km²)", "numeric"),
              ("Jumlah Penduduk", "int8"), ("Keterangan", "text")]


def search(resource_id: str, user=None, **params) -> dict:
    return call("datastore_search", user, resource_id=resource_id, **params)


def rows_of(result: dict) -> list[list]:
    names = [field["id"] for field in result["fields"] if field["id"] != "_id"]
    return [[Decimal(str(record[name])) if isinstance(record[name], float) else record[name] for name in names]
            for record in result["records"]]


def queued_loads() -> list:
    return [job for job in jobs.get_queue().jobs if job.func_name.endswith(".load_resource")]


def test_uploaded_semicolon_cp1252_csv_is_loaded_with_types(world, public_dataset, upload, pytestconfig, tmp_path):
    resource = upload(public_dataset, (FIXTURES / "kecamatan_cp1252.csv").read_bytes(), "kecamatan.csv")
    # Queued, not yet loaded: the steward's request does not wait for the file.
    assert status.get(resource["id"])["status"] == status.PENDING
    assert len(queued_loads()) == 1

    # The one test run by the real forking worker, as deployed (`ckan jobs worker`, burst: it stops when the
    # queue is empty); every other test runs its jobs in its own process (in_process_jobs.py).
    # The worker reads the uploads where this test stored them (CKAN's upload fixture uses a temporary folder).
    ini = derived_ini(str(tmp_path / "worker.ini"), pytestconfig.getoption("ckan_ini"),
                      f"ckan.storage_path = {tk.config['ckan.storage_path']}")
    worker = subprocess.run([CKAN, "-c", ini, "jobs", "worker", "--burst"],
                            check=False, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert worker.returncode == 0, worker.stdout + worker.stderr
    model.Session.remove()  # the worker's changes, not this session's cached rows

    loaded = status.get(resource["id"])
    assert (loaded["status"], loaded["rows"], loaded["message"]) == (status.DONE, 4, None)
    result = search(resource["id"])
    assert [(field["id"], field["type"]) for field in result["fields"][1:]] == CSV_FIELDS
    assert rows_of(result) == CSV_ROWS
    assert call("resource_show", None, id=resource["id"])["datastore_active"] is True


def test_uploaded_xlsx_is_loaded_from_its_first_sheet(world, public_dataset, upload):
    resource = upload(public_dataset, workbook_bytes(), "penduduk.xlsx")
    run_jobs()

    result = search(resource["id"])
    assert [(field["id"], field["type"]) for field in result["fields"][1:]] == [
        ("Kecamatan", "text"), ("Jumlah Penduduk", "int8"), ("Rasio Jenis Kelamin", "numeric"),
        ("Tanggal Data", "date")]
    assert rows_of(result) == [
        ["Batu Sopang", 25479, Decimal("108.6"), "2024-06-30"],
        ["Tanah Grogot", 78018, Decimal("101.25"), "2024-06-30"],
        ["Long Ikis", 46003, Decimal("104.1"), "2024-12-31"],
    ]


def test_full_text_search_and_sql(world, public_dataset, upload):
    resource = upload(public_dataset, (FIXTURES / "kecamatan_cp1252.csv").read_bytes(), "kecamatan.csv")
    run_jobs()

    found = search(resource["id"], q="Grogot")
    assert [record["Kecamatan"] for record in found["records"]] == ["Tanah Grogot"]
    assert search(resource["id"], q="pemerintahan")["total"] == 1
    assert search(resource["id"], filters={"Kecamatan": "Kuaro"})["records"][0]["Jumlah Penduduk"] == 29942

    sql = f'SELECT "Kecamatan", "Jumlah Penduduk" FROM "{resource["id"]}" WHERE "Luas (km²)" > 1000 ORDER BY 1'
    result = call("datastore_search_sql", None, sql=sql)
    assert [(r["Kecamatan"], r["Jumlah Penduduk"]) for r in result["records"]] == [
        ("Batu Sopang", 25479), ("Muara Komam", 18027)]


def test_a_column_with_one_non_number_is_text(world, public_dataset, upload):
    data = b"Tahun,Nilai,Kode\n2022,1.5,0612\n2023,n.a.,0613\n2024,2.75,0614\n"
    resource = upload(public_dataset, data, "nilai.csv")
    run_jobs()

    result = search(resource["id"])
    assert [(field["id"], field["type"]) for field in result["fields"][1:]] == [
        ("Tahun", "int8"), ("Nilai", "text"), ("Kode", "text")]
    assert rows_of(result) == [[2022, "1.5", "0612"], [2023, "n.a.", "0613"], [2024, "2.75", "0614"]]


def test_the_resource_page_shows_the_preview_and_the_downloads(app, world, public_dataset, upload):
    resource = upload(public_dataset, (FIXTURES / "kecamatan_cp1252.csv").read_bytes(), "kecamatan.csv")
    run_jobs()

    views = call("resource_view_list", None, id=resource["id"])
    assert [view["view_type"] for view in views] == ["datatables_view"]  # the page shows the first view
    html = app.get(f"/dataset/{public_dataset['name']}/resource/{resource['id']}").get_data(as_text=True)
    preview = next(view for view in views if view["view_type"] == "datatables_view")
    assert f"/resource/{resource['id']}/view/{preview['id']}" in html
    dump = f"/datastore/dump/{resource['id']}"
    for link in (dump, f"{dump}?excel=1", f"{dump}?format=tsv", f"{dump}?format=json", f"{dump}?format=xlsx"):
        assert f'href="{link}"' in html
    assert "CSV untuk Excel" in html or "CSV for Excel" in html


def test_a_broken_reupload_keeps_the_old_table_and_says_why(app, world, public_dataset, upload):
    resource = upload(public_dataset, (FIXTURES / "kecamatan_cp1252.csv").read_bytes(), "kecamatan.csv")
    run_jobs()
    before = status.get(resource["id"])

    upload(public_dataset, b"PK\x03\x04 not really a workbook", "rusak.xlsx", id=resource["id"], format="XLSX")
    assert status.get(resource["id"])["status"] == status.PENDING
    run_jobs()

    failed = status.get(resource["id"])
    assert failed["status"] == status.ERROR
    assert failed["message"] == loader_jobs.UNREADABLE
    assert (failed["rows"], failed["loaded_at"]) == (4, before["loaded_at"])  # the last good load
    assert rows_of(search(resource["id"])) == CSV_ROWS
    html = app.get(f"/en/dataset/{public_dataset['name']}/resource/{resource['id']}").get_data(as_text=True)
    assert "The table could not be loaded: The file cannot be read as a table: not a readable XLSX workbook" in html
    assert "The table shown and downloaded is the one loaded before." in html


def test_a_failure_while_writing_rolls_back_to_the_old_table(world, public_dataset, upload, monkeypatch):
    resource = upload(public_dataset, (FIXTURES / "kecamatan_cp1252.csv").read_bytes(), "kecamatan.csv")
    run_jobs()

    # A value PostgreSQL rejects after the old table was dropped and the new one created, inside the transaction.
    from ckanext.paser.loader import table as loader_table

    real = loader_table.copy_text
    monkeypatch.setattr(loader_table, "copy_text",
                        lambda cell, column: "bukan angka" if column.type == "int8" else real(cell, column))
    loader_jobs.load_resource(resource["id"])

    failed = status.get(resource["id"])
    assert failed["status"] == status.ERROR and failed["message"] == loader_jobs.LOAD_FAILED
    assert failed["params"] == {}  # PostgreSQL's error (it quotes the statement) is logged, never stored or shown
    assert rows_of(search(resource["id"])) == CSV_ROWS


def test_a_new_file_replaces_the_table_and_an_unchanged_save_does_not_reload(world, public_dataset, upload):
    resource = upload(public_dataset, (FIXTURES / "kecamatan_cp1252.csv").read_bytes(), "kecamatan.csv")
    run_jobs()

    call("resource_patch", world.sysadmin, id=resource["id"], description="Luas dan penduduk")
    call("package_patch", world.sysadmin, id=public_dataset["id"], notes="Diperbarui")
    run_jobs()  # the dataset's job finds the file unchanged
    assert queued_loads() == []
    assert status.get(resource["id"])["status"] == status.DONE

    upload(public_dataset, b"Kecamatan,Jumlah\nKuaro,1\nLong Kali,2\n", "baru.csv", id=resource["id"],
           format="CSV")
    run_jobs()
    result = search(resource["id"])
    assert [field["id"] for field in result["fields"][1:]] == ["Kecamatan", "Jumlah"]
    assert rows_of(result) == [["Kuaro", 1], ["Long Kali", 2]]


def test_harvester_style_package_update_loads_new_tables(world, public_dataset, tmp_path):
    # Harvesters write resources through package_update, which calls no resource hooks: the dataset's job loads.
    data = "Kecamatan,Jumlah\nKuaro,1\n"
    served = tmp_path / "tabel.csv"
    served.write_text(data)
    with _serve(tmp_path) as base:
        dataset = call("package_patch", world.sysadmin, id=public_dataset["id"],
                       resources=[{"url": f"{base}/tabel.csv", "format": "CSV", "name": "Tabel"}])
        run_jobs()  # the dataset's job queues the load
        run_jobs()
    resource_id = dataset["resources"][0]["id"]
    assert status.get(resource_id)["status"] == status.DONE
    assert rows_of(search(resource_id)) == [["Kuaro", 1]]


def test_deleting_the_resource_deletes_its_table(world, public_dataset, upload):
    resource = upload(public_dataset, (FIXTURES / "kecamatan_cp1252.csv").read_bytes(), "kecamatan.csv")
    run_jobs()
    call("resource_delete", world.sysadmin, id=resource["id"])

    assert status.get(resource["id"]) is None
    with pytest.raises(helpers.logic.NotFound):
        call("datastore_search", world.sysadmin, resource_id=resource["id"])


def test_a_resource_that_is_no_longer_a_table_loses_its_table(world, public_dataset, upload):
    resource = upload(public_dataset, (FIXTURES / "kecamatan_cp1252.csv").read_bytes(), "kecamatan.csv")
    run_jobs()
    call("resource_patch", world.sysadmin, id=resource["id"], format="PDF")

    assert status.get(resource["id"]) is None
    assert call("resource_show", None, id=resource["id"])["datastore_active"] is False
    with pytest.raises(helpers.logic.NotFound):
        call("datastore_search", world.sysadmin, resource_id=resource["id"])


def test_a_site_without_the_loader_queues_no_load(without_loader, world, public_dataset, upload):
    resource = upload(public_dataset, (FIXTURES / "kecamatan_cp1252.csv").read_bytes(), "kecamatan.csv")
    assert queued_loads() == []
    assert status.get(resource["id"]) is None


def test_cli_reloads_a_resource(cli, world, public_dataset, upload):
    from ckanext.paser.cli import paser

    resource = upload(public_dataset, (FIXTURES / "kecamatan_cp1252.csv").read_bytes(), "kecamatan.csv")
    result = cli.invoke(paser, ["datastore", "load", resource["id"]])
    assert result.exit_code == 0, result.output
    assert "Loaded 1 resource(s) (0 with errors)." in result.output
    assert status.get(resource["id"])["status"] == status.DONE
    assert rows_of(search(resource["id"]))[0][:2] == ["64.01.01", "Batu Sopang"]


def _serve(directory):
    """A local HTTP server for linked files (allowed by ckanext.paser.checks.allow_private_urls in test.ini)."""
    import contextlib
    import functools
    import http.server
    import threading

    @contextlib.contextmanager
    def serving():
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            server.server_close()

    return serving()


def test_dates_in_day_first_text(world, public_dataset, upload):
    data = b"Tanggal,Kejadian\n31/12/2024,Banjir\n01/06/2024,Kebakaran\n"
    resource = upload(public_dataset, data, "kejadian.csv")
    run_jobs()
    result = search(resource["id"])
    assert result["fields"][1]["type"] == "date"
    assert [record["Tanggal"] for record in result["records"]] == [
        datetime.date(2024, 12, 31).isoformat(), datetime.date(2024, 6, 1).isoformat()]
