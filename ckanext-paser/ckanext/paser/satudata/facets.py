"""Search facets of the Satu Data metadata (IFacets) and readable names for their values.

The multivalued facets are indexed under `vocab_*` names: CKAN's Solr schema declares `vocab_*` as a multivalued
string field, while its catch-all `*` field holds a single string, so these names work with real Solr and with
paser_search alike (see indexing.py).
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ..reference import affairs, regions
from .helpers import choice_label, current_language

KECAMATAN_FIELD = "vocab_kecamatan"
URUSAN_FIELD = "vocab_urusan"
TAHUN_FIELD = "vocab_tahun"
OPD_FIELD = "opd"
# "open" on a dataset with an open consistency flag (checks: filled at index time, counted for the doc's readers).
FLAG_FIELD = "paser_flag"
FLAG_OPEN = "open"
# Single-valued schema fields CKAN indexes under their own names (from the dataset's extras).
CHOICE_FIELDS = ("jenis_data", "klasifikasi", "tingkat_penyajian")


def _titles() -> list[tuple[str, str]]:
    # Built per request so that the titles follow the request's language.
    return [
        ("organization", tk._("Data producer")),
        (KECAMATAN_FIELD, tk._("Kecamatan")),
        ("jenis_data", tk._("Data type")),
        (URUSAN_FIELD, tk._("Sector")),
        (TAHUN_FIELD, tk._("Year")),
        ("klasifikasi", tk._("Classification")),
        ("tingkat_penyajian", tk._("Presentation level")),
        (FLAG_FIELD, tk._("Consistency flags")),
        ("res_format", tk._("Formats")),
    ]


def with_satu_data_facets(facets_dict: OrderedDict[str, Any]) -> OrderedDict[str, Any]:
    """The Satu Data facets first, in the order a steward browses, then the others already configured."""
    ordered: OrderedDict[str, Any] = OrderedDict(_titles())
    for name, title in facets_dict.items():
        ordered.setdefault(name, title)
    return ordered


def dataset_facets(facets_dict: OrderedDict[str, Any], package_type: str) -> OrderedDict[str, Any]:
    return with_satu_data_facets(facets_dict) if package_type == "dataset" else facets_dict


def group_facets(facets_dict: OrderedDict[str, Any], package_type: str | None) -> OrderedDict[str, Any]:
    return with_satu_data_facets(facets_dict) if package_type in (None, "dataset") else facets_dict


def facet_label(field: str, value: str) -> str:
    """The readable name of a facet value: kecamatan and urusan names, choice labels; the value otherwise."""
    if field == KECAMATAN_FIELD:
        kecamatan = regions.kecamatan_by_code(value)
        return kecamatan.nama if kecamatan else value
    if field == URUSAN_FIELD:
        urusan = affairs.urusan_by_code(value)
        if urusan is None:
            return value
        return urusan.name_en if current_language() == "en" else urusan.nama
    if field in CHOICE_FIELDS:
        return choice_label(field, value)
    if field == FLAG_FIELD and value == FLAG_OPEN:
        return tk._("Has open flags")
    return value


def _organization_titles(names: list[str]) -> dict[str, str]:
    if not names:
        return {}
    rows = model.Session.query(model.Group.name, model.Group.title).filter(model.Group.name.in_(names)).all()
    return {name: title for name, title in rows if title}


def label_search_facets(search_results: dict[str, Any]) -> dict[str, Any]:
    """after_dataset_search: readable display names for the Satu Data facet items (API and search page)."""
    facets = search_results.get("search_facets") or {}
    for field, facet in facets.items():
        items = facet.get("items", [])
        if field == OPD_FIELD:
            titles = _organization_titles([str(item.get("name", "")) for item in items])
            for item in items:
                item["display_name"] = titles.get(item.get("name"), item.get("display_name"))
        elif field in (KECAMATAN_FIELD, URUSAN_FIELD, FLAG_FIELD, *CHOICE_FIELDS):
            for item in items:
                item["display_name"] = facet_label(field, str(item.get("name", "")))
    return search_results
