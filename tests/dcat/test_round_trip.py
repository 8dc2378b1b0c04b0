"""The Paser profile reads back what it writes: every Paser field survives serialise → parse."""
from __future__ import annotations

from ckanext.dcat.processors import RDFParser
from ckanext.paser.dcat.serializer import CatalogueSerializer

from .conftest import PROFILES, TANAH_GROGOT, Catalogue

FIELDS = ("title", "notes", "jenis_data", "klasifikasi", "tingkat_penyajian", "walidata", "cakupan_kecamatan",
          "cakupan_desa", "temporal_coverage", "frequency", "urusan", "kode_indikator", "konsep", "definisi",
          "klasifikasi_penyajian", "ukuran", "satuan", "sumber_data", "metode_pengumpulan", "contact", "url")
RESOURCE_FIELDS = ("name", "format", "mimetype", "kolom_wilayah", "jenis_kode_wilayah", "kolom_periode", "kolom_nilai", "satuan")


def test_every_paser_field_round_trips(catalogue: Catalogue) -> None:
    dataset = catalogue.create("penduduk-per-desa")
    for fmt in ("turtle", "xml", "json-ld"):
        rdf = CatalogueSerializer(profiles=PROFILES).serialize_dataset(dataset, _format=fmt)
        parser = RDFParser(profiles=PROFILES)
        parser.parse(rdf, _format=fmt)
        parsed = list(parser.datasets())
        assert len(parsed) == 1
        back = parsed[0]
        for field in FIELDS:
            assert back.get(field) == dataset[field], f"{fmt}: {field}"
        assert [group["name"] for group in back["groups"]] == ["kependudukan"]
        assert {tag["name"] for tag in back["tags"]} == {"penduduk", "kecamatan"}
        assert back["publisher"][0]["name"] == "Dinas Kependudukan dan Pencatatan Sipil"
        assert back["publisher"][0]["uri"].endswith("/organization/disdukcapil")
        for field in RESOURCE_FIELDS:
            assert back["resources"][0].get(field) == dataset["resources"][0][field], f"{fmt}: resource {field}"


def test_regions_have_stable_uris_and_known_bounds(catalogue: Catalogue) -> None:
    from rdflib import Graph, URIRef
    from rdflib.namespace import DCAT, DCTERMS

    dataset = catalogue.create("penduduk-per-desa")
    graph = Graph().parse(data=CatalogueSerializer(profiles=PROFILES).serialize_dataset(dataset, _format="turtle"),
                          format="turtle")
    region = URIRef(f"http://test.ckan.net/wilayah/{TANAH_GROGOT}")
    assert (None, DCTERMS.spatial, region) in graph
    assert str(graph.value(region, DCTERMS.identifier)) == TANAH_GROGOT
    assert "POLYGON" in str(graph.value(region, DCAT.bbox))


def test_listed_after_euro_dcat_ap_3_it_writes_the_same_graph(catalogue: Catalogue) -> None:
    """A site that keeps ckanext-dcat's usual list (euro_dcat_ap_3, then ours) publishes the same RDF as the
    portal, which lists the Paser profile alone: nothing of the base profile is written twice, and agencies,
    regions and concepts shared by the datasets of a page are described in full either way."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    datasets = [catalogue.create("penduduk-per-desa"), catalogue.create("penduduk-kecamatan")]
    graphs = []
    for profiles in (["paser_dcat_ap"], ["euro_dcat_ap_3", "paser_dcat_ap"]):
        single = CatalogueSerializer(profiles=profiles).serialize_dataset(datasets[0], _format="turtle")
        page = CatalogueSerializer(profiles=profiles).serialize_catalog({}, datasets, _format="turtle")
        graphs.append((Graph().parse(data=single, format="turtle"), Graph().parse(data=page, format="turtle")))
    assert len(graphs[0][0]) > 100
    assert isomorphic(graphs[0][0], graphs[1][0])
    assert isomorphic(graphs[0][1], graphs[1][1])

