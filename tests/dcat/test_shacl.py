"""The catalogue and single datasets, in the Paser profile, validate against the DCAT-AP 3.0.0 shapes."""
from __future__ import annotations

from typing import Any

from ckanext.paser.dcat.serializer import CatalogueSerializer
from rdflib import Graph

from .conftest import PROFILES, Catalogue, turtle, validate


def test_single_dataset_has_no_violations(catalogue: Catalogue, app: Any) -> None:
    dataset = catalogue.create("penduduk-per-desa")
    response = app.get(f"/dataset/{dataset['name']}.ttl")
    assert response.status_code == 200
    conforms, report = validate(turtle(response.get_data(as_text=True)))
    assert conforms, report


def test_minimal_dataset_has_no_violations(catalogue: Catalogue) -> None:
    """Regency level, no description, contact, period or resource: the mandatory DCAT-AP properties still come."""
    dataset = catalogue.create("luas-wilayah", notes="", groups=[], resources=[], contact=[], temporal_coverage=[],
                               tingkat_penyajian="kabupaten", cakupan_kecamatan=[], cakupan_desa=[], urusan=[],
                               frequency="", kode_indikator="")
    graph = Graph().parse(data=CatalogueSerializer(profiles=PROFILES).serialize_dataset(dataset, _format="turtle"),
                          format="turtle")
    conforms, report = validate(graph)
    assert conforms, report


def test_catalogue_has_no_violations(catalogue: Catalogue, app: Any) -> None:
    catalogue.create("penduduk-per-desa")
    catalogue.create("penduduk-kabupaten", tingkat_penyajian="kabupaten", cakupan_kecamatan=[], cakupan_desa=[])
    for fmt in ("ttl", "jsonld", "xml"):
        response = app.get(f"/catalog.{fmt}")
        assert response.status_code == 200
        graph = Graph().parse(data=response.get_data(as_text=True),
                              format={"ttl": "turtle", "jsonld": "json-ld", "xml": "xml"}[fmt])
        conforms, report = validate(graph)
        assert conforms, f"{fmt}: {report}"
