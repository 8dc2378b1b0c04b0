"""Dataset and resource pages show the Satu Data metadata readably; the form offers the reference choices."""
from __future__ import annotations

import os
import re

import ckanext.paser
import pytest
from babel.support import Translations
from ckan.tests import helpers

from .conftest import satu_data


@pytest.fixture
def shown(world):
    world.create(
        "penduduk-desa-2019-2021", title="Jumlah Penduduk per Desa 2019-2021", **satu_data(
            tingkat_penyajian="desa", cakupan_kecamatan=["64.01.04"], cakupan_desa=["64.01.04.1001", "64.01.04.2002"],
            temporal_coverage=[{"start": "2019", "end": "2021"}], frequency="semesteran", urusan=["2.12"],
            kode_indikator="2.12.01", konsep="Penduduk", definisi="Penduduk yang tercatat dalam SIAK.",
            satuan="jiwa", ukuran="jumlah", sumber_data="SIAK Disdukcapil", metode_pengumpulan="administrasi",
            contact=[{"name": "Bidang PIAK", "email": "piak@paserkab.go.id"}],
            spatial='{"type": "Point", "coordinates": [116.19, -1.91]}',
        ),
        resources=[{"url": "http://127.0.0.1/penduduk.csv", "name": "penduduk.csv", "format": "CSV",
                    "kolom_wilayah": "kode_desa", "jenis_kode_wilayah": "kode_kemendagri",
                    "kolom_periode": "tahun", "kolom_nilai": "jumlah_penduduk", "satuan": "jiwa"}],
    )
    return world


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_dataset_page_in_indonesian(app, shown):
    text = _text(app.get("/dataset/penduduk-desa-2019-2021").get_data(as_text=True))
    for expected in ("Dinas Kependudukan dan Pencatatan Sipil", "Jenis data Statistik", "Klasifikasi Terbuka (publik)",
                     "Tingkat penyajian Desa/Kelurahan", "Cakupan kecamatan Tanah Grogot (64.01.04)",
                     "Kelurahan Tanah Grogot (64.01.04.1001)", "Janju (64.01.04.2002)", "Periode 2019 – 2021",
                     "Jadwal pemutakhiran Semesteran", "2.12 Administrasi Kependudukan dan Pencatatan Sipil",
                     "Kode indikator 2.12.01", "Satuan jiwa", "Metode pengumpulan Kompilasi produk administrasi",
                     "Narahubung Bidang PIAK", "Walidata Diskominfostaper – Dinas Komunikasi"):
        assert expected in text, expected
    # No stored JSON shows through.
    assert '["64.01.04"]' not in text and '"coordinates"' not in text and "{'start'" not in text


def test_dataset_page_in_english(app, shown):
    text = _text(app.get("/en/dataset/penduduk-desa-2019-2021").get_data(as_text=True))
    for expected in ("Data type Statistics", "Classification Open (public)", "Presentation level Desa/Kelurahan",
                     "Update schedule Half-yearly", "2.12 Population Administration and Civil Registration"):
        assert expected in text, expected


def test_resource_page_describes_the_table(app, shown):
    dataset = helpers.call_action("package_show", id="penduduk-desa-2019-2021")
    html = app.get(f"/dataset/penduduk-desa-2019-2021/resource/{dataset['resources'][0]['id']}").get_data(as_text=True)
    text = _text(html)
    for expected in ("Kolom wilayah kode_desa", "Isi kolom wilayah Kode Kemendagri (64.01.04)",
                     "Kolom periode tahun", "Kolom nilai jumlah_penduduk", "Satuan jiwa"):
        assert expected in text, expected


def test_form_offers_the_reference_choices(app, world):
    html = app.get("/dataset/new", headers={"Authorization": world.token(world.sysadmin)}).get_data(as_text=True)

    def options(field_name: str) -> list[str]:
        select = re.search(rf'<select[^>]*id="field-{field_name}".*?</select>', html, re.DOTALL)
        assert select, field_name
        return re.findall(r'<option value="([^"]*)"', select.group(0))

    assert options("cakupan_kecamatan") == [f"64.01.{n:02d}" for n in range(1, 11)]
    assert len(options("cakupan_desa")) == 144
    assert html.count('<optgroup label="Kecamatan ') == 10
    assert len(options("urusan")) == 42 and "2.12" in options("urusan")
    assert "Diskominfostaper" in options("walidata") and "BPS Paser" in options("walidata")
    assert options("jenis_data") == ["", "statistik", "geospasial", "keuangan"]
    assert 'name="private"' not in html


def _indonesian(msgid: str) -> str:
    """The `id` catalogue's translation of one of the bundle's msgids (which must have one)."""
    folder = os.path.join(os.path.dirname(ckanext.paser.__file__), "i18n")
    translated = Translations.load(folder, ["id"], "ckanext-paser").gettext(msgid)
    assert translated != msgid, f"no Indonesian translation for {msgid!r}"
    return translated


def test_form_shows_errors_in_indonesian_and_keeps_the_entries(app, world):
    headers = {"Authorization": world.token(world.editor)}
    response = app.post("/dataset/new", headers=headers, data={
        "name": "penduduk-desa", "title": "Penduduk per Desa", "owner_org": world.orgs["disdukcapil"]["id"],
        "save": "", "_ckan_phase": 1, **satu_data(tingkat_penyajian="desa"),
        "cakupan_kecamatan": ["64.01.04", "64.01.05"], "cakupan_desa": "64.01.06.1001",
        "temporal_coverage-0-start": "2024", "temporal_coverage-0-end": "2020", "kode_indikator": "kode salah",
    })
    assert response.status_code == 200
    html = response.get_data(as_text=True).replace("&#34;", '"').replace("&#39;", "'")
    for message in (
        _indonesian("Desa/kelurahan {desa} is not in any of the chosen kecamatan.").format(
            desa="Long Ikis (64.01.06.1001)"),
        _indonesian("The end of the period comes before its start."),
        _indonesian("Indicator code must be letters and digits in parts separated by dots or hyphens, "
                    "such as 1.01.01 or IKU-03."),
    ):
        assert message in html, message
    assert re.search(r'<option value="64.01.05" selected', html)
    assert re.search(r'<option value="64.01.06.1001" selected', html)
    assert helpers.call_action("package_search", include_drafts=True)["count"] == 0


def test_fields_without_a_value_leave_an_empty_cell_that_the_page_hides(app, world):
    world.create("minimal", title="Minimal", **satu_data())
    html = app.get("/dataset/minimal").get_data(as_text=True)
    for label in ("Konsep", "Cakupan kecamatan", "Sektor (urusan pemerintahan)", "Periode", "Narahubung",
                  "Tautan sumber"):
        assert re.search(rf'>{re.escape(label)}</th>\s*<td class="dataset-details"></td>', html), label
    assert "tr:has(> td.dataset-details:empty)" in html
    assert re.search(r'>Jenis data</th>\s*<td class="dataset-details">Statistik</td>', html)
