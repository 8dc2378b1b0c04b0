"""In a real browser, an analyst's downloads: BPS's operator uploads the kecamatan population table (semicolons and
decimal commas, as agencies export it) through the API, the portal's background worker loads it into the DataStore
and reads its figures, and an anonymous visitor opens the resource page, sees the preview table with the figures,
downloads the whole table as CSV for Excel and as XLSX, then the tidy export of the indicator from the dataset page.
Each file is parsed back and holds the uploaded figures."""
from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from ckan.tests import factories, helpers
from ckanext.paser.publishers import seed

from .test_flags_flow import _api, _run_worker, _shot, _token

OPERATOR = "operator-bps"
ORG = "bps-paser"
TABLE = (
    "Kode Wilayah;Kecamatan;Luas (km²);Jumlah Penduduk\n"
    "64.01.01;Batu Sopang;1.111,38;25.479\n"
    "64.01.04;Tanah Grogot;335,58;78.018\n"
    "64.01.05;Kuaro;743,58;29.942\n"
)


@pytest.fixture
def published(clean_db, clean_index, clean_redis, portal_url) -> dict:
    seed.seed()
    site = {"user": helpers.call_action("get_site_user", {"ignore_auth": True})["name"], "ignore_auth": True}
    factories.User(name=OPERATOR)
    helpers.call_action("organization_member_create", dict(site), id=ORG, username=OPERATOR, role="editor")
    token = _token(OPERATOR)
    dataset = _api(portal_url, "package_create", token, json={
        "name": "penduduk-kecamatan-2024-bps", "title": "Jumlah Penduduk per Kecamatan 2024 (BPS)",
        "owner_org": ORG, "notes": "Jumlah penduduk dan luas wilayah per kecamatan.", "jenis_data": "statistik",
        "klasifikasi": "terbuka", "tingkat_penyajian": "kecamatan", "cakupan_kecamatan": ["64.01.01", "64.01.04",
                                                                                         "64.01.05"],
        "satuan": "jiwa", "konsep": "Penduduk", "definisi": "Orang yang berdomisili di Kabupaten Paser.",
        "frequency": "tahunan", "temporal_coverage": [{"start": "2024", "end": "2024"}],
    })
    resource = _api(portal_url, "resource_create", token, data={
        "package_id": dataset["id"], "name": "penduduk-kecamatan-2024.csv", "format": "CSV",
        "kolom_wilayah": "Kode Wilayah", "jenis_kode_wilayah": "kode_kemendagri", "kolom_nilai": "Jumlah Penduduk",
        "satuan": "jiwa",
    }, files={"upload": ("penduduk-kecamatan-2024.csv", TABLE.encode("utf-8"), "text/csv")})
    _run_worker()
    return {"dataset": dataset, "resource": resource}


def _download(page, link) -> bytes:
    with page.expect_download() as info:
        link.click()
    return Path(info.value.path()).read_bytes()


def test_analyst_previews_and_downloads_the_table(page, portal_url, published):
    dataset, resource = published["dataset"], published["resource"]
    page.goto(f"{portal_url}/dataset/{dataset['name']}/resource/{resource['id']}")
    # The preview: the datatables view, in its iframe, shows the loaded rows.
    frame = page.frame_locator("iframe").first
    frame.locator("table").get_by_text("Tanah Grogot").wait_for()
    assert frame.locator("table").get_by_text("78018").count() >= 1
    _shot(page, "analyst-resource-preview")

    downloads = page.locator("#paser-datastore")
    excel = _download(page, downloads.get_by_role("link", name="CSV untuk Excel"))
    assert excel.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(excel.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["_id", "Kode Wilayah", "Kecamatan", "Luas (km²)", "Jumlah Penduduk"]
    assert [row[2:] for row in rows[1:]] == [["Batu Sopang", "1111,38", "25479"], ["Tanah Grogot", "335,58", "78018"],
                                            ["Kuaro", "743,58", "29942"]]

    workbook = openpyxl.load_workbook(io.BytesIO(_download(page, downloads.get_by_role("link", name="XLSX"))))
    sheet_rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    assert sheet_rows[2] == [2, "64.01.04", "Tanah Grogot", 335.58, 78018]

    # The dataset page links the tidy export of the indicator its figures belong to.
    page.goto(f"{portal_url}/dataset/{dataset['name']}")
    exports = page.locator("#paser-exports")
    tidy = _download(page, exports.locator("a[href$='.csv']").first)
    records = list(csv.DictReader(io.StringIO(tidy.decode("utf-8"))))
    assert {(record["kode_wilayah"], Decimal(record["nilai"])) for record in records} == {
        ("64.01.01", Decimal(25479)), ("64.01.04", Decimal(78018)), ("64.01.05", Decimal(29942))}
    assert {record["produsen"] for record in records} == {"Badan Pusat Statistik Kabupaten Paser"}
    _shot(page, "analyst-dataset-exports")
