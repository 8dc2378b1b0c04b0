"""In a real browser: visitors find the catalogue, an admin creates, edits and deletes a dataset and
the search reflects every step at once (the index lives in PostgreSQL, no Solr)."""
from __future__ import annotations

import os

import pytest
from ckan.tests import factories

PASSWORD = "Rahasia-Paser-2025"
SATU_DATA = {"jenis_data": "statistik", "klasifikasi": "terbuka", "tingkat_penyajian": "kabupaten"}
SCREENSHOTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                           ".data", "screenshots")


@pytest.fixture
def portal_data(clean_db, clean_index):
    admin = factories.Sysadmin(name="walidata", password=PASSWORD)
    org = factories.Organization(name="disdukcapil", title="Dinas Kependudukan dan Pencatatan Sipil")
    factories.Dataset(name="penduduk-kecamatan-2020", title="Jumlah Penduduk per Kecamatan 2020",
                      owner_org=org["id"], tags=[{"name": "kependudukan"}], **SATU_DATA)
    # Private through its Satu Data classification.
    factories.Dataset(name="data-rahasia", title="Data Rahasia Kependudukan", owner_org=org["id"],
                      **dict(SATU_DATA, klasifikasi="tertutup"))
    return {"admin": admin, "org": org}


def _shot(page, name: str) -> None:
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def _search(page, portal_url: str, q: str) -> str:
    page.goto(f"{portal_url}/dataset/?q={q}")
    return page.locator("#content").inner_text()


def test_visitor_and_admin_flow(page, portal_url, portal_data):
    page.goto(f"{portal_url}/dataset/")
    content = page.locator("#content").inner_text()
    assert "Jumlah Penduduk per Kecamatan 2020" in content
    assert "Data Rahasia Kependudukan" not in content
    _shot(page, "dataset-search-anonymous")
    facet = page.locator('section.module-narrow a[href*="organization=disdukcapil"]')
    assert "1" in facet.inner_text()

    page.goto(f"{portal_url}/user/login")
    page.fill("#field-login", "walidata")
    page.fill("#field-password", PASSWORD)
    page.locator("form:has(#field-login) button[type=submit]").click()
    page.wait_for_url("**/dashboard/**")

    page.goto(f"{portal_url}/dataset/new")
    # The URL name follows the title (CKAN's slug preview, once its script has run), as an operator would leave it.
    page.locator(".slug-preview").wait_for()
    page.fill("#field-title", "Jumlah Puskesmas per Kecamatan")
    assert page.input_value("#field-name") == "jumlah-puskesmas-per-kecamatan"
    page.fill("#field-notes", "Fasilitas kesehatan tingkat pertama di setiap kecamatan.")
    # CKAN dresses the select with select2; choosing the option sets the form value all the same.
    page.select_option("#field-organizations", portal_data["org"]["id"], force=True)
    # The Satu Data metadata the schema requires.
    page.select_option("#field-jenis_data", "statistik")
    page.select_option("#field-klasifikasi", "terbuka")
    page.select_option("#field-tingkat_penyajian", "kabupaten")
    page.locator("button[name=save]").click()
    page.wait_for_url("**/resource/new")
    page.locator("#resource-link-button").click()
    page.fill("#field-resource-url", "http://127.0.0.1/puskesmas.csv")
    page.fill("#field-name", "puskesmas.csv")
    page.locator("button[name=save][value=go-metadata]").click()
    page.wait_for_url("**/dataset/jumlah-puskesmas-per-kecamatan")
    assert "Jumlah Puskesmas per Kecamatan" in _search(page, portal_url, "puskesmas")

    page.goto(f"{portal_url}/dataset/edit/jumlah-puskesmas-per-kecamatan")
    page.fill("#field-title", "Jumlah Puskesmas dan Posyandu")
    page.locator("button[name=save]").click()
    page.wait_for_url("**/dataset/jumlah-puskesmas-per-kecamatan")
    assert "Jumlah Puskesmas dan Posyandu" in _search(page, portal_url, "posyandu")
    _shot(page, "dataset-search-after-edit")

    page.goto(f"{portal_url}/dataset/delete/jumlah-puskesmas-per-kecamatan")
    page.locator("#confirm-dataset-delete-form button[name=delete]").click()
    page.wait_for_load_state()
    assert "Jumlah Puskesmas" not in _search(page, portal_url, "puskesmas")
    # The admin sees the private dataset the visitor could not.
    assert "Data Rahasia Kependudukan" in _search(page, portal_url, "rahasia")
