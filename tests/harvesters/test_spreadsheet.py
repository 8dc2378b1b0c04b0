"""The spreadsheet harvester end to end (gather, fetch, import) against a local OPD web server on 127.0.0.1 that
publishes workbooks under an Apache-style directory listing (fixtures/spreadsheet, made by build.py)."""
from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from ckan import model
from ckan.tests import factories, helpers
from ckanext.paser.checks import store
from ckanext.paser.harvesters.spreadsheet.config import ConfigError, parse_config
from ckanext.paser.harvesters.spreadsheet.convert import ConvertError, convert
from ckanext.paser.harvesters.spreadsheet.listing import workbook_links
from in_process_jobs import run_jobs

from . import harvesting
from .conftest import SPREADSHEET_FIXTURES
from .harvesting import Kept, activity_count, csv_rows, datasets, show, upload

# Sources without an owner organisation name their producer in the configuration.
pytestmark = pytest.mark.ckan_config("ckan.auth.create_unowned_dataset", "true")
ALL_KECAMATAN = [f"64.01.{number:02d}" for number in range(1, 11)]
PENDUDUK = "jumlah-penduduk-kecamatan.xlsx"
LUAS = "luas-wilayah-kecamatan.csv"
PADI = "produksi-padi-per-tahun.xlsx"
REKAP = "rekap-tanaman-pangan.xlsx"
NO_HEADER = "catatan-rapat.xlsx"
# The long table of the Dinas Pertanian needs a mapping: its header row, region, period and indicator columns.
REKAP_MAPPING = {"header_row": 4, "unit": "ton",
                 "columns": {"region": "Uraian/Kecamatan", "region_code_type": "nama", "period": "Tahun",
                             "indicator": "Komoditas", "value": ["Produksi"]}}


class Run(harvesting.Run):
    """A spreadsheet harvest job: objects are named by the workbook's URL."""

    def guid(self, key: str) -> str:
        return f"spreadsheet:{key}"


@pytest.fixture
def dukcapil(sysadmin) -> dict[str, Any]:
    return factories.Organization(name="disdukcapil", title="Dinas Kependudukan dan Pencatatan Sipil")


def make_source(sysadmin: dict[str, Any], url: str, owner_org: str | None = None, **config: Any) -> dict[str, Any]:
    values = {"workbooks": {REKAP: REKAP_MAPPING}, **config}
    values = {key: value for key, value in values.items() if value is not None}
    extra = {"owner_org": owner_org} if owner_org else {}
    return helpers.call_action("harvest_source_create", {"user": sysadmin["name"]}, name="opd-workbooks",
                               title="Tabel OPD Kabupaten Paser", url=url, source_type="spreadsheet",
                               config=json.dumps(values), **extra)


def harvest(source: dict[str, Any]) -> Run:
    return harvesting.harvest(source, Run)


def changed_workbook(value: int) -> bytes:
    """The population workbook with Batu Sopang 2021 changed, saved as a new file."""
    workbook = openpyxl.load_workbook(SPREADSHEET_FIXTURES / PENDUDUK)
    workbook.active["D5"] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- end to end ---------------------------------------------------------------------------------------------

def test_listing_page_workbooks_become_paser_datasets(sysadmin, dukcapil, workbook_server):
    server = workbook_server
    run = harvest(make_source(sysadmin, server.listing_url, owner_org=dukcapil["id"]))

    assert run.gather_errors == []
    assert set(run.objects) == {f"spreadsheet:{server.url(name)}" for name in (PENDUDUK, LUAS, PADI, REKAP)}
    assert all(run.errors(server.url(name)) == [] for name in (PENDUDUK, LUAS, PADI, REKAP))
    assert {run.status(server.url(name)) for name in (PENDUDUK, LUAS, PADI, REKAP)} == {"added"}
    assert not any("README.pdf" in path for path in server.requests)

    # Merged header cells: "Kecamatan" over two rows, "Jumlah Penduduk (jiwa)" over the years; a "Jumlah" row.
    penduduk = show(run.dataset_id(server.url(PENDUDUK)))
    assert penduduk["title"] == "Jumlah Penduduk Menurut Kecamatan di Kabupaten Paser"
    assert penduduk["owner_org"] == dukcapil["id"]
    assert penduduk["jenis_data"] == "statistik"
    assert penduduk["klasifikasi"] == "terbuka" and penduduk["private"] is False
    assert penduduk["walidata"] == "Diskominfostaper"
    assert penduduk["tingkat_penyajian"] == "kecamatan"
    assert penduduk["cakupan_kecamatan"] == ALL_KECAMATAN
    assert penduduk["temporal_coverage"] == [{"start": "2020", "end": "2021"}]
    assert penduduk["frequency"] == "tahunan"
    assert penduduk["konsep"] == "Jumlah Penduduk" and penduduk["satuan"] == "jiwa"
    assert penduduk["sumber_data"] == f"Dinas Kependudukan dan Pencatatan Sipil (berkas {PENDUDUK})"
    table, original = penduduk["resources"]
    assert (table["format"], table["url_type"], original["format"], original["url_type"]) == \
        ("CSV", "upload", "XLSX", "upload")
    assert table["url"].endswith("/download/jumlah-penduduk-kecamatan-bersih.csv")
    assert original["url"].endswith(f"/download/{PENDUDUK}")
    assert upload(original) == (SPREADSHEET_FIXTURES / PENDUDUK).read_bytes()
    assert original["original_of"] == table["id"]
    assert (table["kolom_wilayah"], table["jenis_kode_wilayah"], table["kolom_periode"], table["kolom_nilai"],
            table["satuan"]) == ("kode_wilayah", "kode_kemendagri", "tahun", "Jumlah Penduduk (jiwa)", "jiwa")
    rows = csv_rows(table)
    assert list(rows[0]) == ["kode_wilayah", "kode_bps", "nama_wilayah", "tahun", "Jumlah Penduduk (jiwa)", "satuan"]
    values = {(row["kode_wilayah"], row["tahun"]): row["Jumlah Penduduk (jiwa)"] for row in rows}
    assert values[("64.01.01", "2020")] == "24484"
    assert values[("64.01.04", "2021")] == "79467"
    assert values[("64.01", "2020")] == "277401"  # the published total, one more than its parts, kept as written
    assert rows[-1]["nama_wilayah"] == "Kabupaten Paser" and len(rows) == 22
    assert {row["kode_bps"] for row in rows if row["kode_wilayah"] == "64.01.10"} == {"6401011"}

    # One sheet per year, Indonesian numbers as text, a column-numbering row under the header.
    padi = show(run.dataset_id(server.url(PADI)))
    assert padi["title"] == "Produksi Padi Menurut Kecamatan di Kabupaten Paser"
    assert padi["cakupan_kecamatan"] == ["64.01.01", "64.01.03", "64.01.04", "64.01.05", "64.01.06"]
    assert padi["temporal_coverage"] == [{"start": "2023", "end": "2024"}]
    padi_rows = {(row["kode_wilayah"], row["tahun"]): row["Produksi Padi (ton)"] for row in csv_rows(padi["resources"][0])}
    assert padi_rows[("64.01.01", "2023")] == "1204.5"
    assert padi_rows[("64.01.05", "2024")] == "12877.4"
    assert padi_rows[("64.01", "2024")] == "46909.2"

    # Windows-1252 CSV with semicolons, Kemendagri codes, "1.111,38", an old spelling; empty cells stay out.
    luas = show(run.dataset_id(server.url(LUAS)))
    assert luas["resources"][1]["format"] == "CSV"
    assert upload(luas["resources"][1]) == (SPREADSHEET_FIXTURES / LUAS).read_bytes()
    assert luas["satuan"] == "km²" and luas["temporal_coverage"] == [{"start": "2020", "end": "2020"}]
    assert luas["cakupan_kecamatan"] == [code for code in ALL_KECAMATAN if code not in ("64.01.06", "64.01.08")]
    luas_rows = {row["kode_wilayah"]: row for row in csv_rows(luas["resources"][0])}
    assert luas_rows["64.01.01"]["Luas Wilayah (km²)"] == "1111.38"
    assert luas_rows["64.01.03"]["nama_wilayah"] == "Paser Belengkong"
    assert luas_rows["64.01"]["Luas Wilayah (km²)"] == "11603.94"

    # The mapped long table: an indicator column gives one value column per commodity.
    rekap = show(run.dataset_id(server.url(REKAP)))
    assert rekap["title"] == "Rekapitulasi Produksi Tanaman Pangan"
    assert rekap["resources"][0]["kolom_nilai"] == "Padi Sawah (ton), Jagung (ton)"
    rekap_rows = {(row["kode_wilayah"], row["tahun"]): row for row in csv_rows(rekap["resources"][0])}
    assert rekap_rows[("64.01.05", "2024")]["Jagung (ton)"] == "2310"
    assert rekap_rows[("64.01.05", "2024")]["Padi Sawah (ton)"] == "12877.4"
    assert rekap_rows[("64.01.01", "2023")]["Jagung (ton)"] == ""


def test_single_workbook_url_and_configured_producer(sysadmin, workbook_server):
    run = harvest(make_source(sysadmin, workbook_server.url(LUAS), organization="disdukcapil",
                              klasifikasi="terbatas", kode_indikator="IKU-03", urusan=["2.12"]))
    assert run.gather_errors == [] and list(run.objects) == [f"spreadsheet:{workbook_server.url(LUAS)}"]
    dataset = show(run.dataset_id(workbook_server.url(LUAS)))
    assert dataset["organization"]["name"] == "disdukcapil"  # created from the OPD list, as seed does
    assert dataset["klasifikasi"] == "terbatas" and dataset["private"] is True
    assert dataset["kode_indikator"] == "IKU-03" and dataset["urusan"] == ["2.12"]
    assert not any(path.endswith("/data/opd/") for path in workbook_server.requests)  # no listing read


def test_rerun_of_an_unchanged_source_changes_nothing(sysadmin, dukcapil, workbook_server):
    source = make_source(sysadmin, workbook_server.listing_url, owner_org=dukcapil["id"])
    first = harvest(source)
    modified = {name: package.metadata_modified for name, package in datasets().items()}
    activities = activity_count()

    again = harvest(source)
    assert again.gather_errors == []
    assert {again.status(workbook_server.url(name)) for name in (PENDUDUK, LUAS, PADI, REKAP)} == {"not modified"}
    assert activity_count() == activities
    assert {name: package.metadata_modified for name, package in datasets().items()} == modified

    workbook_server.responses[PENDUDUK] = changed_workbook(25000)
    third = harvest(source)
    assert third.status(workbook_server.url(PENDUDUK)) == "updated"
    assert {third.status(workbook_server.url(name)) for name in (LUAS, PADI, REKAP)} == {"not modified"}
    assert activity_count() == activities + 1
    dataset = show(first.dataset_id(workbook_server.url(PENDUDUK)))
    assert len(dataset["resources"]) == 2
    assert {(r["kode_wilayah"], r["tahun"]): r["Jumlah Penduduk (jiwa)"]
            for r in csv_rows(dataset["resources"][0])}[("64.01.01", "2021")] == "25000"
    assert upload(dataset["resources"][1]) == workbook_server.responses[PENDUDUK]


def test_removed_workbook_is_withdrawn_only_after_a_full_gather(sysadmin, dukcapil, workbook_server):
    source = make_source(sysadmin, workbook_server.listing_url, owner_org=dukcapil["id"])
    first = harvest(source)
    removed_id = first.dataset_id(workbook_server.url(PADI))
    listing = (SPREADSHEET_FIXTURES / "index.html").read_text(encoding="utf-8")
    without_padi = "\n".join(line for line in listing.splitlines() if PADI not in line).encode("utf-8")

    # The listing fails: nothing is withdrawn or changed.
    workbook_server.failures["/data/opd/"] = "500"
    failed = harvest(source)
    assert len(failed.gather_errors) == 1 and "HTTP status 500" in failed.gather_errors[0]
    assert failed.objects == {} and model.Package.get(removed_id).state == "active"
    # An error page answered with status 200 lists no workbooks: nothing is withdrawn either.
    workbook_server.failures["/data/opd/"] = "html"
    failed = harvest(source)
    assert failed.gather_errors == [(f"The source {workbook_server.listing_url} lists no workbooks (.xlsx, .xlsm "
                                     "or .csv links); nothing was changed.")]
    assert {package.state for package in datasets().values()} == {"active"}

    # The workbook is no longer listed: after a complete gather its dataset is withdrawn, the others stay.
    del workbook_server.failures["/data/opd/"]
    workbook_server.responses["index.html"] = without_padi
    run = harvest(source)
    assert run.gather_errors == [] and run.status(workbook_server.url(PADI)) == "deleted"
    assert model.Package.get(removed_id).state == "deleted"
    assert {package.state for package in datasets().values() if package.id != removed_id} == {"active"}

    # Listed again: it comes back.
    del workbook_server.responses["index.html"]
    back = harvest(source)
    assert back.status(workbook_server.url(PADI)) in ("added", "updated")
    assert model.Package.get(removed_id).state == "active"


# --- failures -----------------------------------------------------------------------------------------------

WORKBOOK_FAILURES = {
    "html": "returned an HTML page instead of a workbook",
    "huge": "is larger than the limit of 200000 bytes",
    "slow": "did not answer within 1 seconds",
    "500": "answered with HTTP status 500",
}


@pytest.mark.ckan_config("ckanext.paser.harvesters.max_response_size", "200000")
@pytest.mark.parametrize("mode", sorted(WORKBOOK_FAILURES))
def test_failing_workbook_leaves_the_harvested_dataset_whole(sysadmin, dukcapil, workbook_server, mode):
    source = make_source(sysadmin, workbook_server.listing_url, owner_org=dukcapil["id"], timeout=1)
    url = workbook_server.url(PENDUDUK)
    kept = Kept.of(harvest(source).dataset_id(url))

    workbook_server.responses[PENDUDUK] = changed_workbook(25000)  # would be an update, if it could be read
    workbook_server.failures[f"/{PENDUDUK}"] = mode
    run = harvest(source)

    message = run.failed(url)
    assert WORKBOOK_FAILURES[mode] in message and url in message
    assert run.status(workbook_server.url(LUAS)) == "not modified"
    after = kept.assert_unchanged()
    assert upload(after["resources"][1]) == (SPREADSHEET_FIXTURES / PENDUDUK).read_bytes()


@pytest.mark.parametrize("mode", ["slow", "500"])
def test_failing_listing_is_a_clear_gather_error(sysadmin, workbook_server, mode):
    workbook_server.failures["/data/opd/"] = mode
    run = harvest(make_source(sysadmin, workbook_server.listing_url, organization="disdukcapil", timeout=1))
    [message] = run.gather_errors
    assert {"slow": "did not answer within 1 seconds", "500": "answered with HTTP status 500"}[mode] in message
    assert workbook_server.listing_url in message
    assert run.objects == {} and datasets() == {}


def test_unreachable_source(sysadmin, refused_url):
    run = harvest(make_source(sysadmin, refused_url.replace("/v1/api/", "/data/opd/"), organization="disdukcapil"))
    [message] = run.gather_errors
    assert "cannot be reached" in message and "refused" in message.lower()
    assert run.objects == {} and datasets() == {}


def test_workbook_without_a_recognisable_header(sysadmin, dukcapil, workbook_server):
    listing = (SPREADSHEET_FIXTURES / "index.html").read_text(encoding="utf-8")
    workbook_server.responses["index.html"] = listing.replace(
        "</table>", f'<tr><td><a href="{NO_HEADER}">{NO_HEADER}</a></td></tr></table>').encode("utf-8")
    source = make_source(sysadmin, workbook_server.listing_url, owner_org=dukcapil["id"])
    run = harvest(source)
    url = workbook_server.url(NO_HEADER)
    assert run.status(url) == "errored" and "dataset" not in run.obj(url)
    [message] = run.errors(url)
    assert message.startswith(f"The workbook {NO_HEADER} has no recognisable table header: No region column found")
    assert run.status(workbook_server.url(PENDUDUK)) == "added" and len(datasets()) == 4

    # A harvested workbook replaced by one without a table: an error, and the dataset stays as it was.
    package_id = run.dataset_id(workbook_server.url(PENDUDUK))
    before = show(package_id)
    workbook_server.responses[PENDUDUK] = (SPREADSHEET_FIXTURES / NO_HEADER).read_bytes()
    again = harvest(source)
    assert again.status(workbook_server.url(PENDUDUK)) == "errored"
    assert "has no recognisable table header" in again.errors(workbook_server.url(PENDUDUK))[0]
    assert show(package_id)["metadata_modified"] == before["metadata_modified"]
    assert upload(before["resources"][1]) == (SPREADSHEET_FIXTURES / PENDUDUK).read_bytes()


def test_invalid_source_config_is_refused(sysadmin, workbook_server):
    with pytest.raises(helpers.logic.ValidationError) as error:
        make_source(sysadmin, workbook_server.listing_url, columns={"region": "Kecamatan", "kolom": "x"})
    assert "columns.kolom" in str(error.value.error_dict)
    with pytest.raises(helpers.logic.ValidationError):
        make_source(sysadmin, workbook_server.listing_url, header_row=0)


# --- figures and the command line ---------------------------------------------------------------------------

def test_harvested_figures_reach_the_figures_store(sysadmin, dukcapil, workbook_server):
    run = harvest(make_source(sysadmin, workbook_server.url(PENDUDUK), owner_org=dukcapil["id"]))
    dataset = show(run.dataset_id(workbook_server.url(PENDUDUK)))
    run_jobs()  # the dataset job queues the resource checks, which run too

    figures = store.figures_of(dataset["resources"][0]["id"])
    values = {(f["indicator"], f["region_code"], f["period"]): Decimal(str(f["value"])) for f in figures}
    assert values[("jumlah_penduduk", "64.01.01", "2020")] == 24484
    assert values[("jumlah_penduduk", "64.01", "2020")] == 277401
    assert len(values) == 22
    assert {f["unit"] for f in figures} == {"jiwa"}


def test_run_test_command(sysadmin, dukcapil, workbook_server, cli):
    from ckan.cli.cli import ckan

    make_source(sysadmin, workbook_server.url(LUAS), owner_org=dukcapil["id"])
    result = cli.invoke(ckan, ["harvester", "run-test", "opd-workbooks"])
    assert result.exit_code == 0, result.output
    assert [package.title for package in datasets().values()] == [
        "Luas Wilayah Menurut Kecamatan Kabupaten Paser Tahun 2020"]


# --- units --------------------------------------------------------------------------------------------------

def test_listing_links_are_the_workbooks_only():
    page = (SPREADSHEET_FIXTURES / "index.html").read_text(encoding="utf-8")
    base = "http://127.0.0.1:8/data/opd/"
    assert workbook_links(page, base) == [base + name for name in (PENDUDUK, LUAS, PADI, REKAP)]
    nginx = ('<html><head><base href="http://127.0.0.1:8/unduh/"></head><body><pre><a href="../">../</a>\n'
             '<a href="Data%20Pertanian%202024.XLSX">Data Pertanian 2024.XLSX</a> 04-Mar-2025 08:12  6302\n'
             '<a href="Data%20Pertanian%202024.XLSX#top">again</a><a href="mailto:a@b.c">x</a></pre></body></html>')
    assert workbook_links(nginx, base) == ["http://127.0.0.1:8/unduh/Data%20Pertanian%202024.XLSX"]


def test_config_validation_messages():
    source = parse_config(json.dumps({"files": ["extra/tabel.csv"], "workbooks": {REKAP: REKAP_MAPPING},
                                      "unit": "jiwa"}), "http://127.0.0.1:8/data/opd")
    assert source.files == ("http://127.0.0.1:8/data/opd/extra/tabel.csv",)
    assert source.mapping_for("http://127.0.0.1:8/data/opd/" + REKAP).indicator_column == "Komoditas"
    assert source.mapping_for("http://127.0.0.1:8/data/opd/" + REKAP).unit == "ton"
    assert source.mapping_for("http://127.0.0.1:8/data/opd/" + PENDUDUK).unit == "jiwa"
    cases = {
        "{": "the configuration is not valid JSON",
        "[1]": "the configuration must be a JSON object",
        '{"tahun": 2020}': "unknown keys tahun",
        '{"header_row": "4"}': "header_row must be a row number from 1 to 50",
        '{"columns": {"region_code_type": "kode"}}': "columns.region_code_type must be one of nama, kode_kemendagri",
        '{"columns": {"indicator": "Komoditas", "value": ["A", "B"]}}': "columns.indicator needs exactly one value",
        '{"files": ["laporan.pdf"]}': "laporan.pdf is not an .xlsx, .xlsm or .csv file",
        '{"klasifikasi": "rahasia"}': "klasifikasi must be one of terbuka, terbatas, tertutup",
        '{"period": "2024/2025"}': "period must be a year",
        '{"timeout": 0}': "timeout must be a number of seconds",
    }
    for text, message in cases.items():
        with pytest.raises(ConfigError) as error:
            parse_config(text)
        assert message in str(error.value), text
    with pytest.raises(ConfigError, match="http"):
        parse_config("{}", "ftp://127.0.0.1/data/")


def test_header_spread_over_rows_in_a_csv_export():
    """A merged header saved as CSV keeps its label over the first year only; header_rows spreads it again."""
    data = ("Jumlah Penduduk Menurut Kecamatan\n"
            "Kecamatan;Jumlah Penduduk (jiwa);\n"
            ";2020;2021\n"
            "Batu Sopang;24.484;24.911\n"
            "JUMLAH;277.401;282.361\n").encode("cp1252")
    mapping = parse_config('{"header_row": 2, "header_rows": 2}').mapping
    table = convert(data, "penduduk.csv", mapping)
    assert table.csv.decode().splitlines() == [
        "kode_wilayah,kode_bps,nama_wilayah,tahun,Jumlah Penduduk (jiwa),satuan",
        "64.01.01,6401010,Batu Sopang,2020,24484,jiwa",
        "64.01.01,6401010,Batu Sopang,2021,24911,jiwa",
        "64.01,6401,Kabupaten Paser,2020,277401,jiwa",
        "64.01,6401,Kabupaten Paser,2021,282361,jiwa",
    ]
    assert table.title == "Jumlah Penduduk Menurut Kecamatan"
    with pytest.raises(ConvertError, match='has no sheet "2019"'):
        convert((SPREADSHEET_FIXTURES / PADI).read_bytes(), PADI, parse_config('{"sheets": ["2019"]}').mapping)
    only_2024 = convert((SPREADSHEET_FIXTURES / PADI).read_bytes(), PADI, parse_config('{"sheets": [2024]}').mapping)
    assert only_2024.periods == ["2024"]
