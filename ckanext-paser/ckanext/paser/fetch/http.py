"""A bounded GET: timeouts, a size cap, the private-address guard, redacted errors.

A remote source fails in many ways (unreachable, slow, an HTML error page from a proxy, truncated JSON, a runaway
response). Each becomes a ``FetchError`` whose message names the address (secrets redacted) and the cause, and
whose ``reason`` is that cause alone (for callers with messages of their own).
"""
from __future__ import annotations

import ipaddress
import json
import re
import socket
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlparse

import requests

from ..localization import N_
from ..localization.messages import MessageError
from .redaction import redact, remember
from .sniff import looks_like_html

CHUNK = 64 * 1024
MAX_REDIRECTS = 5
USER_AGENT = "ckanext-paser"

UNREACHABLE = N_("The source %(url)s cannot be reached: %(reason)s.")
TIMED_OUT = N_("The source %(url)s did not answer within %(seconds)s seconds.")
HTTP_STATUS = N_("The source %(url)s answered with HTTP status %(status)s.")
TOO_LARGE = N_("The response of %(url)s is larger than the limit of %(limit)s bytes and was not read.")
PRIVATE_ADDRESS = N_("The address %(url)s points into the portal's own network and is not fetched.")
HTML_INSTEAD_OF_JSON = N_("The source %(url)s returned an HTML page instead of JSON (an error or login page?).")
MALFORMED_JSON = N_("The response of %(url)s is not valid JSON: %(reason)s.")
NOT_AN_OBJECT = N_("The response of %(url)s is JSON but not an object.")
HTML_INSTEAD_OF_FILE = N_("The source %(url)s returned an HTML page instead of a %(kind)s (an error or login page?).")


class FetchError(MessageError):
    """A failed read of a remote address (secrets already redacted); ``reason``: the cause in a few words."""

    def __init__(self, message: str, params: Mapping[str, Any] | None = None, reason: str = ""):
        super().__init__(message, params)
        self.reason = reason or str(self)


@dataclass(frozen=True)
class Fetched:
    body: bytes
    content_type: str


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _cause(error: requests.RequestException) -> str:
    """A short cause: the innermost exception's text (connection refused, name not resolved...)."""
    inner: BaseException = error
    while True:
        nxt = getattr(inner, "reason", None) or inner.__cause__ or inner.__context__
        if nxt is None or nxt is inner or not isinstance(nxt, BaseException):
            break
        inner = nxt
    text = str(inner)
    match = re.search(r"\[Errno -?\d+\] ([^'\")]+)", text)
    return match.group(1).strip() if match else (text or error.__class__.__name__)[:200]


def refuse_private_address(url: str, shown: str) -> None:
    """Raise unless every address ``url``'s host resolves to is on the internet (no loopback, private ranges,
    link-local metadata services)."""
    host = urlparse(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError):
        raise FetchError(UNREACHABLE, {"url": shown, "reason": "unknown host"}, reason="unknown host") from None
    for address in addresses:
        if not ipaddress.ip_address(address.split("%")[0]).is_global:
            raise FetchError(PRIVATE_ADDRESS, {"url": shown}, reason="private address")


def get(url: str, *, timeout: float, max_bytes: int, secrets: Iterable[str | None] = (),
        headers: Mapping[str, str] | None = None, refuse_private: bool = False,
        total_timeout: float | None = None) -> Fetched:
    """GET ``url``: its body and content type. The connection and each read are bounded by ``timeout`` seconds,
    the whole exchange by ``total_timeout`` (the same unless given), the body by ``max_bytes``; with ``refuse_private`` no address of the portal's own network is fetched, not even through
    a redirect. Every failure raises ``FetchError`` with the URL redacted."""
    secrets = list(secrets)
    remember(secrets)
    shown = redact(url, secrets)
    total = timeout if total_timeout is None else total_timeout
    deadline = time.monotonic() + total
    sent = {"User-Agent": USER_AGENT, **(headers or {})}
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            if refuse_private:
                refuse_private_address(url, redact(url, secrets))
            with requests.get(url, timeout=(timeout, timeout), stream=True, allow_redirects=not refuse_private,
                              headers=sent) as response:
                if refuse_private and response.is_redirect:
                    url = urljoin(url, response.headers.get("Location", ""))
                    continue
                if response.status_code != 200:
                    raise FetchError(HTTP_STATUS, {"url": shown, "status": response.status_code},
                                     reason=f"HTTP {response.status_code}")
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError(TOO_LARGE, {"url": shown, "limit": max_bytes}, reason="too large")
                body = bytearray()
                for chunk in response.iter_content(CHUNK):
                    body.extend(chunk)
                    if len(body) > max_bytes:
                        raise FetchError(TOO_LARGE, {"url": shown, "limit": max_bytes}, reason="too large")
                    if time.monotonic() > deadline:
                        raise FetchError(TIMED_OUT, {"url": shown, "seconds": _seconds(total)}, reason="timeout")
                return Fetched(bytes(body), response.headers.get("Content-Type", ""))
        raise FetchError(UNREACHABLE, {"url": shown, "reason": "too many redirects"}, reason="too many redirects")
    except requests.Timeout:
        raise FetchError(TIMED_OUT, {"url": shown, "seconds": _seconds(timeout)}, reason="timeout") from None
    except requests.RequestException as error:
        cause = redact(_cause(error), secrets)
        raise FetchError(UNREACHABLE, {"url": shown, "reason": cause}, reason=error.__class__.__name__) from None


def parse_json_object(fetched: Fetched, shown: str, secrets: Iterable[str | None] = ()) -> dict[str, Any]:
    """The JSON object of an answer; an HTML page, malformed JSON or another JSON value raises ``FetchError``."""
    if looks_like_html(fetched.body, fetched.content_type) or fetched.body.lstrip().startswith(b"<"):
        raise FetchError(HTML_INSTEAD_OF_JSON, {"url": shown})
    try:
        data = json.loads(fetched.body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FetchError(MALFORMED_JSON, {"url": shown, "reason": redact(str(error), secrets)}) from None
    if not isinstance(data, dict):
        raise FetchError(NOT_AN_OBJECT, {"url": shown})
    return data


def get_json_object(url: str, *, timeout: float, max_bytes: int, secrets: Iterable[str | None] = (),
                    headers: Mapping[str, str] | None = None) -> dict[str, Any]:
    """GET ``url`` and parse the JSON object it answers."""
    secrets = list(secrets)
    fetched = get(url, timeout=timeout, max_bytes=max_bytes, secrets=secrets,
                  headers={"Accept": "application/json", **(headers or {})})
    return parse_json_object(fetched, redact(url, secrets), secrets)


def get_file(url: str, kind: str, *, timeout: float, max_bytes: int, secrets: Iterable[str | None] = ()) -> bytes:
    """GET a data file (``kind`` names it in messages: "workbook"); an HTML page raises ``FetchError``."""
    secrets = list(secrets)
    fetched = get(url, timeout=timeout, max_bytes=max_bytes, secrets=secrets, headers={"Accept": "*/*"})
    if looks_like_html(fetched.body, fetched.content_type):
        raise FetchError(HTML_INSTEAD_OF_FILE, {"url": redact(url, secrets), "kind": kind})
    return fetched.body
