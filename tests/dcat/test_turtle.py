"""The catalogue's Turtle, written by Oxigraph (ckanext/paser/dcat/turtle.py): the same graph as rdflib writes, for
text stewards really type, compact, and still served when a value is not an IRI Oxigraph accepts."""
from __future__ import annotations

from typing import Any

from ckanext.dcat.processors import RDFSerializer
from ckanext.paser.dcat.serializer import CatalogueGraph, CatalogueSerializer
from ckanext.paser.dcat.turtle import turtle as oxigraph_turtle
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF

from .conftest import PROFILES, Catalogue

AWKWARD_NOTES = ('Jumlah "penduduk" menurut desa\\kelurahan;\nbaris kedua\tdengan tab, \'kutip\', """tiga""", '
                 "Rp 1.000,50 — ±5 %, ÄÖÜ, 人口, 🏘️ and a trailing backslash \\")


def test_awkward_text_reads_back_exactly(catalogue: Catalogue) -> None:
    """Quotes, backslashes, newlines, tabs and characters outside Latin-1 in titles and descriptions survive: the
    Oxigraph Turtle parses to the graph rdflib's own Turtle writer gives for the same page."""
    datasets = [catalogue.create("penduduk-per-desa", notes=AWKWARD_NOTES, title='Penduduk "Paser" 2024 — desa'),
                catalogue.create("penduduk-kecamatan", konsep="Penduduk\r\nberdomisili")]
    serializer = CatalogueSerializer(profiles=PROFILES)
    written = serializer.serialize_catalog({}, datasets, _format="turtle")
    ours = Graph().parse(data=written, format="turtle")
    rdflib_turtle = Graph().parse(data=serializer.g.serialize(format="xml"), format="xml")
    assert isomorphic(ours, rdflib_turtle)
    assert Literal(AWKWARD_NOTES) in set(ours.objects(None, DCTERMS.description))
    stock = RDFSerializer(profiles=PROFILES).serialize_catalog({}, datasets, _format="turtle")
    assert isomorphic(ours, Graph().parse(data=stock, format="turtle"))


def test_prefixed_and_grouped(catalogue: Catalogue) -> None:
    """The graph's prefixes are declared and used, and each subject's statements are grouped under it."""
    dataset = catalogue.create("penduduk-per-desa")
    written = CatalogueSerializer(profiles=PROFILES).serialize_dataset(dataset, _format="turtle")
    assert "@prefix dcat: <http://www.w3.org/ns/dcat#> ." in written
    assert "@prefix sdi: <https://data.paserkab.go.id/ns/satudata#> ." in written
    assert f"dataset:{dataset['id']} a dcat:Dataset ;" in written
    # One block for the dataset: its subject is written once.
    assert written.count(f"dataset:{dataset['id']} ") == 1


def test_a_value_oxigraph_refuses_falls_back_to_rdflib() -> None:
    """rdflib accepts a landing page typed without a scheme (`www.…`), Oxigraph does not: the document is then
    written by rdflib's Turtle writer, not refused."""
    graph = CatalogueGraph(store="SimpleMemory")
    graph.bind("dcat", DCAT)
    dataset = URIRef("http://test.ckan.net/dataset/abc")
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCAT.landingPage, URIRef("www.disdukcapil.paserkab.go.id")))
    assert oxigraph_turtle(graph) is None
    written: Any = graph.serialize(format="turtle")
    assert "<www.disdukcapil.paserkab.go.id>" in written
    assert "a dcat:Dataset" in written


def test_catalogue_served_when_a_landing_page_has_no_scheme(catalogue: Catalogue, app: Any) -> None:
    good = catalogue.create("penduduk-per-desa")
    odd = catalogue.create("penduduk-kecamatan", url="www.disdukcapil.paserkab.go.id/data")
    response = app.get("/catalog.ttl")
    assert response.status_code == 200
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle", publicID="http://test.ckan.net/")
    identifiers = {str(value) for value in graph.objects(None, DCTERMS.identifier)}
    assert {good["id"], odd["id"]} <= identifiers
