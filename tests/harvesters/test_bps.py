"""The bps harvester end to end (gather, fetch, import) against a local BPS WebAPI on 127.0.0.1."""
from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from ckan import model
from ckan.tests import factories, helpers
from ckanext.harvest.model import HarvestSource
from ckanext.paser.checks import rules
from ckanext.paser.harvesters.base import redact
from ckanext.paser.harvesters.bps.client import ConfigError, decode, parse_config
from ckanext.paser.harvesters.bps.mapping import build, indicator_label, region_of
from in_process_jobs import run_jobs

from .conftest import API_KEY, fixture
from .harvesting import Kept, activity_count, csv_rows, datasets, harvest, show

GUID_37 = "bps:6401:var:37"
GUID_154 = "bps:6401:var:154"
# Sources without an owner organisation take the BPS organisation as producer.
pytestmark = pytest.mark.ckan_config("ckan.auth.create_unowned_dataset", "true")
ALL_KECAMATAN = [f"64.01.{number:02d}" for number in range(1, 11)]


def make_source(sysadmin: dict[str, Any], url: str, owner_org: str | None = None, **config: Any) -> dict[str, Any]:
    values = {"domain": "6401", "api_key": API_KEY, "lang": "ind", "subjects": ["12"], **config}
    values = {key: value for key, value in values.items() if value is not None}
    extra = {"owner_org": owner_org} if owner_org else {}
    return helpers.call_action("harvest_source_create", {"user": sysadmin["name"]}, name="bps-paser-webapi",
                               title="BPS Kabupaten Paser (WebAPI)", url=url, source_type="bps",
                               config=json.dumps(values), **extra)


def changed_table(**cells: int) -> dict[str, Any]:
    """The table of variable 37 updated at the source (a new ``last_update``), ``cells`` changed."""
    table = fixture("data_37.json")
    table["last_update"] = "2025-06-30 09:00:00"
    table["datacontent"].update(cells)
    return table


# --- end to end ---------------------------------------------------------------------------------------------

def test_harvest_creates_paser_datasets_with_tidy_tables(sysadmin, bps_server):
    source = make_source(sysadmin, bps_server.base_url)
    run = harvest(source)

    assert run.gather_errors == []
    assert set(run.objects) == {GUID_37, GUID_154}  # var 211 (subject Tanaman Pangan) is filtered out
    assert {run.status(GUID_37), run.status(GUID_154)} == {"added"}
    assert run.errors(GUID_37) == [] and run.errors(GUID_154) == []
    assert any("/page/2/" in path for path in bps_server.requests)  # the list was paged

    per_kecamatan = show(run.dataset_id(GUID_37))
    assert per_kecamatan["title"] == "Jumlah Penduduk Menurut Kecamatan"
    assert per_kecamatan["organization"]["name"] == "bps-paser"  # created from the OPD list, as seed does
    assert per_kecamatan["organization"]["type"] == "dinas"
    assert per_kecamatan["jenis_data"] == "statistik"
    assert per_kecamatan["klasifikasi"] == "terbuka" and per_kecamatan["private"] is False
    assert per_kecamatan["tingkat_penyajian"] == "kecamatan"
    assert per_kecamatan["cakupan_kecamatan"] == ALL_KECAMATAN
    assert per_kecamatan["temporal_coverage"] == [{"start": "2020", "end": "2024"}]
    assert per_kecamatan["frequency"] == "tahunan"
    assert per_kecamatan["satuan"] == "Jiwa"
    assert per_kecamatan["konsep"] == "Jumlah Penduduk"
    assert per_kecamatan["definisi"].startswith("Penduduk adalah semua orang")
    assert per_kecamatan["walidata"] == "Diskominfostaper"
    assert "BPS Kabupaten Paser" in per_kecamatan["sumber_data"]
    assert "Sensus Penduduk 2020" in per_kecamatan["notes"] and "<p>" not in per_kecamatan["notes"]
    assert {tag["name"] for tag in per_kecamatan["tags"]} == {"bps", "Kependudukan"}

    [resource] = per_kecamatan["resources"]
    assert resource["url_type"] == "upload" and resource["format"] == "CSV"
    assert resource["url"].endswith("/download/bps-6401-37.csv")
    assert (resource["kolom_wilayah"], resource["jenis_kode_wilayah"]) == ("kode_wilayah", "kode_kemendagri")
    rows = csv_rows(resource)
    assert list(rows[0]) == ["kode_wilayah", "kode_bps", "nama_wilayah", "tahun", "Jumlah Penduduk (Jiwa)", "satuan"]
    by_code = {(row["kode_wilayah"], row["tahun"]): row for row in rows}
    assert by_code[("64.01.01", "2020")]["Jumlah Penduduk (Jiwa)"] == "26867"
    assert by_code[("64.01", "2020")]["Jumlah Penduduk (Jiwa)"] == "275452"
    assert by_code[("64.01", "2024")]["Jumlah Penduduk (Jiwa)"] == "292948"
    # BPS codes and names map through the reference data: 6401011 is Muara Samu (64.01.10), "Pasir Belengkong"
    assert by_code[("64.01.10", "2020")]["kode_bps"] == "6401011"
    assert by_code[("64.01.03", "2020")]["nama_wilayah"] == "Paser Belengkong"
    assert sum(int(row["Jumlah Penduduk (Jiwa)"]) for row in rows
               if row["tahun"] == "2020" and row["kode_wilayah"] != "64.01") == 275452
    assert len(rows) == 12 and all(row["satuan"] == "Jiwa" for row in rows)

    by_sex = show(run.dataset_id(GUID_154))
    assert by_sex["tingkat_penyajian"] == "kabupaten" and not by_sex.get("cakupan_kecamatan")
    [row] = csv_rows(by_sex["resources"][0])
    assert row["Jumlah Penduduk Laki-laki (Jiwa)"] == "151846"
    assert row["Jumlah Penduduk Perempuan (Jiwa)"] == "141102"
    assert row["Jumlah Penduduk (Jiwa)"] == "292948"
    assert by_sex["resources"][0]["kolom_nilai"] == ("Jumlah Penduduk Laki-laki (Jiwa), "
                                                     "Jumlah Penduduk Perempuan (Jiwa), Jumlah Penduduk (Jiwa)")


def test_producer_is_the_configured_organization_else_the_source_owner(sysadmin, bps_server):
    walidata = factories.Organization(name="diskominfostaper", title="Diskominfostaper")
    bps = factories.Organization(name="bps-kabupaten-paser", title="BPS Kabupaten Paser")
    run = harvest(make_source(sysadmin, bps_server.base_url, owner_org=walidata["id"], vars=["154"]))
    assert set(run.objects) == {GUID_154}
    assert show(run.dataset_id(GUID_154))["owner_org"] == walidata["id"]

    source = helpers.call_action("harvest_source_show", {"user": sysadmin["name"]}, id="bps-paser-webapi")
    config = {**json.loads(source["config"]), "organization": "bps-kabupaten-paser"}
    helpers.call_action("harvest_source_patch", {"user": sysadmin["name"]}, id=source["id"],
                        config=json.dumps(config))
    again = harvest(source)
    assert again.status(GUID_154) == "updated"
    assert show(run.dataset_id(GUID_154))["owner_org"] == bps["id"]


def test_rerun_changes_only_what_changed(sysadmin, bps_server):
    source = make_source(sysadmin, bps_server.base_url)
    first = harvest(source)
    package_id = first.dataset_id(GUID_37)
    modified = {name: package.metadata_modified for name, package in datasets().items()}
    activities = activity_count()

    again = harvest(source)
    assert again.gather_errors == []
    assert {again.status(GUID_37), again.status(GUID_154)} == {"not modified"}
    assert activity_count() == activities
    assert {name: package.metadata_modified for name, package in datasets().items()} == modified

    bps_server.responses["data_37.json"] = changed_table(**{"64013701240": 292950})
    third = harvest(source)
    assert third.status(GUID_37) == "updated" and third.status(GUID_154) == "not modified"
    updated = show(package_id)
    assert updated["id"] == package_id and len(updated["resources"]) == 1
    assert {(r["kode_wilayah"], r["tahun"]): r["Jumlah Penduduk (Jiwa)"]
            for r in csv_rows(updated["resources"][0])}[("64.01", "2024")] == "292950"
    assert activity_count() == activities + 1


def test_removed_variable_is_withdrawn_only_after_a_full_gather(sysadmin, bps_server):
    source = make_source(sysadmin, bps_server.base_url)
    first = harvest(source)
    removed_id = first.dataset_id(GUID_154)

    # Page 2 fails: the gather is incomplete, nothing is withdrawn or changed.
    bps_server.failures["/page/2/"] = "500"
    failed = harvest(source)
    assert len(failed.gather_errors) == 1 and "HTTP status 500" in failed.gather_errors[0]
    assert failed.objects == {}
    assert model.Package.get(removed_id).state == "active"

    # The source no longer lists variable 154: after a complete gather its dataset is withdrawn.
    del bps_server.failures["/page/2/"]
    page = fixture("var_page2.json")
    page["data"][1] = []
    bps_server.responses["var_page2.json"] = page
    run = harvest(source)
    assert run.gather_errors == []
    assert run.status(GUID_154) == "deleted"
    assert model.Package.get(removed_id).state == "deleted"
    assert model.Package.get(first.dataset_id(GUID_37)).state == "active"

    # Listed again: it comes back.
    del bps_server.responses["var_page2.json"]
    back = harvest(source)
    assert back.status(GUID_154) in ("added", "updated")
    assert model.Package.get(removed_id).state == "active"


# --- failures -----------------------------------------------------------------------------------------------

TABLE_FAILURES = {
    "html": "returned an HTML page instead of JSON",
    "malformed": "is not valid JSON",
    "huge": "is larger than the limit of 200000 bytes",
    "slow": "did not answer within 1 seconds",
    "500": "answered with HTTP status 500",
}


@pytest.mark.ckan_config("ckanext.paser.harvesters.max_response_size", "200000")
@pytest.mark.parametrize("mode", sorted(TABLE_FAILURES))
def test_failing_table_leaves_the_harvested_dataset_whole(sysadmin, bps_server, mode):
    source = make_source(sysadmin, bps_server.base_url, timeout=1)
    kept = Kept.of(harvest(source).dataset_id(GUID_37))

    bps_server.responses["data_37.json"] = changed_table()  # would be an update, if it could be read
    bps_server.failures["/var/37/"] = mode
    run = harvest(source)

    message = run.failed(GUID_37)
    assert TABLE_FAILURES[mode] in message and "/var/37/" in message
    assert API_KEY not in message and "/key/***/" in message
    assert run.status(GUID_154) == "not modified"
    kept.assert_unchanged()


GATHER_FAILURES = {
    "html": "returned an HTML page instead of JSON",
    "malformed": "is not valid JSON",
    "500": "answered with HTTP status 500",
    "slow": "did not answer within 1 seconds",
}


@pytest.mark.parametrize("mode", sorted(GATHER_FAILURES))
def test_failing_list_is_a_clear_gather_error(sysadmin, bps_server, mode):
    bps_server.failures["/list/model/var/"] = mode
    run = harvest(make_source(sysadmin, bps_server.base_url, timeout=1))
    [message] = run.gather_errors
    assert GATHER_FAILURES[mode] in message and API_KEY not in message
    assert run.objects == {} and datasets() == {}


def test_unreachable_source_and_refused_key(sysadmin, bps_server, refused_url):
    run = harvest(make_source(sysadmin, refused_url))
    [message] = run.gather_errors
    assert "cannot be reached" in message and "refused" in message.lower() and API_KEY not in message

    helpers.call_action("harvest_source_delete", {"user": sysadmin["name"]}, id="bps-paser-webapi")
    model.Session.query(HarvestSource).delete()  # the url must be free for the next source
    model.Session.commit()
    wrong = make_source(sysadmin, bps_server.base_url, api_key="kunci-salah")
    [message] = harvest(wrong).gather_errors
    assert "BPS WebAPI refused the request" in message and "Invalid API key" in message
    assert "kunci-salah" not in message


def test_no_variables_changes_nothing(sysadmin, bps_server):
    source = make_source(sysadmin, bps_server.base_url)
    harvest(source)
    bps_server.responses["var_page1.json"] = {"status": "OK", "data-availability": "list-not-available", "data": ""}
    run = harvest(source)
    assert run.gather_errors == ["BPS WebAPI lists no variables for domain 6401; nothing was changed."]
    assert {package.state for package in datasets().values()} == {"active"}


@pytest.mark.ckan_config("ckanext.paser.harvesters.bps.api_key", API_KEY)
def test_key_from_ckan_config_never_reaches_logs_reports_or_metadata(sysadmin, bps_server, caplog):
    caplog.set_level(logging.DEBUG)
    http_log = logging.getLogger("urllib3.connectionpool")  # logs every request path, the key included
    http_log.disabled = False
    source = make_source(sysadmin, bps_server.base_url, api_key=None, timeout=1)
    assert API_KEY not in source["config"]
    bps_server.failures["/var/154/"] = "slow"
    run = harvest(source)
    assert run.status(GUID_37) == "added" and run.status(GUID_154) == "errored"
    assert all(f"/key/{API_KEY}/" in path for path in bps_server.requests)  # the key was used
    report = helpers.call_action("harvest_job_report", {"user": sysadmin["name"]}, id=run.job_id)
    dataset = show(run.dataset_id(GUID_37))
    assert "GET /v1/api/list/model/data/lang/ind/domain/6401/var/37/key/***/" in caplog.text
    for text in (json.dumps(report, default=str), json.dumps(dataset), caplog.text, *run.errors(GUID_154)):
        assert API_KEY not in text


def test_invalid_source_config_is_refused(sysadmin, bps_server):
    with pytest.raises(helpers.logic.ValidationError) as error:
        make_source(sysadmin, bps_server.base_url, domain="Paser")
    assert "domain" in str(error.value.error_dict)
    with pytest.raises(helpers.logic.ValidationError):
        make_source(sysadmin, bps_server.base_url, tahun=[2020])


# --- figures and flags --------------------------------------------------------------------------------------

def test_bps_figure_disagreeing_with_an_opd_raises_a_flag(sysadmin, bps_server, create_with_upload):
    walidata = factories.User(name="walidata-kominfo")
    factories.Organization(name="diskominfostaper", users=[{"name": walidata["name"], "capacity": "editor"}])
    dukcapil = factories.Organization(name="disdukcapil", title="Dinas Kependudukan dan Pencatatan Sipil")
    run = harvest(make_source(sysadmin, bps_server.base_url, vars=["37"]))
    bps_dataset = run.objects[GUID_37]["dataset"]

    opd = helpers.call_action(
        "package_create", {"user": sysadmin["name"]}, name="penduduk-2024-dukcapil", title="Penduduk 2024",
        owner_org=dukcapil["id"], jenis_data="statistik", klasifikasi="terbuka", tingkat_penyajian="kabupaten",
        konsep="Penduduk", definisi="Jumlah penduduk", satuan="jiwa", frequency="tahunan",
        temporal_coverage=[{"start": "2024", "end": "2024"}])
    create_with_upload("Kode Wilayah,Nama Wilayah,Tahun,Jumlah Penduduk (jiwa)\n64.01,Kabupaten Paser,2024,309667\n",
                       "penduduk.csv", context={"user": sysadmin["name"]}, package_id=opd["id"], url="upload")
    run_jobs()
    run_jobs()  # the dataset jobs queue the resource checks

    flags = helpers.call_action("paser_flag_list", {"user": walidata["name"], "ignore_auth": False})["results"]
    cross = [flag for flag in flags if flag["rule"] == rules.CROSS_PRODUCER]
    assert len(cross) == 1, [flag["rule"] for flag in flags]
    assert {d["name"] for d in cross[0]["datasets"]} == {bps_dataset["name"], "penduduk-2024-dukcapil"}
    # The BPS figures are stored: the regency total equals the sum of its kecamatan, so no sum flag.
    assert rules.SUM_KECAMATAN not in {flag["rule"] for flag in flags}


def test_run_test_command(sysadmin, bps_server, cli):
    from ckan.cli.cli import ckan

    make_source(sysadmin, bps_server.base_url, vars=["154"])
    result = cli.invoke(ckan, ["harvester", "run-test", "bps-paser-webapi"])
    assert result.exit_code == 0, result.output
    assert [package.title for package in datasets().values()] == ["Jumlah Penduduk Menurut Jenis Kelamin"]


# --- units --------------------------------------------------------------------------------------------------

def test_datacontent_keys_are_decoded_by_the_value_lists():
    table = {"vervar": [{"val": 1, "label": "A"}, {"val": 11, "label": "B"}],
             "turvar": [{"val": 0, "label": "Tidak ada"}, {"val": 10, "label": "X"}],
             "tahun": [{"val": 120, "label": "2020"}, {"val": 12, "label": "1912"}],
             "turtahun": [{"val": 0, "label": "Tahun"}],
             # vervar + var + turvar + tahun + turtahun: widths differ, the value lists decide
             "datacontent": {"1501200": 5, "15101200": 9, "1150120": 7, "99": 1}}
    decoded = decode(table, "5")
    values = {(c.vervar["label"], c.turvar["label"], c.tahun["label"]): c.value for c in decoded.cells}
    assert values == {("A", "Tidak ada", "2020"): 5, ("A", "X", "2020"): 9, ("B", "Tidak ada", "1912"): 7}
    assert decoded.unknown_keys == ["99"]
    # "6401"+"5"+"1"+"120"+"0" and "6401"+"5"+"11"+"20"+"0" are the same string: left out, not guessed
    clash = {"vervar": [{"val": 6401}], "turvar": [{"val": 1}, {"val": 11}], "tahun": [{"val": 120}, {"val": 20}],
             "turtahun": [{"val": 0}], "datacontent": {"6401511200": 3}}
    assert decode(clash, "5").ambiguous_keys == ["6401511200"]


def test_region_mapping_goes_through_the_reference_data():
    assert region_of(6401011, "Muara Samu", "6401").kode_kemendagri == "64.01.10"
    assert region_of(6401021, "Batu Engau", "6401").kode_kemendagri == "64.01.09"
    assert region_of(6401, "Paser", "6401").kode_kemendagri == "64.01"
    assert region_of(6401999, "Pasir Belengkong", "6401").kode_kemendagri == "64.01.03"  # unknown code, known name
    assert region_of(6401010001, "Samurangau", "6401").kode_kemendagri == "64.01.01.2009"  # desa by name
    assert region_of(1, "Laki-laki", "6401") is None
    assert indicator_label("Jumlah Penduduk Menurut Kecamatan (Jiwa)") == "Jumlah Penduduk"


def test_config_validation_and_redaction():
    source = parse_config('{"domain": "6401", "api_key": "abc123", "vars": [37, "154"]}', "http://127.0.0.1:1/x")
    assert source.base_url == "http://127.0.0.1:1/x/" and source.vars == ("37", "154")
    assert source.data_url("37").endswith("/var/37/key/abc123/")
    assert redact(source.data_url("37") + "?key=abc123", source.secrets).count("***") == 2
    for bad in ('{"domain": "64"}', '{"lang": "jv"}', '{"subjects": "12"}', "[1]", "{", '{"timeout": 0}'):
        with pytest.raises(ConfigError):
            parse_config(bad)


def test_refused_update_keeps_the_previous_dataset_and_file(sysadmin, bps_server):
    source = make_source(sysadmin, bps_server.base_url, vars=["37"])
    kept = Kept.of(harvest(source).dataset_id(GUID_37))

    bps_server.responses["data_37.json"] = changed_table(**{"64013701240": 300000})
    config = {**json.loads(source["config"]), "indicators": {"37": "kode indikator?"}}  # fails the schema
    helpers.call_action("harvest_source_patch", {"user": sysadmin["name"]}, id=source["id"], config=json.dumps(config))
    run = harvest(source)

    assert run.status(GUID_37) == "errored"
    assert any("kode_indikator" in message for message in run.errors(GUID_37))
    kept.assert_unchanged()


def test_categories_of_a_vertical_variable_that_is_not_a_region_become_value_columns():
    table = {"var": [{"val": 90, "label": "Jumlah Penduduk Menurut Kelompok Umur", "unit": "Jiwa"}],
             "labelvervar": "Kelompok Umur", "vervar": [{"val": 1, "label": "0-14"}, {"val": 2, "label": "15-64"}],
             "turvar": [{"val": 0, "label": "Tidak ada"}], "tahun": [{"val": 124, "label": "2024"}],
             "turtahun": [{"val": 0, "label": "Tahun"}],
             "datacontent": {"19001240": 70000, "29001240": 200000}}  # vervar+var+turvar+tahun+turtahun
    item = {"var_id": 90, "title": "Jumlah Penduduk Menurut Kelompok Umur", "unit": "Jiwa", "sub_name": "Kependudukan"}
    source = parse_config('{"vars": ["90"], "indicators": {"90": "2.12.01"}}', "http://127.0.0.1:1/")
    mapped = build(item, table, decode(table, "90"), source, "org-id", "0b2f6d7e-9a55-4a2e-8d6c-1f0e4c2a9b11", [])
    assert mapped.csv.decode().splitlines() == [
        "kode_wilayah,kode_bps,nama_wilayah,tahun,Jumlah Penduduk 0-14 (Jiwa),Jumlah Penduduk 15-64 (Jiwa),satuan",
        "64.01,6401,Kabupaten Paser,2024,70000,200000,Jiwa",
    ]
    assert mapped.package["tingkat_penyajian"] == "kabupaten"
    assert mapped.package["kode_indikator"] == "2.12.01"
    assert mapped.package["klasifikasi_penyajian"] == "menurut Kelompok Umur"
    assert mapped.problems == []
