"""Datasets with the full Paser metadata, rendered with the Paser DCAT profile and validated with pySHACL
against the DCAT-AP 3.0.0 shapes (shapes/, copied unchanged from SEMIC)."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

import pytest
from ckan.tests import factories, helpers
from ckanext.paser import reference
from rdflib import Graph

SHAPES_FILE = os.path.join(os.path.dirname(__file__), "shapes", "dcat-ap-3.0.0-SHACL.ttl")
# The portal lists the Paser profile alone: it is euro_dcat_ap_3 plus the Satu Data fields.
PROFILES = ["paser_dcat_ap"]
TANAH_GROGOT = "64.01.04"
KUARO = "64.01.05"
TANAH_GROGOT_BOUNDS = {"type": "Polygon", "coordinates": [[[116.05, -1.98], [116.30, -1.98], [116.30, -1.80],
                                                          [116.05, -1.80], [116.05, -1.98]]]}


def full_metadata(**fields: Any) -> dict[str, Any]:
    """Every field of the Paser schema filled in, at desa level in two kecamatan."""
    desa = [d.kode_kemendagri for d in reference.desa_list(TANAH_GROGOT)[:2]]
    return {
        "notes": "Jumlah penduduk menurut kecamatan dan desa, hasil pencatatan SIAK.",
        "jenis_data": "statistik", "klasifikasi": "terbuka", "tingkat_penyajian": "desa",
        "walidata": "Diskominfostaper",
        "cakupan_kecamatan": [TANAH_GROGOT, KUARO], "cakupan_desa": desa,
        "temporal_coverage": [{"start": "2020", "end": "2024-06"}],
        "frequency": "semesteran", "urusan": ["2.12"], "kode_indikator": "2.12.01",
        "konsep": "Penduduk", "definisi": "Orang yang berdomisili di wilayah Kabupaten Paser",
        "klasifikasi_penyajian": "menurut kecamatan dan jenis kelamin", "ukuran": "jumlah", "satuan": "jiwa",
        "sumber_data": "SIAK Disdukcapil", "metode_pengumpulan": "administrasi",
        "contact": [{"name": "Seksi Data", "email": "data@disdukcapil.paserkab.go.id"}],
        "license_id": "cc-by", "url": "https://disdukcapil.paserkab.go.id/data",
        "tags": [{"name": "penduduk"}, {"name": "kecamatan"}],
        "resources": [{"url": "https://disdukcapil.paserkab.go.id/penduduk.csv", "name": "Penduduk 2024",
                       "format": "CSV", "mimetype": "text/csv", "kolom_wilayah": "kode_wilayah",
                       "jenis_kode_wilayah": "kode_kemendagri", "kolom_periode": "tahun",
                       "kolom_nilai": "jumlah_penduduk", "satuan": "jiwa"}],
        **fields,
    }


@dataclass
class Catalogue:
    sysadmin: dict[str, Any]
    editor: dict[str, Any]  # editor of disdukcapil
    outsider: dict[str, Any]
    walidata: dict[str, Any]  # editor of diskominfostaper, the walidata organisation (reads every dataset)
    orgs: dict[str, dict[str, Any]]
    groups: dict[str, dict[str, Any]]
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)

    def create(self, name: str, org: str = "disdukcapil", **fields: Any) -> dict[str, Any]:
        values = {"title": name.replace("-", " ").title(), "groups": [{"name": "kependudukan"}], **full_metadata(),
                  **fields}
        dataset = helpers.call_action("package_create", {"user": self.sysadmin["name"]}, name=name,
                                      owner_org=self.orgs[org]["id"], **values)
        self.datasets[name] = dataset
        return dataset


def build_catalogue() -> Catalogue:
    sysadmin = factories.Sysadmin(name="admin-portal")
    editor = factories.User(name="operator-disdukcapil")
    walidata = factories.User(name="operator-walidata")
    outsider = factories.User(name="warga")
    tanah_grogot = reference.kecamatan_by_code(TANAH_GROGOT)
    assert tanah_grogot is not None
    orgs = {
        "disdukcapil": factories.Organization(
            name="disdukcapil", title="Dinas Kependudukan dan Pencatatan Sipil",
            users=[{"name": editor["name"], "capacity": "editor"}]),
        "diskominfostaper": factories.Organization(
            name="diskominfostaper", title="Dinas Komunikasi, Informatika, Statistik dan Persandian",
            users=[{"name": walidata["name"], "capacity": "editor"}]),
        "kecamatan-tanah-grogot": helpers.call_action(
            "organization_create", {"user": sysadmin["name"]}, name="kecamatan-tanah-grogot", type="kecamatan",
            title="Kecamatan Tanah Grogot", kode_kemendagri=TANAH_GROGOT, kode_bps=tanah_grogot.kode_bps,
            spatial=json.dumps(TANAH_GROGOT_BOUNDS)),
    }
    groups = {"kependudukan": factories.Group(name="kependudukan", title="Kependudukan")}
    return Catalogue(sysadmin, editor, outsider, walidata, orgs, groups)


@pytest.fixture
def catalogue(clean_db, clean_index) -> Catalogue:
    return build_catalogue()


def validate(graph: Graph) -> tuple[bool, str]:
    """pySHACL against the DCAT-AP 3.0.0 shapes, no inference: every class the shapes ask for is typed."""
    from pyshacl import validate as shacl_validate

    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    conforms, _, text = shacl_validate(graph, shacl_graph=shapes, inference="none", abort_on_first=False,
                                       allow_warnings=True, advanced=True)
    return bool(conforms), str(text)


def turtle(response_text: str) -> Graph:
    return Graph().parse(data=response_text, format="turtle")
