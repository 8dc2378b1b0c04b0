"""Facets of the Satu Data metadata: per field, the right datasets and counts, readable names, permissions."""
from __future__ import annotations

import pytest

from .conftest import World, build_world, satu_data

PUBLIC = {"penduduk-2020", "penduduk-2019-2021", "peta-sawah", "anggaran-kecamatan"}


def _resource(name: str, fmt: str) -> list[dict[str, str]]:
    return [{"name": name, "format": fmt, "url": f"http://127.0.0.1/{name}.{fmt.lower()}"}]


@pytest.fixture(scope="module")
def catalogue(reset_bundle_db, reset_index) -> World:
    reset_bundle_db()
    reset_index()
    world = build_world()
    world.create("penduduk-2020", title="Jumlah Penduduk per Kecamatan 2020", **satu_data(
        tingkat_penyajian="kecamatan", cakupan_kecamatan=["64.01.04", "64.01.05"], urusan=["2.12"],
        temporal_coverage=[{"start": "2020", "end": "2020"}]), resources=_resource("penduduk-2020", "CSV"))
    world.create("penduduk-2019-2021", title="Jumlah Penduduk Kabupaten 2019-2021", **satu_data(
        urusan=["2.12", "2.20"], temporal_coverage=[{"start": "2019", "end": "2021"}]),
        resources=_resource("penduduk-2019-2021", "XLSX"))
    world.create("peta-sawah", org="distan", title="Peta Sawah", **satu_data(
        jenis_data="geospasial", tingkat_penyajian="desa", cakupan_kecamatan=["64.01.04"],
        cakupan_desa=["64.01.04.1001"], urusan=["3.27"], temporal_coverage=[{"start": "2021-03", "end": "2022-02"}]),
        resources=_resource("peta-sawah", "GeoJSON"))
    world.create("anggaran-kecamatan", org="kecamatan-tanah-grogot", title="Anggaran Kecamatan Tanah Grogot",
                 **satu_data(jenis_data="keuangan", tingkat_penyajian="kecamatan", cakupan_kecamatan=["64.01.04"],
                             urusan=["7.01"]), resources=_resource("anggaran", "CSV"))
    world.create("bantuan-rahasia", org="distan", title="Penerima Bantuan Pupuk", **satu_data(
        klasifikasi="tertutup", tingkat_penyajian="desa", cakupan_kecamatan=["64.01.05"],
        cakupan_desa=["64.01.05.2002"], urusan=["3.27"], temporal_coverage=[{"start": "2021"}]),
        resources=_resource("bantuan", "CSV"))
    world.create("draf-terbatas", title="Draf Penduduk 2024", **satu_data(
        klasifikasi="terbatas", tingkat_penyajian="kecamatan", cakupan_kecamatan=["64.01.06"], urusan=["2.12"],
        temporal_coverage=[{"start": "2024"}]), resources=_resource("draf", "CSV"))
    return world


@pytest.mark.parametrize(
    ("field_name", "counts"),
    [
        ("vocab_kecamatan", {"64.01.04": 3, "64.01.05": 1}),
        ("opd", {"disdukcapil": 2, "distan": 1, "kecamatan-tanah-grogot": 1}),
        ("jenis_data", {"statistik": 2, "geospasial": 1, "keuangan": 1}),
        ("vocab_urusan", {"2.12": 2, "2.20": 1, "3.27": 1, "7.01": 1}),
        ("vocab_tahun", {"2019": 1, "2020": 2, "2021": 2, "2022": 1}),
        ("klasifikasi", {"terbuka": 4}),
        ("tingkat_penyajian", {"kecamatan": 2, "kabupaten": 1, "desa": 1}),
        ("res_format", {"CSV": 2, "XLSX": 1, "GeoJSON": 1}),
    ],
)
def test_anonymous_facet_counts(catalogue, field_name, counts):
    assert catalogue.facets(field_name) == counts


def test_facet_counts_for_those_who_see_private_datasets(catalogue):
    assert catalogue.facets("klasifikasi", catalogue.sysadmin) == {"terbuka": 4, "tertutup": 1, "terbatas": 1}
    assert catalogue.facets("vocab_kecamatan", catalogue.sysadmin) == {"64.01.04": 3, "64.01.05": 2, "64.01.06": 1}
    # The editor of disdukcapil sees its own draft, not distan's closed dataset.
    assert catalogue.facets("vocab_tahun", catalogue.editor) == {"2019": 1, "2020": 2, "2021": 2, "2022": 1,
                                                                 "2024": 1}
    assert catalogue.facets("klasifikasi", catalogue.outsider) == {"terbuka": 4}


@pytest.mark.parametrize(
    ("fq", "expected"),
    [
        ('vocab_kecamatan:"64.01.04"', {"penduduk-2020", "peta-sawah", "anggaran-kecamatan"}),
        ('vocab_kecamatan:"64.01.05"', {"penduduk-2020"}),
        ('vocab_kecamatan:"64.01.06"', set()),
        ("opd:distan", {"peta-sawah"}),
        ("jenis_data:keuangan", {"anggaran-kecamatan"}),
        ('vocab_urusan:"2.12"', {"penduduk-2020", "penduduk-2019-2021"}),
        ("vocab_tahun:2021", {"penduduk-2019-2021", "peta-sawah"}),
        ("vocab_tahun:[2020 TO 2022]", {"penduduk-2020", "penduduk-2019-2021", "peta-sawah"}),
        ("klasifikasi:terbuka", PUBLIC),
        ("klasifikasi:tertutup", set()),
        ("tingkat_penyajian:desa", {"peta-sawah"}),
        ("res_format:CSV", {"penduduk-2020", "anggaran-kecamatan"}),
        ('vocab_kecamatan:"64.01.04" AND jenis_data:statistik', {"penduduk-2020"}),
    ],
)
def test_facet_filters_find_the_right_datasets(catalogue, fq, expected):
    assert catalogue.names(fq=fq, include_private=True) == expected


def test_private_datasets_are_found_by_facets_for_members_only(catalogue):
    assert catalogue.names(catalogue.sysadmin, fq='vocab_kecamatan:"64.01.05"', include_private=True) == {
        "penduduk-2020", "bantuan-rahasia"}
    assert catalogue.names(catalogue.editor, fq="klasifikasi:terbatas", include_private=True) == {"draf-terbatas"}
    assert catalogue.names(catalogue.editor, fq="klasifikasi:tertutup", include_private=True) == set()


def test_regency_data_without_coverage_has_no_kecamatan(catalogue):
    assert "penduduk-2019-2021" not in catalogue.names(fq="vocab_kecamatan:*")


def test_facet_items_have_readable_names(catalogue):
    fields = ["vocab_kecamatan", "vocab_urusan", "jenis_data", "klasifikasi", "tingkat_penyajian", "opd"]
    result = catalogue.search(rows=0, **{"facet.field": fields})
    names = {field: {item["name"]: item["display_name"] for item in result["search_facets"][field]["items"]}
             for field in fields}
    assert names["vocab_kecamatan"] == {"64.01.04": "Tanah Grogot", "64.01.05": "Kuaro"}
    assert names["vocab_urusan"]["2.12"] == "Administrasi Kependudukan dan Pencatatan Sipil"
    # Without a request the labels are in the default language, Indonesian.
    assert names["jenis_data"] == {"statistik": "Statistik", "geospasial": "Geospasial", "keuangan": "Keuangan"}
    assert names["klasifikasi"] == {"terbuka": "Terbuka (publik)"}
    assert names["tingkat_penyajian"]["desa"] == "Desa/Kelurahan"
    assert names["opd"]["kecamatan-tanah-grogot"] == "Kecamatan Tanah Grogot"


def test_search_page_offers_the_satu_data_facets(app, catalogue):
    html = app.get("/dataset/").get_data(as_text=True)
    for link in ("vocab_kecamatan=64.01.04", "jenis_data=statistik", "vocab_urusan=2.12", "vocab_tahun=2020",
                 "klasifikasi=terbuka", "tingkat_penyajian=kecamatan", "res_format=CSV", "organization=distan"):
        assert f"?{link}" in html, link
    # Kecamatan by name, choices by their Indonesian label, not by code.
    assert "Tanah Grogot" in html and "Statistik" in html and "Administrasi Kependudukan" in html
    english = app.get("/en/dataset/").get_data(as_text=True)
    assert "Statistics" in english and "Population Administration and Civil Registration" in english


def test_search_page_filters_by_kecamatan(app, catalogue):
    html = app.get("/dataset/", query_string={"vocab_kecamatan": "64.01.04"}).get_data(as_text=True)
    assert "Peta Sawah" in html and "Anggaran Kecamatan Tanah Grogot" in html
    assert "Jumlah Penduduk Kabupaten 2019-2021" not in html
    html = app.get("/dataset/", query_string={"vocab_kecamatan": "64.01.05"}).get_data(as_text=True)
    assert "Jumlah Penduduk per Kecamatan 2020" in html and "Penerima Bantuan Pupuk" not in html
