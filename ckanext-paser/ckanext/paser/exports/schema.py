"""Input schemas of the exports' actions (navl): a page (``limit``, ``offset``) and the indicator or kecamatan
asked for. Whether that indicator or kecamatan exists is the actions' answer ("not found")."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ..validation import clean_text, ignore_blank, whole_number

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def paging_schema() -> dict[str, Any]:
    return {"limit": [ignore_blank, whole_number(1, MAX_LIMIT)], "offset": [ignore_blank, whole_number(0)]}


def indicator_figures_schema() -> dict[str, Any]:
    return {**paging_schema(), "indicator": [tk.get_validator("not_empty"), clean_text]}


def kecamatan_figures_schema() -> dict[str, Any]:
    return {**paging_schema(), "kecamatan": [tk.get_validator("not_empty"), clean_text]}
