"""Datasets with uploaded files (resources with a `size`) in every RDF output: the catalogue pages, content
negotiation on the home page, the dataset documents, and the actions behind them.

euro_dcat_ap_3 rewrites each `dcat:byteSize` (xsd:decimal -> xsd:nonNegativeInteger) in the loop that finds them;
on the portal serializer's light store that loop broke every document with a sized distribution (500,
"dictionary changed size during iteration"). ckanext/paser/dcat/serializer.py, IterationSafeMemory."""
from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from ckan.tests import helpers
from ckan.tests.pytest_ckan.fixtures import FakeFileStorage
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, RDF, XSD

from .conftest import Catalogue, build_catalogue

TABLE = "kode_wilayah,tahun,jumlah_penduduk\n64.01.04,2024,78018\n64.01.05,2024,25110\n"
# URL suffix -> rdflib parser format
CATALOGUE_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml", "xml": "xml", "n3": "n3"}
ACTION_FORMATS = ("turtle", "xml", "jsonld", "n3")
ACTION_PARSE = {"turtle": "turtle", "xml": "xml", "jsonld": "json-ld", "n3": "n3"}


@pytest.fixture(scope="module")
def sized(reset_bundle_db, reset_index, reset_redis) -> tuple[Catalogue, list[dict[str, Any]]]:
    """Two datasets, each with an uploaded CSV (CKAN records its size) beside a linked file without one."""
    reset_bundle_db()
    reset_index()
    reset_redis()
    catalogue = build_catalogue()
    context = {"user": catalogue.sysadmin["name"]}
    datasets = []
    for name in ("penduduk-unggah", "penduduk-unggah-kedua"):
        dataset = catalogue.create(name)
        helpers.call_action("resource_create", dict(context), package_id=dataset["id"], url="upload", format="CSV",
                            name=f"{name}.csv", upload=FakeFileStorage(BytesIO(TABLE.encode()), f"{name}.csv"))
        datasets.append(helpers.call_action("package_show", dict(context), id=dataset["id"]))
    return catalogue, datasets


def _byte_sizes(graph: Graph) -> set[Literal]:
    return set(graph.objects(None, DCAT.byteSize))


def _check(graph: Graph, datasets: list[dict[str, Any]]) -> None:
    """Every uploaded distribution of `datasets` has its size, as xsd:nonNegativeInteger (DCAT-AP 3)."""
    expected = {Literal(len(TABLE.encode()), datatype=XSD.nonNegativeInteger)}
    assert _byte_sizes(graph) == expected
    uploaded = [resource for dataset in datasets for resource in dataset["resources"] if resource.get("size")]
    assert len(uploaded) == len(datasets)
    for resource in uploaded:
        distribution = next(graph.subjects(DCAT.accessURL, URIRef(resource["url"])))
        assert (distribution, RDF.type, DCAT.Distribution) in graph
        assert graph.value(distribution, DCAT.byteSize) in expected


def test_the_uploads_have_a_size(sized: tuple[Catalogue, list[dict[str, Any]]]) -> None:
    _, datasets = sized
    for dataset in datasets:
        assert [resource.get("size") for resource in dataset["resources"]] == [None, len(TABLE.encode())]


def test_catalogue_pages_with_sized_files(sized: tuple[Catalogue, list[dict[str, Any]]], app: Any) -> None:
    """/catalog.<ttl|jsonld|rdf|xml|n3> and Turtle asked for on the home page, as anonymous."""
    _, datasets = sized
    for suffix, rdflib_format in CATALOGUE_FORMATS.items():
        response = app.get(f"/catalog.{suffix}")
        assert response.status_code == 200, (suffix, response.get_data(as_text=True)[-500:])
        _check(Graph().parse(data=response.get_data(as_text=True), format=rdflib_format), datasets)
    response = app.get("/", headers={"Accept": "text/turtle"})
    assert response.status_code == 200, response.get_data(as_text=True)[-500:]
    assert response.headers["Content-Type"].startswith("text/turtle")
    _check(Graph().parse(data=response.get_data(as_text=True), format="turtle"), datasets)


def test_dataset_documents_with_sized_files(sized: tuple[Catalogue, list[dict[str, Any]]], app: Any) -> None:
    """/dataset/<name>.<ttl|jsonld|rdf|xml|n3> and Turtle asked for on the dataset page."""
    _, datasets = sized
    for dataset in datasets:
        for suffix, rdflib_format in CATALOGUE_FORMATS.items():
            response = app.get(f"/dataset/{dataset['name']}.{suffix}")
            assert response.status_code == 200, (suffix, response.get_data(as_text=True)[-500:])
            _check(Graph().parse(data=response.get_data(as_text=True), format=rdflib_format), [dataset])
        negotiated = app.get(f"/dataset/{dataset['name']}", headers={"Accept": "text/turtle"})
        assert negotiated.status_code == 200
        _check(Graph().parse(data=negotiated.get_data(as_text=True), format="turtle"), [dataset])


def test_the_actions_with_sized_files(sized: tuple[Catalogue, list[dict[str, Any]]], app: Any) -> None:
    """dcat_catalog_show, dcat_catalog_search and dcat_dataset_show in every format, called directly and through
    the action API, as anonymous."""
    _, datasets = sized
    calls = [(action, {}, datasets) for action in ("dcat_catalog_show", "dcat_catalog_search")]
    calls += [("dcat_dataset_show", {"id": dataset["id"]}, [dataset]) for dataset in datasets]
    for fmt in ACTION_FORMATS:
        for action, params, expected in calls:
            with app.flask_app.test_request_context():
                written = helpers.call_action(action, {"user": ""}, format=fmt, **params)
            _check(Graph().parse(data=written, format=ACTION_PARSE[fmt]), expected)
            response = app.post(f"/api/3/action/{action}", json={"format": fmt, **params})
            assert response.status_code == 200, (action, fmt, response.get_data(as_text=True)[-500:])
            _check(Graph().parse(data=response.json["result"], format=ACTION_PARSE[fmt]), expected)


def test_the_store_may_change_while_a_match_is_iterated() -> None:
    """What ckanext-dcat's profiles do (rewrite each match inside the loop that finds it) works on the portal's
    store as on rdflib's Memory, for every shape of pattern."""
    from ckanext.paser.dcat.serializer import CatalogueGraph, IterationSafeMemory

    graph = CatalogueGraph(store=IterationSafeMemory())
    nodes = [URIRef(f"https://paserkab.go.id/distribusi/{number}") for number in range(20)]
    for node in nodes:
        graph.add((node, DCAT.byteSize, Literal(str(len(str(node))), datatype=XSD.decimal)))
    for subject, predicate, value in graph.triples((None, DCAT.byteSize, None)):
        graph.remove((subject, predicate, value))
        graph.add((subject, predicate, Literal(int(value), datatype=XSD.nonNegativeInteger)))
    assert {value.datatype for value in graph.objects(None, DCAT.byteSize)} == {XSD.nonNegativeInteger}
    for pattern in ((nodes[0], None, None), (nodes[1], DCAT.byteSize, None), (None, None, None),
                    (None, None, Literal(len(str(nodes[2])), datatype=XSD.nonNegativeInteger))):
        for subject, predicate, value in graph.triples(pattern):
            graph.add((subject, RDF.type, DCAT.Distribution))
            graph.add((URIRef(f"{subject}/salinan"), predicate, value))
    assert len(set(graph.subjects(RDF.type, DCAT.Distribution))) >= 3
