"""What every Paser harvester shares: bounded HTTP reads, JSON with clear errors, secret redaction, and the Satu
Data defaults of a harvested dataset.

A remote source fails in many ways (unreachable, slow, an HTML error page from a proxy, truncated JSON, a runaway
response). Each becomes a ``SourceError`` whose message names the address (secrets redacted) and the cause, so the
harvest job or object shows what went wrong; nothing is imported from a failed read.
"""
from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

import ckan.plugins.toolkit as tk
import requests

from ..localization import N_

log = logging.getLogger(__name__)

CONFIG_TIMEOUT = "ckanext.paser.harvesters.timeout"
CONFIG_MAX_RESPONSE_SIZE = "ckanext.paser.harvesters.max_response_size"
DEFAULT_TIMEOUT = 60
DEFAULT_MAX_RESPONSE_SIZE = 20 * 1024 * 1024
CHUNK = 64 * 1024
REDACTED = "***"

# Messages (English msgids with named placeholders; job reports keep the English rendering).
UNREACHABLE = N_("The source %(url)s cannot be reached: %(reason)s.")
TIMED_OUT = N_("The source %(url)s did not answer within %(seconds)s seconds.")
HTTP_STATUS = N_("The source %(url)s answered with HTTP status %(status)s.")
TOO_LARGE = N_("The response of %(url)s is larger than the limit of %(limit)s bytes and was not read.")
HTML_INSTEAD_OF_JSON = N_("The source %(url)s returned an HTML page instead of JSON (an error or login page?).")
MALFORMED_JSON = N_("The response of %(url)s is not valid JSON: %(reason)s.")
NOT_AN_OBJECT = N_("The response of %(url)s is JSON but not an object.")
HTML_INSTEAD_OF_FILE = N_("The source %(url)s returned an HTML page instead of a %(kind)s (an error or login page?).")


# Messages of an invalid source configuration shared by the harvesters (msgids; params filled when shown).
NOT_JSON = N_("the configuration is not valid JSON: %(reason)s")
NOT_AN_OBJECT = N_("the configuration must be a JSON object")
UNKNOWN_KEYS = N_("unknown keys %(keys)s (known: %(known)s)")
BAD_CHOICE = N_("%(key)s must be one of %(choices)s")
BAD_TIMEOUT = N_("timeout must be a number of seconds between 0 and 600")
NOT_A_TEXT = N_("%(key)s must be a text")


class MessageError(Exception):
    """An error whose ``message`` is a msgid and ``params`` its values (as texts); ``str()`` renders it."""

    def __init__(self, message: str, params: Mapping[str, Any] | None = None):
        self.message = message
        self.params = {key: str(value) for key, value in (params or {}).items()}
        super().__init__(message % self.params)


class ConfigError(MessageError, ValueError):
    """An invalid source configuration: ``message`` is a msgid, ``params`` its values."""


def translated(error: MessageError) -> str:
    """The error in the reader's language; its English text outside a request or without a translation."""
    msgid = error.message
    try:
        return tk._(msgid) % error.params
    except (RuntimeError, KeyError, TypeError, ValueError):
        return str(error)


class SourceError(MessageError):
    """A failed read of a remote source, with a message for the job report (secrets already redacted)."""

    @property
    def text(self) -> str:
        return str(self)


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every secret replaced by ``***`` (also URL-encoded forms and ``key/...`` path segments)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED).replace(requests.utils.quote(secret, safe=""), REDACTED)
    return re.sub(r"([?&](?:key|api_key|token)=)[^&#\s]+", r"\1" + REDACTED, text)


# Every secret a harvester has sent, kept out of the logs of this process.
_SECRETS_IN_USE: set[str] = set()


class _RedactingFilter(logging.Filter):
    """Keeps the secrets of running harvests out of the HTTP libraries' debug logs (urllib3 logs each path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _SECRETS_IN_USE:
            message = record.getMessage()
            cleaned = redact(message, _SECRETS_IN_USE)
            if cleaned != message:
                record.msg, record.args = cleaned, ()
        return True


_REDACTING_FILTER = _RedactingFilter()
for _name in ("urllib3.connectionpool", "requests"):
    logging.getLogger(_name).addFilter(_REDACTING_FILTER)


def configured_timeout() -> float:
    return float(tk.config.get(CONFIG_TIMEOUT) or DEFAULT_TIMEOUT)


def configured_max_size() -> int:
    return int(tk.config.get(CONFIG_MAX_RESPONSE_SIZE) or DEFAULT_MAX_RESPONSE_SIZE)


def http_get(url: str, *, timeout: float | None = None, max_bytes: int | None = None,
             secrets: Iterable[str | None] = (), headers: Mapping[str, str] | None = None) -> tuple[bytes, str]:
    """GET ``url``: (body, content type). The whole exchange is bounded by ``timeout`` seconds and the body by
    ``max_bytes``; every failure raises ``SourceError`` with the URL redacted."""
    timeout = configured_timeout() if timeout is None else timeout
    max_bytes = configured_max_size() if max_bytes is None else max_bytes
    secrets = list(secrets)
    _SECRETS_IN_USE.update(secret for secret in secrets if secret)
    shown = redact(url, secrets)
    deadline = time.monotonic() + timeout
    try:
        with requests.get(url, timeout=(timeout, timeout), stream=True, allow_redirects=True,
                          headers={"Accept": "application/json", "User-Agent": "ckanext-paser harvester",
                                   **(headers or {})}) as response:
            if response.status_code != 200:
                raise SourceError(HTTP_STATUS, {"url": shown, "status": response.status_code})
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise SourceError(TOO_LARGE, {"url": shown, "limit": max_bytes})
            body = bytearray()
            for chunk in response.iter_content(CHUNK):
                body.extend(chunk)
                if len(body) > max_bytes:
                    raise SourceError(TOO_LARGE, {"url": shown, "limit": max_bytes})
                if time.monotonic() > deadline:
                    raise SourceError(TIMED_OUT, {"url": shown, "seconds": _seconds(timeout)})
            return bytes(body), response.headers.get("Content-Type", "")
    except requests.Timeout:
        raise SourceError(TIMED_OUT, {"url": shown, "seconds": _seconds(timeout)}) from None
    except requests.RequestException as error:
        reason = redact(_reason(error), secrets)
        raise SourceError(UNREACHABLE, {"url": shown, "reason": reason}) from None


def get_json(url: str, *, secrets: Iterable[str | None] = (), timeout: float | None = None,
             max_bytes: int | None = None) -> dict[str, Any]:
    """GET ``url`` and parse a JSON object; HTML pages and malformed JSON raise ``SourceError``."""
    secrets = list(secrets)
    body, content_type = http_get(url, timeout=timeout, max_bytes=max_bytes, secrets=secrets)
    shown = redact(url, secrets)
    start = body.lstrip()[:15].lower()
    if "html" in content_type.lower() or start.startswith((b"<!doctype", b"<html", b"<")):
        raise SourceError(HTML_INSTEAD_OF_JSON, {"url": shown})
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SourceError(MALFORMED_JSON, {"url": shown, "reason": redact(str(error), secrets)}) from None
    if not isinstance(data, dict):
        raise SourceError(NOT_AN_OBJECT, {"url": shown})
    return data


def looks_like_html(body: bytes, content_type: str = "") -> bool:
    """Whether a response is an HTML page (a proxy's error page, a login form) rather than the data asked for."""
    start = body.lstrip()[:15].lower()
    return "html" in content_type.lower() or start.startswith((b"<!doctype", b"<html", b"<head", b"<body"))


def get_file(url: str, kind: str, *, secrets: Iterable[str | None] = (), timeout: float | None = None,
             max_bytes: int | None = None) -> bytes:
    """GET a data file (``kind`` names it in messages: "workbook"); an HTML page raises ``SourceError``."""
    secrets = list(secrets)
    body, content_type = http_get(url, timeout=timeout, max_bytes=max_bytes, secrets=secrets,
                                  headers={"Accept": "*/*"})
    if looks_like_html(body, content_type):
        raise SourceError(HTML_INSTEAD_OF_FILE, {"url": redact(url, secrets), "kind": kind})
    return body


def write_upload(resource_id: str, data: bytes) -> Callable[[], None]:
    """Put ``data`` where CKAN keeps the upload of ``resource_id``; returns a function putting back what was there
    (for an import the dataset update then refuses)."""
    import os
    import uuid

    from ckan.lib.uploader import get_resource_uploader

    path = get_resource_uploader({"id": resource_id}).get_path(resource_id)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    previous = None
    if os.path.exists(path):
        with open(path, "rb") as handle:
            previous = handle.read()
    temporary = f"{path}.harvest-{uuid.uuid4().hex}"
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)

    def restore() -> None:
        if previous is None:
            if os.path.exists(path):
                os.remove(path)
            return
        with open(temporary, "wb") as handle:
            handle.write(previous)
        os.replace(temporary, path)

    return restore


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _reason(error: requests.RequestException) -> str:
    """A short cause: the innermost exception's class and text (connection refused, name not resolved...)."""
    inner: BaseException = error
    while True:
        nxt = getattr(inner, "reason", None) or inner.__cause__ or inner.__context__
        if nxt is None or nxt is inner or not isinstance(nxt, BaseException):
            break
        inner = nxt
    text = str(inner)
    match = re.search(r"\[Errno -?\d+\] ([^'\")]+)", text)
    return match.group(1).strip() if match else (text or error.__class__.__name__)[:200]


# --- the Paser dataset ---------------------------------------------------------------------------------------

def satu_data_defaults(**fields: Any) -> dict[str, Any]:
    """The Satu Data fields of a harvested public statistic, overridden by ``fields`` (empty values dropped)."""
    values: dict[str, Any] = {
        "type": "dataset",
        "jenis_data": "statistik",
        "klasifikasi": "terbuka",
        "tingkat_penyajian": "kabupaten",
        "walidata": "Diskominfostaper",
        "license_id": "cc-by",
    }
    values.update(fields)
    return {key: value for key, value in values.items() if value not in (None, "", [], {})}


class SourceSettings(Protocol):
    """What a harvest source configuration says of all its datasets."""

    @property
    def klasifikasi(self) -> str: ...

    @property
    def walidata(self) -> str: ...

    @property
    def urusan(self) -> tuple[str, ...]: ...


def harvested_dataset(source: SourceSettings, notes: Iterable[str | None], **fields: Any) -> dict[str, Any]:
    """An active harvested dataset: the source's klasifikasi, walidata and urusan, ``notes``' non-empty parts as
    paragraphs, then ``fields``, over the Satu Data defaults."""
    return satu_data_defaults(state="active", klasifikasi=source.klasifikasi, walidata=source.walidata or None,
                              urusan=list(source.urusan), notes="\n\n".join(part for part in notes if part),
                              **fields)


def organization_id(name_or_id: str) -> str | None:
    """The id of an active organisation, or None."""
    try:
        org = tk.get_action("organization_show")({"ignore_auth": True},
                                                 {"id": name_or_id, "include_datasets": False,
                                                  "include_users": False, "include_extras": False})
    except tk.ObjectNotFound:
        return None
    return org["id"] if org.get("state") == "active" else None


def ensure_reference_organization(name: str) -> str | None:
    """The id of organisation ``name``; created as ``ckan paser seed`` would when the OPD list has it."""
    found = organization_id(name)
    if found:
        return found
    from ..publishers import seed

    spec = next((spec for spec in seed.dinas_specs() if spec.name == name), None)
    if spec is None:
        return None
    seed.Seeder().apply(spec)
    return organization_id(name)


def producer_id(name: str) -> str | None:
    """The id of the producer organisation ``name`` (created from the OPD list if need be); None without one."""
    return (organization_id(name) or ensure_reference_organization(name)) if name else None
