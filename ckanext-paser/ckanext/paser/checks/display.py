"""Flags as the API and the templates show them: messages translated and filled, numbers in the reader's
notation, regions and fields by name."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import ckan.plugins.toolkit as tk
from babel.numbers import format_decimal

from ..localization import N_
from . import rules

STATUS_LABELS = {"open": N_("Open"), "acknowledged": N_("Acknowledged"), "resolved": N_("Resolved")}
SEVERITY_LABELS = {"error": N_("Error"), "warning": N_("Warning")}


def _locale() -> str:
    try:
        return tk.h.lang() or "id"
    except (RuntimeError, AttributeError):  # outside a request
        return "id"


def number(value: Any) -> str:
    """A number in the reader's notation (309.667 in Indonesian, 309,667 in English); other text unchanged."""
    try:
        decimal = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not decimal.is_finite():
        return str(value)
    sign = "+" if str(value).startswith("+") else ""
    return sign + format_decimal(decimal, locale=_locale(), decimal_quantization=False)


def _field_labels() -> dict[str, str]:
    try:
        schema = tk.h.scheming_get_dataset_schema("dataset") or {}
        language_text = tk.h.scheming_language_text
    except (RuntimeError, AttributeError):  # outside a request, or without scheming
        return {}
    language = _locale()
    return {item["field_name"]: language_text(item.get("label") or item["field_name"], prefer_lang=language)
            for item in schema.get("dataset_fields", [])}


def message(row: dict[str, Any]) -> str:
    params = dict(row.get("params") or {})
    for name in rules.NUMBER_PARAMS & set(params):
        params[name] = number(params[name])
    if row.get("rule") == rules.MISSING_METADATA and params.get("fields"):
        labels = _field_labels()
        params["fields"] = ", ".join(labels.get(name.strip(), name.strip()) for name in params["fields"].split(","))
    msgid = row["message"]  # marked with N_ in rules and normalise
    try:
        return tk._(msgid) % params
    except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder: the English text
        return row["message"] % params


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def label(labels: dict[str, str], value: str) -> str:
    """The translated label of a stored code (rule, status, severity); the code itself when unknown."""
    msgid = labels.get(value, value)
    return tk._(msgid)


def flag_dict(row: dict[str, Any], datasets: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "rule": row["rule"],
        "rule_label": label(rules.RULE_LABELS, row["rule"]),
        "severity": row["severity"],
        "severity_label": label(SEVERITY_LABELS, row["severity"]),
        "status": row["status"],
        "status_label": label(STATUS_LABELS, row["status"]),
        "indicator": row.get("indicator"),
        "region_code": row.get("region_code"),
        "region_name": rules.region_name(row.get("region_code")),
        "period": row.get("period"),
        "message": message(row),
        "created": _iso(row.get("created")),
        "updated": _iso(row.get("updated")),
        "closed_at": _iso(row.get("closed_at")),
        "closed_automatically": bool(row.get("closed_automatically")),
        "note": row.get("note"),
        "datasets": [{key: dataset[key] for key in ("id", "name", "title", "organization")} for dataset in datasets],
        "figures": [{**figure, "region_name": rules.region_name(figure.get("region_code")),
                     "value_display": number(figure["value"]) if figure.get("value") is not None else None}
                    for figure in row.get("figures") or []],
    }


def history_entry(entry: dict[str, Any]) -> dict[str, Any]:
    automatic = entry.get("user_id") is None
    note = entry.get("note")
    return {
        "at": _iso(entry["at"]),
        "user": entry.get("user_name"),
        "automatic": automatic,
        "status_from": entry.get("status_from"),
        "status_to": entry["status_to"],
        "status_to_label": label(STATUS_LABELS, entry["status_to"]),
        # Notes of the portal itself are msgids; a person's note is shown as written.
        "note": tk._(note) if automatic and note else note,
    }
