"""Template helpers of the dinas and kecamatan pages (registered by name through ITemplateHelpers)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk

from .. import reference
from ..satudata.facets import KECAMATAN_FIELD
from .types import DINAS, KECAMATAN, ORGANIZATION_TYPES

# How many datasets of other producers a kecamatan page lists before linking to the full search.
DRILLDOWN_ROWS = 20


def paser_organization_urusan_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Choices of an organisation's `urusan`: every code of the nomenclature, supporting units included."""
    return [
        {"value": urusan.kode, "label": {"id": f"{urusan.kode} {urusan.nama}", "en": f"{urusan.kode} {urusan.name_en}"}}
        for urusan in reference.urusan_list()
    ]


def paser_organization_types() -> tuple[str, ...]:
    """The dinas and kecamatan types whose pages exist (scheming_organizations serves their schemas)."""
    from flask import current_app

    return tuple(t for t in ORGANIZATION_TYPES if t in current_app.blueprints)


def paser_group_extra(group: dict[str, Any], key: str) -> Any:
    """A field of an organisation dict, whether shown through scheming (top level) or listed raw (extras)."""
    if group.get(key) not in (None, ""):
        return group[key]
    for extra in group.get("extras") or []:
        if extra.get("key") == key:
            return extra.get("value")
    return None


def paser_kecamatan_profile(group: dict[str, Any]) -> reference.Kecamatan | None:
    """The reference record (codes, desa/kelurahan list) of a kecamatan organisation, by its Kemendagri code."""
    code = paser_group_extra(group, "kode_kemendagri")
    return reference.kecamatan_by_code(code) if code else None


def paser_kecamatan_datasets(group: dict[str, Any], rows: int | None = None) -> dict[str, Any]:
    """The drill-down of a kecamatan page: datasets of other producers whose coverage includes this kecamatan.

    One package_search on the indexed coverage (satudata's KECAMATAN_FIELD) with the current user, so private
    datasets show only to those allowed to see them.
    Returns count, results and the dataset-search URL that lists them all (with facets).
    """
    code = paser_group_extra(group, "kode_kemendagri")
    if not code:
        return {"count": 0, "results": [], "search_url": None}
    context = {"user": tk.current_user.name if tk.current_user else ""}
    try:
        found = tk.get_action("package_search")(context, {
            "fq": f'{KECAMATAN_FIELD}:"{code}" -owner_org:"{group["id"]}"',
            "rows": DRILLDOWN_ROWS if rows is None else rows,
            "sort": "metadata_modified desc",
            "include_private": True,
        })
    except tk.ValidationError:
        return {"count": 0, "results": [], "search_url": None}
    return {
        "count": found["count"],
        "results": found["results"],
        "search_url": tk.h.url_for("dataset.search", **{KECAMATAN_FIELD: code}),
    }


# Labels of the two organisation types wherever CKAN writes "Organization(s)" for a type.
def _labels(object_type: str) -> dict[str, str] | None:
    if object_type == DINAS:
        return {
            "plural": tk._("Agencies (OPD)"),
            "singular": tk._("Agency"),
            "add link": tk._("Add agency"),
            "create label": tk._("Create agency"),
            "edit label": tk._("Edit agency"),
            "update label": tk._("Update agency"),
            "save label": tk._("Save agency"),
            "search placeholder": tk._("Search agencies..."),
            "no description": tk._("There is no description for this agency"),
            "no any objects": tk._("There are currently no agencies for this site"),
            "delete confirmation": tk._("Are you sure you want to delete this agency?"),
        }
    if object_type == KECAMATAN:
        return {
            "plural": tk._("Subdistricts (kecamatan)"),
            "singular": tk._("Subdistrict"),
            "add link": tk._("Add subdistrict"),
            "create label": tk._("Create subdistrict"),
            "edit label": tk._("Edit subdistrict"),
            "update label": tk._("Update subdistrict"),
            "save label": tk._("Save subdistrict"),
            "search placeholder": tk._("Search subdistricts..."),
            "no description": tk._("There is no description for this subdistrict"),
            "no any objects": tk._("There are currently no subdistricts for this site"),
            "delete confirmation": tk._("Are you sure you want to delete this subdistrict?"),
        }
    return None


_PLURAL_PURPOSES = {"breadcrumb", "content tab", "facet label", "main nav", "page title"}
_SAME_AS = {"create title": "create label", "view label": "singular"}


@tk.chained_helper
def humanize_entity_type(next_helper: Callable[..., Any], entity_type: str, object_type: str,
                         purpose: str) -> str | None:
    labels = _labels(object_type) if entity_type == "organization" else None
    if labels is None:
        return next_helper(entity_type, object_type, purpose)
    if purpose in _PLURAL_PURPOSES:
        return labels["plural"]
    # Other purposes: None makes the template use CKAN's own (translated) wording for organisations.
    return labels.get(purpose) or labels.get(_SAME_AS.get(purpose, ""))


def helpers() -> dict[str, Any]:
    return {
        "paser_organization_urusan_choices": paser_organization_urusan_choices,
        "paser_organization_types": paser_organization_types,
        "paser_group_extra": paser_group_extra,
        "paser_kecamatan_profile": paser_kecamatan_profile,
        "paser_kecamatan_datasets": paser_kecamatan_datasets,
        "humanize_entity_type": humanize_entity_type,
    }
