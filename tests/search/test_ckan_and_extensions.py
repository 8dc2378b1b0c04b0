"""Everything in CKAN and the upstream extensions that searches works on paser_search."""
from __future__ import annotations

import freezegun
import rdflib
from ckan import model
from ckan.lib import search
from ckan.tests import factories, helpers

from .conftest import NOW, PUBLIC, SATU_DATA

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")


def _page(app, url, **params) -> str:
    response = app.get(url, query_string=params)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_dataset_search_page_lists_public_datasets_and_facets(app, catalogue):
    html = _page(app, "/dataset/")
    for title in ("Jumlah Penduduk per Kecamatan 2020", "Produksi Perkebunan Kelapa Sawit", "Akses Air Bersih"):
        assert title in html
    assert "Petani Penerima Bantuan" not in html
    # Organisation facet with its count.
    assert "Dinas Pertanian" in html and 'href="/dataset/?organization=distan"' in html


def test_dataset_search_page_filters(app, catalogue):
    html = _page(app, "/dataset/", q="kebun")
    assert "Produksi Perkebunan Kelapa Sawit" in html and "Luas Panen Padi" not in html
    html = _page(app, "/dataset/", tags="pertanian")
    assert "Luas Panen Padi Sawah" in html and "Kelapa Sawit" not in html
    html = _page(app, "/dataset/", res_format="XLSX", sort="title_string asc")
    assert html.index("Produksi Perkebunan") < html.index("Proyeksi Penduduk")


def test_organisation_and_group_pages_show_their_datasets(app, catalogue):
    html = _page(app, "/organization/distan")
    assert "Produksi Perkebunan Kelapa Sawit" in html and "Luas Panen Padi Sawah" in html
    assert "Petani Penerima Bantuan" not in html and "Proyeksi Penduduk" not in html
    html = _page(app, "/group/ekonomi")
    assert "Produksi Perkebunan Kelapa Sawit" in html and "Jumlah Penduduk" not in html
    listing = helpers.call_action("organization_list", all_fields=True)
    counts = {org["name"]: org["package_count"] for org in listing}
    assert counts == {"distan": 2, "bps-paser": 2, "disdukcapil": 1}


def test_members_see_private_datasets_on_their_organisation_page(app, catalogue):
    token = helpers.call_action(
        "api_token_create", {"user": catalogue.distan_editor["name"]},
        user=catalogue.distan_editor["name"], name="uji",
    )["token"]
    html = app.get("/organization/distan", headers={"Authorization": token}).get_data(as_text=True)
    assert "Petani Penerima Bantuan" in html


def test_package_autocomplete(catalogue):
    assert [item["name"] for item in helpers.call_action("package_autocomplete", q="sawi")] == [
        "produksi-kelapa-sawit"
    ]
    names = {item["name"] for item in helpers.call_action("package_autocomplete", q="penduduk")}
    assert names == {"penduduk-kecamatan-2020", "proyeksi-penduduk-2024"}
    # Private datasets are not suggested to anonymous users.
    assert helpers.call_action("package_autocomplete", {"user": "", "ignore_auth": False}, q="bantuan") == []


def test_spatial_bbox_search(app, catalogue):
    around_tanah_grogot = "116.0,-2.0,116.4,-1.8"
    assert catalogue.names(extras={"ext_bbox": around_tanah_grogot}) == {"produksi-kelapa-sawit"}
    whole_regency = "115.5,-2.4,116.6,-1.3"
    assert catalogue.names(extras={"ext_bbox": whole_regency}) == {"produksi-kelapa-sawit"}
    assert catalogue.names(extras={"ext_bbox": "100.0,0.0,101.0,1.0"}) == set()
    html = _page(app, "/dataset/", ext_bbox=around_tanah_grogot)
    assert "Produksi Perkebunan Kelapa Sawit" in html and "Luas Panen Padi" not in html


def test_dcat_catalogue_modified_since(app, catalogue):
    def titles(**params) -> set[str]:
        graph = rdflib.Graph().parse(data=_page(app, "/catalog.ttl", **params), format="turtle")
        return {str(title) for dataset in graph.subjects(rdflib.RDF.type, DCAT.Dataset)
                for title in graph.objects(dataset, rdflib.DCTERMS.title)}

    with freezegun.freeze_time(NOW):
        # ckanext-dcat filters with metadata_modified:[<modified_since> TO NOW].
        assert titles(modified_since="2025-01-09T00:00:00") == {
            "Luas Panen Padi Sawah", "Akses Air Bersih Rumah Tangga",
        }
        everything = titles()
    assert len(everything) == len(PUBLIC) and "Data Petani Penerima Bantuan Pupuk" not in everything


def test_harvest_sources_list_source_page_and_clear(app, mutable_catalogue):
    from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource

    catalogue = mutable_catalogue
    context = {"user": catalogue.sysadmin["name"]}
    source = helpers.call_action(
        "harvest_source_create", context, name="portal-kaltim", title="Portal Data Kalimantan Timur",
        url="http://127.0.0.1:8999/", source_type="ckan", owner_org=catalogue.orgs["bps-paser"]["id"],
    )
    # Harvest sources are datasets of type "harvest": listed on /harvest, never in the dataset search.
    assert "Portal Data Kalimantan Timur" in _page(app, "/harvest/")
    assert "portal-kaltim" not in catalogue.names(catalogue.sysadmin)

    harvested = factories.Dataset(owner_org=catalogue.orgs["bps-paser"]["id"], title="Indeks Pembangunan Manusia",
                                  **SATU_DATA)
    job = HarvestJob(source=HarvestSource.get(source["id"]))
    job.save()
    HarvestObject(guid="ipm-6401", job=job, source=job.source, package_id=harvested["id"],
                  current=True, state="COMPLETE").save()
    search.rebuild(harvested["id"])
    assert catalogue.names(fq=f'+harvest_source_id:"{source["id"]}"') == {harvested["name"]}
    assert "Indeks Pembangunan Manusia" in _page(app, "/harvest/portal-kaltim")

    helpers.call_action("harvest_source_clear", context, id=source["id"])
    assert catalogue.names(fq=f'+harvest_source_id:"{source["id"]}"') == set()
    assert model.Package.get(harvested["id"]) is None
    # Everything else is still indexed.
    assert catalogue.names() == PUBLIC


def test_admin_creates_edits_and_deletes_in_the_ui(app, mutable_catalogue):
    catalogue = mutable_catalogue
    token = helpers.call_action(
        "api_token_create", {"user": catalogue.sysadmin["name"]}, user=catalogue.sysadmin["name"], name="ui",
    )["token"]
    headers = {"Authorization": token}
    response = app.post("/dataset/new", headers=headers, follow_redirects=False, data={
        "name": "jumlah-puskesmas", "title": "Jumlah Puskesmas per Kecamatan", "notes": "Fasilitas kesehatan.",
        "owner_org": catalogue.orgs["disdukcapil"]["id"], "save": "", "_ckan_phase": 1, **SATU_DATA,
    })
    location = response.headers["Location"]
    app.post(location, headers=headers, data={"id": "", "url": "http://127.0.0.1/puskesmas.csv",
                                             "name": "puskesmas.csv", "format": "CSV", "save": "go-metadata"})
    assert "Jumlah Puskesmas per Kecamatan" in _page(app, "/dataset/", q="puskesmas")

    app.post("/dataset/edit/jumlah-puskesmas", headers=headers, data={
        "name": "jumlah-puskesmas", "title": "Jumlah Puskesmas dan Posyandu", "notes": "Fasilitas kesehatan.",
        "owner_org": catalogue.orgs["disdukcapil"]["id"], "save": "", **SATU_DATA,
    })
    html = _page(app, "/dataset/", q="posyandu")
    assert "Jumlah Puskesmas dan Posyandu" in html

    app.post("/dataset/delete/jumlah-puskesmas", headers=headers)
    assert "Jumlah Puskesmas" not in _page(app, "/dataset/", q="puskesmas")
    assert catalogue.names() == PUBLIC
