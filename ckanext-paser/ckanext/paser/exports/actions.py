"""API of the exports: the tidy figures of an indicator or a kecamatan, and the Daftar Data catalogue, a page at
a time (``limit``/``offset``) with the total ``count``. Everyone may call them: each returns only what the caller
may read (``readable``), so the auth functions let every caller through."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from .. import validation
from ..localization import N_
from . import catalogue, schema, tidy
from .schema import DEFAULT_LIMIT

UNKNOWN_INDICATOR = N_("No figures of the indicator \"{value}\" that you may see.")
UNKNOWN_KECAMATAN = N_("Unknown kecamatan: {value}")


def _page(valid: dict[str, Any]) -> tuple[int, int]:
    """``limit`` (1 to 1000, default 100) and ``offset`` (default 0), validated by the action's schema."""
    return valid.get("limit", DEFAULT_LIMIT), valid.get("offset", 0)


def indicator_selection(value: Any, user_name: str | None) -> tidy.Selection:
    selection = tidy.indicator_selection(str(value or ""), user_name)
    if selection is None:
        raise tk.ObjectNotFound(tk._(UNKNOWN_INDICATOR).format(value=value))
    return selection


def kecamatan_selection(value: Any) -> tidy.Selection:
    selection = tidy.kecamatan_selection(str(value or ""))
    if selection is None:
        raise tk.ObjectNotFound(tk._(UNKNOWN_KECAMATAN).format(value=value))
    return selection


@tk.side_effect_free
def paser_indicator_figures(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Every figure of one indicator over all regions, periods and producers, in the columns of the tidy CSV
    export (docs/exports.md), ordered by indicator, region code, period and producer.

    :param indicator: a kode indikator (2.12.01), a normalised indicator name (jumlah_penduduk) or a header-like
        name (Jumlah Penduduk)
    :param limit: rows per page, 1 to 1000 (default 100); ``offset`` skips rows
    """
    tk.check_access("paser_indicator_figures", context, data_dict)
    valid = validation.validate(data_dict, schema.indicator_figures_schema(), context)
    limit, offset = _page(valid)
    selection = indicator_selection(valid["indicator"], context.get("user"))
    return {"indicator": selection.indicator, **tidy.page(selection, context.get("user"), limit, offset)}


@tk.side_effect_free
def paser_kecamatan_figures(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Every figure of one kecamatan and its desa/kelurahan over all indicators, in the tidy export's columns.

    :param kecamatan: Kemendagri code (64.01.04), BPS code (6401040), kecamatan organisation or name
    :param limit: rows per page, 1 to 1000 (default 100); ``offset`` skips rows
    """
    tk.check_access("paser_kecamatan_figures", context, data_dict)
    valid = validation.validate(data_dict, schema.kecamatan_figures_schema(), context)
    limit, offset = _page(valid)
    selection = kecamatan_selection(valid["kecamatan"])
    return {"kecamatan": selection.kecamatan_code, **tidy.page(selection, context.get("user"), limit, offset)}


@tk.side_effect_free
def paser_daftar_data(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The Daftar Data catalogue: each dataset the caller may read with its Satu Data metadata, in the regional
    column order (docs/exports.md).

    :param limit: rows per page, 1 to 1000 (default 100); ``offset`` skips rows
    """
    tk.check_access("paser_daftar_data", context, data_dict)
    limit, offset = _page(validation.validate(data_dict, schema.paging_schema(), context))
    return {"columns": list(catalogue.HEADER), **catalogue.page(context.get("user"), limit, offset)}


@tk.auth_allow_anonymous_access
def _anyone(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    # What each caller gets is narrowed to what they may read inside the action.
    return {"success": True}


def actions() -> dict[str, Any]:
    return {"paser_indicator_figures": paser_indicator_figures, "paser_kecamatan_figures": paser_kecamatan_figures,
            "paser_daftar_data": paser_daftar_data}


def auth_functions() -> dict[str, Any]:
    return {name: _anyone for name in actions()}
