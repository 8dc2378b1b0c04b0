"""A small Paser catalogue indexed by paser_search, built through CKAN actions for each test."""
from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from ckan.tests import factories, helpers

# Tanah Grogot and its surroundings; the Paser regency spans roughly lon 115.5-116.6, lat -2.4 - -1.3.
TANAH_GROGOT_BBOX = {
    "type": "Polygon",
    "coordinates": [[[116.1, -1.95], [116.3, -1.95], [116.3, -1.85], [116.1, -1.85], [116.1, -1.95]]],
}
START = datetime.datetime(2025, 1, 6, 8, 0, 0)


@dataclass
class Catalogue:
    sysadmin: dict[str, Any]
    distan_editor: dict[str, Any]
    bps_member: dict[str, Any]
    outsider: dict[str, Any]
    orgs: dict[str, dict[str, Any]]
    groups: dict[str, dict[str, Any]]
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)
    created_at: dict[str, datetime.datetime] = field(default_factory=dict)

    def search(self, user: dict[str, Any] | None = None, **params: Any) -> dict[str, Any]:
        context = {"user": user["name"], "ignore_auth": False} if user else {"user": "", "ignore_auth": False}
        return helpers.call_action("package_search", context, **params)

    def names(self, user: dict[str, Any] | None = None, **params: Any) -> set[str]:
        params.setdefault("rows", 100)
        return {result["name"] for result in self.search(user, **params)["results"]}


# The Satu Data fields every dataset must carry (ckanext/paser/schemas/dataset.yaml), for tests that create
# datasets of their own: a public regency-level statistic.
SATU_DATA = {"jenis_data": "statistik", "klasifikasi": "terbuka", "tingkat_penyajian": "kabupaten"}


def _satu_data(tingkat: str, klasifikasi: str = "terbuka", **fields: Any) -> dict[str, Any]:
    return {"jenis_data": "statistik", "klasifikasi": klasifikasi, "tingkat_penyajian": tingkat, **fields}


def _resource(name: str, fmt: str) -> dict[str, str]:
    return {"name": name, "format": fmt, "url": f"http://127.0.0.1/data/{name}.{fmt.lower()}"}


DATASETS: list[dict[str, Any]] = [
    {
        "name": "penduduk-kecamatan-2020",
        "org": "disdukcapil",
        "title": "Jumlah Penduduk per Kecamatan 2020",
        "notes": "Data kependudukan hasil pencatatan Dukcapil untuk Tanah Grogot, Kuaro dan Long Ikis, kode wilayah 64.01.",
        "tags": ["kependudukan", "penduduk"],
        "groups": ["sosial-kependudukan"],
        "resources": [_resource("penduduk-2020", "CSV")],
        "satu_data": _satu_data("kecamatan", cakupan_kecamatan=["64.01.04", "64.01.05", "64.01.06"],
                                temporal_coverage=[{"start": "2020", "end": "2020"}]),
    },
    {
        "name": "proyeksi-penduduk-2024",
        "org": "bps-paser",
        "title": "Proyeksi Penduduk Kabupaten Paser 2024",
        "notes": "Proyeksi jumlah penduduk hasil Sensus Penduduk 2020 oleh BPS.",
        "tags": ["penduduk", "proyeksi"],
        "groups": ["sosial-kependudukan"],
        "resources": [_resource("proyeksi-2024", "CSV"), _resource("proyeksi-2024", "XLSX")],
        "satu_data": _satu_data("kabupaten", temporal_coverage=[{"start": "2024"}]),
    },
    {
        "name": "produksi-kelapa-sawit",
        "org": "distan",
        "title": "Produksi Perkebunan Kelapa Sawit",
        "notes": "Produksi perkebunan rakyat per kecamatan, termasuk Paser Belengkong (64.01.03).",
        "tags": ["kelapa sawit", "perkebunan"],
        "groups": ["ekonomi"],
        "resources": [_resource("sawit", "XLSX")],
        "satu_data": _satu_data("kecamatan", cakupan_kecamatan=["64.01.03"], spatial=json.dumps(TANAH_GROGOT_BBOX)),
    },
    {
        "name": "luas-panen-padi",
        "org": "distan",
        "title": "Luas Panen Padi Sawah",
        "notes": "Luas panen yang dilaporkan para petani padi per desa.",
        "tags": ["pertanian", "padi"],
        "groups": ["ekonomi"],
        "resources": [_resource("padi", "CSV"), _resource("padi-peta", "GeoJSON"), _resource("padi-2", "CSV")],
        "satu_data": _satu_data("desa", cakupan_kecamatan=["64.01.04"],
                                cakupan_desa=["64.01.04.1001", "64.01.04.2002"]),
    },
    {
        "name": "akses-air-bersih",
        "org": "bps-paser",
        "title": "Akses Air Bersih Rumah Tangga",
        "notes": "Persentase rumah tangga dengan akses air minum layak.",
        "tags": ["air bersih"],
        "groups": [],
        "resources": [_resource("air", "JSON")],
        "satu_data": _satu_data("kabupaten"),
    },
    {
        "name": "petani-penerima-bantuan",
        "org": "distan",
        "private": True,  # klasifikasi tertutup below
        "title": "Data Petani Penerima Bantuan Pupuk",
        "notes": "Daftar nama petani penerima bantuan (data tertutup).",
        "tags": ["pertanian", "bantuan"],
        "groups": [],
        "resources": [_resource("bantuan", "CSV")],
        "satu_data": _satu_data("desa", "tertutup", cakupan_kecamatan=["64.01.05"], cakupan_desa=["64.01.05.2002"]),
    },
]


def build_catalogue(reset_bundle_db, reset_index) -> Catalogue:
    reset_bundle_db()
    reset_index()
    sysadmin = factories.Sysadmin(name="walidata")
    distan_editor = factories.User(name="operator-distan")
    bps_member = factories.User(name="anggota-bps")
    outsider = factories.User(name="warga")
    orgs = {
        "disdukcapil": factories.Organization(name="disdukcapil", title="Dinas Kependudukan dan Pencatatan Sipil"),
        "distan": factories.Organization(
            name="distan", title="Dinas Pertanian",
            users=[{"name": distan_editor["name"], "capacity": "editor"}],
        ),
        "bps-paser": factories.Organization(
            name="bps-paser", title="Badan Pusat Statistik Kabupaten Paser",
            users=[{"name": bps_member["name"], "capacity": "member"}],
        ),
    }
    groups = {
        "sosial-kependudukan": factories.Group(name="sosial-kependudukan", title="Sosial dan Kependudukan"),
        "ekonomi": factories.Group(name="ekonomi", title="Ekonomi"),
    }
    found = Catalogue(sysadmin, distan_editor, bps_member, outsider, orgs, groups)
    context = {"user": sysadmin["name"]}
    for position, spec in enumerate(DATASETS):
        moment = START + datetime.timedelta(days=position)
        dataset = helpers.call_action(
            "package_create", context,
            name=spec["name"], title=spec["title"], notes=spec["notes"],
            owner_org=orgs[spec["org"]]["id"],
            license_id="cc-by",
            tags=[{"name": tag} for tag in spec["tags"]],
            groups=[{"name": group} for group in spec["groups"]],
            resources=spec["resources"],
            # The Satu Data schema's fields; klasifikasi decides `private`.
            **spec["satu_data"],
        )
        assert dataset["private"] == spec.get("private", False)
        found.datasets[spec["name"]] = dataset
        found.created_at[spec["name"]] = moment
        _backdate(dataset["id"], moment)
    return found


@pytest.fixture(scope="module")
def catalogue(reset_bundle_db, reset_index) -> Catalogue:
    """Built once per module: for tests that only read."""
    return build_catalogue(reset_bundle_db, reset_index)


@pytest.fixture
def mutable_catalogue(reset_bundle_db, reset_index) -> Catalogue:
    """Built for each test: for tests that change datasets, memberships or the index."""
    return build_catalogue(reset_bundle_db, reset_index)


def _backdate(dataset_id: str, moment: datetime.datetime) -> None:
    """Give a dataset a creation and modification time in the past and reindex it, as if it were old."""
    from ckan import model
    from ckan.lib import search

    model.Session.execute(
        model.package_table.update()
        .where(model.package_table.c.id == dataset_id)
        .values(metadata_created=moment, metadata_modified=moment)
    )
    model.Session.commit()
    model.Session.expire_all()
    search.rebuild(dataset_id)


# The catalogue's "now": queries with NOW date math are evaluated at this moment.
NOW = START + datetime.timedelta(days=len(DATASETS))
PUBLIC = {spec["name"] for spec in DATASETS if not spec.get("private")}
