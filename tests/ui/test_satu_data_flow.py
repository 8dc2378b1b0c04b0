"""In a real browser, the Satu Data way: an OPD operator logs in, creates a dataset for two kecamatan with a CSV
file through the web form, is told in Indonesian what is wrong with a first attempt, fixes it, and finds the
dataset through the kecamatan facet and on both kecamatan pages; an anonymous visitor never sees a tertutup
dataset. Screenshots for reviewers: with PASER_SCREENSHOTS=1 the run rewrites docs/screenshots/; otherwise they go to a
temporary directory, so that a test run leaves the checkout unchanged."""
from __future__ import annotations

import os
import re
import tempfile
from typing import Any

import pytest
from ckan.tests import factories, helpers
from ckanext.paser.publishers import seed

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCREENSHOTS = (os.path.join(ROOT, "docs", "screenshots") if os.environ.get("PASER_SCREENSHOTS") == "1"
               else os.path.join(tempfile.gettempdir(), "paser-screenshots"))
PASSWORD = "Rahasia-Paser-2025"
OPERATOR = "operator-dinkes"
DINAS = "dinkes"  # seeded from the OPD list: Dinas Kesehatan

TANAH_GROGOT = ("64.01.04", "Tanah Grogot", "/kecamatan/kecamatan-tanah-grogot")
KUARO = ("64.01.05", "Kuaro", "/kecamatan/kecamatan-kuaro")

TITLE = "Jumlah Tenaga Kesehatan per Kecamatan 2023-2024"
SLUG = "jumlah-tenaga-kesehatan-per-kecamatan-2023-2024"
CSV = (
    "kecamatan,kode_kemendagri,tahun,jumlah_tenaga_kesehatan\n"
    "Tanah Grogot,64.01.04,2023,412\nKuaro,64.01.05,2023,118\n"
    "Tanah Grogot,64.01.04,2024,437\nKuaro,64.01.05,2024,125\n"
)
CLOSED_TITLE = "Data Pasien Puskesmas per Kecamatan"
CLOSED_NAME = "data-pasien-puskesmas-per-kecamatan"
OTHER_TITLE = "Jumlah Penduduk Kecamatan Long Ikis"

# The Indonesian messages (ckanext-paser catalogue) and their English msgids, which must not leak through.
ERROR_NO_KECAMATAN = ("Pilih kecamatan yang dicakup dataset ini: dataset ini disajikan per kecamatan atau per "
                      "desa/kelurahan.")
ERROR_PERIOD = "Akhir periode tidak boleh mendahului awal periode."
ENGLISH_ERRORS = ("Choose the kecamatan this dataset covers", "The end of the period comes before its start")


@pytest.fixture
def satu_data(clean_db, clean_index) -> dict[str, Any]:
    """Seeded dinas and kecamatan organisations, a Dinas Kesehatan editor, a tertutup dataset of that dinas
    covering both kecamatan, and a public dataset of another dinas covering a third kecamatan."""
    seed.seed()
    site_user = helpers.call_action("get_site_user", {"ignore_auth": True})["name"]
    site = {"user": site_user, "ignore_auth": True}
    operator = factories.User(name=OPERATOR, fullname="Operator Dinas Kesehatan", password=PASSWORD)
    helpers.call_action("organization_member_create", dict(site), id=DINAS, username=OPERATOR, role="editor")
    closed = helpers.call_action(
        "package_create", {"user": OPERATOR},
        name=CLOSED_NAME, title=CLOSED_TITLE, owner_org=DINAS, notes="Rekam medis ringkas, hanya untuk internal.",
        jenis_data="statistik", klasifikasi="tertutup", tingkat_penyajian="kecamatan",
        cakupan_kecamatan=[TANAH_GROGOT[0], KUARO[0]],
    )
    assert closed["private"] is True
    helpers.call_action(
        "package_create", dict(site),
        name="jumlah-penduduk-long-ikis", title=OTHER_TITLE, owner_org="disdukcapil",
        jenis_data="statistik", klasifikasi="terbuka", tingkat_penyajian="kecamatan", cakupan_kecamatan=["64.01.06"],
    )
    return {"operator": operator, "closed": closed}


def _shot(page, name: str) -> None:
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def _choose(page, field: str, typed: str, label: str) -> None:
    """Pick an option of a select2-dressed select the way a user does: type into it, click the match."""
    page.locator(f"#s2id_{field} input").click()
    page.keyboard.type(typed)
    page.locator(".select2-drop-active .select2-result-label", has_text=label).click()


def _content(page) -> str:
    return page.locator("#content").inner_text()


def _drilldown(page) -> str:
    """The kecamatan page's list of datasets of other producers covering the kecamatan."""
    return page.locator("#cakupan-kecamatan").inner_text()


def _facet(page, title: str):
    """The search page's facet box titled `title`."""
    heading = page.locator("h2.module-heading", has_text=re.compile(rf"^\s*{re.escape(title)}\s*$"))
    return page.locator("section.module-narrow", has=heading)


def _kecamatan_facet_count(page, name: str) -> int:
    link = _facet(page, "Kecamatan").locator("a", has=page.locator(".item-label", has_text=name))
    return int(link.locator(".item-count").inner_text())


def _log_in(page, portal_url: str) -> None:
    page.goto(f"{portal_url}/user/login")
    page.fill("#field-login", OPERATOR)
    page.fill("#field-password", PASSWORD)
    page.locator("form:has(#field-login) button[type=submit]").click()
    page.wait_for_url("**/dashboard/**")


def _create_dataset(page, portal_url: str, csv_path: str) -> None:
    page.goto(f"{portal_url}/dataset/new")
    # CKAN's scripts start after fetching their translations: wait for the URL preview they put under the title,
    # which then follows what is typed.
    page.locator(".slug-preview").wait_for()
    page.fill("#field-title", TITLE)
    assert page.input_value("#field-name") == SLUG
    page.fill("#field-notes", "Dokter, perawat dan bidan yang bertugas di setiap kecamatan, per akhir tahun.")
    # The operator edits one dinas only: it is the producer offered, already chosen.
    assert page.locator("#field-organizations option:checked").inner_text().strip() == "Dinas Kesehatan"
    page.select_option("#field-jenis_data", "statistik")
    page.select_option("#field-klasifikasi", "terbuka")
    page.select_option("#field-tingkat_penyajian", "kecamatan")
    # Wrong on two counts: per kecamatan with no kecamatan chosen, and a period that ends before it starts.
    page.fill("#field-temporal_coverage-0-start", "2024")
    page.fill("#field-temporal_coverage-0-end", "2023")
    page.fill("#field-satuan", "orang")
    page.locator("button[name=save]").click()
    page.wait_for_load_state()

    # Refused, in Indonesian, next to the fields concerned; what was typed is kept.
    assert page.url.endswith("/dataset/new")
    form = page.locator("#dataset-edit")
    assert "Terdapat entitas cacat pada formulir" in form.inner_text()  # CKAN's own Indonesian summary
    kecamatan_field = form.locator(".form-group.error", has=page.locator("#field-cakupan_kecamatan"))
    assert ERROR_NO_KECAMATAN in kecamatan_field.inner_text()
    period_end = form.locator(".form-group.error", has=page.locator("#field-temporal_coverage-0-end"))
    assert ERROR_PERIOD in period_end.inner_text()
    for english in ENGLISH_ERRORS:
        assert english not in form.inner_text()
    assert page.input_value("#field-title") == TITLE
    assert page.input_value("#field-tingkat_penyajian") == "kecamatan"
    assert page.input_value("#field-satuan") == "orang"
    _shot(page, "dataset-form")

    # Fixed: both kecamatan chosen in the searchable list, the period from 2023 to 2024.
    _choose(page, "field-cakupan_kecamatan", "Tanah", TANAH_GROGOT[1])
    _choose(page, "field-cakupan_kecamatan", "Kuaro", KUARO[1])
    assert page.locator("#field-cakupan_kecamatan option:checked").evaluate_all(
        "options => options.map(option => option.value)") == [TANAH_GROGOT[0], KUARO[0]]
    page.fill("#field-temporal_coverage-0-start", "2023")
    page.fill("#field-temporal_coverage-0-end", "2024")
    page.locator("button[name=save]").click()
    page.wait_for_url(f"**/dataset/{SLUG}/resource/new")

    # The CSV file, chosen from the computer through the upload button, and its table described.
    with page.expect_file_chooser() as chooser:
        page.locator("#resource-upload-button").click()
    chooser.value.set_files(csv_path)
    assert page.input_value("#field-name") == "tenaga-kesehatan.csv"
    page.fill("#field-kolom_wilayah", "kecamatan")
    page.select_option("#field-jenis_kode_wilayah", "nama")
    page.fill("#field-kolom_periode", "tahun")
    page.fill("#field-kolom_nilai", "jumlah_tenaga_kesehatan")
    page.fill("#field-satuan", "orang")
    page.locator("button[name=save][value=go-metadata]").click()
    page.wait_for_url(f"**/dataset/{SLUG}")


def _check_dataset_page(page, portal_url: str) -> None:
    content = _content(page)
    assert TITLE in content
    assert "Dinas Kesehatan" in content
    assert "Tanah Grogot" in content and "Kuaro" in content
    assert re.search(r"2023\s*–\s*2024", content)
    resource = page.locator(".resource-item", has_text="tenaga-kesehatan.csv")
    assert resource.locator(".format-label").get_attribute("data-format").lower() == "csv"
    _shot(page, "dataset-page")

    # The uploaded file is what a visitor downloads.
    resource.locator("a.heading").click()
    page.wait_for_url("**/resource/**")
    # The resource page describes the table as the operator entered it.
    resource_page = _content(page)
    assert "Kolom wilayah" in resource_page and "jumlah_tenaga_kesehatan" in resource_page
    download = page.get_by_role("link", name="Unduh").get_attribute("href")
    response = page.request.get(download if download.startswith("http") else portal_url + download)
    assert response.ok and response.text() == CSV


def test_operator_creates_dataset_for_two_kecamatan_and_visitors_never_see_tertutup(
        browser, page, portal_url, satu_data, tmp_path):
    csv_path = tmp_path / "tenaga-kesehatan.csv"
    csv_path.write_text(CSV)

    _log_in(page, portal_url)
    _create_dataset(page, portal_url, str(csv_path))
    _check_dataset_page(page, portal_url)

    # Through the kecamatan facet of the search page, each kecamatan in turn.
    for code, name, _url in (TANAH_GROGOT, KUARO):
        page.goto(f"{portal_url}/dataset/")
        _facet(page, "Kecamatan").locator("a", has=page.locator(".item-label", has_text=name)).click()
        page.wait_for_url(f"**vocab_kecamatan={code}**")
        content = _content(page)
        assert TITLE in content and OTHER_TITLE not in content
        # The operator's dinas also sees its tertutup dataset.
        assert CLOSED_TITLE in content

    # On both kecamatan pages, among the datasets of other producers covering the kecamatan.
    for _code, name, url in (TANAH_GROGOT, KUARO):
        page.goto(portal_url + url)
        assert f"Kecamatan {name}" in page.locator("h1").first.inner_text()
        drilldown = _drilldown(page)
        assert TITLE in drilldown and CLOSED_TITLE in drilldown and OTHER_TITLE not in drilldown

    # An anonymous visitor, in a browser of their own.
    visitor_context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})
    try:
        visitor = visitor_context.new_page()
        visitor.set_default_timeout(15_000)

        visitor.goto(f"{portal_url}/dataset/")
        content = _content(visitor)
        assert TITLE in content and OTHER_TITLE in content
        assert CLOSED_TITLE not in content
        for _code, name, _url in (TANAH_GROGOT, KUARO):
            assert _kecamatan_facet_count(visitor, name) == 1
        visitor.goto(f"{portal_url}/dataset/?q=pasien")
        assert CLOSED_TITLE not in _content(visitor)
        visitor.goto(f"{portal_url}/dataset/?vocab_kecamatan={KUARO[0]}")
        content = _content(visitor)
        assert TITLE in content and CLOSED_TITLE not in content

        for _code, _name, url in (TANAH_GROGOT, KUARO):
            visitor.goto(portal_url + url)
            drilldown = _drilldown(visitor)
            assert TITLE in drilldown
            assert CLOSED_TITLE not in visitor.content()
        _shot(visitor, "kecamatan-page")

        # Its address leads to the error page, which gives nothing of it away.
        response = visitor.goto(f"{portal_url}/dataset/{CLOSED_NAME}")
        assert response.status == 404
        assert visitor.locator("#content h1").inner_text().startswith("404")
        assert "Dataset tidak ditemukan atau Anda tidak berhak melihatnya." in visitor.locator("#content").inner_text()
        page_html = visitor.content()
        assert CLOSED_TITLE not in page_html and "Rekam medis" not in page_html
    finally:
        visitor_context.close()
