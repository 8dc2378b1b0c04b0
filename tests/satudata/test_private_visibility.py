"""terbatas and tertutup datasets never show to anonymous users: search, pages, API, facets, feeds."""
from __future__ import annotations

import pytest
from ckan.tests import helpers

from .conftest import satu_data

HIDDEN = {"terbatas": "Draf Jumlah Penduduk Terbatas", "tertutup": "Daftar Penerima Bantuan Tertutup"}


@pytest.fixture
def hidden_world(world):
    world.create("data-terbuka", title="Jumlah Penduduk Terbuka", **satu_data(
        tingkat_penyajian="kecamatan", cakupan_kecamatan=["64.01.04"], temporal_coverage=[{"start": "2020"}]),
        resources=[{"url": "http://127.0.0.1/terbuka.csv", "format": "CSV", "name": "terbuka.csv"}])
    for klasifikasi, title in HIDDEN.items():
        world.create(f"data-{klasifikasi}", title=title, **satu_data(
            klasifikasi=klasifikasi, tingkat_penyajian="kecamatan", cakupan_kecamatan=["64.01.05"],
            temporal_coverage=[{"start": "2023"}]),
            resources=[{"url": f"http://127.0.0.1/{klasifikasi}.csv", "format": "XLSX", "name": "rahasia.csv"}])
    return world


def test_search_api_and_page(app, hidden_world):
    assert hidden_world.names(include_private=True) == {"data-terbuka"}
    assert hidden_world.names(q="tertutup OR terbatas OR rahasia", include_private=True) == set()
    response = app.get("/api/3/action/package_search", query_string={"q": "*:*", "include_private": "true"})
    assert [d["name"] for d in response.json["result"]["results"]] == ["data-terbuka"]
    for query in ({}, {"klasifikasi": "tertutup"}, {"vocab_kecamatan": "64.01.05"}, {"q": "Bantuan"}):
        html = app.get("/dataset/", query_string=query).get_data(as_text=True)
        assert not any(title in html for title in HIDDEN.values()), query


@pytest.mark.parametrize("klasifikasi", ["terbatas", "tertutup"])
def test_dataset_resource_and_api_show(app, hidden_world, klasifikasi):
    name = f"data-{klasifikasi}"
    dataset = helpers.call_action("package_show", id=name)
    assert app.get(f"/dataset/{name}").status_code == 404
    assert app.get(f"/dataset/{dataset['id']}").status_code == 404
    assert app.get(f"/dataset/{name}/resource/{dataset['resources'][0]['id']}").status_code == 404
    response = app.get("/api/3/action/package_show", query_string={"id": name})
    assert response.status_code == 404 and response.json["success"] is False  # as a missing one (privacy)
    response = app.get("/api/3/action/resource_show", query_string={"id": dataset["resources"][0]["id"]})
    assert response.status_code == 404
    assert app.get(f"/dataset/{name}.rdf").status_code in (403, 404)


def test_facet_counts_leave_them_out(app, hidden_world):
    result = app.get("/api/3/action/package_search", query_string={
        "rows": 0, "include_private": "true",
        "facet.field": '["vocab_kecamatan", "klasifikasi", "vocab_tahun", "res_format", "organization"]',
    }).json["result"]
    assert result["count"] == 1
    assert result["facets"] == {
        "vocab_kecamatan": {"64.01.04": 1}, "klasifikasi": {"terbuka": 1}, "vocab_tahun": {"2020": 1},
        "res_format": {"CSV": 1}, "organization": {"disdukcapil": 1},
    }


def test_organisation_page_autocomplete_and_catalogue(app, hidden_world):
    html = app.get("/organization/disdukcapil").get_data(as_text=True)
    assert "Jumlah Penduduk Terbuka" in html and not any(title in html for title in HIDDEN.values())
    suggested = helpers.call_action("package_autocomplete", {"user": "", "ignore_auth": False}, q="data")
    assert {item["name"] for item in suggested} == {"data-terbuka"}
    catalogue = app.get("/catalog.ttl").get_data(as_text=True)
    assert "Jumlah Penduduk Terbuka" in catalogue and not any(title in catalogue for title in HIDDEN.values())


def test_members_and_sysadmins_still_see_them(app, hidden_world):
    names = {"data-terbuka", "data-terbatas", "data-tertutup"}
    assert hidden_world.names(hidden_world.editor, include_private=True) == names
    assert hidden_world.names(hidden_world.sysadmin, include_private=True) == names
    assert hidden_world.names(hidden_world.outsider, include_private=True) == {"data-terbuka"}
    headers = {"Authorization": hidden_world.token(hidden_world.editor)}
    assert app.get("/dataset/data-tertutup", headers=headers).status_code == 200
    outsider = {"Authorization": hidden_world.token(hidden_world.outsider)}
    assert app.get("/dataset/data-tertutup", headers=outsider).status_code == 404


def test_reclassifying_hides_at_once(app, hidden_world):
    helpers.call_action("package_patch", {"user": hidden_world.sysadmin["name"]}, id="data-terbuka",
                        klasifikasi="tertutup")
    assert hidden_world.names(include_private=True) == set()
    assert hidden_world.facets("vocab_kecamatan") == {}
    assert app.get("/dataset/data-terbuka").status_code == 404
