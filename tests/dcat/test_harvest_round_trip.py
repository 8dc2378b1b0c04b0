"""Harvest round trip: a live Paser portal (a `ckan run` subprocess with its own database) publishes its DCAT
catalogue; this test process, as a second CKAN site, harvests /catalog.ttl with the stock ``dcat_rdf`` harvester
(gather, fetch, import in-process) and compares what arrives with what was published.

The stock harvester has no per-source profile setting (``gather_stage`` builds ``RDFParser()`` from
``ckanext.dcat.rdf.profiles``), so the harvesting site's profiles are set with that option."""
from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.tests import factories, helpers
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestGatherError, HarvestObject, HarvestSource
from ckanext.harvest.tests.factories import HarvestJobObj
from ckanext.harvest.tests.lib import run_harvest_job
from ckanext.paser import reference
from live_portal import free_port, start_portal

from .conftest import KUARO, TANAH_GROGOT, TANAH_GROGOT_BOUNDS, full_metadata

ROOT = Path(__file__).resolve().parents[2]
CKAN = str(Path(sys.executable).parent / "ckan")
DATABASE = "ckan_paser_test_rt"
PASIR_BELENGKONG = "64.01.03"
DISDUKCAPIL = "Dinas Kependudukan dan Pencatatan Sipil"
DISTAN = "Dinas Pertanian"
PENDUDUK = "Jumlah Penduduk per Desa Tanah Grogot dan Kuaro 2020-2024"
PADI = "Produksi Padi per Kecamatan 2019-2023"
RAHASIA = "Data Penerima Bantuan Sosial per Desa"

# Fields of the Paser schema the profile maps (docs/dcat.md) and the stock harvester must bring back equal.
FIELDS = ("title", "notes", "jenis_data", "klasifikasi", "tingkat_penyajian", "walidata", "cakupan_kecamatan",
          "cakupan_desa", "temporal_coverage", "frequency", "urusan", "kode_indikator", "konsep", "definisi",
          "klasifikasi_penyajian", "ukuran", "satuan", "sumber_data", "metode_pengumpulan", "contact", "url",
          "license_id")
RESOURCE_FIELDS = ("name", "url", "format", "mimetype", "kolom_wilayah", "jenis_kode_wilayah", "kolom_periode",
                   "kolom_nilai", "satuan")

INI = """[DEFAULT]
debug = false

[app:main]
use = config:{root}/config/common.ini
SECRET_KEY = paser-rt-only-secret
api_token.jwt.encode.secret = string:paser-rt-only-secret
api_token.jwt.decode.secret = string:paser-rt-only-secret
WTF_CSRF_SECRET_KEY = paser-rt-only-secret
sqlalchemy.url = postgresql://ckan_paser:ckan_paser@127.0.0.1:5432/{database}
# The tests' DataStore database (the datastore plugin is on in common.ini); this portal writes nothing there.
ckan.datastore.write_url = {datastore_write}
ckan.datastore.read_url = {datastore_read}
ckan.redis.url = redis://127.0.0.1:6379/12
ckan.harvest.mq.redis_db = 12
ckan.site_url = {url}
ckan.storage_path = {storage}
ckan.tracking_enabled = false
smtp.server = localhost
smtp.mail_from = info@rt.ckan.net

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(asctime)s %(levelname)-5.5s [%(name)s] %(message)s
"""


def _psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql],
                   check=True, capture_output=True, text=True)


def _ckan(ini: Path, *args: str) -> str:
    done = subprocess.run([CKAN, "-c", str(ini), *args], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"ckan {' '.join(args)}: {done.stdout}\n{done.stderr}"
    return done.stdout


@dataclass
class Publisher:
    """The live publishing portal: its URL, a sysadmin API token and the datasets created on it."""

    url: str
    token: str
    datasets: dict[str, dict[str, Any]]

    def action(self, action: str, /, **data: Any) -> Any:
        request = urllib.request.Request(f"{self.url}/api/3/action/{action}", data=json.dumps(data).encode(),
                                         headers={"Content-Type": "application/json", "Authorization": self.token})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.load(response)["result"]
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{action}: {error.code} {error.read().decode()}") from None

    def get(self, path: str) -> str:
        with urllib.request.urlopen(f"{self.url}{path}", timeout=60) as response:
            return response.read().decode()


def _kode_bps(kode_kemendagri: str) -> str:
    kecamatan = reference.kecamatan_by_code(kode_kemendagri)
    assert kecamatan is not None
    return kecamatan.kode_bps


def _populate(site: Publisher) -> None:
    tanah_grogot = site.action("organization_create", name="kecamatan-tanah-grogot", type="kecamatan",
                               title="Kecamatan Tanah Grogot", kode_kemendagri=TANAH_GROGOT, kode_bps=_kode_bps(TANAH_GROGOT),
                               spatial=json.dumps(TANAH_GROGOT_BOUNDS))
    assert tanah_grogot["name"] == "kecamatan-tanah-grogot"
    for name, title in (("disdukcapil", DISDUKCAPIL), ("distan", DISTAN),
                        ("diskominfostaper", "Dinas Komunikasi, Informatika, Statistik dan Persandian")):
        site.action("organization_create", name=name, title=title)
    for name, title in (("kependudukan", "Kependudukan"), ("pertanian", "Pertanian")):
        site.action("group_create", name=name, title=title)
    site.datasets["penduduk"] = site.action(
        "package_create", name="penduduk-per-desa", title=PENDUDUK, owner_org="disdukcapil",
        groups=[{"name": "kependudukan"}], **full_metadata())
    site.datasets["padi"] = site.action(
        "package_create", name="produksi-padi-per-kecamatan", title=PADI, owner_org="distan",
        groups=[{"name": "pertanian"}], **full_metadata(
            notes="Produksi padi sawah dan ladang per kecamatan.", tingkat_penyajian="kecamatan",
            cakupan_kecamatan=[PASIR_BELENGKONG, TANAH_GROGOT, KUARO], cakupan_desa=[],
            temporal_coverage=[{"start": "2019", "end": "2023"}], frequency="tahunan", urusan=["3.27"],
            kode_indikator="3.27.04", konsep="Produksi padi", definisi="Gabah kering giling hasil panen",
            klasifikasi_penyajian="menurut kecamatan", ukuran="jumlah", satuan="ton", sumber_data="Distan",
            metode_pengumpulan="survei", contact=[{"name": "Bidang Tanaman Pangan", "email": "tp@distan.go.id"}],
            url="https://distan.paserkab.go.id/padi", tags=[{"name": "padi"}],
            resources=[{"url": "https://distan.paserkab.go.id/unduh/padi-2019-2023.csv", "name": "Produksi Padi",
                        "format": "CSV", "mimetype": "text/csv", "kolom_wilayah": "kecamatan",
                        "jenis_kode_wilayah": "nama", "kolom_periode": "tahun", "kolom_nilai": "produksi",
                        "satuan": "ton"}]))
    site.datasets["rahasia"] = site.action(
        "package_create", name="penerima-bansos", title=RAHASIA, owner_org="disdukcapil",
        groups=[{"name": "kependudukan"}], **full_metadata(klasifikasi="terbatas"))


@pytest.fixture(scope="module")
def publisher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Publisher]:
    """The publishing portal from its own ini and database, for the module; its database is dropped after."""
    directory = tmp_path_factory.mktemp("publisher")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    ini = directory / "publisher.ini"
    (directory / "storage").mkdir()
    ini.write_text(INI.format(root=ROOT, database=DATABASE, url=url, storage=directory / "storage",
                              datastore_write=tk.config["ckan.datastore.write_url"],
                              datastore_read=tk.config["ckan.datastore.read_url"]))
    _psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    _psql(f"CREATE DATABASE {DATABASE} OWNER ckan_paser ENCODING 'utf-8'")
    log = (directory / "portal.log").open("w")
    process: subprocess.Popen[bytes] | None = None
    try:
        _ckan(ini, "db", "init")
        _ckan(ini, "user", "add", "admin-rt", "email=admin@rt.ckan.net", "password=rahasia-rt-12345")
        _ckan(ini, "sysadmin", "add", "admin-rt")
        token = _ckan(ini, "user", "token", "add", "admin-rt", "round-trip").strip().splitlines()[-1].strip()
        process = start_portal(str(ini), port, log)
        site = Publisher(url, token, {})
        _populate(site)
        yield site
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
        log.close()
        _psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


@pytest.fixture
def harvesting_site(clean_db: None, clean_index: None, clean_redis: None) -> dict[str, Any]:
    """This process's site: its sysadmin and the organisations and groups of the same names as the publisher's."""
    sysadmin = factories.Sysadmin(name="admin-harvest")
    for name, title in (("disdukcapil", DISDUKCAPIL), ("distan", DISTAN),
                        ("diskominfostaper", "Dinas Komunikasi, Informatika, Statistik dan Persandian")):
        factories.Organization(name=name, title=title)
    for name, title in (("kependudukan", "Kependudukan"), ("pertanian", "Pertanian")):
        factories.Group(name=name, title=title)
    return sysadmin


@dataclass
class Harvested:
    """One harvest of the publisher's catalogue: the records the gather stage parsed (harvest object contents)
    and the datasets the import stage made, both by title."""

    records: dict[str, dict[str, Any]]
    datasets: dict[str, dict[str, Any]]


def _harvest(sysadmin: dict[str, Any], site: Publisher) -> Harvested:
    source = helpers.call_action("harvest_source_create", {"user": sysadmin["name"]}, name="satu-data-paser",
                                 title="Satu Data Paser", url=f"{site.url}/catalog.ttl", source_type="dcat_rdf",
                                 owner_org="diskominfostaper", config=json.dumps({"rdf_format": "turtle"}))
    # a job through gather, fetch and import, as tests/harvesters/harvesting.py runs one
    source_obj = HarvestSource.get(source["id"])
    job = HarvestJobObj(source=source_obj, run=False)
    objects = run_harvest_job(job, queue.get_harvester(source_obj.type))
    gather_errors = [error.message for error in
                     model.Session.query(HarvestGatherError).filter_by(harvest_job_id=job.id)]
    assert gather_errors == []
    assert [error.message for obj in objects.values() for error in obj["errors"]] == []
    assert sorted(obj["report_status"] for obj in objects.values()) == ["added", "added"]
    records = {}
    for harvest_object in model.Session.query(HarvestObject).filter_by(harvest_job_id=job.id):
        record = json.loads(harvest_object.content)
        records[record["title"]] = record
    found = {}
    for package in model.Session.query(model.Package).filter_by(type="dataset", state="active"):
        shown = helpers.call_action("package_show", {"ignore_auth": True}, id=package.id)
        found[shown["title"]] = shown
    return Harvested(records, found)


def _download_urls(dataset: dict[str, Any]) -> list[str]:
    return [resource["url"] for resource in dataset["resources"]]


def test_catalogue_hides_the_terbatas_dataset(publisher: Publisher) -> None:
    catalogue = publisher.get("/catalog.ttl")
    assert PENDUDUK in catalogue and PADI in catalogue and RAHASIA not in catalogue


@pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", "paser_dcat_ap")
def test_every_mapped_field_arrives_with_the_paser_profile(publisher: Publisher,
                                                           harvesting_site: dict[str, Any]) -> None:
    harvest = _harvest(harvesting_site, publisher)
    assert set(harvest.records) == set(harvest.datasets) == {PENDUDUK, PADI}
    for key, title in (("penduduk", PENDUDUK), ("padi", PADI)):
        original, record = publisher.datasets[key], harvest.records[title]
        # what the stock harvester's gather stage parsed with the profile
        parsed = {field: (original.get(field), record.get(field)) for field in FIELDS
                  if record.get(field) != original.get(field)}
        assert parsed == {}, f"{title}: (published, parsed) {parsed}"
        assert [group["name"] for group in record["groups"]] == [group["name"] for group in original["groups"]]
        assert record["publisher"][0]["name"] == original["organization"]["title"]
        for sent, got in zip(original["resources"], record["resources"], strict=True):
            for field in RESOURCE_FIELDS:
                assert got.get(field) == sent[field], f"{title}: parsed resource {field}"
        # what the import stage (with the paser_harvest hooks) made of it
        back = harvest.datasets[title]
        mismatches = {field: (original.get(field), back.get(field)) for field in FIELDS
                      if back.get(field) != original.get(field)}
        assert mismatches == {}, f"{title}: (published, harvested) {mismatches}"
        assert back["organization"]["name"] == original["organization"]["name"]
        assert back["organization"]["title"] == original["organization"]["title"]
        assert [group["name"] for group in back["groups"]] == [group["name"] for group in original["groups"]]
        assert {tag["name"] for tag in back["tags"]} == {tag["name"] for tag in original["tags"]}
        assert back["private"] is False
        assert len(back["resources"]) == len(original["resources"])
        for sent, got in zip(original["resources"], back["resources"], strict=True):
            for field in RESOURCE_FIELDS:
                assert got.get(field) == sent[field], f"{title}: resource {field}"


@pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", "euro_dcat_ap_3")
def test_core_fields_arrive_with_euro_dcat_ap_3_only(publisher: Publisher,
                                                     harvesting_site: dict[str, Any]) -> None:
    harvested = _harvest(harvesting_site, publisher).datasets
    assert set(harvested) == {PENDUDUK, PADI}
    for key, title in (("penduduk", PENDUDUK), ("padi", PADI)):
        original, back = publisher.datasets[key], harvested[title]
        assert back["title"] == original["title"] and back["notes"] == original["notes"]
        # publisher: the organisation of the same name on this site
        assert back["organization"]["name"] == original["organization"]["name"]
        # spatial: ckanext-dcat's stock parser keeps one dct:spatial location of several (its label lands in the
        # extras), and the paser_harvest mapping finds the kecamatan it names and those named in the title
        assert back["cakupan_kecamatan"] and set(back["cakupan_kecamatan"]) <= set(original["cakupan_kecamatan"])
        assert back["temporal_coverage"] == original["temporal_coverage"]
        assert back["frequency"] == original["frequency"]
        # the stock parser keeps the EU file-type IRI the catalogue gives as dct:format
        assert [(r["name"], r["format"]) for r in back["resources"]] == [
            (r["name"], f"http://publications.europa.eu/resource/authority/file-type/{r['format']}")
            for r in original["resources"]]
        assert _download_urls(back) == _download_urls(original)
