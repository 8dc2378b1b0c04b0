"""Only terbuka, public, active datasets of type `dataset` are published in the DCAT catalogue.

ckanext-dcat's catalogue endpoint searches as the requesting user; package_search leaves private datasets out
unless asked, but a catalogue meant for national harvesting must not depend on that default nor on the private
flag alone: the classification decides. The chained action adds the filter to whatever `fq` the request brings.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ckan.plugins import toolkit

CATALOGUE_FILTER = "+dataset_type:dataset +klasifikasi:terbuka +capacity:public +state:active"


def catalogue_fq(requested: str | None) -> str:
    requested = (requested or "").strip()
    return f"{CATALOGUE_FILTER} +({requested})" if requested else CATALOGUE_FILTER


@toolkit.chained_action
@toolkit.side_effect_free
def dcat_catalog_show(original_action: Callable[..., Any], context: dict[str, Any],
                      data_dict: dict[str, Any]) -> Any:
    return original_action(context, {**data_dict, "fq": catalogue_fq(data_dict.get("fq"))})


@toolkit.chained_action
@toolkit.side_effect_free
def dcat_catalog_search(original_action: Callable[..., Any], context: dict[str, Any],
                        data_dict: dict[str, Any]) -> Any:
    return original_action(context, {**data_dict, "fq": catalogue_fq(data_dict.get("fq"))})


def actions() -> dict[str, Any]:
    return {"dcat_catalog_show": dcat_catalog_show, "dcat_catalog_search": dcat_catalog_search}
