"""The CSV downloads (exports/views.py) and the catalogue "Daftar Data" (exports/catalogue.py): plain and Excel
styles parsed back, privacy per reader, column order, and the links on the portal's pages."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from .conftest import AREA, POPULATION, TANAH_GROGOT

DAFTAR_DATA_ORDER = [
    "produsen_data", "jenis_data", "kode_indikator", "nama_data", "klasifikasi", "definisi", "satuan",
    "klasifikasi_penyajian", "jadwal_pemutakhiran", "kode_metadata", "link_portal_daerah", "link_portal_sdi",
]


def _csv(response, excel: bool = False) -> list[dict[str, str]]:
    text = response.body if isinstance(response.body, str) else response.data.decode("utf-8")
    if excel:
        assert text.startswith("\ufeff")
        text = text[1:]
    else:
        assert not text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text), delimiter=";" if excel else ","))


def _get(app, world, url: str, who: str = "anonymous", **kwargs):
    return app.get(url, headers=world.headers(who), **kwargs)


def test_indicator_csv_for_an_anonymous_visitor(app, world):
    response = _get(app, world, f"/ekspor/indikator/{POPULATION}.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="indikator-{POPULATION}.csv"' in response.headers["Content-Disposition"]
    rows = _csv(response)
    assert list(rows[0]) == ["indikator", "kode_indikator", "kode_wilayah", "kode_bps", "nama_wilayah", "tingkat",
                             "periode", "nilai", "satuan", "produsen", "organisasi", "dataset", "judul_dataset",
                             "url_dataset", "resource_id", "sel", "flag_terbuka", "flag"]
    regency_2024 = [row for row in rows if (row["kode_wilayah"], row["periode"]) == ("64.01", "2024")]
    assert [(row["organisasi"], row["nilai"], row["flag_terbuka"]) for row in regency_2024] == [
        ("bps-kabupaten-paser", "292948", "true"), ("disdukcapil", "309667", "true")]
    assert "penduduk-terbatas-distan" not in {row["dataset"] for row in rows}


@pytest.mark.parametrize("url", [f"/ekspor/indikator/{AREA}.csv", f"/ekspor/indikator/{POPULATION}.csv",
                                 f"/ekspor/kecamatan/{TANAH_GROGOT}.csv", "/ekspor/daftar-data.csv"])
def test_excel_style_parses_back_to_the_plain_values(app, world, url):
    plain = _csv(_get(app, world, url, "walidata"))
    response = _get(app, world, url, "walidata", query_string={"excel": "1"})
    assert response.headers["Content-Disposition"].endswith('-excel.csv"')
    excel = _csv(response, excel=True)
    assert len(excel) == len(plain) > 0
    for excel_row, plain_row in zip(excel, plain):
        if "nilai" in plain_row:
            assert Decimal(excel_row.pop("nilai").replace(",", ".")) == Decimal(plain_row.pop("nilai"))
        assert excel_row == plain_row


def test_excel_area_has_decimal_commas(app, world):
    rows = _csv(_get(app, world, f"/ekspor/indikator/{AREA}.csv", query_string={"excel": "1"}), excel=True)
    assert [row["nilai"] for row in rows] == ["1111,38", "714,05", "335,58"]


def test_kecamatan_csv_by_organisation(app, world):
    rows = _csv(_get(app, world, "/ekspor/kecamatan/kecamatan-tanah-grogot.csv"))
    assert [(row["indikator"], row["kode_wilayah"], row["nilai"]) for row in rows] == [
        (POPULATION, TANAH_GROGOT, "78018"), (AREA, TANAH_GROGOT, "335.58")]
    own = _csv(_get(app, world, "/ekspor/kecamatan/kecamatan-tanah-grogot.csv", "distan"))
    assert "90000" in {row["nilai"] for row in own}


def test_unknown_indicator_or_kecamatan_is_a_clear_404(app, world):
    response = _get(app, world, "/ekspor/indikator/tidak-ada.csv", status=404)
    assert "tidak-ada" in response.body
    response = _get(app, world, "/ekspor/kecamatan/atlantis.csv", status=404)
    assert "atlantis" in response.body


def test_downloads_are_streamed(app, world):
    response = app.test_client().get(f"/ekspor/indikator/{POPULATION}.csv", buffered=False)
    try:
        assert response.is_streamed
    finally:
        response.close()


# --- Daftar Data ------------------------------------------------------------------------------------------

def test_daftar_data_columns_follow_the_regional_order(app, world):
    rows = _csv(_get(app, world, "/ekspor/daftar-data.csv"))
    assert list(rows[0])[:len(DAFTAR_DATA_ORDER)] == DAFTAR_DATA_ORDER
    row = next(row for row in rows if row["dataset"] == "penduduk-kecamatan-2020")
    assert row["produsen_data"] == "Dinas Kependudukan dan Pencatatan Sipil"
    assert (row["jenis_data"], row["kode_indikator"], row["klasifikasi"], row["satuan"]) == (
        "statistik", POPULATION, "terbuka", "jiwa")
    assert row["nama_data"] == "Penduduk Kecamatan 2020"
    assert row["definisi"] == "Jumlah penduduk menurut wilayah"
    assert row["klasifikasi_penyajian"] == "menurut kecamatan"
    assert row["jadwal_pemutakhiran"] == "tahunan"
    assert row["link_portal_daerah"] == "http://test.ckan.net/dataset/penduduk-kecamatan-2020"
    assert row["link_portal_sdi"] == "" and row["kode_metadata"] == ""
    assert row["tingkat_penyajian"] == "kecamatan" and row["periode"] == "2020–2024"
    assert row["cakupan_kecamatan"].split("; ")[3] == TANAH_GROGOT


@pytest.mark.parametrize("who, sees_private", [
    ("anonymous", False), ("outsider", False), ("bps", False), ("dukcapil", False),
    ("distan", True), ("walidata", True), ("sysadmin", True)])
def test_daftar_data_lists_private_datasets_only_to_whom_may_read_them(app, world, who, sees_private):
    names = {row["dataset"] for row in _csv(_get(app, world, "/ekspor/daftar-data.csv", who))}
    public = {"penduduk-dukcapil", "penduduk-bps", "penduduk-kecamatan-2020", "luas-wilayah"}
    assert names == (public | {"penduduk-terbatas-distan"} if sees_private else public)
    api = world.call("paser_daftar_data", who, limit=2)
    assert api["count"] == len(names) and len(api["results"]) == 2
    assert api["columns"][:len(DAFTAR_DATA_ORDER)] == DAFTAR_DATA_ORDER


# --- links ------------------------------------------------------------------------------------------------

def test_dataset_page_links_to_its_indicator_exports(app, world):
    body = _get(app, world, "/dataset/penduduk-dukcapil").body
    assert f"/ekspor/indikator/{POPULATION}.csv" in body
    assert f"/ekspor/indikator/{POPULATION}.csv?excel=1" in body
    assert f"/ekspor/indikator/{AREA}.csv" in _get(app, world, "/dataset/luas-wilayah").body


def test_kecamatan_page_links_to_its_figures(app, world):
    body = _get(app, world, "/kecamatan/kecamatan-tanah-grogot").body
    assert "/ekspor/kecamatan/kecamatan-tanah-grogot.csv" in body


def test_walidata_dashboard_and_search_link_the_daftar_data(app, world):
    assert "/ekspor/daftar-data.csv" in _get(app, world, "/walidata", "walidata").body
    assert "/ekspor/daftar-data.csv?excel=1" in _get(app, world, "/dataset/").body
