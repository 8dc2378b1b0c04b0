"""/catalog.ttl: paging, modified_since, and only terbuka public active datasets, whoever asks."""
from __future__ import annotations

import datetime
from typing import Any

import pytest
from ckan import model
from ckan.lib.search import rebuild
from ckan.tests import helpers
from ckanext.dcat import logic as dcat_logic
from ckanext.paser.dcat import actions as catalogue_actions
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from .conftest import Catalogue, turtle

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")


def dataset_identifiers(graph: Graph) -> set[str]:
    return {str(graph.value(dataset, DCTERMS.identifier)) for dataset in graph.subjects(RDF.type, DCAT.Dataset)}


def headers(catalogue: Catalogue, user: dict[str, Any] | None) -> dict[str, str]:
    if not user:
        return {}
    token = helpers.call_action("api_token_create", {"user": user["name"]}, user=user["name"], name="uji")["token"]
    return {"Authorization": token}


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_paging_through_more_than_one_page(catalogue: Catalogue, app: Any) -> None:
    created = {catalogue.create(f"data-{number}")["id"] for number in range(5)}
    seen: set[str] = set()
    url: str | None = "/catalog.ttl"
    pages = 0
    while url:
        graph = turtle(app.get(url).get_data(as_text=True))
        page_ids = dataset_identifiers(graph)
        assert len(page_ids) <= 2
        assert not page_ids & seen
        seen |= page_ids
        pages += 1
        collection = next(graph.subjects(RDF.type, HYDRA.PagedCollection))
        assert int(graph.value(collection, HYDRA.totalItems)) == 5
        next_page = graph.value(collection, HYDRA.nextPage)
        url = str(next_page).replace("http://test.ckan.net", "") if next_page else None
    assert pages == 3
    assert seen == created


def test_modified_since(catalogue: Catalogue, app: Any) -> None:
    old = catalogue.create("data-lama")
    new = catalogue.create("data-baru")
    package = model.Package.get(old["id"])
    package.metadata_modified = datetime.datetime(2023, 1, 1)
    model.Session.commit()
    rebuild(old["id"])
    graph = turtle(app.get("/catalog.ttl?modified_since=2024-01-01").get_data(as_text=True))
    assert dataset_identifiers(graph) == {new["id"]}
    graph = turtle(app.get("/catalog.ttl?modified_since=2022-06-01T00:00:00").get_data(as_text=True))
    assert dataset_identifiers(graph) == {old["id"], new["id"]}
    assert app.get("/catalog.ttl?modified_since=kemarin").status_code == 409


def hidden_datasets(catalogue: Catalogue) -> dict[str, dict[str, Any]]:
    hidden = {
        "terbatas": catalogue.create("data-terbatas", klasifikasi="terbatas"),
        "tertutup": catalogue.create("data-tertutup", klasifikasi="tertutup"),
        "dihapus": catalogue.create("data-dihapus"),
        "draf": catalogue.create("data-draf", state="draft"),
    }
    helpers.call_action("package_delete", {"user": catalogue.sysadmin["name"]}, id=hidden["dihapus"]["id"])
    hidden["sumber-panen"] = helpers.call_action(
        "harvest_source_create", {"user": catalogue.sysadmin["name"]}, name="sumber-panen", title="Sumber panen",
        url="https://data.kaltimprov.go.id/", source_type="ckan", owner_org=catalogue.orgs["disdukcapil"]["id"])
    return hidden


@pytest.mark.parametrize("who", ["anonymous", "sysadmin", "editor", "walidata"])
def test_only_terbuka_public_active_datasets_appear(catalogue: Catalogue, app: Any, who: str) -> None:
    public = catalogue.create("data-terbuka")
    hidden = hidden_datasets(catalogue)
    user = {"anonymous": None, "sysadmin": catalogue.sysadmin, "editor": catalogue.editor,
            "walidata": catalogue.walidata}[who]
    for fmt in ("ttl", "jsonld"):
        response = app.get(f"/catalog.{fmt}", headers=headers(catalogue, user))
        assert response.status_code == 200
        graph = Graph().parse(data=response.get_data(as_text=True), format="turtle" if fmt == "ttl" else "json-ld")
        identifiers = dataset_identifiers(graph)
        assert identifiers == {public["id"]}
        text = response.get_data(as_text=True)
        for dataset in hidden.values():
            assert dataset["id"] not in text and dataset["name"] not in text


def test_private_dataset_page_is_refused_without_read_access(catalogue: Catalogue, app: Any) -> None:
    private = catalogue.create("data-terbatas", klasifikasi="terbatas")
    for user in (None, catalogue.outsider):
        response = app.get(f"/dataset/{private['name']}.ttl", headers=headers(catalogue, user))
        assert response.status_code in (403, 404)
        assert private["id"] not in response.get_data(as_text=True)
    member = app.get(f"/dataset/{private['name']}.ttl", headers=headers(catalogue, catalogue.editor))
    assert member.status_code == 200
    assert (None, DCTERMS.identifier, None) in turtle(member.get_data(as_text=True))


def test_filter_holds_when_the_private_flag_contradicts_klasifikasi(catalogue: Catalogue, app: Any) -> None:
    """A terbatas dataset whose private flag was cleared outside the validators stays out of the catalogue."""
    public = catalogue.create("data-terbuka")
    leaked = catalogue.create("data-terbatas", klasifikasi="terbatas")
    package = model.Package.get(leaked["id"])
    package.private = False
    model.Session.commit()
    rebuild(leaked["id"])
    context = {"user": catalogue.sysadmin["name"]}
    with app.flask_app.test_request_context("/catalog.ttl"):
        unfiltered = turtle(dcat_logic.dcat_catalog_show(dict(context), {"format": "turtle"}))
        filtered = turtle(catalogue_actions.dcat_catalog_show(dcat_logic.dcat_catalog_show, dict(context),
                                                              {"format": "turtle", "fq": "organization:disdukcapil"}))
    assert leaked["id"] in dataset_identifiers(unfiltered)  # the stock query alone would publish it
    assert dataset_identifiers(filtered) == {public["id"]}
    assert URIRef in (type(node) for node in filtered.subjects(RDF.type, DCAT.Catalog))
    # The portal's own endpoint goes through the filter (the paser plugin chains dcat_catalog_show).
    served = turtle(app.get("/catalog.ttl", headers=headers(catalogue, catalogue.sysadmin)).get_data(as_text=True))
    assert dataset_identifiers(served) == {public["id"]}
