"""The index follows every change to datasets and memberships at once; rebuilding restores it."""
from __future__ import annotations

from ckan.tests import factories, helpers

from .conftest import PUBLIC

PRIVATE = "petani-penerima-bantuan"


def test_harvest_source_field(mutable_catalogue):
    catalogue = mutable_catalogue
    helpers.call_action(
        "package_patch", {"user": catalogue.sysadmin["name"]}, id="penduduk-kecamatan-2020",
        extras=[{"key": "harvest_source_id", "value": "sumber-bps-6401"}],
    )
    assert catalogue.names(fq='+harvest_source_id:"sumber-bps-6401"') == {"penduduk-kecamatan-2020"}
    assert catalogue.names(fq="-harvest_source_id:*") == PUBLIC - {"penduduk-kecamatan-2020"}


def test_losing_membership_hides_private_at_once(mutable_catalogue):
    catalogue = mutable_catalogue
    helpers.call_action(
        "organization_member_delete", {"user": catalogue.sysadmin["name"]},
        id="distan", username=catalogue.distan_editor["name"],
    )
    assert PRIVATE not in catalogue.names(catalogue.distan_editor, include_private=True)


def test_score_ranks_title_matches_first(mutable_catalogue):
    catalogue = mutable_catalogue
    helpers.call_action(
        "package_create", {"user": catalogue.sysadmin["name"]},
        name="harga-komoditas", title="Harga Komoditas Pertanian",
        notes="Harga bulanan beberapa komoditas, termasuk sawit.", owner_org=catalogue.orgs["distan"]["id"],
    )
    ranked = catalogue.search(q="sawit", sort="score desc, metadata_modified desc")["results"]
    assert [dataset["name"] for dataset in ranked] == ["produksi-kelapa-sawit", "harga-komoditas"]


def test_drafts_and_deleted_stay_out(mutable_catalogue):
    catalogue = mutable_catalogue
    user = factories.Sysadmin()
    helpers.call_action("package_delete", {"user": user["name"]}, id="akses-air-bersih")
    assert "akses-air-bersih" not in catalogue.names(catalogue.sysadmin, include_private=True)
    assert catalogue.search(catalogue.sysadmin, fq="+state:deleted")["count"] == 0



def test_edits_show_in_search_at_once(mutable_catalogue):
    catalogue = mutable_catalogue
    context = {"user": catalogue.sysadmin["name"]}
    helpers.call_action("package_patch", context, id="luas-panen-padi", title="Luas Tanam Jagung")
    assert catalogue.names(q="jagung") == {"luas-panen-padi"}
    assert catalogue.names(q="title:padi") == set()
    helpers.call_action("package_patch", context, id="akses-air-bersih", private=True)
    assert "akses-air-bersih" not in catalogue.names(include_private=True)
    assert "akses-air-bersih" in catalogue.names(catalogue.bps_member, include_private=True)
    helpers.call_action("dataset_purge", context, id="produksi-kelapa-sawit")
    assert catalogue.names(q="sawit", include_private=True) == set()


def test_rebuild_restores_a_cleared_index(mutable_catalogue):
    from ckan.lib import search

    catalogue = mutable_catalogue
    search.clear_all()
    assert catalogue.search(catalogue.sysadmin, include_private=True)["count"] == 0
    search.rebuild()
    assert catalogue.names(catalogue.sysadmin, include_private=True) == PUBLIC | {PRIVATE}
    assert catalogue.names(q="kebun") == {"produksi-kelapa-sawit"}


def test_search_index_commands(mutable_catalogue, cli):
    from ckan.cli.cli import ckan

    catalogue = mutable_catalogue
    result = cli.invoke(ckan, ["search-index", "clear"])
    assert result.exit_code == 0, result.output
    checked = cli.invoke(ckan, ["search-index", "check"])
    assert "Packages not indexed = 6 out of 6" in checked.output
    rebuilt = cli.invoke(ckan, ["search-index", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    checked = cli.invoke(ckan, ["search-index", "check"])
    assert "Packages not indexed = 0 out of 6" in checked.output
    shown = cli.invoke(ckan, ["search-index", "show", "produksi-kelapa-sawit"])
    assert shown.exit_code == 0 and "Produksi Perkebunan Kelapa Sawit" in shown.output
    assert catalogue.names(q="sawit") == {"produksi-kelapa-sawit"}
    only_missing = cli.invoke(ckan, ["search-index", "rebuild", "--only-missing"])
    assert only_missing.exit_code == 0, only_missing.output


def test_new_dataset_is_found_immediately(mutable_catalogue):
    catalogue = mutable_catalogue
    org = factories.Organization(name="kecamatan-tanah-grogot")
    helpers.call_action(
        "package_create", {"user": catalogue.sysadmin["name"]},
        name="jumlah-sekolah-tanah-grogot", title="Jumlah Sekolah Dasar Kecamatan Tanah Grogot",
        owner_org=org["id"], tags=[{"name": "pendidikan"}],
    )
    assert catalogue.names(q="sekolah", fq="organization:kecamatan-tanah-grogot") == {
        "jumlah-sekolah-tanah-grogot"
    }
