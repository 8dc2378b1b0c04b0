"""A refused or broken replacement of a checked table keeps what is stored: the previous figures, the flags they
raised (open or acknowledged, never "the finding is gone") and the previous DataStore table, until a readable file
replaces them; the resource page says so. Jobs run in this process (the real job functions, database, Redis queue
and DataStore), not in a forked worker, to keep the module fast."""
from __future__ import annotations

from typing import Any

from ckan.tests import helpers
from ckanext.paser.checks import flags as check_flags
from ckanext.paser.checks import store
from ckanext.paser.loader import status
from in_process_jobs import SQL_WORDS, run_jobs_here

from .conftest import BPS_2024, DUKCAPIL_2024, kabupaten_csv


def bps_table(extra_rows: list[list[Any]] | None = None, value: int = BPS_2024) -> str:
    rows = [["64.01", "Kabupaten Paser", 2024, value], *(extra_rows or [])]
    return "\n".join(",".join(str(cell) for cell in line)
                     for line in [["Kode Wilayah", "Nama Wilayah", "Tahun", "Jumlah Penduduk (jiwa)"], *rows]) + "\n"


def flag_states(portal) -> dict[str, str]:
    return {flag["rule"]: flag["status"] for flag in portal.flags(status="open,acknowledged,resolved")}


def test_refused_replacements_keep_figures_flags_and_table_until_a_good_file(portal, app):
    dukcapil = portal.dataset("penduduk-dukcapil", "disdukcapil")
    bps = portal.dataset("penduduk-bps", "bps")
    portal.table(dukcapil, kabupaten_csv([(2024, DUKCAPIL_2024)]))
    # An unknown region code gives a flag of the resource's own problems besides the cross-producer one.
    resource = portal.table(bps, bps_table([["64.99", "Antah", 2024, 5]]))
    run_jobs_here()
    assert flag_states(portal) == {"cross_producer": "open", "unknown_region": "open"}
    conflict = next(flag for flag in portal.flags() if flag["rule"] == "cross_producer")
    helpers.call_action("paser_flag_update", {"user": portal.sysadmin["name"]}, id=conflict["id"],
                        status="acknowledged", note="Beda metode: proyeksi dan registrasi.")
    figures = store.figures_of(resource["id"])
    assert len(figures) == 1  # the unknown region gives a problem, not a figure
    loaded = status.get(resource["id"])
    assert loaded["status"] == status.DONE and loaded["rows"] == 2

    wide = ",".join(f"Kolom {number}" for number in range(1, 5001)) + "\n" + ",".join(["1"] * 5000) + "\n"
    refused = [(b"PK\x03\x04 bukan workbook", "rusak.xlsx", "XLSX"), (wide.encode(), "lebar.csv", "CSV")]
    for data, filename, format in refused:
        portal.upload(data, filename, context={"user": portal.sysadmin["name"]}, action="resource_update",
                      id=resource["id"], url="upload", format=format)
        run_jobs_here()

        check = store.get_check(resource["id"])
        assert check["status"] == store.ERROR
        assert store.figures_of(resource["id"]) == figures  # the previous file's figures stay
        assert flag_states(portal) == {"cross_producer": "acknowledged", "unknown_region": "open"}
        load = status.get(resource["id"])
        assert load["status"] == status.ERROR and load["rows"] == 2 and load["loaded_at"] == loaded["loaded_at"]
        assert helpers.call_action("datastore_search", {}, resource_id=resource["id"])["total"] == 2

        for path in (f"/dataset/{bps['name']}/resource/{resource['id']}",
                     f"/en/dataset/{bps['name']}/resource/{resource['id']}"):
            page = app.get(path).get_data(as_text=True)
            assert not any(word in page for word in SQL_WORDS), path
        assert "The new file was refused: the 1 figure read from the previous file is still in use" in page
        assert "The table shown and downloaded is the one loaded before." in page
    assert "The table has 5000 columns (up to its last filled cell); at most 500 are read." in page
    for flag in portal.flags(status="open,acknowledged,resolved"):
        shown = helpers.call_action("paser_flag_show", {"user": portal.walidata["name"]}, id=flag["id"])
        assert check_flags.AUTO_RESOLVED_NOTE not in str(shown["history"])

    # A save of the dataset with the refused file unchanged reads and loads nothing again.
    helpers.call_action("package_patch", {"user": portal.sysadmin["name"]}, id=bps["id"], notes="Diperbarui")
    ran = run_jobs_here()
    assert "load_resource" not in ran and "check_resource" not in ran

    # A readable file replaces them: its figures count, the conflict is gone, the unknown region too.
    portal.replace(resource, bps_table(value=DUKCAPIL_2024))
    run_jobs_here()
    assert store.get_check(resource["id"])["status"] == store.DONE
    assert [figure["value"] for figure in store.figures_of(resource["id"])] == [DUKCAPIL_2024]
    assert flag_states(portal) == {"cross_producer": "resolved", "unknown_region": "resolved"}
    assert status.get(resource["id"])["rows"] == 1
