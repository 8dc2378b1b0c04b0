"""Pages in Bahasa Indonesia by default and in English under /en/, through CKAN's Flask app.

One string of each origin: a schema label and choice (scheming's {id, en} dicts), a validation message and a
facet title (Python `tk._`), the kecamatan page and the dinas list (templates), each checked in both languages.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories, helpers
from ckanext.paser.publishers import seed

BELENGKONG = "/kecamatan/kecamatan-paser-belengkong"


@pytest.fixture(scope="module")
def sysadmin(reset_bundle_db, reset_index) -> dict[str, Any]:
    """A seeded portal (dinas and kecamatan organisations) and its sysadmin."""
    reset_bundle_db()
    reset_index()
    seed.seed()
    return factories.Sysadmin(name="walidata-bahasa")


@pytest.fixture(scope="module")
def auth(sysadmin) -> dict[str, str]:
    token = helpers.call_action("api_token_create", {"user": sysadmin["name"]}, user=sysadmin["name"], name="uji")
    return {"Authorization": token["token"]}


def page(app, url: str, headers: dict[str, str] | None = None, status: int = 200) -> str:
    response = app.get(url, headers=headers or {})
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def test_indonesian_is_the_default_locale():
    assert tk.config["ckan.locale_default"] == "id"
    assert tk.config["ckan.locales_offered"][:2] == ["id", "en"]


def test_html_lang_follows_the_url(app, sysadmin):
    assert '<html lang="id"' in page(app, "/dataset/")
    assert '<html lang="en"' in page(app, "/en/dataset/")


def test_facet_titles(app, sysadmin):
    indonesian, english = page(app, "/dataset/"), page(app, "/en/dataset/")
    assert "Produsen Data" in indonesian and "Tingkat Penyajian" in indonesian
    assert "Data producer" in english and "Presentation level" in english
    assert "Produsen Data" not in english


def test_dataset_form_labels_and_choices(app, auth):
    indonesian, english = page(app, "/dataset/new", auth), page(app, "/en/dataset/new", auth)
    for text in ("Jadwal pemutakhiran", "Tingkat penyajian", "Tertutup (privat)", "Triwulanan"):
        assert text in indonesian, text
    for text in ("Update schedule", "Presentation level", "Closed (private)", "Quarterly"):
        assert text in english, text
    assert "Jadwal pemutakhiran" not in english


FORM = {
    "title": "Jumlah Penduduk per Kecamatan", "name": "jumlah-penduduk-per-kecamatan", "owner_org": "disdukcapil",
    "jenis_data": "statistik", "klasifikasi": "terbuka", "tingkat_penyajian": "kecamatan", "license_id": "cc-by",
    "save": "continue",
}
NO_KECAMATAN = "Choose the kecamatan this dataset covers: it is presented per kecamatan or per desa/kelurahan."


def test_validation_message(app, auth):
    indonesian = app.post("/dataset/new", headers=auth, data=FORM).get_data(as_text=True)
    english = app.post("/en/dataset/new", headers=auth, data=FORM).get_data(as_text=True)
    assert NO_KECAMATAN in english
    assert NO_KECAMATAN not in indonesian
    assert "Pilih kecamatan yang dicakup dataset ini" in indonesian


def test_kecamatan_page(app, sysadmin):
    indonesian, english = page(app, BELENGKONG), page(app, "/en" + BELENGKONG)
    assert "Dataset produsen data lain yang mencakup kecamatan ini" in indonesian
    assert "Datasets of other producers covering this subdistrict" in english
    assert "Datasets of other producers covering this subdistrict" not in indonesian


def test_dinas_list(app, sysadmin):
    indonesian, english = page(app, "/dinas/"), page(app, "/en/dinas/")
    assert "Perangkat Daerah" in indonesian and "walidata" in indonesian
    assert "Agencies (OPD)" in english
    assert "Agencies (OPD)" not in indonesian
