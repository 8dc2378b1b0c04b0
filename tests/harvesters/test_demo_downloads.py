"""The files behind the download links of the demo Kaltim portal (``ckan paser harvest demo-server``, as `make run`
starts it): every link of its CKAN API and DCAT catalogue answers with a table that the portal's own reader, DataStore
loader and figures check read, with the kecamatan of Paser its dataset names; nothing else of the server's folders
is served through those links."""
from __future__ import annotations

import http.client
import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import rdflib
from ckan.tests import factories, helpers
from ckanext.paser.checks import jobs as check_jobs
from ckanext.paser.checks import store
from ckanext.paser.checks.normalise import NO_REGION_COLUMN, TableDescription, normalise_sheets
from ckanext.paser.demo import harvest as demo_harvest
from ckanext.paser.loader import jobs as loader_jobs
from ckanext.paser.loader import status
from ckanext.paser.loader.table import cell_text, table_from_sheet
from ckanext.paser.reference import kecamatan_by_name, kecamatan_list
from ckanext.paser.tables.reading import read_table

from .conftest import serving

pytestmark = pytest.mark.ckan_config(check_jobs.CONFIG_ALLOW_PRIVATE_URLS, "true")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# The region column of each linked file and the regions named in it, as its dataset's title and description say.
# The IPM is published per kabupaten/kota of the province: Paser is one row, no kecamatan.
EXPECTED = {
    "penduduk-kecamatan-paser-2023-s2.csv": ("Kecamatan", {k.nama for k in kecamatan_list()}),
    "produksi-sawit-muara-komam-batu-sopang.xlsx": ("Kecamatan", {"Muara Komam", "Batu Sopang"}),
    "ipm-kaltim-2019-2023.csv": ("Kabupaten/Kota", {
        "Paser", "Kutai Barat", "Kutai Kartanegara", "Kutai Timur", "Berau", "Penajam Paser Utara", "Mahakam Ulu",
        "Balikpapan", "Samarinda", "Bontang", "Kalimantan Timur"}),
    "sd-long-ikis.xlsx": ("Kecamatan", {"Long Ikis"}),
    "luas-panen-padi-paser-2023.csv": ("Kecamatan", {"Tanah Grogot", "Kuaro", "Long Ikis", "Paser Belengkong",
                                                     "Batu Engau"}),
}
TOTAL_ROWS = {"Kabupaten Paser"}


@pytest.fixture
def demo_url() -> Iterator[str]:
    with serving(demo_harvest.DemoHandler) as port:
        yield f"http://127.0.0.1:{port}"


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def download_links(base: str) -> dict[str, str]:
    """file name → URL of every download link the served package_search and catalog.ttl give."""
    search = json.loads(_get(f"{base}/ckan/api/3/action/package_search?rows=1000"))["result"]
    urls = [resource["url"] for dataset in search["results"] for resource in dataset["resources"]]
    assert len(urls) == sum(dataset["num_resources"] for dataset in search["results"])
    graph = rdflib.Graph().parse(data=_get(f"{base}/dcat/catalog.ttl").decode("utf-8"), format="turtle")
    urls += [str(url) for url in graph.objects(None, DCAT.downloadURL)]
    assert all(url.startswith(f"{base}/kaltim/dataset/") and "/download/" in url for url in urls), urls
    return {url.rsplit("/", 1)[1]: url for url in urls}


def _raw(base: str, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """A request with the path sent exactly as given (no client normalising ``..``)."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_every_download_link_serves_a_table_of_its_regions(demo_url: str):
    links = download_links(demo_url)
    assert set(links) == set(EXPECTED)
    paser_kecamatan = {k.nama for k in kecamatan_list()}
    for name, url in links.items():
        extension = name.rsplit(".", 1)[1]
        path = url.removeprefix(demo_url)
        code, headers, body = _raw(demo_url, "GET", path)
        assert code == 200 and body, (name, code)
        assert headers["Content-Type"] == CONTENT_TYPES[extension]
        head_code, head_headers, head_body = _raw(demo_url, "HEAD", path)
        assert (head_code, head_body, head_headers["Content-Length"]) == (200, b"", str(len(body)))

        # as the DataStore loader reads it: downloaded by the checks' fetch, the first sheet holding a table
        data = check_jobs.file_of({"url": url, "format": extension.upper()})
        assert data == body
        sheets = read_table(data, format=extension.upper(), filename=name)
        table = table_from_sheet(sheets[0])
        assert list(table.values())  # typed for COPY without a cell its column's type refuses
        region_column, regions = EXPECTED[name]
        index = [column.name for column in table.columns].index(region_column)
        named = {cell_text(row[index]) for row in table.rows} - {""}
        assert named - TOTAL_ROWS == regions, name

        # as the figures check reads it
        result = normalise_sheets(sheets, TableDescription())
        if region_column != "Kecamatan":
            assert [problem.message for problem in result.problems] == [NO_REGION_COLUMN]
            continue
        assert regions <= paser_kecamatan
        assert result.problems == [], (name, [problem.text for problem in result.problems])
        codes = {figure.region_code for figure in result.figures if figure.region_level == "kecamatan"}
        assert codes == {kecamatan_by_name(region).kode_kemendagri for region in regions}, name


@pytest.mark.parametrize("path", [
    "/kaltim/dataset/x/download/build.py",  # the folder's build script is no download
    "/kaltim/dataset/x/resource/y/download/tidak-ada.csv",
    "/kaltim/dataset/x/download/../../ckan/package_search.json",
    "/kaltim/dataset/x/download/..%2F..%2Fckan%2Fpackage_search.json",
    "/kaltim/dataset/x/download/%2e%2e%2fharvest.py",
    "/kaltim/dataset/x/download/",
    "/kaltim/sd-long-ikis.xlsx",
    "/kaltim/dataset/download/sd-long-ikis.xlsx",
    "/kaltim/dataset/x/download/sd-long-ikis.xlsx/",
    "/spreadsheet/../kaltim/sd-long-ikis.xlsx",
])
def test_nothing_else_is_served_under_kaltim(demo_url: str, path: str):
    code, _, body = _raw(demo_url, "GET", path)
    assert code == 404 and b"Not found" in body


def test_harvested_links_load_into_the_datastore_and_are_checked(sysadmin: dict[str, Any], demo_url: str):
    """What the demo build (tests/journeys/demo_build.py) requires of every harvested table: loaded and checked."""
    owner = factories.Organization(name="satu-data-kaltim")
    resources = [{"name": name, "url": url, "format": name.rsplit(".", 1)[1].upper()}
                 for name, url in download_links(demo_url).items()]
    dataset = helpers.call_action("package_create", {"user": sysadmin["name"]}, name="tabel-kaltim",
                                  owner_org=owner["id"], jenis_data="statistik", klasifikasi="terbuka",
                                  tingkat_penyajian="kabupaten", resources=resources)
    for resource in dataset["resources"]:
        loader_jobs.load_resource(resource["id"])
        check_jobs.check_resource(resource["id"], evaluate=False)
        loaded, checked = status.get(resource["id"]), store.get_check(resource["id"])
        assert loaded["status"] == status.DONE and loaded["rows"], (resource["name"], loaded)
        assert checked["status"] == store.DONE, (resource["name"], checked)
        records = helpers.call_action("datastore_search", resource_id=resource["id"], limit=100)["records"]
        assert len(records) == loaded["rows"]
