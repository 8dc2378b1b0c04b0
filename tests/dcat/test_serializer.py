"""The portal's serializer (ckanext/paser/dcat/serializer.py): the graphs ckanext-dcat's own serializer writes, and
nothing of a served page kept in memory afterwards."""
from __future__ import annotations

import gc
import weakref

from ckanext.dcat.processors import RDFSerializer
from ckanext.paser.dcat.serializer import CatalogueSerializer

from .conftest import PROFILES, Catalogue


def test_the_portal_serializer_writes_what_ckanext_dcat_writes(catalogue: Catalogue) -> None:
    """The portal serves RDF from its own serializer (a lighter graph store): for either profile, a dataset and a
    catalogue page are the same graphs as ckanext-dcat's own RDFSerializer writes, in every format."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    datasets = [catalogue.create("penduduk-per-desa"), catalogue.create("penduduk-kecamatan")]
    for profiles in (PROFILES, ["euro_dcat_ap_3"]):
        for fmt in ("turtle", "xml", "json-ld"):
            written = []
            for serializer in (RDFSerializer, CatalogueSerializer):
                single = serializer(profiles=profiles).serialize_dataset(datasets[0], _format=fmt)
                page = serializer(profiles=profiles).serialize_catalog({}, datasets, _format=fmt)
                written.append((Graph().parse(data=single, format=fmt), Graph().parse(data=page, format=fmt)))
            stock, portal = written
            assert len(portal[1]) > len(portal[0]) > 20, f"{profiles} {fmt}"
            assert isomorphic(stock[0], portal[0]), f"{profiles} {fmt}: dataset"
            assert isomorphic(stock[1], portal[1]), f"{profiles} {fmt}: page"


def test_a_served_page_is_not_kept_in_memory(catalogue: Catalogue) -> None:
    """The profile shares lookups between the datasets of a page; once the page is written, nothing holds its
    graph (streaming the 100 pages of the catalogue must not grow the worker by a page each time)."""
    datasets = [catalogue.create("penduduk-per-desa"), catalogue.create("penduduk-kecamatan")]
    for serializer_class in (CatalogueSerializer, RDFSerializer):
        serializer = serializer_class(profiles=PROFILES)
        assert "dcat:Dataset" in serializer.serialize_catalog({}, datasets, _format="turtle")
        graph = weakref.ref(serializer.g)
        del serializer
        gc.collect()
        assert graph() is None, serializer_class.__name__
