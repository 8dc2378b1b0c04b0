"""What every Paser harvester shares: reads bounded by the harvesters' configured timeout and size (through the
bundle's one fetch, ``..fetch``), their source configurations parsed with clear errors, and the Satu Data defaults
of a harvested dataset.

A failed read is a ``SourceError`` (the fetch's ``FetchError``) whose message names the address (secrets redacted)
and the cause, so the harvest job or object shows what went wrong; nothing is imported from a failed read.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

import ckan.plugins.toolkit as tk

from .. import fetch
from ..fetch import (  # noqa: F401 - the harvesters' names for the fetch's messages
    HTML_INSTEAD_OF_FILE,
    HTML_INSTEAD_OF_JSON,
    HTTP_STATUS,
    MALFORMED_JSON,
    REDACTED,
    TIMED_OUT,
    TOO_LARGE,
    UNREACHABLE,
    looks_like_html,
    redact,
)
from ..localization import N_
from ..localization.messages import MessageError, translated  # noqa: F401 - re-exported for the harvesters

log = logging.getLogger(__name__)

# A failed read of a source, as the harvesters name it.
SourceError = fetch.FetchError

CONFIG_TIMEOUT = "ckanext.paser.harvesters.timeout"
CONFIG_MAX_RESPONSE_SIZE = "ckanext.paser.harvesters.max_response_size"
DEFAULT_TIMEOUT = 60
DEFAULT_MAX_RESPONSE_SIZE = 20 * 1024 * 1024

# Messages of an invalid source configuration shared by the harvesters (msgids; params filled when shown).
NOT_JSON = N_("the configuration is not valid JSON: %(reason)s")
CONFIG_NOT_AN_OBJECT = N_("the configuration must be a JSON object")
UNKNOWN_KEYS = N_("unknown keys %(keys)s (known: %(known)s)")
BAD_CHOICE = N_("%(key)s must be one of %(choices)s")
BAD_TIMEOUT = N_("timeout must be a number of seconds between 0 and 600")
NOT_A_TEXT = N_("%(key)s must be a text")


class ConfigError(MessageError, ValueError):
    """An invalid source configuration: ``message`` is a msgid, ``params`` its values."""


def config_object(text: str | None) -> dict[str, Any]:
    """A source configuration's JSON object (none: empty); ConfigError when it is not JSON or not an object."""
    try:
        data = json.loads(text) if text and text.strip() else {}
    except json.JSONDecodeError as error:
        raise ConfigError(NOT_JSON, {"reason": error}) from None
    if not isinstance(data, dict):
        raise ConfigError(CONFIG_NOT_AN_OBJECT)
    return data


def configured_timeout() -> float:
    return float(tk.config.get(CONFIG_TIMEOUT) or DEFAULT_TIMEOUT)


def configured_max_size() -> int:
    return int(tk.config.get(CONFIG_MAX_RESPONSE_SIZE) or DEFAULT_MAX_RESPONSE_SIZE)


def _bounds(timeout: float | None, max_bytes: int | None) -> dict[str, Any]:
    return {"timeout": configured_timeout() if timeout is None else timeout,
            "max_bytes": configured_max_size() if max_bytes is None else max_bytes}


def http_get(url: str, *, timeout: float | None = None, max_bytes: int | None = None,
             secrets: Iterable[str | None] = (), headers: Mapping[str, str] | None = None) -> tuple[bytes, str]:
    """GET ``url``: (body, content type), within the harvesters' configured bounds unless given."""
    fetched = fetch.get(url, secrets=secrets, headers={"Accept": "application/json", **(headers or {})},
                        **_bounds(timeout, max_bytes))
    return fetched.body, fetched.content_type


def get_json(url: str, *, secrets: Iterable[str | None] = (), timeout: float | None = None,
             max_bytes: int | None = None) -> dict[str, Any]:
    """GET ``url`` and parse a JSON object; HTML pages, malformed JSON and other JSON values raise SourceError."""
    return fetch.get_json_object(url, secrets=secrets, **_bounds(timeout, max_bytes))


def get_file(url: str, kind: str, *, secrets: Iterable[str | None] = (), timeout: float | None = None,
             max_bytes: int | None = None) -> bytes:
    """GET a data file (``kind`` names it in messages: "workbook"); an HTML page raises ``SourceError``."""
    return fetch.get_file(url, kind, secrets=secrets, **_bounds(timeout, max_bytes))


def write_upload(resource_id: str, data: bytes) -> Callable[[], None]:
    """Store ``data`` as the uploaded file of ``resource_id`` through the site's resource uploader (CKAN's own or
    an ``IUploader`` plugin's: its documented ``upload`` and ``get_path``), before the dataset is saved, so the
    table jobs its save queues read the new file; returns a function putting back what was there (for an import
    the dataset update then refuses)."""
    import io
    import math
    import os

    from ckan.lib import uploader
    from werkzeug.datastructures import FileStorage

    def store(content: bytes | None) -> None:
        resource: dict[str, Any] = {"id": resource_id, "url": resource_id}
        if content is None:
            resource["clear_upload"] = True  # the uploader removes the file, as when a form clears an upload
        else:
            resource["upload"] = FileStorage(io.BytesIO(content), filename=resource_id)
        # The harvesters' own response size (ckanext.paser.harvesters.max_response_size) already bounds the file.
        max_size = max(uploader.get_max_resource_size(), math.ceil(len(content or b"") / 1024 ** 2))
        uploader.get_resource_uploader(resource).upload(resource_id, max_size)

    path = uploader.get_resource_uploader({"id": resource_id}).get_path(resource_id)
    previous = None
    if os.path.exists(path):
        with open(path, "rb") as handle:
            previous = handle.read()
    store(data)
    return lambda: store(previous)


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
