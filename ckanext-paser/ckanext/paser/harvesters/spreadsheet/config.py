"""The configuration of a spreadsheet harvest source (JSON), validated with messages an OPD operator can act on.

The source URL is a workbook (``.xlsx``, ``.csv``) or a directory listing page linking workbooks. The mapping says
how to read a table where the recognition of ``checks.normalise`` needs help; every key is optional::

    {"files": ["penduduk-2020.xlsx"],            # workbooks in addition to the listing (relative to the URL)
     "sheets": ["2020", "2021"],                 # worksheets to read (default: all)
     "header_row": 4, "header_rows": 2,          # 1-based first header row and the rows the header spans
     "columns": {"region": "Uraian/Kecamatan", "region_code_type": "nama", "period": "Tahun",
                 "indicator": "Komoditas", "value": ["Produksi"]},
     "unit": "ton", "period": "2024",            # the unit and period when the table does not say
     "workbooks": {"produksi-padi.xlsx": {"title": "...", "columns": {...}}},   # per workbook (file name)
     "organization": "distan", "klasifikasi": "terbuka", "kode_indikator": "2.09.01", "urusan": ["2.09"],
     "frequency": "tahunan", "walidata": "Diskominfostaper", "timeout": 60}
"""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote, urljoin, urlparse

from ...localization import N_
from ...satudata import vocabularies
from ..base import BAD_CHOICE, BAD_TIMEOUT, NOT_A_TEXT, UNKNOWN_KEYS, ConfigError, config_object

WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm", ".csv")
CODE_TYPES = ("nama", "kode_kemendagri", "kode_bps")
KLASIFIKASI, FREQUENCIES = vocabularies.KLASIFIKASI, vocabularies.FREQUENCIES
MAPPING_KEYS = {"sheets", "header_row", "header_rows", "columns", "unit", "period", "title", "kode_indikator",
                "description"}
SOURCE_KEYS = MAPPING_KEYS | {"files", "workbooks", "organization", "klasifikasi", "urusan", "frequency",
                              "walidata", "timeout"}
COLUMN_KEYS = {"region", "region_code_type", "period", "indicator", "value"}
_INDICATOR_CODE = re.compile(r"^[A-Za-z0-9]+([.\-][A-Za-z0-9]+)*$")

NOT_A_LIST = N_("%(key)s must be a list of texts")
NOT_A_ROW = N_("%(key)s must be a row number from 1 to %(limit)s")
BAD_CODE_TYPE = N_("columns.region_code_type must be one of %(choices)s")
BAD_INDICATOR_CODE = N_("kode_indikator must be parts of letters and digits joined by . or - (e.g. 2.09.01)")
BAD_PERIOD = N_("period must be a year (2024), a month (2024-07) or a date (2024-07-31)")
INDICATOR_NEEDS_ONE_VALUE = N_("columns.indicator needs exactly one value column in columns.value")
BAD_FILE = N_("%(file)s is not an .xlsx, .xlsm or .csv file")
BAD_WORKBOOKS = N_("workbooks must map file names to mappings")
BAD_COLUMNS = N_("columns must map region, region_code_type, period, indicator and value to column names")
BAD_URL = N_("the source URL must be an http(s) address of a workbook or of a directory listing page")


@dataclass(frozen=True)
class TableMapping:
    """How to read one workbook: the sheets, the header and the columns (None: recognised from the table)."""

    sheets: tuple[str, ...] = ()
    header_row: int | None = None
    header_rows: int | None = None
    region_column: str | None = None
    region_code_type: str | None = None
    period_column: str | None = None
    indicator_column: str | None = None
    value_columns: tuple[str, ...] = ()
    unit: str | None = None
    period: str | None = None
    title: str | None = None
    description: str | None = None
    kode_indikator: str | None = None

    def fingerprint(self) -> dict[str, Any]:
        return {key: (list(value) if isinstance(value, tuple) else value) for key, value in self.__dict__.items()}


@dataclass(frozen=True)
class SpreadsheetSource:
    url: str
    files: tuple[str, ...] = ()  # absolute URLs named by the configuration
    mapping: TableMapping = field(default_factory=TableMapping)
    workbooks: Mapping[str, TableMapping] = field(default_factory=dict)  # file name → its mapping
    organization: str = ""
    klasifikasi: str = "terbuka"
    urusan: tuple[str, ...] = ()
    frequency: str = ""
    walidata: str = ""
    timeout: float | None = None

    @property
    def url_is_workbook(self) -> bool:
        return is_workbook_url(self.url)

    def mapping_for(self, url: str) -> TableMapping:
        return self.workbooks.get(file_name(url), self.mapping)

    def fingerprint(self, url: str) -> dict[str, Any]:
        """What of the configuration shapes the dataset of the workbook at ``url``."""
        return {"mapping": self.mapping_for(url).fingerprint(), "klasifikasi": self.klasifikasi,
                "urusan": list(self.urusan), "frequency": self.frequency, "walidata": self.walidata}


def file_name(url: str) -> str:
    return unquote(os.path.basename(urlparse(url).path))


def is_workbook_url(url: str) -> bool:
    return urlparse(url).path.lower().endswith(WORKBOOK_EXTENSIONS)


def _text(data: Mapping[str, Any], key: str, label: str | None = None) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ConfigError(NOT_A_TEXT, {"key": label or key})
    return str(value).strip() or None


def _texts(value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, (str, int)) and not isinstance(item, bool)
                                              for item in value):
        raise ConfigError(NOT_A_LIST, {"key": key})
    return tuple(str(item).strip() for item in value if str(item).strip())


def _row(data: Mapping[str, Any], key: str, limit: int) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= limit:
        raise ConfigError(NOT_A_ROW, {"key": key, "limit": limit})
    return value


def _mapping(data: Mapping[str, Any], base: TableMapping, allowed: set[str]) -> TableMapping:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ConfigError(UNKNOWN_KEYS, {"keys": ", ".join(unknown), "known": ", ".join(sorted(allowed))})
    columns = data.get("columns") or {}
    if not isinstance(columns, dict):
        raise ConfigError(BAD_COLUMNS)
    unknown = sorted(set(columns) - COLUMN_KEYS)
    if unknown:
        raise ConfigError(UNKNOWN_KEYS, {"keys": ", ".join(f"columns.{key}" for key in unknown),
                                         "known": ", ".join(f"columns.{key}" for key in sorted(COLUMN_KEYS))})
    code_type = _text(columns, "region_code_type", "columns.region_code_type")
    if code_type is not None and code_type not in CODE_TYPES:
        raise ConfigError(BAD_CODE_TYPE, {"choices": ", ".join(CODE_TYPES)})
    period = _text(data, "period")
    if period is not None and not re.match(r"^(19|20)\d{2}(-\d{2}(-\d{2})?)?$", period):
        raise ConfigError(BAD_PERIOD)
    code = _text(data, "kode_indikator")
    if code is not None and not _INDICATOR_CODE.match(code):
        raise ConfigError(BAD_INDICATOR_CODE)
    values: dict[str, Any] = {}
    if "sheets" in data:
        values["sheets"] = _texts(data["sheets"], "sheets")
    for key in ("header_row", "header_rows"):
        if key in data:
            values[key] = _row(data, key, 50 if key == "header_row" else 5)
    names = {"region": "region_column", "period": "period_column", "indicator": "indicator_column"}
    for key, attribute in names.items():
        if key in columns:
            values[attribute] = _text(columns, key, f"columns.{key}")
    if "region_code_type" in columns:
        values["region_code_type"] = code_type
    if "value" in columns:
        values["value_columns"] = _texts(columns["value"], "columns.value")
    for key in ("unit", "title", "description"):
        if key in data:
            values[key] = _text(data, key)
    if "period" in data:
        values["period"] = period
    if "kode_indikator" in data:
        values["kode_indikator"] = code
    mapping = replace(base, **values)
    if mapping.indicator_column and len(mapping.value_columns) != 1:
        raise ConfigError(INDICATOR_NEEDS_ONE_VALUE)
    return mapping


def parse_config(text: str | None, url: str | None = None) -> SpreadsheetSource:
    """The source configuration; ConfigError says what is wrong."""
    data = config_object(text)
    base_url = (url or "").strip()
    if url is not None and urlparse(base_url).scheme not in ("http", "https"):
        raise ConfigError(BAD_URL)
    mapping = _mapping(data, TableMapping(), SOURCE_KEYS)
    files = _texts(data.get("files"), "files")
    for name in files:
        if not is_workbook_url(name):
            raise ConfigError(BAD_FILE, {"file": name})
    workbooks_data = data.get("workbooks") or {}
    if not isinstance(workbooks_data, dict) or not all(isinstance(v, dict) for v in workbooks_data.values()):
        raise ConfigError(BAD_WORKBOOKS)
    workbooks = {}
    for name, overrides in workbooks_data.items():
        if not is_workbook_url(name):
            raise ConfigError(BAD_FILE, {"file": name})
        workbooks[file_name(name)] = _mapping(overrides, mapping, MAPPING_KEYS)
    klasifikasi = _text(data, "klasifikasi") or "terbuka"
    if klasifikasi not in KLASIFIKASI:
        raise ConfigError(BAD_CHOICE, {"key": "klasifikasi", "choices": ", ".join(KLASIFIKASI)})
    frequency = _text(data, "frequency") or ""
    if frequency and frequency not in FREQUENCIES:
        raise ConfigError(BAD_CHOICE, {"key": "frequency", "choices": ", ".join(FREQUENCIES)})
    timeout = data.get("timeout")
    if timeout is not None and (not isinstance(timeout, (int, float)) or isinstance(timeout, bool)
                                or not 0 < timeout <= 600):
        raise ConfigError(BAD_TIMEOUT)
    listing_base = base_url if base_url.endswith("/") or is_workbook_url(base_url) else base_url + "/"
    return SpreadsheetSource(
        url=base_url, files=tuple(urljoin(listing_base, name) for name in files), mapping=mapping,
        workbooks=workbooks, organization=_text(data, "organization") or "", klasifikasi=klasifikasi,
        urusan=_texts(data.get("urusan"), "urusan"), frequency=frequency, walidata=_text(data, "walidata") or "",
        timeout=timeout,
    )
