"""ckanext-dcat's RDF actions as the portal serves them: the catalogue's visibility filter (visibility.py) on every
search, and the portal's serializer (serializer.py). Chained on ckanext-dcat's actions, which they replace rather
than call: the originals build their own `RDFSerializer`. Access checks, search and paging are ckanext-dcat's."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ckan.plugins import toolkit

from ckanext.dcat import logic as dcat_logic

from .serializer import CatalogueSerializer
from .visibility import catalogue_fq

# ckanext-dcat's own search and paging of the catalogue, which it offers no public name for: the one place the
# bundle calls them (check_upstream stops the start-up when an upgrade of ckanext-dcat renamed them).
UPSTREAM_FUNCTIONS = ("_search_ckan_datasets", "_pagination_info")


def check_upstream() -> None:
    missing = [name for name in UPSTREAM_FUNCTIONS if not callable(getattr(dcat_logic, name, None))]
    if missing:
        raise RuntimeError(f"paser_dcat: ckanext.dcat.logic no longer has {', '.join(missing)} (ckanext-dcat "
                           "changed); update ckanext/paser/dcat/actions.py")


@toolkit.chained_action
def dcat_dataset_show(original_action: Callable[..., Any], context: dict[str, Any],
                      data_dict: dict[str, Any]) -> Any:
    toolkit.check_access("dcat_dataset_show", context, data_dict)
    dataset_dict = toolkit.get_action("package_show")(context, data_dict)
    return CatalogueSerializer(profiles=data_dict.get("profiles")).serialize_dataset(
        dataset_dict, _format=data_dict.get("format"))


def _catalogue(name: str, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    toolkit.check_access(name, context, data_dict)
    data_dict = {**data_dict, "fq": catalogue_fq(data_dict.get("fq"))}
    query = dcat_logic._search_ckan_datasets(context, data_dict)
    return CatalogueSerializer(profiles=data_dict.get("profiles")).serialize_catalog(
        {}, query["results"], _format=data_dict.get("format"),
        pagination_info=dcat_logic._pagination_info(query, data_dict))


@toolkit.chained_action
@toolkit.side_effect_free
def dcat_catalog_show(original_action: Callable[..., Any], context: dict[str, Any],
                      data_dict: dict[str, Any]) -> Any:
    return _catalogue("dcat_catalog_show", context, data_dict)


@toolkit.chained_action
@toolkit.side_effect_free
def dcat_catalog_search(original_action: Callable[..., Any], context: dict[str, Any],
                        data_dict: dict[str, Any]) -> Any:
    return _catalogue("dcat_catalog_search", context, data_dict)


def actions() -> dict[str, Any]:
    return {"dcat_dataset_show": dcat_dataset_show, "dcat_catalog_show": dcat_catalog_show,
            "dcat_catalog_search": dcat_catalog_search}
