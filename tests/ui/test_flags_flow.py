"""In a real browser, the walidata's review of a consistency flag: Disdukcapil and BPS each upload their population
table for 2024 through the API (309,667 and 292,948 people in Kabupaten Paser), the background jobs read
them and raise a cross-producer flag, and a walidata of Diskominfostaper finds it on the walidata dashboard, opens
both datasets from it (Disdukcapil's is terbatas, so private), comes back to the flag and acknowledges it with a note.
The status and history shown, and the flag read back through the API, say the same."""
from __future__ import annotations

import os
import re
import tempfile
from typing import Any

import pytest
import requests
from ckan.tests import factories, helpers
from ckanext.paser.publishers import seed
from in_process_jobs import run_jobs

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Screenshots for reviewers, in docs/ only with PASER_SCREENSHOTS=1 (as test_satu_data_flow.py).
SCREENSHOTS = (os.path.join(ROOT, "docs", "screenshots") if os.environ.get("PASER_SCREENSHOTS") == "1"
               else os.path.join(tempfile.gettempdir(), "paser-screenshots"))
PASSWORD = "Rahasia-Paser-2025"
WALIDATA = "walidata-kominfo"
WALIDATA_ORG = "diskominfostaper"

DUKCAPIL = {
    "org": "disdukcapil", "user": "operator-disdukcapil", "name": "jumlah-penduduk-paser-2024-dukcapil",
    "title": "Jumlah Penduduk Kabupaten Paser 2024 (Dukcapil)", "klasifikasi": "terbatas",
    "file": "penduduk-2024-dukcapil.csv",
    "csv": "kode_wilayah,nama_wilayah,tahun,jumlah_penduduk\n64.01,Kabupaten Paser,2024,309667\n",
}
BPS = {
    "org": "bps-paser", "user": "operator-bps", "name": "jumlah-penduduk-paser-2024-bps",
    "title": "Jumlah Penduduk Kabupaten Paser 2024 (BPS)", "klasifikasi": "terbuka",
    "file": "penduduk-2024-bps.csv",
    "csv": "kode_wilayah,nama_wilayah,tahun,jumlah_penduduk\n64.01,Kabupaten Paser,2024,292948\n",
}
NOTE = "Sudah dikonfirmasi ke Disdukcapil dan BPS: Dukcapil memakai data administrasi, BPS proyeksi SP2020."

# Indonesian texts of the pages (ckanext-paser catalogue).
NOTE_REQUIRED = "Catatan"  # the field named in the error summary
UPDATED = "Status flag diperbarui."
ACKNOWLEDGED = "Diketahui"


def _api(portal_url: str, action: str, token: str, **kwargs: Any) -> dict[str, Any]:
    response = requests.post(f"{portal_url}/api/3/action/{action}", headers={"Authorization": token}, timeout=60,
                             **kwargs)
    body = response.json()
    assert body["success"], body
    return body["result"]


def _token(user_name: str) -> str:
    return helpers.call_action("api_token_create", {"user": user_name}, user=user_name, name="uji-flag")["token"]


def _publish(portal_url: str, producer: dict[str, str]) -> dict[str, Any]:
    """The producer's operator creates the dataset and uploads its CSV table through the portal's action API."""
    token = _token(producer["user"])
    dataset = _api(portal_url, "package_create", token, json={
        "name": producer["name"], "title": producer["title"], "owner_org": producer["org"],
        "notes": "Jumlah penduduk Kabupaten Paser tahun 2024.", "jenis_data": "statistik",
        "klasifikasi": producer["klasifikasi"], "tingkat_penyajian": "kabupaten", "satuan": "jiwa",
        # The metadata the walidata needs before publication, so that the conflict is the only flag.
        "konsep": "Penduduk", "definisi": "Orang yang berdomisili di Kabupaten Paser.", "frequency": "tahunan",
        "temporal_coverage": [{"start": "2024", "end": "2024"}],
    })
    resource = _api(portal_url, "resource_create", token, data={
        "package_id": dataset["id"], "name": producer["file"], "format": "CSV", "kolom_wilayah": "kode_wilayah",
        "jenis_kode_wilayah": "kode_kemendagri", "kolom_periode": "tahun", "kolom_nilai": "jumlah_penduduk",
        "satuan": "jiwa",
    }, files={"upload": (producer["file"], producer["csv"].encode(), "text/csv")})
    return {**dataset, "resource": resource}


def _run_worker() -> None:
    """The jobs the portal queued, until the queue is empty: the tables read and the rules evaluated (the portal
    and this process share the configuration, so the same databases, queue and storage)."""
    run_jobs()


@pytest.fixture
def population_flag(clean_db, clean_index, clean_redis, portal_url) -> dict[str, Any]:
    """Seeded organisations; the operators of Disdukcapil and BPS, and a walidata (editor of Diskominfostaper);
    both population tables uploaded and read by the worker."""
    seed.seed()
    site = {"user": helpers.call_action("get_site_user", {"ignore_auth": True})["name"], "ignore_auth": True}
    factories.User(name=WALIDATA, fullname="Walidata Diskominfostaper", password=PASSWORD)
    helpers.call_action("organization_member_create", dict(site), id=WALIDATA_ORG, username=WALIDATA,
                        role="editor")
    for producer in (DUKCAPIL, BPS):
        factories.User(name=producer["user"])
        helpers.call_action("organization_member_create", dict(site), id=producer["org"],
                            username=producer["user"], role="editor")
    datasets = {"dukcapil": _publish(portal_url, DUKCAPIL), "bps": _publish(portal_url, BPS)}
    assert datasets["dukcapil"]["private"] is True
    _run_worker()
    return {"datasets": datasets, "token": _token(WALIDATA)}


def _shot(page, name: str) -> None:
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def _log_in(page, portal_url: str) -> None:
    page.goto(f"{portal_url}/user/login")
    page.fill("#field-login", WALIDATA)
    page.fill("#field-password", PASSWORD)
    page.locator("form:has(#field-login) button[type=submit]").click()
    page.wait_for_url("**/dashboard/**")


def _population(text: str) -> tuple[bool, bool]:
    return bool(re.search(r"309[.,]?667", text)), bool(re.search(r"292[.,]?948", text))


def test_walidata_reviews_the_population_conflict(page, portal_url, population_flag):
    dukcapil = population_flag["datasets"]["dukcapil"]

    # The flag exists before anyone looks: raised by the worker, open.
    flags = _api(portal_url, "paser_flag_list", population_flag["token"],
                 json={"dataset_id": dukcapil["id"], "rule": "cross_producer"})
    assert flags["count"] == 1
    flag = flags["results"][0]
    assert flag["status"] == "open"
    assert {dataset["name"] for dataset in flag["datasets"]} == {DUKCAPIL["name"], BPS["name"]}

    _log_in(page, portal_url)
    # The header leads the walidata to the dashboard.
    page.locator("#paser-walidata-link").click()
    page.wait_for_url("**/walidata")
    assert page.locator("h1.page-heading").inner_text().strip() == "Dasbor Walidata"

    # Under each producer, and under the regency for the region; the flag names both tables' figures.
    per_opd = page.locator("#flags-per-opd")
    for producer in ("Dinas Kependudukan dan Pencatatan Sipil", "Badan Pusat Statistik Kabupaten Paser"):
        group = per_opd.locator(".paser-flag-group", has=page.locator("h3", has_text=producer))
        item = group.locator(f'li.paser-flag[data-flag-id="{flag["id"]}"]')
        assert item.count() == 1, producer
    per_kecamatan = page.locator("#flags-per-kecamatan")
    regency = per_kecamatan.locator('.paser-flag-group[data-group="64.01"]')
    assert "Kabupaten Paser" in regency.locator("h3").inner_text()
    item = regency.locator(f'li.paser-flag[data-flag-id="{flag["id"]}"]')
    assert item.locator(".paser-flag-rule").inner_text().strip() == flag["rule_label"]
    assert item.locator(".paser-flag-message").inner_text().strip() == flag["message"]
    _shot(page, "walidata-dashboard")

    # Both datasets open from the flag, the private one of Disdukcapil included; each shows the open flag.
    for producer in (DUKCAPIL, BPS):
        item.locator("a.paser-flag-dataset", has_text=producer["title"]).click()
        page.wait_for_url(f"**/dataset/{producer['name']}")
        assert producer["title"] in page.locator("h1").first.inner_text()
        assert page.locator("#paser-flag-badge").inner_text().strip() == "1 flag terbuka"
        assert page.locator(f'#paser-flags li.paser-flag[data-flag-id="{flag["id"]}"]').count() == 1
        page.go_back()
        page.wait_for_url("**/walidata")

    # The flag's page: both figures, with their datasets.
    item.locator("a.paser-flag-link").click()
    page.wait_for_url(f"**/flag/{flag['id']}")
    figures = page.locator("#paser-flag-figures").inner_text()
    assert _population(figures) == (True, True)
    assert DUKCAPIL["title"] in figures and BPS["title"] in figures
    assert page.locator("#paser-flag-status").inner_text().strip() == "Terbuka"
    # Each figure leads to its table, whose page lists the flag too.
    bps_row = page.locator("#paser-flag-figures tbody tr", has_text=BPS["title"])
    bps_row.locator("td").last.locator("a").click()
    page.wait_for_url(f"**/dataset/{BPS['name']}/resource/**")
    assert page.locator(f'#paser-resource-flags li.paser-flag[data-flag-id="{flag["id"]}"]').count() == 1
    page.go_back()
    page.wait_for_url(f"**/flag/{flag['id']}")

    # Acknowledging without a note is refused, in Indonesian, and nothing changes.
    page.select_option("#field-status", "acknowledged")
    page.locator("#paser-flag-update button[type=submit]").click()
    page.wait_for_load_state()
    summary = page.locator("#paser-flag-update .error-explanation")
    assert NOTE_REQUIRED in summary.inner_text()
    assert page.locator("#paser-flag-status").inner_text().strip() == "Terbuka"
    assert page.input_value("#field-status") == "acknowledged"

    page.fill("#field-note", NOTE)
    page.locator("#paser-flag-update button[type=submit]").click()
    page.wait_for_url(f"**/flag/{flag['id']}")
    assert UPDATED in page.locator(".flash-messages").inner_text()
    assert page.locator("#paser-flag-status").inner_text().strip() == ACKNOWLEDGED
    latest = page.locator("#paser-flag-history tr.paser-flag-history-entry").last
    assert NOTE in latest.locator(".paser-flag-history-note").inner_text()
    assert "Walidata Diskominfostaper" in latest.inner_text()
    assert ACKNOWLEDGED in latest.inner_text()
    _shot(page, "flag-page")

    # The API says the same.
    shown = _api(portal_url, "paser_flag_show", population_flag["token"], json={"id": flag["id"]})
    assert shown["status"] == "acknowledged"
    assert shown["note"] == NOTE
    assert (shown["history"][-1]["user"], shown["history"][-1]["status_to"], shown["history"][-1]["note"]) == (
        WALIDATA, "acknowledged", NOTE)

    # Acknowledged flags leave the dashboard's default (open) list and show under their status.
    page.goto(f"{portal_url}/walidata")
    assert page.locator(f'li.paser-flag[data-flag-id="{flag["id"]}"]').count() == 0
    page.goto(f"{portal_url}/walidata?status=acknowledged")
    assert page.locator(f'#flags-per-opd li.paser-flag[data-flag-id="{flag["id"]}"]').count() == 2
