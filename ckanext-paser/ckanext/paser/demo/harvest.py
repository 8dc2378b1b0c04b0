"""Demo harvest sources: a local server imitating another CKAN portal and a DCAT catalogue (with the files their
download links name), the BPS WebAPI and an OPD's folder of workbooks (``remote/``), and the harvest sources of each
type pointing at it, so a newcomer sees a harvest happen.

Used by ``ckan paser harvest demo-server`` and ``ckan paser harvest demo-sources`` (``make run`` runs both).
"""
from __future__ import annotations

import http.server
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REMOTE = Path(__file__).parent / "remote"
REMOTE_HOST = "https://data.kaltimprov.go.id"
_DOWNLOAD_LINK = re.compile(re.escape(REMOTE_HOST) + r"(/dataset/[^\s\"<>]+/download/[^\s\"<>]+)")
DEMO_OWNER = "diskominfostaper"
# The demo sources' secrets, as an operator configures them (docs/harvesters.md): values found nowhere else, so
# the journey tests (tests/journeys) can tell that no page or answer shows them to who may not edit the source.
DEMO_BPS_KEY = "demo-bps-kunci-5d1f0c93"
DEMO_CKAN_KEY = "demo-kaltim-token-8e27b4a1"
DEMO_SECRETS = (DEMO_BPS_KEY, DEMO_CKAN_KEY)


@dataclass(frozen=True)
class DemoSource:
    name: str
    title: str
    source_type: str
    path: str  # appended to the server's base URL
    config: dict[str, Any]


DEMO_SOURCES = (
    DemoSource("demo-kaltim-ckan", "Demo: portal CKAN Provinsi Kalimantan Timur", "paser_ckan", "/ckan",
               {"default_tags": [{"name": "kaltim"}], "api_key": DEMO_CKAN_KEY}),
    DemoSource("demo-kaltim-dcat", "Demo: katalog DCAT Provinsi Kalimantan Timur", "dcat_rdf", "/dcat/catalog.ttl",
               {"rdf_format": "turtle",
                "organizations": {"Dinas Pendidikan dan Kebudayaan Provinsi Kalimantan Timur": "disdik"}}),
    DemoSource("demo-bps-webapi", "Demo: BPS WebAPI Kabupaten Paser", "bps", "/bps/v1/api/",
               {"domain": "6401", "api_key": DEMO_BPS_KEY, "lang": "ind", "subjects": ["12"],
                "organization": "bps-paser"}),
    DemoSource("demo-disdukcapil-excel", "Demo: folder tabel Excel Disdukcapil", "spreadsheet", "/spreadsheet/",
               {"organization": "disdukcapil", "frequency": "tahunan"}),
)
_WORKBOOK_TYPES = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   ".csv": "text/csv; charset=windows-1252", ".html": "text/html; charset=utf-8"}
# The files behind the portal's download links (``_read`` points them here), by the link's last segment.
_DOWNLOAD_PATH = re.compile(r"^/kaltim/dataset/.+/download/([^/]+)$")
_DOWNLOAD_TYPES = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   ".csv": "text/csv; charset=utf-8"}


def _search_page(base: str, query: str) -> bytes:
    results = json.loads(_read(base, REMOTE / "ckan" / "package_search.json"))["result"]["results"]
    start = int(match.group(1)) if (match := re.search(r"(?:^|&)start=(\d+)", query)) else 0
    rows = int(match.group(1)) if (match := re.search(r"(?:^|&)rows=(\d+)", query)) else 10
    return json.dumps({"success": True, "result": {"count": len(results), "results": results[start:start + rows],
                                                   "sort": "id asc", "facets": {}, "search_facets": {}}}).encode()


def _read(base: str, path: Path) -> str:
    """The file with its download links pointing at this server (the checks read linked CSV files). Identifiers
    (dataset and distribution URIs) keep the remote host, so a server on another port is the same source."""
    return _DOWNLOAD_LINK.sub(lambda match: f"{base}/kaltim{match.group(1)}", path.read_text("utf-8"))


def _download_file(path: str) -> Path | None:
    """The file of remote/kaltim/ a download link names; looked up among the folder's files, so a name with a
    separator, ``..`` or an escape names none."""
    if not (match := _DOWNLOAD_PATH.match(path)):
        return None
    files = {found.name: found for found in (REMOTE / "kaltim").iterdir()
             if found.suffix in _DOWNLOAD_TYPES and found.is_file()}
    return files.get(match.group(1))


def _bps_file(path: str) -> Path | None:
    if (match := re.search(r"/list/model/var/lang/\w+/domain/\d+/page/(\d+)/key/", path)):
        return REMOTE / "bps" / f"var_page{match.group(1)}.json"
    if (match := re.search(r"/list/model/data/lang/\w+/domain/\d+/var/(\d+)/key/", path)):
        return REMOTE / "bps" / f"data_{match.group(1)}.json"
    return None


class DemoHandler(http.server.BaseHTTPRequestHandler):
    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        base = f"http://{self.server.server_address[0]}:{self.server.server_address[1]}"
        path, _, query = self.path.partition("?")
        if path == "/ckan/api/3/action/package_search":
            return self._send(200, _search_page(base, query), "application/json;charset=utf-8")
        if path == "/dcat/catalog.ttl":
            return self._send(200, _read(base, REMOTE / "dcat" / "catalog.ttl").encode(), "text/turtle;charset=utf-8")
        if (found := _download_file(path)) is not None:
            return self._send(200, found.read_bytes(), _DOWNLOAD_TYPES[found.suffix])
        if path.startswith("/bps/") and (found := _bps_file(path)) and found.exists():
            return self._send(200, found.read_bytes(), "application/json")
        if path.startswith("/spreadsheet/"):
            name = path.removeprefix("/spreadsheet/") or "index.html"
            found = REMOTE / "spreadsheet" / name
            if "/" not in name and found.suffix in _WORKBOOK_TYPES and found.exists():
                return self._send(200, found.read_bytes(), _WORKBOOK_TYPES[found.suffix])
        self._send(404, b'{"success": false, "error": {"message": "Not found"}}', "application/json")


def serve(host: str, port: int) -> None:
    with http.server.ThreadingHTTPServer((host, port), DemoHandler) as httpd:
        httpd.serve_forever()


def ensure_sources(base_url: str, user: str) -> list[tuple[str, str]]:
    """Creates the demo harvest sources, or points existing ones at ``base_url``: [(name, created|updated)]."""
    import ckan.plugins.toolkit as tk

    from ..harvesters.base import ensure_reference_organization

    owner = ensure_reference_organization(DEMO_OWNER)
    done = []
    for source in DEMO_SOURCES:
        values = {"name": source.name, "title": source.title, "url": base_url.rstrip("/") + source.path,
                  "source_type": source.source_type, "config": json.dumps(source.config), "frequency": "MANUAL",
                  "owner_org": owner}
        context = {"user": user}
        try:
            existing = tk.get_action("harvest_source_show")(dict(context), {"id": source.name})
        except tk.ObjectNotFound:
            tk.get_action("harvest_source_create")(dict(context), values)
            done.append((source.name, "created"))
            continue
        if existing["url"] != values["url"] or existing.get("config") != values["config"]:
            tk.get_action("harvest_source_update")(dict(context), {**values, "id": existing["id"]})
            done.append((source.name, "updated"))
        else:
            done.append((source.name, "unchanged"))
    return done
