"""The bundle's one fetch (ckanext.paser.fetch), against a local server: what every harvester and the checks'
downloads rely on."""
from __future__ import annotations

import pytest
from ckanext.paser import fetch
from ckanext.paser.harvesters import base
from harvesters.conftest import QuietHandler, serving

PAGES: dict[str, tuple[int, str, bytes]] = {
    "/array.json": (200, "application/json", b"[1, 2, 3]"),
    "/object.json": (200, "application/json", b'{"data": [1]}'),
    "/bom.json": (200, "application/json", b'\xef\xbb\xbf{"ok": true}'),
    "/login": (200, "text/plain", b"\n  <!DOCTYPE html><html><body>Masuk</body></html>"),
    "/truncated.json": (200, "application/json", b'{"data": [1, 2'),
    "/missing": (404, "text/html", b"<html>not here</html>"),
}
asked: list[str] = []


class Handler(QuietHandler):
    def do_GET(self) -> None:
        asked.append(self.path)
        if self.path.startswith("/big"):  # no Content-Length: the cap must hold while reading
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.end_headers()
            for _ in range(64):
                self.wfile.write(b"x" * 4096)
            return
        if self.path == "/to-array":
            self.send_response(302)
            self.send_header("Location", "/array.json")
            self.end_headers()
            return
        status, content_type, body = PAGES.get(self.path.split("?")[0], (404, "text/plain", b"?"))
        self._send(status, body, content_type)


@pytest.fixture(scope="module")
def server() -> str:
    with serving(Handler) as port:
        yield f"http://127.0.0.1:{port}"


BOUNDS = {"timeout": 5, "max_bytes": 100_000}


def test_a_json_array_is_reported_as_not_an_object_not_as_a_bad_configuration(server):
    with pytest.raises(fetch.FetchError) as raised:
        fetch.get_json_object(f"{server}/array.json", **BOUNDS)
    assert str(raised.value) == f"The response of {server}/array.json is JSON but not an object."
    # the harvesters' reading says the same (it once said "the configuration must be a JSON object")
    with pytest.raises(base.SourceError) as through_harvesters:
        base.get_json(f"{server}/to-array")
    assert through_harvesters.value.message == fetch.NOT_AN_OBJECT
    # and a configuration that is an array still says the configuration is wrong
    with pytest.raises(base.ConfigError) as config:
        base.config_object("[1]")
    assert str(config.value) == "the configuration must be a JSON object"


def test_objects_pages_and_broken_json(server):
    assert fetch.get_json_object(f"{server}/object.json", **BOUNDS) == {"data": [1]}
    assert fetch.get_json_object(f"{server}/bom.json", **BOUNDS) == {"ok": True}
    with pytest.raises(fetch.FetchError) as page:
        fetch.get_json_object(f"{server}/login", **BOUNDS)
    assert page.value.message == fetch.HTML_INSTEAD_OF_JSON
    with pytest.raises(fetch.FetchError) as truncated:
        fetch.get_json_object(f"{server}/truncated.json", **BOUNDS)
    assert truncated.value.message == fetch.MALFORMED_JSON
    with pytest.raises(fetch.FetchError) as missing:
        fetch.get(f"{server}/missing", **BOUNDS)
    assert (missing.value.message, missing.value.reason) == (fetch.HTTP_STATUS, "HTTP 404")


def test_the_size_cap_holds_without_a_content_length(server):
    with pytest.raises(fetch.FetchError) as raised:
        fetch.get(f"{server}/big", timeout=5, max_bytes=50_000)
    assert raised.value.message == fetch.TOO_LARGE
    assert len(fetch.get(f"{server}/big", timeout=5, max_bytes=300_000).body) == 64 * 4096


def test_secrets_never_reach_the_message(server):
    with pytest.raises(fetch.FetchError) as raised:
        fetch.get(f"{server}/missing?key=rahasia-123&x=1", secrets=["rahasia-123"], **BOUNDS)
    assert "rahasia-123" not in str(raised.value) and "key=***" in str(raised.value)
    closed = "http://127.0.0.1:9/data/token/rahasia-456?token=rahasia-456"
    with pytest.raises(fetch.FetchError) as unreachable:
        fetch.get(closed, secrets=["rahasia-456"], **BOUNDS)
    assert unreachable.value.message == fetch.UNREACHABLE and "rahasia-456" not in str(unreachable.value)


def test_the_portal_s_own_network_is_refused_before_any_request(server):
    asked.clear()
    for url in (f"{server}/object.json", "http://localhost:9/x.csv", "http://169.254.169.254/latest/meta-data",
                "http://[::1]:9/x", "http://10.0.0.8/x.csv"):
        with pytest.raises(fetch.FetchError) as raised:
            fetch.get(url, refuse_private=True, **BOUNDS)
        assert raised.value.message == fetch.PRIVATE_ADDRESS, url
    assert asked == []
    with pytest.raises(fetch.FetchError) as unknown:
        fetch.get("http://nama-yang-tidak-ada.invalid/x.csv", refuse_private=True, **BOUNDS)
    assert (unknown.value.message, unknown.value.reason) == (fetch.UNREACHABLE, "unknown host")


@pytest.mark.parametrize(("body", "content_type", "html"), [
    (b"<!DOCTYPE html><html></html>", "", True),
    (b"\xef\xbb\xbf  <html lang='id'>", "application/octet-stream", True),
    (b"<head><title>Login</title></head>", "", True),
    (b"Kecamatan;Jumlah\nKuaro;1", "text/html; charset=utf-8", True),  # a server that says HTML means it
    (b'<?xml version="1.0"?><rdf:RDF><dct:description rdf:parseType="Literal"><html/></dct:description>', "", False),
    (b'<?xml version="1.0"?><rdf:RDF></rdf:RDF>', "application/rdf+xml", False),
    (b"PK\x03\x04 workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),
    (b'{"result": {}}', "application/json", False),
])
def test_one_sniffer_tells_pages_from_data(body, content_type, html):
    assert fetch.looks_like_html(body, content_type) is html
    if "html" not in content_type:  # the RDF harvester sniffs decoded text, without the header
        assert fetch.looks_like_html(body.decode("utf-8", errors="replace")) is html
