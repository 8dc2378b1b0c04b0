"""Keeping CKAN's private flag tied to `klasifikasi` where CKAN changes it without validation.

The organisation bulk actions set `private` directly in the database, bypassing the schema's validators, so
they are refused for datasets whose classification says otherwise: the steward changes the classification.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from .validators import TERBUKA


def _contradicting(dataset_ids: list[str], private: bool) -> list[str]:
    """Names of the datasets whose klasifikasi does not allow the requested visibility."""
    names = []
    for dataset_id in dataset_ids:
        package = model.Package.get(dataset_id)
        if package is None:
            continue
        klasifikasi = package.extras.get("klasifikasi")
        if (klasifikasi != TERBUKA) != private:
            names.append(package.name)
    return names


def _guard(action: str, context: dict[str, Any], data_dict: dict[str, Any], private: bool) -> None:
    # Authorised first, so that the message below names datasets only to those who may change them.
    tk.check_access(action, context, data_dict)
    datasets = data_dict.get("datasets")
    if not isinstance(datasets, list):
        return  # the original action reports the bad input
    names = _contradicting([str(item) for item in datasets], private)
    if names:
        # NotAuthorized: the organisation's bulk page handles it (a ValidationError would be a server error there).
        raise tk.NotAuthorized(tk._(
            "Visibility follows the classification (klasifikasi). Change the classification of these datasets "
            "instead: {datasets}"
        ).format(datasets=", ".join(sorted(names))))


@tk.chained_action
def bulk_update_public(original: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    _guard("bulk_update_public", context, data_dict, private=False)
    return original(context, data_dict)


@tk.chained_action
def bulk_update_private(original: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    _guard("bulk_update_private", context, data_dict, private=True)
    return original(context, data_dict)


def actions() -> dict[str, Any]:
    return {"bulk_update_public": bulk_update_public, "bulk_update_private": bulk_update_private}
