"""The dinas and kecamatan pages, and the kecamatan drill-down: datasets of every producer covering it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from ckan.tests import factories, helpers
from ckanext.paser.publishers import helpers as publisher_helpers
from ckanext.paser.publishers import seed

from .conftest import make_dataset, token_for

BELENGKONG = "/kecamatan/kecamatan-paser-belengkong"


@dataclass
class Portal:
    sysadmin: dict[str, Any]
    distan_editor: dict[str, Any]
    datasets: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def portal(reset_bundle_db, reset_index) -> Portal:
    """Seeded organisations and datasets of three agencies and a kecamatan office covering kecamatan."""
    reset_bundle_db()
    reset_index()
    seed.seed()
    sysadmin = factories.Sysadmin(name="walidata")
    distan_editor = factories.User(name="operator-distan")
    helpers.call_action("organization_member_create", {"user": sysadmin["name"]},
                        id="distan", username=distan_editor["name"], role="editor")
    datasets = {
        "penduduk": make_dataset(sysadmin, "disdukcapil", "penduduk-desa-belengkong",
                                 "Jumlah Penduduk per Desa di Paser Belengkong", ["64.01.03"]),
        "padi": make_dataset(sysadmin, "distan", "produksi-padi-sawah", "Produksi Padi Sawah",
                             ["64.01.03", "64.01.04"]),
        "bantuan": make_dataset(sysadmin, "distan", "penerima-bantuan-pupuk", "Penerima Bantuan Pupuk",
                                ["64.01.03"], klasifikasi="tertutup"),
        "puskesmas": make_dataset(sysadmin, "dinkes", "jumlah-puskesmas", "Jumlah Puskesmas Tanah Grogot",
                                  ["64.01.04"]),
        "monografi": make_dataset(sysadmin, "kecamatan-paser-belengkong", "monografi-kecamatan-belengkong",
                                  "Monografi Kecamatan Paser Belengkong", ["64.01.03"]),
    }
    return Portal(sysadmin, distan_editor, datasets)


def _page(app, url: str, headers: dict[str, str] | None = None) -> str:
    response = app.get(url, headers=headers or {})
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _drilldown(html: str) -> str:
    """The drill-down section of a kecamatan page."""
    start = html.index('id="cakupan-kecamatan"')
    return html[start:html.index("</section>", start)]


def test_kecamatan_page_lists_datasets_of_every_agency_covering_it(app, portal):
    html = _page(app, BELENGKONG)
    drilldown = _drilldown(html)
    # Two different agencies cover Paser Belengkong (64.01.03).
    assert "Jumlah Penduduk per Desa di Paser Belengkong" in drilldown
    assert "Produksi Padi Sawah" in drilldown
    # Another kecamatan only; the office's own dataset is listed above, not again.
    assert "Jumlah Puskesmas" not in html
    assert "Monografi Kecamatan Paser Belengkong" in html and "Monografi" not in drilldown


def test_private_datasets_stay_hidden_from_anonymous_users(app, portal):
    assert portal.datasets["bantuan"]["private"] is True
    assert "Penerima Bantuan Pupuk" not in _page(app, BELENGKONG)
    # The agency's own editor sees it in the drill-down.
    member_view = _drilldown(_page(app, BELENGKONG, token_for(portal.distan_editor)))
    assert "Penerima Bantuan Pupuk" in member_view and "Produksi Padi Sawah" in member_view


def test_other_kecamatan_page(app, portal):
    drilldown = _drilldown(_page(app, "/kecamatan/kecamatan-tanah-grogot"))
    assert "Produksi Padi Sawah" in drilldown and "Jumlah Puskesmas Tanah Grogot" in drilldown
    assert "Jumlah Penduduk per Desa" not in drilldown
    empty = _drilldown(_page(app, "/kecamatan/kecamatan-muara-samu"))
    assert "dataset-item" not in empty


def test_drilldown_links_to_the_full_search_when_longer_than_the_page(app, portal, monkeypatch):
    monkeypatch.setattr(publisher_helpers, "DRILLDOWN_ROWS", 1)
    drilldown = _drilldown(_page(app, BELENGKONG))
    assert drilldown.count("dataset-item") == 1
    assert 'href="/dataset/?vocab_kecamatan=64.01.03"' in drilldown
    # The full list is the dataset search with the kecamatan facet.
    search = _page(app, "/dataset/?vocab_kecamatan=64.01.03")
    for title in ("Jumlah Penduduk per Desa", "Produksi Padi Sawah", "Monografi Kecamatan Paser Belengkong"):
        assert title in search
    assert "Penerima Bantuan Pupuk" not in search


def test_kecamatan_page_shows_its_codes_and_desa_from_the_reference(app, portal):
    html = _page(app, BELENGKONG)
    assert "64.01.03" in html and "6401030" in html
    desa = html[html.index('id="desa-kelurahan"'):]
    # 15 desa, each with its Kemendagri code, among them the desa called Pasir Belengkong.
    assert desa.count("<tr>") == 16
    assert "64.01.03.2001" in desa and "Lempesu" in desa and "Pasir Belengkong" in desa
    about = _page(app, "/kecamatan/about/kecamatan-paser-belengkong")
    assert "6401030" in about and "Lempesu" in about


def test_kecamatan_list(app, portal):
    html = _page(app, "/kecamatan/")
    for name in ("Kecamatan Batu Sopang", "Kecamatan Muara Samu", "Kecamatan Paser Belengkong"):
        assert name in html
    # Both codes of each kecamatan, e.g. Muara Samu: Kemendagri 64.01.10, BPS 6401011.
    assert "64.01.10" in html and "6401011" in html


def test_dinas_list_and_profile(app, portal):
    html = _page(app, "/dinas/")
    assert "Dinas Kependudukan dan Pencatatan Sipil" in html and "Badan Pusat Statistik Kabupaten Paser" in html
    assert "Kecamatan Kuaro" not in html
    profile = _page(app, "/dinas/disdukcapil")
    assert "Jumlah Penduduk per Desa di Paser Belengkong" in profile and "Produksi Padi Sawah" not in profile
    assert "Disdukcapil" in profile and "Administrasi Kependudukan dan Pencatatan Sipil" in profile
    english = _page(app, "/en/dinas/about/distan")
    assert "Kind of agency" in english and "3.27 Agriculture" in english


def test_navigation_names_both_kinds_of_producer(app, portal):
    html = _page(app, "/en/dataset/")
    assert 'href="/en/dinas/"' in html and 'href="/en/kecamatan/"' in html
    assert "Agencies (OPD)" in html and "Subdistricts (kecamatan)" in html
    kecamatan_list = _page(app, "/en/kecamatan/")
    assert "Subdistricts (kecamatan)" in kecamatan_list and "10 organizations found" in kecamatan_list
    assert "lists the datasets of every agency that cover the subdistrict" in kecamatan_list
    assert "What are Organizations?" not in kecamatan_list
