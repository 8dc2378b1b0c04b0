"""The index follows every change to datasets and memberships at once; rebuilding restores it."""
from __future__ import annotations

import sqlalchemy as sa
from ckan.tests import factories, helpers

from .conftest import PUBLIC, SATU_DATA

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
        **SATU_DATA,
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
    # Visibility follows the Satu Data classification: terbatas makes the dataset private.
    helpers.call_action("package_patch", context, id="akses-air-bersih", klasifikasi="terbatas")
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
        owner_org=org["id"], tags=[{"name": "pendidikan"}], **SATU_DATA,
    )
    assert catalogue.names(q="sekolah", fq="organization:kecamatan-tanah-grogot") == {
        "jumlah-sekolah-tanah-grogot"
    }


KEPT_FACETS = ["organization", "tags", "res_format", "groups", "tingkat_penyajian", "license_id"]


def _catalogue_page(catalogue, user, **extra):
    """The count and every facet of the catalogue page, as a user sees it."""
    result = catalogue.search(user, rows=0, include_private=True,
                              **{"facet.field": KEPT_FACETS, "facet.limit": -1}, **extra)
    return result["count"], {field: dict(values) for field, values in result["facets"].items()}


def _assert_kept_counts_exact(catalogue):
    """`*:*` is answered from the counts kept per visibility class; they must equal a fresh count."""
    from ckan import model

    for user in (None, catalogue.distan_editor, catalogue.bps_member, catalogue.sysadmin):
        # Any filter on a document column (here: has a name) makes the backend count the documents.
        assert _catalogue_page(catalogue, user) == _catalogue_page(catalogue, user, fq="+name:*")
    kept_sql = "SELECT class_id, code, n FROM paser_search_count WHERE n <> 0 ORDER BY 1, 2"
    kept = model.Session.execute(sa.text(kept_sql)).fetchall()
    model.Session.execute(sa.text("SELECT paser_search_recount()"))
    assert model.Session.execute(sa.text(kept_sql)).fetchall() == kept
    model.Session.rollback()


def test_kept_facet_counts_follow_every_write(mutable_catalogue):
    from ckan.lib import search

    catalogue = mutable_catalogue
    context = {"user": catalogue.sysadmin["name"]}
    _assert_kept_counts_exact(catalogue)
    count, facets = _catalogue_page(catalogue, None)
    assert count == len(PUBLIC) and facets["organization"] == {"distan": 2, "bps-paser": 2, "disdukcapil": 1}

    helpers.call_action(
        "package_create", context, name="curah-hujan-2024", title="Curah Hujan Bulanan 2024",
        owner_org=catalogue.orgs["bps-paser"]["id"], tags=[{"name": "iklim"}], **SATU_DATA,
        resources=[{"name": "curah hujan", "url": "http://127.0.0.1/curah-hujan.csv", "format": "CSV"}],
    )
    helpers.call_action("package_patch", context, id="luas-panen-padi",
                        tags=[{"name": "padi"}, {"name": "tanaman pangan"}])
    # Made private and public through the classification (klasifikasi decides `private`).
    helpers.call_action("package_patch", context, id="akses-air-bersih", klasifikasi="terbatas")
    helpers.call_action("package_patch", context, id=PRIVATE, klasifikasi="terbuka")
    helpers.call_action("package_patch", context, id="proyeksi-penduduk-2024",
                        owner_org=catalogue.orgs["disdukcapil"]["id"])
    helpers.call_action("package_delete", context, id="produksi-kelapa-sawit")
    _assert_kept_counts_exact(catalogue)
    count, facets = _catalogue_page(catalogue, None)
    assert count == len(PUBLIC)  # one created and one made public; one made private and one deleted
    assert facets["organization"] == {"distan": 2, "disdukcapil": 2, "bps-paser": 1}
    assert facets["tags"]["iklim"] == 1 and facets["tags"]["bantuan"] == 1
    assert "kelapa sawit" not in facets["tags"] and "pertanian" in facets["tags"]
    editor_count, _ = _catalogue_page(catalogue, catalogue.bps_member)
    assert editor_count == count + 1  # the member of bps-paser also sees its private akses-air-bersih

    helpers.call_action("dataset_purge", context, id="curah-hujan-2024")
    search.clear_all()
    assert _catalogue_page(catalogue, catalogue.sysadmin)[0] == 0
    search.rebuild()
    _assert_kept_counts_exact(catalogue)
    assert _catalogue_page(catalogue, None)[0] == len(PUBLIC) - 1


def test_a_new_dataset_is_indexed_once_per_commit(mutable_catalogue, monkeypatch):
    """CKAN notifies a new dataset as new and again as changed (its tags, resources, groups); one add."""
    from ckanext.paser.search.connection import PostgresSearchConnection

    catalogue = mutable_catalogue
    added: list[str] = []
    add = PostgresSearchConnection.add

    def counting_add(self, docs, *args, **kwargs):
        docs = list(docs)
        added.extend(doc["name"] for doc in docs)
        return add(self, docs, *args, **kwargs)

    monkeypatch.setattr(PostgresSearchConnection, "add", counting_add)
    helpers.call_action(
        "package_create", {"user": catalogue.sysadmin["name"]}, name="jumlah-puskesmas-2024",
        title="Jumlah Puskesmas 2024", owner_org=catalogue.orgs["disdukcapil"]["id"],
        tags=[{"name": "kesehatan"}], groups=[{"name": "sosial-kependudukan"}],
        resources=[{"name": "puskesmas", "url": "http://127.0.0.1/puskesmas.csv", "format": "CSV"}], **SATU_DATA,
    )
    assert added == ["jumlah-puskesmas-2024"]
    # That one document has everything the create wrote.
    assert catalogue.names(fq='+tags:kesehatan +groups:sosial-kependudukan +res_format:CSV') == {
        "jumlah-puskesmas-2024"}
