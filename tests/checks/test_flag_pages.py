"""The steward's pages of the consistency flags (checks/views.py and the templates), on real data: Disdukcapil and
BPS upload their 2024 population tables, a real RQ worker reads them and raises the cross-producer flag; the
walidata dashboard, the flag page and its form, the dataset and resource pages and the search facet show it to whom
they should, in Bahasa Indonesia."""
from __future__ import annotations

from html import unescape
from io import BytesIO
from typing import Any

import pytest
from ckan.tests import factories, helpers
from ckan.tests.pytest_ckan.fixtures import FakeFileStorage
from ckanext.paser.checks import views
from in_process_jobs import run_jobs

WALIDATA_ORG = "diskominfostaper"
DUKCAPIL_CSV = "kode_wilayah,nama_wilayah,tahun,jumlah_penduduk\n64.01,Kabupaten Paser,2024,309667\n"
BPS_CSV = "kode_wilayah,nama_wilayah,tahun,jumlah_penduduk\n64.01,Kabupaten Paser,2024,292948\n"
TABLE = {"format": "CSV", "kolom_wilayah": "kode_wilayah", "jenis_kode_wilayah": "kode_kemendagri",
         "kolom_periode": "tahun", "kolom_nilai": "jumlah_penduduk", "satuan": "jiwa"}

NOT_WALIDATA = "Hanya walidata"
UPDATED = "Status flag diperbarui."


def _dataset(user: str, org: str, name: str, title: str, csv: str, klasifikasi: str = "terbuka") -> dict[str, Any]:
    context = {"user": user, "ignore_auth": False}
    dataset = helpers.call_action("package_create", dict(context), name=name, title=title, owner_org=org,
                                  jenis_data="statistik", klasifikasi=klasifikasi, tingkat_penyajian="kabupaten",
                                  satuan="jiwa")
    resource = helpers.call_action("resource_create", dict(context), package_id=dataset["id"], url="upload",
                                   upload=FakeFileStorage(BytesIO(csv.encode()), f"{name}.csv"), name=f"{name}.csv",
                                   **TABLE)
    return {**dataset, "resource": resource}


@pytest.fixture(scope="module")
def catalogue(reset_bundle_db, reset_index, reset_redis) -> dict[str, Any]:
    reset_bundle_db()
    reset_index()
    reset_redis()
    users = {name: factories.User(name=name, fullname=fullname) for name, fullname in (
        ("walidata-editor", "Walidata Editor"), ("walidata-anggota", "Walidata Anggota"),
        ("operator-disdukcapil", "Operator Disdukcapil"), ("operator-bps", "Operator BPS"), ("warga", "Warga"))}
    factories.Organization(name=WALIDATA_ORG, title="Diskominfostaper", users=[
        {"name": "walidata-editor", "capacity": "editor"}, {"name": "walidata-anggota", "capacity": "member"}])
    factories.Organization(name="disdukcapil", title="Dinas Kependudukan dan Pencatatan Sipil",
                           users=[{"name": "operator-disdukcapil", "capacity": "editor"}])
    factories.Organization(name="bps-paser", title="Badan Pusat Statistik Kabupaten Paser",
                           users=[{"name": "operator-bps", "capacity": "editor"}])
    dukcapil = _dataset("operator-disdukcapil", "disdukcapil", "penduduk-2024-dukcapil",
                        "Jumlah Penduduk 2024 (Dukcapil)", DUKCAPIL_CSV, klasifikasi="terbatas")
    bps = _dataset("operator-bps", "bps-paser", "penduduk-2024-bps", "Jumlah Penduduk 2024 (BPS)", BPS_CSV)
    run_jobs()
    tokens = {name: helpers.call_action("api_token_create", {"user": name}, user=name, name="uji")["token"]
              for name in users}
    site = {"user": helpers.call_action("get_site_user", {"ignore_auth": True})["name"], "ignore_auth": True}
    flags = helpers.call_action("paser_flag_list", dict(site), dataset_id=dukcapil["id"], rule="cross_producer")
    assert flags["count"] == 1
    return {"dukcapil": dukcapil, "bps": bps, "flag": flags["results"][0], "tokens": tokens}


def _as(catalogue: dict[str, Any], user: str) -> dict[str, str]:
    return {"Authorization": catalogue["tokens"][user]}


def _html(response: Any) -> str:
    return unescape(response.get_data(as_text=True))


def test_dashboard_lists_the_flag_per_opd_and_per_kecamatan(app, catalogue):
    html = _html(app.get("/walidata", headers=_as(catalogue, "walidata-anggota")))
    flag = catalogue["flag"]
    assert html.count(f'data-flag-id="{flag["id"]}"') == 3  # under both producers and under the regency
    assert "Dinas Kependudukan dan Pencatatan Sipil" in html and "Badan Pusat Statistik Kabupaten Paser" in html
    assert "Kabupaten Paser (tingkat kabupaten)" in html
    assert f'href="/dataset/{catalogue["dukcapil"]["name"]}"' in html
    assert f'href="/dataset/{catalogue["bps"]["name"]}/resource/{catalogue["bps"]["resource"]["id"]}"' in html
    assert f'href="/flag/{flag["id"]}"' in html
    assert "Dasbor Walidata" in html
    english = _html(app.get("/en/walidata", headers=_as(catalogue, "walidata-anggota")))
    assert "Walidata dashboard" in english and "Per OPD" in english


def test_dashboard_filters_by_rule_and_status(app, catalogue):
    headers = _as(catalogue, "walidata-editor")
    flag_id = catalogue["flag"]["id"]
    assert flag_id not in _html(app.get("/walidata", query_string={"rule": "sum_kecamatan"}, headers=headers))
    assert flag_id in _html(app.get("/walidata", query_string={"rule": "cross_producer"}, headers=headers))
    html = _html(app.get("/walidata", query_string={"status": "resolved"}, headers=headers))
    assert flag_id not in html and "Tidak ada flag yang cocok dengan filter ini." in html
    # Unknown filter values fall back to the defaults instead of failing.
    assert flag_id in _html(app.get("/walidata", query_string={"status": "x", "rule": "y"}, headers=headers))


def test_dashboard_is_for_the_walidata_only(app, catalogue):
    response = app.get("/walidata", headers=_as(catalogue, "operator-disdukcapil"), status=403)
    assert NOT_WALIDATA in _html(response)
    response = app.get("/walidata", follow_redirects=False)
    assert response.status_code == 302 and "/user/login" in response.headers["Location"]


def test_header_link_for_the_walidata(app, catalogue):
    assert 'id="paser-walidata-link"' in _html(app.get("/dataset/", headers=_as(catalogue, "walidata-anggota")))
    assert 'id="paser-walidata-link"' not in _html(app.get("/dataset/", headers=_as(catalogue, "operator-bps")))
    assert 'id="paser-walidata-link"' not in _html(app.get("/dataset/"))


def test_flag_page_shows_figures_datasets_and_history(app, catalogue):
    flag = catalogue["flag"]
    html = _html(app.get(f"/flag/{flag['id']}", headers=_as(catalogue, "walidata-editor")))
    assert "309667" in html.replace(".", "").replace(",", "") and "292948" in html.replace(".", "").replace(",", "")
    assert "Jumlah Penduduk 2024 (Dukcapil)" in html and "Jumlah Penduduk 2024 (BPS)" in html
    assert 'id="paser-flag-history"' in html
    assert 'name="note"' in html  # the editor of the walidata organisation manages flags


def test_a_producer_sees_the_flag_without_the_form(app, catalogue):
    # The BPS operator cannot read Disdukcapil's terbatas dataset, so does not see the flag at all.
    app.get(f"/flag/{catalogue['flag']['id']}", headers=_as(catalogue, "operator-bps"), status=404)
    # A walidata member (not editor) sees it but has no form.
    html = _html(app.get(f"/flag/{catalogue['flag']['id']}", headers=_as(catalogue, "walidata-anggota")))
    assert 'name="note"' not in html


def test_unknown_flag_and_anonymous_visitor(app, catalogue):
    app.get("/flag/00000000-0000-0000-0000-000000000000", headers=_as(catalogue, "walidata-editor"), status=404)
    app.get("/flag/bukan-id", headers=_as(catalogue, "walidata-editor"), status=404)
    response = app.get(f"/flag/{catalogue['flag']['id']}", follow_redirects=False)
    assert response.status_code == 302 and "/user/login" in response.headers["Location"]


def test_updating_without_a_note_shows_the_error(app, catalogue):
    flag_id = catalogue["flag"]["id"]
    response = app.post(f"/flag/{flag_id}", data={"status": "acknowledged", "note": "  "},
                        headers=_as(catalogue, "walidata-editor"), status=200)
    html = _html(response)
    assert "error-explanation" in html and "Catatan" in html
    assert "Traceback" not in html
    response = app.post(f"/flag/{flag_id}", data={"status": "ditutup", "note": "Salah status"},
                        headers=_as(catalogue, "walidata-editor"), status=200)
    assert "error-explanation" in _html(response)
    site = {"user": helpers.call_action("get_site_user", {"ignore_auth": True})["name"], "ignore_auth": True}
    assert helpers.call_action("paser_flag_show", site, id=flag_id)["status"] == "open"


def test_a_walidata_member_may_not_change_the_status(app, catalogue):
    app.post(f"/flag/{catalogue['flag']['id']}", data={"status": "acknowledged", "note": "Dicek"},
             headers=_as(catalogue, "walidata-anggota"), status=403)


def test_dataset_and_resource_pages_show_the_flag(app, catalogue):
    flag_id = catalogue["flag"]["id"]
    headers = _as(catalogue, "walidata-anggota")
    site = {"user": helpers.call_action("get_site_user", {"ignore_auth": True})["name"], "ignore_auth": True}
    open_flags = helpers.call_action("paser_flag_list", site, dataset_id=catalogue["dukcapil"]["id"],
                                     status="open")["count"]
    assert open_flags >= 1
    html = _html(app.get(f"/dataset/{catalogue['dukcapil']['name']}", headers=headers))
    assert 'id="paser-flag-badge"' in html and f"{open_flags} flag terbuka" in html
    assert f'data-flag-id="{flag_id}"' in html
    bps = catalogue["bps"]
    html = _html(app.get(f"/dataset/{bps['name']}/resource/{bps['resource']['id']}", headers=headers))
    assert 'id="paser-resource-flags"' in html and f'data-flag-id="{flag_id}"' in html
    # An anonymous visitor of the public BPS dataset sees no flag (flags are for the organisations' members).
    html = _html(app.get(f"/dataset/{bps['name']}"))
    assert "paser-flag-badge" not in html and flag_id not in html


def test_search_facet_has_open_flags(app, catalogue):
    headers = _as(catalogue, "walidata-anggota")
    result = app.get("/api/3/action/package_search", headers=headers, query_string={
        "include_private": "true", "facet.field": '["paser_flag"]'}).json["result"]
    items = {item["name"]: item for item in result["search_facets"]["paser_flag"]["items"]}
    assert items["open"]["count"] == 2 and items["open"]["display_name"] == "Ada flag terbuka"
    html = _html(app.get("/dataset/", headers=headers))
    assert "Flag konsistensi" in html and "Ada flag terbuka" in html and "?paser_flag=open" in html


def test_resource_check_summary_counts_the_open_flags_on_its_figures(app, catalogue):
    """The figures check of the BPS table found no problem reading it, but its figure is in an open
    cross-producer flag: the summary counts that flag, as the list of flags below it shows it."""
    import re

    import ckan.plugins.toolkit as tk

    bps = catalogue["bps"]
    url = f"/dataset/{bps['name']}/resource/{bps['resource']['id']}"
    walidata = {"user": "walidata-anggota", "ignore_auth": False}
    check = helpers.call_action("paser_resource_check_show", dict(walidata), id=bps["resource"]["id"])
    open_flags = helpers.call_action("paser_flag_list", dict(walidata), resource_id=bps["resource"]["id"],
                                     status="open")["count"]
    assert check["problem_count"] == 0 and open_flags >= 1

    def summary(headers: dict[str, str]) -> str:
        html = _html(app.get(url, headers=headers))
        return re.search(r'<p class="paser-check-status">(.*?)</p>', html, re.DOTALL).group(1)

    with app.flask_app.test_request_context("/"):
        problems = tk.ungettext("{count} problem found", "{count} problems found", open_flags).format(
            count=open_flags)
        including = tk.ungettext("including {count} open flag", "including {count} open flags",
                                 open_flags).format(count=open_flags)
        none_found = tk.ungettext("{count} problem found", "{count} problems found", 0).format(count=0)
    shown = summary(_as(catalogue, "walidata-anggota"))
    assert problems in shown and including in shown and 'href="#paser-resource-flags"' in shown
    # An anonymous visitor is shown no flag (flags are for the organisations' members): none is counted.
    shown = summary({})
    assert none_found in shown and "#paser-resource-flags" not in shown


# The module's flag stays open up to here: acknowledging it is the last change the tests make.
def test_acknowledging_with_a_note(app, catalogue):
    """Last: it changes the module's flag."""
    flag_id = catalogue["flag"]["id"]
    response = app.post(f"/flag/{flag_id}", data={"status": "acknowledged", "note": "Sudah dikonfirmasi ke BPS"},
                        headers=_as(catalogue, "walidata-editor"), follow_redirects=False)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/flag/{flag_id}")
    html = _html(app.get(f"/flag/{flag_id}", headers=_as(catalogue, "walidata-editor")))
    assert "Sudah dikonfirmasi ke BPS" in html
    site = {"user": helpers.call_action("get_site_user", {"ignore_auth": True})["name"], "ignore_auth": True}
    shown = helpers.call_action("paser_flag_show", site, id=flag_id)
    assert (shown["status"], shown["note"]) == ("acknowledged", "Sudah dikonfirmasi ke BPS")
    assert shown["history"][-1]["user"] == "walidata-editor"


def test_grouping_per_kecamatan():
    flags = [{"id": "a", "region_code": "64.01.03.2001"}, {"id": "b", "region_code": None},
             {"id": "c", "region_code": "64.01"}, {"id": "d", "region_code": "64.01.03"}]
    groups = views.group_by_kecamatan(flags)
    assert [(group["key"], [flag["id"] for flag in group["flags"]]) for group in groups] == [
        ("64.01", ["c"]), ("64.01.03", ["a", "d"]), ("", ["b"])]
    assert groups[1]["title"] == "Kecamatan Paser Belengkong"
