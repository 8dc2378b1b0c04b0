"""What the search index derives from the Satu Data metadata (IPackageController.before_dataset_index).

CKAN already indexes each extra under its own name (a single string) and as `extras_<name>` (text, for free-text
search). This adds the facet fields: `vocab_kecamatan` (the explicit cakupan_kecamatan codes; a regency-level
dataset without coverage gets none), `vocab_urusan`, `vocab_tahun` (every year its periods cover), `opd` (the
owner organisation's name), `jenis_data`, `klasifikasi`, `tingkat_penyajian` from the validated dataset, and
`paser_flag` ("open" while the dataset has an open consistency flag its readers may see).
The JSON strings of the list fields are dropped from their plain names: as single strings they would only
fill the term dictionary with values unique to each dataset.
"""
from __future__ import annotations

import json
from typing import Any

from ..checks import flags
from .facets import CHOICE_FIELDS, FLAG_FIELD, FLAG_OPEN, KECAMATAN_FIELD, OPD_FIELD, TAHUN_FIELD, URUSAN_FIELD
from .validators import FIRST_YEAR, LAST_YEAR, code_list, period_bounds

LIST_FIELDS = ("cakupan_kecamatan", "cakupan_desa", "urusan", "temporal_coverage", "contact")


def _validated(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    try:
        validated = json.loads(pkg_dict.get("validated_data_dict") or "{}")
    except (TypeError, ValueError):
        return {}
    return validated if isinstance(validated, dict) else {}


def years_covered(periods: Any) -> list[str]:
    """Every year from each period's start to its end (a period with one bound: that bound's year)."""
    years: set[int] = set()
    for period in periods if isinstance(periods, list) else []:
        if not isinstance(period, dict):
            continue
        start, end = period_bounds(period.get("start")), period_bounds(period.get("end"))
        first = (start or end or (None, None))[0]
        last = (end or start or (None, None))[1]
        if first is None or last is None:
            continue
        first_year, last_year = max(first.year, FIRST_YEAR), min(last.year, LAST_YEAR)
        years.update(range(first_year, last_year + 1))
    return [str(year) for year in sorted(years)]


def before_dataset_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    if pkg_dict.get("type") != "dataset":
        return pkg_dict
    data = _validated(pkg_dict)
    for name in LIST_FIELDS:
        pkg_dict.pop(name, None)
    kecamatan = code_list(data.get("cakupan_kecamatan")) or []
    urusan = code_list(data.get("urusan")) or []
    years = years_covered(data.get("temporal_coverage"))
    for field, values in ((KECAMATAN_FIELD, kecamatan), (URUSAN_FIELD, urusan), (TAHUN_FIELD, years)):
        if values:
            pkg_dict[field] = values
        else:
            pkg_dict.pop(field, None)
    for name in CHOICE_FIELDS:
        value = data.get(name)
        if isinstance(value, str) and value:
            pkg_dict[name] = value
    if pkg_dict.get("organization"):
        pkg_dict[OPD_FIELD] = pkg_dict["organization"]
    if pkg_dict.get("id") and flags.has_open_flag_for_readers(
            pkg_dict["id"], pkg_dict.get("owner_org"), bool(pkg_dict.get("private"))):
        pkg_dict[FLAG_FIELD] = FLAG_OPEN
    else:
        pkg_dict.pop(FLAG_FIELD, None)
    return pkg_dict
