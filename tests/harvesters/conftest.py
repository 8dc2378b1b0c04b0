"""Local remote sources on 127.0.0.1 with their failure modes: a BPS WebAPI (fixtures/bps/*.json) and a portal
serving a CKAN action API and a DCAT catalogue (fixtures/ckan, fixtures/dcat), and an OPD web server publishing
workbooks under a directory listing page (fixtures/spreadsheet), all served through ``serving``; and the
harvesting ``sysadmin``."""
from __future__ import annotations

import http.server
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from ckan.tests import factories

FIXTURES = Path(__file__).parent / "fixtures" / "bps"
API_KEY = "kunci-rahasia-6401"

HTML_ERROR_PAGE = b"""<!DOCTYPE html>
<html><head><title>Sedang Dalam Pemeliharaan | Badan Pusat Statistik</title></head>
<body><h1>Mohon maaf, layanan sedang dalam pemeliharaan.</h1><p>Silakan coba beberapa saat lagi.</p></body></html>
"""
MALFORMED = b'{"status":"OK","data-availability":"available","last_update":"2025-02-27 10:15:02","datacontent":{"640101'
SLOW_SECONDS = 4.0
SERVER_ERROR_PAGE = b"<html><body><h1>500 Internal Server Error</h1></body></html>"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def sysadmin(clean_db, clean_index, clean_redis) -> dict[str, Any]:
    return factories.Sysadmin(name="admin-harvest")


# --- serving on 127.0.0.1 ------------------------------------------------------------------------------------

@dataclass
class LocalServer:
    """A source on 127.0.0.1: ``failures`` maps a path fragment to a failure mode, ``requests`` lists the paths
    asked for."""

    port: int = 0
    failures: dict[str, str] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """A request handler that logs nothing, with the failure modes every local source shares."""

    def _send(self, status: int, body: bytes, content_type: str, length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _failure(self, failures: dict[str, str], path: str) -> str | None:
        """The failure mode of ``path``: after "slow" the answer comes late, "500" has been answered."""
        mode = next((mode for fragment, mode in failures.items() if fragment in path), None)
        if mode == "slow":
            time.sleep(SLOW_SECONDS)
        elif mode == "500":
            self._send(500, SERVER_ERROR_PAGE, "text/html")
        return mode

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def serving(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[int]:
    """Serves ``handler`` on a free port of 127.0.0.1 (yielded) until the block ends."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


ServerT = TypeVar("ServerT", bound=LocalServer)


def _serve(server: ServerT, handler: Callable[[ServerT], type[http.server.BaseHTTPRequestHandler]]
           ) -> Iterator[ServerT]:
    """The body of a server fixture: ``server`` answered by ``handler(server)`` for the test's duration."""
    with serving(handler(server)) as port:
        server.port = port
        yield server


# --- a BPS WebAPI (fixtures/bps) -------------------------------------------------------------------------------

@dataclass
class BpsServer(LocalServer):
    """Serves the fixtures under /v1/api/. ``responses`` replaces a fixture file by a dict (changed data, removed
    variables); failure modes: html, malformed, huge, slow, 500."""

    responses: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/api/"

    def fixture_for(self, path: str) -> str | None:
        if (match := re.search(r"/list/model/var/lang/\w+/domain/\d+/page/(\d+)/key/", path)):
            return f"var_page{match.group(1)}.json"
        if (match := re.search(r"/list/model/data/lang/\w+/domain/\d+/var/(\d+)/key/", path)):
            return f"data_{match.group(1)}.json"
        return None


def _handler(server: BpsServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:
            server.requests.append(self.path)
            mode = self._failure(server.failures, self.path)
            if mode == "500":
                return None
            if mode == "html":
                return self._send(200, HTML_ERROR_PAGE, "text/html; charset=UTF-8")
            if mode == "malformed":
                return self._send(200, MALFORMED, "application/json")
            if mode == "huge":
                # valid JSON, far over the configured limit, streamed without a Content-Length
                filler = json.dumps({"status": "OK", "padding": "x" * 3_000_000}).encode()
                return self._send(200, filler, "application/json", length=False)
            if f"/key/{API_KEY}/" not in self.path:
                return self._send(200, json.dumps({"status": "Error", "message": "Invalid API key"}).encode(),
                                  "application/json")
            name = server.fixture_for(self.path)
            if name is None:
                return self._send(404, b'{"status":"Error","message":"Not found"}', "application/json")
            payload = server.responses.get(name)
            body = json.dumps(payload).encode() if payload is not None else (FIXTURES / name).read_bytes()
            self._send(200, body, "application/json")

    return Handler


@pytest.fixture
def bps_server() -> Iterator[BpsServer]:
    yield from _serve(BpsServer(), _handler)


@pytest.fixture
def refused_url() -> str:
    """A base URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1/api/"


# --- other portals: a CKAN action API and a DCAT catalogue (fixtures/ckan, fixtures/dcat) -------------------

PORTAL_FIXTURES = Path(__file__).parent / "fixtures"
MALFORMED_BY_TYPE = {
    "json": b'{"help": "https://data.kaltimprov.go.id/api/3/action/help_show", "success": true, "result": {"count": 2, "res',
    "turtle": b'@prefix dcat: <http://www.w3.org/ns/dcat#> .\n<https://data.kaltimprov.go.id/dataset/x> a dcat:Dataset ;\n'
              b'    dcat:keyword "padi" "pertanian ;\n',
}


@dataclass
class PortalServer(LocalServer):
    """A remote portal: ``/api/3/action/package_search`` pages through ``fixtures/ckan/package_search.json`` (or
    ``search_results``), ``/catalog.ttl`` serves ``fixtures/dcat/catalog.ttl`` (or ``catalog``). Failure modes:
    html, malformed, slow, 500."""

    search_results: list[dict[str, Any]] | None = None
    catalog: str | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def search_page(self, query: str) -> bytes:
        results = self.search_results
        if results is None:
            results = json.loads((PORTAL_FIXTURES / "ckan" / "package_search.json").read_text("utf-8"))["result"][
                "results"]
        start = int(m.group(1)) if (m := re.search(r"(?:^|&)start=(\d+)", query)) else 0
        rows = int(m.group(1)) if (m := re.search(r"(?:^|&)rows=(\d+)", query)) else 10
        page = results[start:start + rows]
        return json.dumps({"help": f"{self.base_url}/api/3/action/help_show?name=package_search", "success": True,
                           "result": {"count": len(results), "facets": {}, "results": page,
                                      "sort": "id asc", "search_facets": {}}}).encode()


def _portal_handler(server: PortalServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def do_HEAD(self) -> None:
            self.do_GET()

        def do_GET(self) -> None:
            server.requests.append(f"{self.command} {self.path}")
            path, _, query = self.path.partition("?")
            kind = "turtle" if path.endswith(".ttl") else "json"
            mode = self._failure(server.failures, self.path)
            if mode == "500":
                return None
            if mode == "html":
                return self._send(200, HTML_ERROR_PAGE.replace(b"Badan Pusat Statistik", b"Satu Data Kaltim"),
                                  "text/html; charset=UTF-8")
            if mode == "malformed":
                return self._send(200, MALFORMED_BY_TYPE[kind],
                                  "text/turtle" if kind == "turtle" else "application/json")
            if path == "/api/3/action/package_search":
                return self._send(200, server.search_page(query), "application/json;charset=utf-8")
            if path == "/catalog.ttl":
                body = server.catalog if server.catalog is not None else \
                    (PORTAL_FIXTURES / "dcat" / "catalog.ttl").read_text("utf-8")
                return self._send(200, body.encode("utf-8"), "text/turtle; charset=utf-8")
            self._send(404, b'{"success": false, "error": {"__type": "Not Found Error", "message": "Not found"}}',
                       "application/json")

    return Handler


@pytest.fixture
def portal_server() -> Iterator[PortalServer]:
    yield from _serve(PortalServer(), _portal_handler)


# --- a local web server publishing an OPD's workbooks (fixtures/spreadsheet) -----------------------------------

SPREADSHEET_FIXTURES = Path(__file__).parent / "fixtures" / "spreadsheet"
CONTENT_TYPES = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 ".csv": "text/csv", ".html": "text/html; charset=UTF-8", ".pdf": "application/pdf"}
PROXY_ERROR_PAGE = b"""<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title></head>
<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>
"""


@dataclass
class WorkbookServer(LocalServer):
    """Serves fixtures/spreadsheet under /data/opd/ (``/data/opd/`` itself is index.html). ``responses`` replaces a
    file's bytes by name, ``removed`` answers 404 for names; failure modes: html (an error page with status 200),
    huge, slow, 500."""

    responses: dict[str, bytes] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)

    @property
    def listing_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/data/opd/"

    def url(self, name: str) -> str:
        return self.listing_url + name

    def body(self, name: str) -> bytes | None:
        if name in self.removed:
            return None
        if name in self.responses:
            return self.responses[name]
        path = SPREADSHEET_FIXTURES / name
        return path.read_bytes() if path.is_file() and name != "build.py" else None


def _workbook_handler(server: WorkbookServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:
            server.requests.append(self.path)
            path = self.path.split("?", 1)[0]
            mode = self._failure(server.failures, path)
            if mode == "500":
                return None
            if mode == "html":
                return self._send(200, PROXY_ERROR_PAGE, "text/html")
            if mode == "huge":
                # a real workbook's start, far over the configured limit, streamed without a Content-Length
                return self._send(200, b"PK\x03\x04" + b"\x00" * 3_000_000, CONTENT_TYPES[".xlsx"], length=False)
            if not path.startswith("/data/opd/"):
                return self._send(404, b"<html><body>Not Found</body></html>", "text/html")
            name = path.removeprefix("/data/opd/") or "index.html"
            body = server.body(name)
            if body is None:
                return self._send(404, b"<html><body>Not Found</body></html>", "text/html")
            suffix = Path(name).suffix.lower()
            self._send(200, body, CONTENT_TYPES.get(suffix, "application/octet-stream"))

    return Handler


@pytest.fixture
def workbook_server() -> Iterator[WorkbookServer]:
    yield from _serve(WorkbookServer(), _workbook_handler)
