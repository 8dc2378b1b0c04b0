"""Datasets with Satu Data metadata, created through CKAN's actions against the real database and index."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from ckan.tests import factories, helpers


def satu_data(**fields: Any) -> dict[str, Any]:
    """The required Satu Data fields of a public regency-level statistic, overridden by `fields`."""
    return {"jenis_data": "statistik", "klasifikasi": "terbuka", "tingkat_penyajian": "kabupaten", **fields}


@dataclass
class World:
    sysadmin: dict[str, Any]
    editor: dict[str, Any]  # editor of disdukcapil
    outsider: dict[str, Any]
    orgs: dict[str, dict[str, Any]]
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)

    def create(self, name: str, org: str = "disdukcapil", user: dict[str, Any] | None = None,
               **fields: Any) -> dict[str, Any]:
        context = {"user": (user or self.sysadmin)["name"], "ignore_auth": False}
        dataset = helpers.call_action("package_create", context, name=name, title=fields.pop("title", name),
                                      owner_org=self.orgs[org]["id"], **fields)
        self.datasets[name] = dataset
        return dataset

    def search(self, user: dict[str, Any] | None = None, **params: Any) -> dict[str, Any]:
        context = {"user": user["name"] if user else "", "ignore_auth": False}
        params.setdefault("rows", 100)
        return helpers.call_action("package_search", context, **params)

    def names(self, user: dict[str, Any] | None = None, **params: Any) -> set[str]:
        return {dataset["name"] for dataset in self.search(user, **params)["results"]}

    def facets(self, field_name: str, user: dict[str, Any] | None = None, **params: Any) -> dict[str, int]:
        result = self.search(user, rows=0, include_private=True, **{"facet.field": [field_name],
                                                                    "facet.limit": -1}, **params)
        return dict(result["facets"].get(field_name, {}))

    def token(self, user: dict[str, Any]) -> str:
        return helpers.call_action("api_token_create", {"user": user["name"]}, user=user["name"], name="uji")["token"]


def build_world() -> World:
    sysadmin = factories.Sysadmin(name="walidata")
    editor = factories.User(name="operator-disdukcapil")
    outsider = factories.User(name="warga")
    orgs = {
        "disdukcapil": factories.Organization(
            name="disdukcapil", title="Dinas Kependudukan dan Pencatatan Sipil",
            users=[{"name": editor["name"], "capacity": "editor"}],
        ),
        "distan": factories.Organization(name="distan", title="Dinas Pertanian"),
        "kecamatan-tanah-grogot": factories.Organization(name="kecamatan-tanah-grogot",
                                                         title="Kecamatan Tanah Grogot"),
    }
    return World(sysadmin, editor, outsider, orgs)


@pytest.fixture
def world(clean_db, clean_index) -> World:
    """An empty catalogue with its organisations and users, for each test."""
    return build_world()
