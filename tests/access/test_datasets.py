"""The read rules of access/ (who may read which dataset), used by the exports, the DCAT catalogue, the flags and
the search's permission labels: the same answer as package_show gives each reader."""
from __future__ import annotations

import pytest
from ckan.tests import factories, helpers
from ckanext.paser.access import datasets, walidata
from satudata.conftest import build_world, satu_data


@pytest.fixture
def world(clean_db, clean_index):
    world = build_world()
    world.member_of_walidata = factories.User(name="staf-diskominfo")
    factories.Organization(name="diskominfostaper", title="Diskominfostaper",
                           users=[{"name": "staf-diskominfo", "capacity": "member"}])
    world.create("terbuka", **satu_data())
    world.create("terbatas", **satu_data(klasifikasi="terbatas"))
    world.create("tertutup", **satu_data(klasifikasi="tertutup"))
    world.create("punya-distan", org="distan", **satu_data(klasifikasi="terbatas"))
    deleted = world.create("dihapus", **satu_data())
    helpers.call_action("package_delete", {"user": world.sysadmin["name"]}, id=deleted["id"])
    return world


def _readable(world, user_name) -> set[str]:
    ids = datasets.readable_ids(user_name, [dataset["id"] for dataset in world.datasets.values()])
    return {dataset["name"] for dataset in world.datasets.values() if dataset["id"] in ids}


def _package_show_reads(world, user_name) -> set[str]:
    readable = set()
    for dataset in world.datasets.values():
        try:
            helpers.call_action("package_show", {"user": user_name or "", "ignore_auth": False}, id=dataset["id"])
        except (helpers.logic.NotAuthorized, helpers.logic.NotFound):
            continue
        # a sysadmin still opens a deleted dataset; what is read (exports, catalogue) holds active ones only
        if dataset["name"] != "dihapus":
            readable.add(dataset["name"])
    return readable


@pytest.mark.parametrize("who, expected", [
    (None, {"terbuka"}),
    ("warga", {"terbuka"}),
    ("operator-disdukcapil", {"terbuka", "terbatas", "tertutup"}),
    ("staf-diskominfo", {"terbuka", "terbatas", "tertutup", "punya-distan"}),
    ("walidata", {"terbuka", "terbatas", "tertutup", "punya-distan"}),  # a sysadmin
])
def test_each_reader_reads_what_package_show_lets_them(world, who, expected):
    assert _readable(world, who) == expected
    assert _package_show_reads(world, who) == expected


def test_the_walidata_is_a_member_of_its_organisation_or_a_sysadmin(world):
    assert walidata.is_walidata("staf-diskominfo") and walidata.is_walidata("walidata")
    assert not walidata.is_walidata("operator-disdukcapil") and not walidata.is_walidata(None)
    # a member of the walidata organisation reads everything but changes no flag: only editors and admins do
    assert not walidata.can_manage("staf-diskominfo") and walidata.can_manage("walidata")
