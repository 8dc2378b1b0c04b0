"""The bundle's optional plugins, one per capability, beside `paser` (the Satu Data portal) and `paser_search`.

A site runs the subset it needs (config/common.ini lists them all): templates and commands ask here whether a
capability is loaded instead of reading a switch of their own.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins as p

PLUGINS = {
    "checks": "paser_checks",    # the consistency checker: figures, rules, flags, the walidata's pages
    "loader": "paser_loader",    # table resources loaded into the DataStore (needs `datastore`)
    "exports": "paser_exports",  # CSV/XLSX downloads for analysts
    "dcat": "paser_dcat",        # the DCAT catalogue filtered by klasifikasi (needs ckanext-dcat's `dcat`)
}


def loaded(capability: str) -> bool:
    """Whether the plugin of ``capability`` (a key of ``PLUGINS``) is loaded."""
    return p.plugin_loaded(PLUGINS[capability])


def require(plugin: str, *needed: str) -> None:
    """Stop the portal's start-up when ``plugin`` is loaded without a plugin it needs, naming both."""
    missing = [name for name in needed if not p.plugin_loaded(name)]
    if missing:
        raise RuntimeError(f"The plugin {plugin} needs {', '.join(missing)} in ckan.plugins (before it).")


def helpers() -> dict[str, Any]:
    return {"paser_capability": loaded}
