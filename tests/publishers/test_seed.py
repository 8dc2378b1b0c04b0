"""`ckan paser seed`: the kecamatan and dinas organisations from the reference data, idempotently."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins.toolkit import config
from ckan.tests import factories, helpers
from ckanext.paser import reference
from ckanext.paser.cli import paser
from ckanext.paser.publishers import seed
from click.testing import CliRunner


def _show(name: str) -> dict:
    return helpers.call_action("organization_show", id=name)


def _as_admin(action: str, **data) -> dict:
    site_user = helpers.call_action("get_site_user")["name"]
    return helpers.call_action(action, {"user": site_user, "ignore_auth": True}, **data)


def _snapshot() -> dict[str, list[tuple]]:
    """Every row the seed could touch: organisations, their extras, memberships, activities."""
    tables = {
        "group": "SELECT * FROM \"group\" ORDER BY id",
        "group_extra": "SELECT * FROM group_extra ORDER BY id",
        "member": "SELECT * FROM member ORDER BY id",
        "activity": "SELECT id, timestamp, activity_type, object_id FROM activity ORDER BY id",
    }
    return {name: [tuple(row) for row in model.Session.execute(sa.text(sql))] for name, sql in tables.items()}


def test_first_run_creates_the_kecamatan_and_the_agencies(seeded):
    assert [o.action for o in seeded] == [seed.CREATED] * 28
    kecamatan = helpers.call_action("organization_list", type="kecamatan")
    assert len(kecamatan) == 10 and "kecamatan-paser-belengkong" in kecamatan
    assert len(helpers.call_action("organization_list", type="dinas")) == 18

    belengkong = _show("kecamatan-paser-belengkong")
    assert belengkong["type"] == "kecamatan"
    assert belengkong["title"] == "Kecamatan Paser Belengkong"
    assert (belengkong["kode_kemendagri"], belengkong["kode_bps"]) == ("64.01.03", "6401030")
    assert (belengkong["jumlah_desa"], belengkong["jumlah_kelurahan"]) == ("15", "0")
    assert "ibukota" not in belengkong  # not in the reference data: left empty, not guessed
    muara_samu = _show("kecamatan-muara-samu")
    assert (muara_samu["kode_kemendagri"], muara_samu["kode_bps"]) == ("64.01.10", "6401011")
    assert _show("kecamatan-tanah-grogot")["jumlah_kelurahan"] == "1"

    disdukcapil = _show("disdukcapil")
    assert disdukcapil["type"] == "dinas"
    assert disdukcapil["title"] == "Dinas Kependudukan dan Pencatatan Sipil"
    assert (disdukcapil["singkatan"], disdukcapil["jenis_opd"], disdukcapil["indikatif"]) == (
        "Disdukcapil", "dinas", "false")
    assert disdukcapil["urusan"] == ["2.12"]
    assert _show("setda")["indikatif"] == "true"
    assert _show("bps-paser")["jenis_opd"] == "instansi_vertikal"


def test_second_run_changes_nothing(seeded):
    before = _snapshot()
    outcomes, strays = seed.seed()
    assert {o.action for o in outcomes} == {seed.UNCHANGED}
    assert strays == []
    assert _snapshot() == before


def test_command_shows_progress_and_says_when_nothing_changed(clean_db, clean_index):
    first = CliRunner().invoke(paser, ["seed"])
    assert first.exit_code == 0, first.output
    assert "Seeding 10 kecamatan and 18 agencies" in first.output
    assert "kecamatan kecamatan-long-kali: created" in first.output
    assert "Organisations seeded: 28 created." in first.output
    again = CliRunner().invoke(paser, ["seed"])
    assert again.exit_code == 0, again.output
    assert "created" not in again.output and "updated" not in again.output
    assert "Nothing changed: 28 organisations up to date." in again.output


def test_reference_fields_are_restored_and_a_stewards_fields_kept(seeded):
    _as_admin("organization_patch", id="disdukcapil", title="Disdukcapil Paser", alamat="Jl. Kesuma Bangsa",
                        urusan=["2.12", "2.14"])
    _as_admin("organization_patch", id="kecamatan-kuaro", jumlah_desa="99", ibukota="Kuaro",
                        luas_km2="747,30")
    outcomes = {o.spec.name: o for o in seed.seed()[0]}
    assert outcomes["disdukcapil"].action == seed.UPDATED and outcomes["disdukcapil"].changed == ("title",)
    assert outcomes["kecamatan-kuaro"].changed == ("jumlah_desa",)
    disdukcapil, kuaro = _show("disdukcapil"), _show("kecamatan-kuaro")
    assert disdukcapil["title"] == "Dinas Kependudukan dan Pencatatan Sipil"
    assert disdukcapil["alamat"] == "Jl. Kesuma Bangsa" and disdukcapil["urusan"] == ["2.12", "2.14"]
    assert (kuaro["jumlah_desa"], kuaro["ibukota"], kuaro["luas_km2"]) == ("12", "Kuaro", "747.30")
    assert {o.action for o in seed.seed()[0]} == {seed.UNCHANGED}


def test_plain_organisation_of_the_same_name_becomes_a_dinas(clean_db, clean_index):
    old = factories.Organization(name="distan", title="Dinas Pertanian")
    owner = factories.Sysadmin()
    dataset = helpers.call_action(
        "package_create", {"user": owner["name"]}, name="luas-panen", title="Luas Panen", owner_org=old["id"],
        jenis_data="statistik", klasifikasi="terbuka", tingkat_penyajian="kabupaten",
    )
    outcomes = {o.spec.name: o for o in seed.seed()[0]}
    assert outcomes["distan"].action == seed.UPDATED and outcomes["distan"].changed[0] == "type"
    distan = _show("distan")
    assert (distan["id"], distan["type"], distan["singkatan"]) == (old["id"], "dinas", "Distan")
    assert helpers.call_action("package_show", id=dataset["id"])["owner_org"] == old["id"]
    assert {o.action for o in seed.seed()[0]} == {seed.UNCHANGED}


def test_deleted_organisation_is_left_alone(seeded):
    _as_admin("organization_delete", id="dlh")
    outcomes = {o.spec.name: o for o in seed.seed()[0]}
    assert outcomes["dlh"].action == seed.SKIPPED
    assert model.Group.get("dlh").state == "deleted"


def test_official_opd_list_seeds_its_agencies_and_names_the_others(seeded, tmp_path, monkeypatch):
    official = tmp_path / "opd-resmi.csv"
    official.write_text("singkatan,nama,jenis,bukti\n"
                        "Disdukcapil,Dinas Kependudukan dan Pencatatan Sipil,dinas,Perda (uji)\n"
                        "RSUD,RSUD Panglima Sebaya,rsud,Perda (uji)\n", encoding="utf-8")
    monkeypatch.setitem(config, reference.CONFIG_OPD_FILE, str(official))
    outcomes, strays = seed.seed()
    actions = {o.spec.name: o.action for o in outcomes}
    assert actions["rsud"] == seed.CREATED
    assert actions["disdukcapil"] == seed.UNCHANGED
    assert len(strays) == 17 and "setda" in strays and "disdukcapil" not in strays
    assert _show("rsud")["jenis_opd"] == "rsud"


def test_command_reports_a_bad_opd_file(clean_db, tmp_path, monkeypatch):
    monkeypatch.setitem(config, reference.CONFIG_OPD_FILE, str(tmp_path / "tidak-ada.csv"))
    result = CliRunner().invoke(paser, ["seed"])
    assert result.exit_code == 1
    assert "tidak-ada.csv: file not found" in result.output
    assert helpers.call_action("organization_list", type="kecamatan") == []


@pytest.mark.parametrize("name", ["kecamatan-tanah-grogot", "kecamatan-paser-belengkong", "kecamatan-batu-engau"])
def test_kecamatan_slugs(seeded, name):
    assert _show(name)["type"] == "kecamatan"
