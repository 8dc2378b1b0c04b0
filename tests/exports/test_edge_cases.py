"""Edge cases on a world of their own: a deleted dataset leaves every export at once (before the worker has removed
its figures), and text a producer typed cannot run as a formula in the Excel variant."""
from __future__ import annotations

import csv
import io

from ckan.tests import helpers

from .conftest import POPULATION, TANAH_GROGOT

FORMULA_TITLE = '=HYPERLINK("http://contoh.invalid","klik")'


def test_deleted_dataset_leaves_the_exports_at_once(world):
    helpers.call_action("package_delete", {"user": world.users["sysadmin"]["name"]}, id="penduduk-kecamatan-2020")
    for who in ("anonymous", "dukcapil", "walidata", "sysadmin"):
        figures = world.call("paser_indicator_figures", who, indicator=POPULATION, limit=1000)["results"]
        assert "penduduk-kecamatan-2020" not in {row["dataset"] for row in figures}, who
        kecamatan = world.call("paser_kecamatan_figures", who, kecamatan=TANAH_GROGOT, limit=1000)["results"]
        assert "penduduk-kecamatan-2020" not in {row["dataset"] for row in kecamatan}, who
        catalogue = world.call("paser_daftar_data", who, limit=1000)["results"]
        assert "penduduk-kecamatan-2020" not in {row["dataset"] for row in catalogue}, who
        assert "penduduk-dukcapil" in {row["dataset"] for row in catalogue}, who


def test_excel_variant_keeps_formulas_as_text(app, world):
    helpers.call_action("package_patch", {"user": world.users["sysadmin"]["name"]}, id="luas-wilayah",
                        title=FORMULA_TITLE)
    plain = list(csv.DictReader(io.StringIO(app.get("/ekspor/daftar-data.csv").body)))
    excel_text = app.get("/ekspor/daftar-data.csv", query_string={"excel": "1"}).body.lstrip("\ufeff")
    excel = list(csv.DictReader(io.StringIO(excel_text), delimiter=";"))
    assert FORMULA_TITLE in {row["nama_data"] for row in plain}
    assert "'" + FORMULA_TITLE in {row["nama_data"] for row in excel}
    assert not any(value.startswith("=") for row in excel for value in row.values())
