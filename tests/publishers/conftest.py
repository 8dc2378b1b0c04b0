"""Seeded dinas and kecamatan organisations, and datasets covering kecamatan, built through CKAN actions."""
from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import factories, helpers
from ckanext.paser.publishers import seed


@pytest.fixture
def seeded(clean_db, clean_index) -> list[seed.Outcome]:
    """A fresh database with the organisations of `ckan paser seed`."""
    outcomes, _ = seed.seed()
    return outcomes


@pytest.fixture
def sysadmin(clean_db) -> dict[str, Any]:
    return factories.Sysadmin(name="walidata")


def token_for(user: dict[str, Any]) -> dict[str, str]:
    token = helpers.call_action("api_token_create", {"user": user["name"]}, user=user["name"], name="uji")["token"]
    return {"Authorization": token}


def make_dataset(user: dict[str, Any], organization: str, name: str, title: str, kecamatan: list[str],
                 klasifikasi: str = "terbuka", **fields: Any) -> dict[str, Any]:
    """A dataset of the Satu Data schema at kecamatan level covering `kecamatan` (Kemendagri codes)."""
    return helpers.call_action(
        "package_create", {"user": user["name"]},
        name=name, title=title, owner_org=organization, notes=f"{title}: data uji.",
        jenis_data="statistik", klasifikasi=klasifikasi, tingkat_penyajian="kecamatan",
        cakupan_kecamatan=kecamatan, license_id="cc-by", **fields,
    )
