"""The BPS WebAPI (https://webapi.bps.go.id/v1/api/): the source configuration, the paged variable list and the
dynamic table of a variable, with ``datacontent`` decoded into cells.

Lists come in an envelope ``{"status": "OK", "data-availability": "available", "data": [{paging}, [items]]}``; the
dynamic table is not wrapped. ``datacontent`` keys concatenate vervar, var, turvar, tahun and turtahun values as
strings, so a key is split by matching the known value lists, never by width.
"""
from __future__ import annotations

import itertools
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk

from ...localization import N_
from ...satudata import vocabularies
from ..base import (
    BAD_CHOICE,
    BAD_TIMEOUT,
    NOT_A_TEXT,
    UNKNOWN_KEYS,
    ConfigError,
    SourceError,
    config_object,
    get_json,
)

DEFAULT_BASE_URL = "https://webapi.bps.go.id/v1/api/"
CONFIG_API_KEY = "ckanext.paser.harvesters.bps.api_key"
ENV_API_KEY = "PASER_BPS_API_KEY"
LANGUAGES = ("ind", "eng")
MAX_PAGES = 500
# A dynamic table whose value lists combine to more keys than this is refused rather than decoded.
MAX_CELLS = 2_000_000

API_ERROR = N_("BPS WebAPI refused the request %(url)s: %(message)s.")
UNEXPECTED_SHAPE = N_("The response of %(url)s is not a BPS WebAPI %(what)s: %(reason)s.")
NO_VARIABLES = N_("BPS WebAPI lists no variables for domain %(domain)s; nothing was changed.")
NO_DATA = N_("BPS WebAPI has no data for variable %(var)s (%(availability)s).")
TOO_MANY_PAGES = N_("The variable list of %(url)s has more than %(limit)s pages.")
TOO_MANY_CELLS = N_("The table of variable %(var)s has more than %(limit)s possible cells.")

CONFIG_KEYS = {"domain", "api_key", "lang", "subjects", "vars", "timeout", "indicators", "klasifikasi", "urusan",
               "walidata", "organization"}


NOT_IDS = N_("%(key)s must be a list of ids")
BAD_DOMAIN = N_("domain must be a BPS domain code such as 6401")
NO_API_KEY = N_("no api_key: set it in the source configuration, %(option)s or %(variable)s")
BAD_INDICATORS = N_("indicators must map variable ids to kode indikator")


@dataclass(frozen=True)
class BpsSource:
    base_url: str
    domain: str
    lang: str = "ind"
    api_key: str = ""
    subjects: tuple[str, ...] = ()
    vars: tuple[str, ...] = ()
    timeout: float | None = None
    indicators: Mapping[str, str] = field(default_factory=dict)  # var_id -> kode indikator
    klasifikasi: str = "terbuka"
    urusan: tuple[str, ...] = ()
    walidata: str = ""
    organization: str = ""  # the producer's organisation, before the source's owner and the configured default

    @property
    def secrets(self) -> list[str]:
        return [self.api_key] if self.api_key else []

    def list_url(self, model: str, page: int) -> str:
        return (f"{self.base_url}list/model/{model}/lang/{self.lang}/domain/{self.domain}/page/{page}/"
                f"key/{self.api_key}/")

    def data_url(self, var_id: str) -> str:
        return f"{self.base_url}list/model/data/lang/{self.lang}/domain/{self.domain}/var/{var_id}/key/{self.api_key}/"

    def fingerprint_config(self) -> dict[str, Any]:
        """What of the configuration shapes a dataset (the key does not)."""
        return {"domain": self.domain, "lang": self.lang, "indicators": dict(self.indicators),
                "klasifikasi": self.klasifikasi, "urusan": list(self.urusan), "walidata": self.walidata}


def _strings(value: Any, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, (str, int)) for item in value):
        raise ConfigError(NOT_IDS, {"key": name})
    return tuple(str(item) for item in value)


def parse_config(text: str | None, base_url: str | None = None, require_key: bool = False) -> BpsSource:
    """The source configuration (JSON); ConfigError says what is wrong. The key may come from the CKAN config
    (``ckanext.paser.harvesters.bps.api_key``) or the environment (``PASER_BPS_API_KEY``)."""
    data = config_object(text)
    unknown = sorted(set(data) - CONFIG_KEYS)
    if unknown:
        raise ConfigError(UNKNOWN_KEYS, {"keys": ", ".join(unknown), "known": ", ".join(sorted(CONFIG_KEYS))})
    domain = str(data.get("domain", "6401"))
    if not domain.isdigit() or len(domain) not in (4, 7):
        raise ConfigError(BAD_DOMAIN)
    lang = data.get("lang", "ind")
    if lang not in LANGUAGES:
        raise ConfigError(BAD_CHOICE, {"key": "lang", "choices": ", ".join(LANGUAGES)})
    api_key = data.get("api_key") or tk.config.get(CONFIG_API_KEY) or os.environ.get(ENV_API_KEY) or ""
    if not isinstance(api_key, str):
        raise ConfigError(NOT_A_TEXT, {"key": "api_key"})
    if require_key and not api_key:
        raise ConfigError(NO_API_KEY, {"option": CONFIG_API_KEY, "variable": ENV_API_KEY})
    timeout = data.get("timeout")
    if timeout is not None and (not isinstance(timeout, (int, float)) or isinstance(timeout, bool)
                                or not 0 < timeout <= 600):
        raise ConfigError(BAD_TIMEOUT)
    indicators = data.get("indicators") or {}
    if not isinstance(indicators, dict) or not all(isinstance(v, str) for v in indicators.values()):
        raise ConfigError(BAD_INDICATORS)
    klasifikasi = data.get("klasifikasi", "terbuka")
    if klasifikasi not in vocabularies.KLASIFIKASI:
        raise ConfigError(BAD_CHOICE, {"key": "klasifikasi", "choices": ", ".join(vocabularies.KLASIFIKASI)})
    base = (base_url or DEFAULT_BASE_URL).strip()
    if not base.endswith("/"):
        base += "/"
    return BpsSource(
        base_url=base, domain=domain, lang=lang, api_key=api_key, subjects=_strings(data.get("subjects"), "subjects"),
        vars=_strings(data.get("vars"), "vars"), timeout=timeout,
        indicators={str(k): v for k, v in indicators.items()}, klasifikasi=klasifikasi,
        urusan=_strings(data.get("urusan"), "urusan"), walidata=str(data.get("walidata") or ""),
        organization=str(data.get("organization") or ""),
    )


class BpsClient:
    def __init__(self, source: BpsSource):
        self.source = source

    def _get(self, url: str) -> dict[str, Any]:
        return get_json(url, secrets=self.source.secrets, timeout=self.source.timeout)

    def _shown(self, url: str) -> str:
        from ..base import redact

        return redact(url, self.source.secrets)

    def _check_status(self, data: Mapping[str, Any], url: str) -> None:
        if str(data.get("status", "")).upper() != "OK":
            message = data.get("message") or data.get("status") or "no status"
            raise SourceError(API_ERROR, {"url": self._shown(url),
                                          "message": self._redact(str(message))})

    def _redact(self, text: str) -> str:
        from ..base import redact

        return redact(text, self.source.secrets)

    def pages(self, model: str) -> Iterator[list[dict[str, Any]]]:
        """The items of a list model, page by page; any failing page raises SourceError."""
        page, pages = 1, 1
        while page <= pages:
            url = self.source.list_url(model, page)
            data = self._get(url)
            self._check_status(data, url)
            if data.get("data-availability") != "available":
                return
            body = data.get("data")
            if (not isinstance(body, list) or len(body) != 2 or not isinstance(body[0], dict)
                    or not isinstance(body[1], list)):
                raise SourceError(UNEXPECTED_SHAPE, {"url": self._shown(url), "what": "list",
                                                     "reason": "data is not [paging, items]"})
            try:
                pages = int(body[0].get("pages", 1))
            except (TypeError, ValueError):
                raise SourceError(UNEXPECTED_SHAPE, {"url": self._shown(url), "what": "list",
                                                     "reason": "no page count"}) from None
            if pages > MAX_PAGES:
                raise SourceError(TOO_MANY_PAGES, {"url": self._shown(url), "limit": MAX_PAGES})
            yield [item for item in body[1] if isinstance(item, dict)]
            page += 1

    def variables(self) -> list[dict[str, Any]]:
        """Every variable of the domain (filtered by the configured subjects and vars), in list order."""
        items: dict[str, dict[str, Any]] = {}
        for page in self.pages("var"):
            for item in page:
                var_id = str(item.get("var_id", "")).strip()
                if not var_id:
                    continue
                if self.source.subjects and str(item.get("sub_id")) not in self.source.subjects:
                    continue
                if self.source.vars and var_id not in self.source.vars:
                    continue
                items.setdefault(var_id, item)
        return list(items.values())

    def table(self, var_id: str) -> dict[str, Any]:
        """The dynamic table of a variable, checked for the fields the mapping reads."""
        url = self.source.data_url(var_id)
        data = self._get(url)
        self._check_status(data, url)
        availability = data.get("data-availability")
        if availability != "available":
            raise SourceError(NO_DATA, {"var": var_id, "availability": availability or "unknown"})
        for name in ("var", "vervar", "tahun", "datacontent"):
            if name not in data:
                raise SourceError(UNEXPECTED_SHAPE, {"url": self._shown(url), "what": "dynamic table",
                                                     "reason": f"no {name}"})
        if not isinstance(data["datacontent"], dict) or not isinstance(data["vervar"], list):
            raise SourceError(UNEXPECTED_SHAPE, {"url": self._shown(url), "what": "dynamic table",
                                                 "reason": "datacontent is not an object"})
        return data


# --- datacontent ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    vervar: dict[str, Any]
    turvar: dict[str, Any]
    tahun: dict[str, Any]
    turtahun: dict[str, Any]
    value: Any


@dataclass
class Decoded:
    cells: list[Cell] = field(default_factory=list)
    unknown_keys: list[str] = field(default_factory=list)
    ambiguous_keys: list[str] = field(default_factory=list)


def _values(table: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    items = table.get(name) or []
    found = [item for item in items if isinstance(item, dict) and "val" in item]
    # turvar and turtahun may be missing or empty: BPS then writes 0 ("Tidak ada" / "Tahun").
    return found or [{"val": 0, "label": ""}]


def decode(table: Mapping[str, Any], var_id: str) -> Decoded:
    """The cells of ``datacontent``: each key matched against every combination of the known value lists."""
    vervar, turvar = _values(table, "vervar"), _values(table, "turvar")
    tahun, turtahun = _values(table, "tahun"), _values(table, "turtahun")
    total = len(vervar) * len(turvar) * len(tahun) * len(turtahun)
    if total > MAX_CELLS:
        raise SourceError(TOO_MANY_CELLS, {"var": var_id, "limit": MAX_CELLS})
    keys: dict[str, tuple | None] = {}
    for combo in itertools.product(vervar, turvar, tahun, turtahun):
        key = f"{combo[0]['val']}{var_id}{combo[1]['val']}{combo[2]['val']}{combo[3]['val']}"
        keys[key] = None if key in keys else combo  # a key two combinations produce cannot be told apart
    result = Decoded()
    for key, value in (table.get("datacontent") or {}).items():
        if key not in keys:
            result.unknown_keys.append(key)
        elif keys[key] is None:
            result.ambiguous_keys.append(key)
        else:
            combo = keys[key]
            result.cells.append(Cell(combo[0], combo[1], combo[2], combo[3], value))
    return result
