"""The portal harvesters end to end (gather, fetch, import) against a local CKAN action API and DCAT catalogue on
127.0.0.1: ckanext-harvest's CKAN harvester (``paser_ckan``) and ckanext-dcat's ``dcat_rdf`` with the
``paser_harvest`` hooks."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from ckan import model
from ckan.cli.cli import ckan
from ckan.tests import factories, helpers
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObjectError
from ckanext.paser.demo import harvest as demo_harvest
from ckanext.paser.harvesters.portals.mapping import frequency_code, kecamatan_codes, paser_dataset, periods

from .conftest import PORTAL_FIXTURES, PortalServer, serving
from .harvesting import harvest

pytestmark = pytest.mark.ckan_config("ckan.auth.create_unowned_dataset", "true")
ALL_KECAMATAN = [f"64.01.{number:02d}" for number in range(1, 11)]
PADI = "Luas Panen dan Produksi Padi per Kecamatan di Kabupaten Paser 2023"
SD = "Jumlah Sekolah Dasar dan Murid Kecamatan Long Ikis"
IPM = "Indeks Pembangunan Manusia Kabupaten/Kota di Kalimantan Timur 2019-2023"
PENDUDUK = "Jumlah Penduduk Menurut Kecamatan dan Jenis Kelamin di Kabupaten Paser Semester II 2023"
SAWIT = "Produksi Kelapa Sawit Perkebunan Rakyat Kecamatan Muara Komam dan Batu Sopang 2019-2023"


@dataclass(frozen=True)
class Portal:
    """A source type on the local portal: where its source points, its configuration, the datasets it harvests
    and the path its failures are served at."""

    path: str
    datasets: int
    failing: str
    config: dict[str, Any] = field(default_factory=dict)


PORTALS = {
    "dcat_rdf": Portal("/catalog.ttl", 3, "/catalog.ttl", {"rdf_format": "turtle"}),
    "paser_ckan": Portal("", 2, "/api/3/action/package_search"),
}


@pytest.fixture
def walidata(sysadmin: dict[str, Any]) -> dict[str, Any]:
    return factories.Organization(name="diskominfostaper", title="Diskominfostaper")


def make_source(sysadmin: dict[str, Any], url: str, source_type: str, owner_org: str | None = None,
                **config: Any) -> dict[str, Any]:
    extra = {"owner_org": owner_org} if owner_org else {}
    return helpers.call_action("harvest_source_create", {"user": sysadmin["name"]}, name=f"kaltim-{source_type}",
                               title=f"Satu Data Kaltim ({source_type})", url=url, source_type=source_type,
                               config=json.dumps(config) if config else "", **extra)


def by_title() -> dict[str, dict[str, Any]]:
    found = {}
    for package in model.Session.query(model.Package).filter_by(type="dataset", state="active"):
        shown = helpers.call_action("package_show", {"ignore_auth": True}, id=package.id)
        found[shown["title"]] = shown
    return found


def snapshot() -> dict[str, tuple[str, str]]:
    return {package.id: (str(package.metadata_modified), package.state)
            for package in model.Session.query(model.Package).filter_by(type="dataset")}


# --- the mapping -----------------------------------------------------------------------------------------------

def test_kecamatan_from_names_and_codes():
    assert kecamatan_codes(["Kec. Pasir Belengkong dan LONGKALI"]) == ["64.01.03", "64.01.08"]
    assert kecamatan_codes(["wilayah 6401070 dan 6401021", "kode 64.01.10"]) == ["64.01.07", "64.01.09", "64.01.10"]
    # the regency's own code and other regencies' names are no kecamatan
    assert kecamatan_codes(["Kabupaten Paser (64.01, 6401)", "Kota Balikpapan", "Penajam Paser Utara"]) == []


def test_frequency_and_periods():
    assert frequency_code("http://publications.europa.eu/resource/authority/frequency/ANNUAL") == "tahunan"
    assert frequency_code("http://purl.org/cld/freq/quarterly") == "triwulanan"
    assert frequency_code("Semesteran") == "semesteran"
    assert frequency_code("setiap saat") is None
    assert periods([{"start": "2023-01-01", "end": "2023-12-31"}], {}, "") == [{"start": "2023", "end": "2023"}]
    assert periods([{"start": "2024-07-01", "end": "2024-09-30"}], {}, "") == [
        {"start": "2024-07-01", "end": "2024-09-30"}]
    assert periods([], {"tahun": "2023"}, "x") == [{"start": "2023", "end": "2023"}]
    assert periods([], {}, "IPM 2019-2023") == [{"start": "2019", "end": "2023"}]


def test_remote_table_description_is_kept_only_whole():
    """Another Satu Data portal's resources describe their table; the schema wants the region column with its
    code kind, so an incomplete or unknown description is dropped (the figures check recognises the columns)."""
    resources = [{"name": "a", "kolom_wilayah": "Kecamatan", "jenis_kode_wilayah": "nama", "kolom_periode": "Tahun"},
                 {"name": "b", "kolom_wilayah": "Kode", "jenis_kode_wilayah": "kode_desa"},
                 {"name": "c", "kolom_wilayah": "Wilayah"}]
    package = paser_dataset({"title": "Penduduk per kecamatan", "resources": resources}, config={}, publishers=[],
                            source_owner=None, schema_fields=[])
    assert [(r.get("kolom_wilayah"), r.get("jenis_kode_wilayah")) for r in package["resources"]] == [
        ("Kecamatan", "nama"), (None, None), (None, None)]
    assert package["resources"][0]["kolom_periode"] == "Tahun"


# --- DCAT catalogue (dcat_rdf + paser_harvest) -------------------------------------------------------------------

def test_dcat_catalogue_becomes_paser_datasets(sysadmin, walidata, portal_server: PortalServer):
    source = make_source(sysadmin, f"{portal_server.base_url}/catalog.ttl", "dcat_rdf", walidata["id"],
                         rdf_format="turtle",
                         organizations={"Dinas Pendidikan dan Kebudayaan Provinsi Kalimantan Timur": "disdik"})
    run = harvest(source)
    assert run.gather_errors == [] and run.object_errors() == []
    assert run.statuses() == ["added", "added", "added"]
    datasets = by_title()

    padi = datasets[PADI]
    assert padi["organization"]["name"] == "distan"  # "Dinas Pertanian Kabupaten Paser" is the OPD Distan
    assert padi["jenis_data"] == "statistik" and padi["klasifikasi"] == "terbuka" and not padi["private"]
    assert padi["tingkat_penyajian"] == "kecamatan"
    assert padi["cakupan_kecamatan"] == ["64.01.03", "64.01.04", "64.01.05", "64.01.06", "64.01.09"]
    assert padi["frequency"] == "tahunan"
    assert padi["temporal_coverage"] == [{"start": "2023", "end": "2023"}]
    assert padi["sumber_data"] == "Dinas Pertanian Kabupaten Paser"
    assert [resource["url"] for resource in padi["resources"]] == [(
        "https://data.kaltimprov.go.id/dataset/luas-panen-padi-kabupaten-paser-2023/resource/"
        "7b0c9c2e-1f4e-4d55-9a3e-5c2f7e8d1a10/download/luas-panen-padi-paser-2023.csv")]
    assert json.loads(padi["spatial"])["type"] == "Polygon"

    sd = datasets[SD]
    assert sd["organization"]["name"] == "disdik"  # the source configuration's map
    assert sd["cakupan_kecamatan"] == ["64.01.06"] and sd["tingkat_penyajian"] == "kecamatan"
    assert sd["temporal_coverage"] == [{"start": "2022", "end": "2023"}]

    ipm = datasets[IPM]
    assert ipm["organization"]["name"] == "diskominfostaper"  # a provincial publisher: the source's organisation
    assert ipm["tingkat_penyajian"] == "kabupaten" and not ipm.get("cakupan_kecamatan")
    assert ipm["temporal_coverage"] == [{"start": "2019", "end": "2023"}]

    # an unchanged catalogue changes nothing
    before = snapshot()
    again = harvest(source)
    assert again.gather_errors == [] and again.object_errors() == []
    assert again.statuses() == ["not modified"] * 3
    assert snapshot() == before

    # a changed record is updated; the others stay; one that left the catalogue is withdrawn
    catalog = (PORTAL_FIXTURES / "dcat" / "catalog.ttl").read_text("utf-8")
    catalog = catalog.replace("Jumlah SD negeri dan swasta", "Jumlah SD negeri, swasta dan MI")
    ipm_uri = "<https://data.kaltimprov.go.id/dataset/indeks-pembangunan-manusia-kaltim>"
    catalog = catalog[:catalog.index(f"{ipm_uri} a dcat:Dataset")].replace(f",\n        {ipm_uri} .", " .")
    portal_server.catalog = catalog
    third = harvest(source)
    assert third.gather_errors == [] and third.object_errors() == []
    assert third.statuses() == ["deleted", "not modified", "updated"]
    datasets = by_title()
    assert "MI" in datasets[SD]["notes"] and datasets[SD]["cakupan_kecamatan"] == ["64.01.06"]
    assert IPM not in datasets and before[padi["id"]] == snapshot()[padi["id"]]


# --- CKAN action API (paser_ckan) ------------------------------------------------------------------------------

def test_ckan_portal_becomes_paser_datasets(sysadmin, walidata, portal_server: PortalServer):
    source = make_source(sysadmin, portal_server.base_url, "paser_ckan", walidata["id"])
    run = harvest(source)
    assert run.gather_errors == [] and run.object_errors() == []
    assert run.statuses() == ["added", "added"]
    datasets = by_title()

    penduduk = datasets[PENDUDUK]
    assert penduduk["organization"]["name"] == "disdukcapil"
    assert penduduk["jenis_data"] == "statistik" and penduduk["klasifikasi"] == "terbuka"
    assert penduduk["tingkat_penyajian"] == "kecamatan" and penduduk["cakupan_kecamatan"] == ALL_KECAMATAN
    assert penduduk["frequency"] == "semesteran"
    assert penduduk["temporal_coverage"] == [{"start": "2023", "end": "2023"}]
    assert json.loads(penduduk["spatial"])["type"] == "Polygon"
    extras = {extra["key"]: extra["value"] for extra in penduduk.get("extras", [])}
    assert extras.get("Satuan") == "Jiwa" and "spatial" not in extras
    assert {tag["name"] for tag in penduduk["tags"]} >= {"kependudukan", "penduduk"}
    assert penduduk["resources"][0]["url"].endswith("/download/penduduk-kecamatan-paser-2023-s2.csv")
    assert penduduk["resources"][0]["url_type"] in (None, "")

    sawit = datasets[SAWIT]
    assert sawit["organization"]["name"] == "diskominfostaper"  # a provincial agency: the source's organisation
    assert sawit["cakupan_kecamatan"] == ["64.01.01", "64.01.07"]
    assert sawit["frequency"] == "tahunan" and sawit["license_id"] == "cc-by"
    assert sawit["temporal_coverage"] == [{"start": "2019", "end": "2023"}]

    before = snapshot()
    again = harvest(source)
    assert again.gather_errors == [] and again.object_errors() == []
    assert again.statuses() == ["not modified"] * 2
    assert snapshot() == before


# --- failures of either portal ------------------------------------------------------------------------------------

@pytest.mark.ckan_config("ckanext.paser.harvesters.timeout", "1")
@pytest.mark.parametrize(("source_type", "mode", "message"), [
    ("dcat_rdf", "refused", "connection error"),
    ("dcat_rdf", "html", "HTML page instead of an RDF catalogue"),
    ("dcat_rdf", "malformed", "Error parsing the RDF file"),
    ("dcat_rdf", "slow", "timed out"),
    ("dcat_rdf", "500", "Server responded with 500"),
    ("paser_ckan", "refused", "cannot be reached"),
    ("paser_ckan", "html", "returned an HTML page instead of JSON"),
    ("paser_ckan", "malformed", "is not valid JSON"),
    ("paser_ckan", "slow", "did not answer within 1 seconds"),
    ("paser_ckan", "500", "answered with HTTP status 500"),
])
def test_portal_failures_keep_harvested_datasets(sysadmin, walidata, portal_server: PortalServer, refused_url: str,
                                                 source_type: str, mode: str, message: str):
    portal = PORTALS[source_type]
    source = make_source(sysadmin, portal_server.base_url + portal.path, source_type, walidata["id"],
                         **portal.config)
    assert harvest(source).statuses() == ["added"] * portal.datasets
    before = snapshot()
    if mode == "refused":
        helpers.call_action("harvest_source_patch", {"user": sysadmin["name"]}, id=source["id"],
                            url=refused_url.replace("/v1/api/", portal.path))
    else:
        portal_server.failures[portal.failing] = mode
    run = harvest(source)
    assert run.objects == {}
    assert len(run.gather_errors) == 1 and message in run.gather_errors[0], run.gather_errors
    assert snapshot() == before


def test_stock_ckan_harvester_stays_available():
    stock, paser = queue.get_harvester("ckan"), queue.get_harvester("paser_ckan")
    assert type(stock).__name__ == "CKANHarvester" and type(paser).__name__ == "PaserCkanHarvester"


def test_ckan_source_configuration_is_checked(sysadmin, portal_server: PortalServer):
    with pytest.raises(Exception, match="organizations"):
        make_source(sysadmin, portal_server.base_url, "paser_ckan", organizations=["disdik"])


# --- operations: the demo sources of `make run` and `ckan harvester run-test` ---------------------------------

@pytest.fixture
def demo_server() -> Iterator[str]:
    with serving(demo_harvest.DemoHandler) as port:
        yield f"http://127.0.0.1:{port}"


def test_demo_sources_run_test_for_every_type(sysadmin, cli, demo_server: str):
    result = cli.invoke(ckan, ["paser", "harvest", "demo-sources", "--url", demo_server, "--user", sysadmin["name"]])
    assert result.exit_code == 0, result.output
    assert "demo-kaltim-dcat: created" in result.output
    for source in demo_harvest.DEMO_SOURCES:
        result = cli.invoke(ckan, ["harvester", "run-test", source.name])
        assert result.exit_code == 0, result.output
    jobs = model.Session.query(HarvestJob).all()
    assert len(jobs) == 4 and {job.status for job in jobs} == {"Finished"}
    assert model.Session.query(HarvestGatherError).count() == 0
    assert model.Session.query(HarvestObjectError).count() == 0
    datasets = by_title()
    assert len(datasets) == 9  # 3 from the CKAN portal, 2 from DCAT, 2 BPS variables, 2 OPD workbooks
    assert all(dataset["klasifikasi"] == "terbuka" for dataset in datasets.values())
    # nothing links to the real provincial portal
    assert all(resource["url"].startswith(demo_server) for dataset in datasets.values()
               for resource in dataset["resources"] if resource.get("url_type") != "upload")
    # pointing the sources at another port (the next `make run`) changes only the sources
    again = cli.invoke(ckan, ["paser", "harvest", "demo-sources", "--url", demo_server, "--user", sysadmin["name"]])
    assert "demo-kaltim-dcat: unchanged" in again.output


def test_sources_of_every_type_are_created_from_the_ui(app, sysadmin, bps_server):
    """A walidata sets up a source in ckanext-harvest's form: every Paser type is offered, a good source is
    saved, a bad configuration is refused with the harvester's own message (no server error)."""
    from .conftest import API_KEY

    token = helpers.call_action("api_token_create", {"user": sysadmin["name"]}, user=sysadmin["name"],
                                name="ui")["token"]
    headers = {"Authorization": token}
    owner = factories.Organization(name="diskominfostaper")
    page = app.get("/harvest/new", headers=headers)
    for source_type in ("bps", "spreadsheet", "paser_ckan", "dcat_rdf", "ckan"):
        assert f'value="{source_type}"' in page.body
    form = {"title": "BPS Kabupaten Paser", "name": "bps-paser-form", "url": bps_server.base_url,
            "source_type": "bps", "frequency": "MANUAL", "owner_org": owner["id"], "save": ""}

    refused = app.post("/harvest/new", headers=headers, data={**form, "config": '{"domain": "64"'})
    assert refused.status_code == 200
    assert "konfigurasi bukan JSON yang sah" in refused.body  # the harvester's message, in Indonesian
    with pytest.raises(helpers.logic.NotFound):
        helpers.call_action("harvest_source_show", {"user": sysadmin["name"]}, id="bps-paser-form")

    app.post("/harvest/new", headers=headers,
             data={**form, "config": json.dumps({"domain": "6401", "api_key": API_KEY, "subjects": ["12"]})})
    source = helpers.call_action("harvest_source_show", {"user": sysadmin["name"]}, id="bps-paser-form")
    assert (source["source_type"], source["url"]) == ("bps", bps_server.base_url)
