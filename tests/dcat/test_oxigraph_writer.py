"""The catalogue's Turtle and RDF/XML, written by Oxigraph (ckanext/paser/dcat/oxigraph_writer.py): the same graph as
rdflib writes, for text stewards really type, compact, and still served when a value is not an IRI Oxigraph
accepts."""
from __future__ import annotations

from typing import Any

from ckanext.dcat.processors import RDFSerializer
from ckanext.paser.dcat import oxigraph_writer
from ckanext.paser.dcat.serializer import CatalogueGraph, CatalogueSerializer
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF

from .conftest import PROFILES, Catalogue

AWKWARD_NOTES = ('Jumlah "penduduk" menurut desa\\kelurahan;\nbaris kedua\tdengan tab, \'kutip\', """tiga""", '
                 "Rp 1.000,50 — ±5 %, ÄÖÜ, 人口, 🏘️ and a trailing backslash \\")


def test_awkward_text_reads_back_exactly(catalogue: Catalogue) -> None:
    """Quotes, backslashes, newlines, tabs, XML's special characters and characters outside Latin-1 in titles and
    descriptions survive: Oxigraph's Turtle and RDF/XML parse to the graph rdflib writes for the same page."""
    datasets = [catalogue.create("penduduk-per-desa", notes=AWKWARD_NOTES, title='Penduduk "Paser" <2024> & desa'),
                catalogue.create("penduduk-kecamatan", konsep="Penduduk\r\nberdomisili")]
    for fmt, rdflib_format in (("ttl", "turtle"), ("xml", "xml")):
        serializer = CatalogueSerializer(profiles=PROFILES)
        written = serializer.serialize_catalog({}, datasets, _format=fmt)
        ours = Graph().parse(data=written, format=rdflib_format)
        # rdflib's N-Triples writer, on the very graph Oxigraph wrote
        reference = Graph().parse(data=serializer.g.serialize(format="nt"), format="nt")
        assert isomorphic(ours, reference), fmt
        assert Literal(AWKWARD_NOTES) in set(ours.objects(None, DCTERMS.description)), fmt
        assert Literal('Penduduk "Paser" <2024> & desa') in set(ours.objects(None, DCTERMS.title)), fmt
        stock = RDFSerializer(profiles=PROFILES).serialize_catalog({}, datasets, _format=fmt)
        assert isomorphic(ours, Graph().parse(data=stock, format=rdflib_format)), fmt


def test_prefixed_and_grouped(catalogue: Catalogue) -> None:
    """The graph's prefixes are declared and used, and each subject's statements are grouped under it."""
    dataset = catalogue.create("penduduk-per-desa")
    written = CatalogueSerializer(profiles=PROFILES).serialize_dataset(dataset, _format="turtle")
    assert "@prefix dcat: <http://www.w3.org/ns/dcat#> ." in written
    assert "@prefix sdi: <https://data.paserkab.go.id/ns/satudata#> ." in written
    assert f"dataset:{dataset['id']} a dcat:Dataset ;" in written
    # One block for the dataset: its subject is written once.
    assert written.count(f"dataset:{dataset['id']} ") == 1
    xml = CatalogueSerializer(profiles=PROFILES).serialize_dataset(dataset, _format="xml")
    assert 'xmlns:sdi="https://data.paserkab.go.id/ns/satudata#"' in xml
    assert f'<dcat:Dataset rdf:about="http://test.ckan.net/dataset/{dataset["id"]}">' in xml
    assert xml.count(f'rdf:about="http://test.ckan.net/dataset/{dataset["id"]}"') == 1


def test_crlf_text_keeps_its_carriage_returns_in_rdf_xml() -> None:
    """Browsers send a textarea's line breaks as CR LF. In RDF/XML the CR must be written as `&#13;` (XML parsers
    turn a raw CR LF into LF); Oxigraph writes it raw, so such a document is written by rdflib. Turtle escapes it
    either way."""
    graph = CatalogueGraph(store="SimpleMemory")
    dataset = URIRef("http://test.ckan.net/dataset/abc")
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.description, Literal("Baris pertama\r\nbaris kedua")))
    assert oxigraph_writer.write(graph, "pretty-xml") is None
    assert oxigraph_writer.write(graph, "turtle") is not None
    for fmt, rdflib_format in (("pretty-xml", "xml"), ("turtle", "turtle")):
        back = Graph().parse(data=graph.serialize(format=fmt), format=rdflib_format)
        assert back.value(dataset, DCTERMS.description) == Literal("Baris pertama\r\nbaris kedua"), fmt


def test_a_value_oxigraph_refuses_falls_back_to_rdflib() -> None:
    """rdflib accepts a landing page typed without a scheme (`www.…`), Oxigraph does not: the document is then
    written by rdflib's Turtle writer, not refused."""
    graph = CatalogueGraph(store="SimpleMemory")
    graph.bind("dcat", DCAT)
    dataset = URIRef("http://test.ckan.net/dataset/abc")
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCAT.landingPage, URIRef("www.disdukcapil.paserkab.go.id")))
    for fmt in ("turtle", "pretty-xml"):
        assert oxigraph_writer.write(graph, fmt) is None
    written: Any = graph.serialize(format="turtle")
    assert "<www.disdukcapil.paserkab.go.id>" in written
    assert "a dcat:Dataset" in written
    assert 'rdf:resource="www.disdukcapil.paserkab.go.id"' in graph.serialize(format="pretty-xml")


def test_catalogue_served_when_a_landing_page_has_no_scheme(catalogue: Catalogue, app: Any) -> None:
    good = catalogue.create("penduduk-per-desa")
    odd = catalogue.create("penduduk-kecamatan", url="www.disdukcapil.paserkab.go.id/data")
    for fmt, rdflib_format in (("ttl", "turtle"), ("xml", "xml")):
        response = app.get(f"/catalog.{fmt}")
        assert response.status_code == 200
        graph = Graph().parse(data=response.get_data(as_text=True), format=rdflib_format,
                              publicID="http://test.ckan.net/")
        identifiers = {str(value) for value in graph.objects(None, DCTERMS.identifier)}
        assert {good["id"], odd["id"]} <= identifiers, fmt
