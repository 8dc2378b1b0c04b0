"""Template helpers: the choices of the dataset schema (read from the reference data) and readable labels.

The schema names the choices helpers (`choices_helper: paser_kecamatan_choices`); ckanext-scheming calls them
with the field definition for the form, the display and its `scheming_choices`-style validation.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import has_request_context

from ..reference import affairs, agencies, regions

Choice = dict[str, Any]
LanguageText = str | dict[str, str] | None


def current_language() -> str:
    """The language of the current request, or the portal's default outside one (CLI, background jobs)."""
    language = tk.h.lang() if has_request_context() else None
    return language or tk.config.get("ckan.locale_default") or "id"


def language_text(text: LanguageText, language: str | None = None) -> str:
    """A bilingual label ({id: ..., en: ...}) in the current language; plain strings as they are."""
    if not text:
        return ""
    if isinstance(text, dict):
        language = language or current_language()
        default = tk.config.get("ckan.locale_default") or "id"
        return text.get(language) or text.get(default) or next(iter(text.values()), "")
    return str(text)


def paser_kecamatan_choices(field: dict[str, Any] | None = None) -> list[Choice]:
    """The 10 kecamatan, valued by Kemendagri code, in code order."""
    return [
        {"value": kecamatan.kode_kemendagri, "label": f"{kecamatan.nama} ({kecamatan.kode_kemendagri})"}
        for kecamatan in regions.kecamatan_list()
    ]


def paser_desa_choices(field: dict[str, Any] | None = None) -> list[Choice]:
    """Every desa and kelurahan, valued by Kemendagri code; `group` names its kecamatan (form optgroups)."""
    choices: list[Choice] = []
    for kecamatan in regions.kecamatan_list():
        for desa in kecamatan.desa:
            prefix = "Kelurahan " if desa.is_kelurahan else ""
            choices.append({
                "value": desa.kode_kemendagri,
                "label": f"{prefix}{desa.nama} ({desa.kode_kemendagri})",
                "group": f"Kecamatan {kecamatan.nama}",
                "kecamatan": kecamatan.kode_kemendagri,
            })
    return choices


def paser_opd_choices(field: dict[str, Any] | None = None) -> list[Choice]:
    """The agencies of the OPD list in use (packaged or official), valued by short name."""
    return [{"value": opd.singkatan, "label": f"{opd.singkatan} – {opd.nama}"} for opd in agencies.opd_list()]


def paser_urusan_choices(field: dict[str, Any] | None = None) -> list[Choice]:
    """Government affairs (urusan) by code, labelled in both languages."""
    return [
        {"value": urusan.kode, "label": {"id": f"{urusan.kode} {urusan.nama}", "en": f"{urusan.kode} {urusan.name_en}"}}
        for urusan in affairs.urusan_list()
    ]


def schema_field(field_name: str, dataset_type: str = "dataset", resource: bool = False) -> dict[str, Any] | None:
    """A field of the loaded dataset schema (presets expanded), or None without scheming."""
    schema = tk.h.scheming_get_dataset_schema(dataset_type) if "scheming_get_dataset_schema" in tk.h else None
    if not schema:
        return None
    fields = schema.get("resource_fields" if resource else "dataset_fields", [])
    return next((field for field in fields if field.get("field_name") == field_name), None)


def choice_label(field_name: str, value: str, resource: bool = False) -> str:
    """The label of a stored choice value of the schema field, in the current language; the value if unknown."""
    field = schema_field(field_name, resource=resource)
    if field is None:
        return value
    choices = field.get("choices")
    if choices is None and field.get("choices_helper"):
        choices = getattr(tk.h, field["choices_helper"])(field)
    for choice in choices or []:
        if choice.get("value") == value:
            return language_text(choice.get("label")) or value
    return value


def paser_period_label(period: dict[str, Any] | None) -> str:
    """One temporal_coverage entry as text: "2020", "2020 – 2024", "2021-01 – 2021-06", "from 2019"."""
    if not isinstance(period, dict):
        return ""
    start, end = (str(period.get(key) or "").strip() for key in ("start", "end"))
    if start and end:
        return start if start == end else f"{start} – {end}"
    if start:
        return tk._("from {start}").format(start=start)
    if end:
        return tk._("until {end}").format(end=end)
    return ""


def paser_kecamatan_summary(value: Any) -> dict[str, Any]:
    """Chosen kecamatan for display: {"all": every kecamatan chosen, "count": n, "labels": ["Nama (kode)"]}."""
    chosen = set(paser_selected_codes(value))
    every = regions.kecamatan_list()
    labels = [f"{k.nama} ({k.kode_kemendagri})" for k in every if k.kode_kemendagri in chosen]
    return {"all": len(labels) == len(every), "count": len(labels), "labels": labels}


def paser_desa_summary(value: Any) -> list[dict[str, Any]]:
    """Chosen desa/kelurahan grouped by kecamatan, in code order: [{"kecamatan", "all", "count", "labels"}]."""
    chosen = set(paser_selected_codes(value))
    groups = []
    for kecamatan in regions.kecamatan_list():
        desa = [d for d in kecamatan.desa if d.kode_kemendagri in chosen]
        if desa:
            groups.append({
                "kecamatan": kecamatan.nama,
                "all": len(desa) == len(kecamatan.desa),
                "count": len(desa),
                "labels": [("Kelurahan " if d.is_kelurahan else "") + f"{d.nama} ({d.kode_kemendagri})" for d in desa],
            })
    return groups


def paser_selected_codes(value: Any) -> list[str]:
    """The codes chosen in a multiple field, whether stored (list), submitted (str or list) or bad (none)."""
    from .validators import code_list

    return code_list(value) or []


def all_helpers() -> dict[str, Any]:
    from . import facets

    return {
        "paser_kecamatan_choices": paser_kecamatan_choices,
        "paser_desa_choices": paser_desa_choices,
        "paser_opd_choices": paser_opd_choices,
        "paser_urusan_choices": paser_urusan_choices,
        "paser_choice_label": choice_label,
        "paser_period_label": paser_period_label,
        "paser_selected_codes": paser_selected_codes,
        "paser_kecamatan_summary": paser_kecamatan_summary,
        "paser_desa_summary": paser_desa_summary,
        "paser_facet_label": facets.facet_label,
    }
