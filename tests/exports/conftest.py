"""A small catalogue with real figures for the exports: Disdukcapil's and BPS's conflicting population 2024, the
Dukcapil kecamatan table of 2020 (its total one off), an area table with decimals, and a terbatas table of another
producer disagreeing with a public figure; uploaded through CKAN and read by a real RQ worker."""
from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import pytest
from checks.flags.conftest import (
    ALL_KECAMATAN,
    BPS_2024,
    COMPLETE,
    DUKCAPIL_2024,
    csv_text,
    kabupaten_csv,
    kecamatan_2020_csv,
)
from ckan.tests import factories, helpers
from ckan.tests.pytest_ckan.fixtures import FakeFileStorage
from in_process_jobs import run_jobs
from satudata.conftest import satu_data

POPULATION = "2.12.01"  # COMPLETE's kode indikator
AREA = "luas_wilayah"  # no kode indikator: the indicator is named by its column header
AREA_ROWS = [("Batu Sopang", "1111.38"), ("Tanjung Harapan", "714.05"), ("Tanah Grogot", "335.58")]
PRIVATE_TANAH_GROGOT_2020 = 90000  # Dukcapil: 78,018
TANAH_GROGOT = "64.01.04"

__all__ = ["ALL_KECAMATAN", "AREA", "BPS_2024", "DUKCAPIL_2024", "POPULATION", "World"]


@dataclass
class World:
    users: dict[str, dict[str, Any]]
    orgs: dict[str, dict[str, Any]]
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def name(self, who: str) -> str:
        """A user's name; "" for an anonymous visitor."""
        return self.users[who]["name"] if who != "anonymous" else ""

    def call(self, action: str, who: str = "anonymous", **params: Any) -> Any:
        return helpers.call_action(action, {"user": self.name(who), "ignore_auth": False}, **params)

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": self.tokens[who]} if who != "anonymous" else {}


def _dataset(world: World, name: str, org: str, table: str, **fields: Any) -> dict[str, Any]:
    context = {"user": world.users["sysadmin"]["name"]}
    values = {**satu_data(), **COMPLETE, **fields}
    dataset = helpers.call_action("package_create", dict(context), name=name, title=name.replace("-", " ").title(),
                                  owner_org=world.orgs[org]["id"], **values)
    helpers.call_action("resource_create", dict(context), package_id=dataset["id"], url="upload", format="CSV",
                        upload=FakeFileStorage(BytesIO(table.encode()), f"{name}.csv"), name=f"{name}.csv")
    world.datasets[name] = helpers.call_action("package_show", dict(context), id=dataset["id"])
    return world.datasets[name]


@pytest.fixture(scope="module")
def world(reset_bundle_db, reset_index, reset_redis) -> World:
    reset_bundle_db()
    reset_index()
    reset_redis()
    users = {
        "sysadmin": factories.Sysadmin(name="admin-ekspor"),
        "walidata": factories.User(name="walidata-kominfo"),
        "dukcapil": factories.User(name="operator-disdukcapil"),
        "bps": factories.User(name="operator-bps"),
        "distan": factories.User(name="operator-distan"),
        "outsider": factories.User(name="warga"),
    }

    def org(name: str, title: str, member: str, **fields: Any) -> dict[str, Any]:
        return factories.Organization(name=name, title=title, users=[{"name": users[member]["name"],
                                                                      "capacity": "editor"}], **fields)

    orgs = {
        "diskominfostaper": org("diskominfostaper", "Dinas Komunikasi, Informatika, Statistik dan Persandian",
                                "walidata"),
        "disdukcapil": org("disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil", "dukcapil"),
        "bps": org("bps-kabupaten-paser", "BPS Kabupaten Paser", "bps"),
        "distan": org("distan", "Dinas Pertanian", "distan"),
    }
    orgs["tanah-grogot"] = helpers.call_action(
        "organization_create", {"user": users["sysadmin"]["name"]}, type="kecamatan", name="kecamatan-tanah-grogot",
        title="Kecamatan Tanah Grogot", kode_kemendagri=TANAH_GROGOT, kode_bps="6401040")
    world = World(users, orgs)
    _dataset(world, "penduduk-dukcapil", "disdukcapil", kabupaten_csv([(2024, DUKCAPIL_2024)]))
    _dataset(world, "penduduk-bps", "bps", kabupaten_csv([(2024, BPS_2024)]))
    _dataset(world, "penduduk-kecamatan-2020", "disdukcapil", kecamatan_2020_csv(), tingkat_penyajian="kecamatan",
             cakupan_kecamatan=ALL_KECAMATAN, klasifikasi_penyajian="menurut kecamatan")
    _dataset(world, "luas-wilayah", "distan",
             csv_text(["Kecamatan", "Luas Wilayah (km2)"], [list(row) for row in AREA_ROWS]),
             kode_indikator="", satuan="km2", tingkat_penyajian="kecamatan",
             cakupan_kecamatan=["64.01.01", "64.01.02", TANAH_GROGOT])
    _dataset(world, "penduduk-terbatas-distan", "distan",
             csv_text(["Kecamatan", "Tahun", "Jumlah Penduduk (jiwa)"],
                      [["Tanah Grogot", 2020, PRIVATE_TANAH_GROGOT_2020]]),
             klasifikasi="terbatas", tingkat_penyajian="kecamatan", cakupan_kecamatan=[TANAH_GROGOT])
    run_jobs()
    world.tokens = {who: helpers.call_action("api_token_create", {"user": user["name"]}, user=user["name"],
                                             name="ekspor")["token"] for who, user in users.items()}
    return world
