"""Putting the PostgreSQL connection in place of Solr's wherever CKAN and extensions look it up.

CKAN has no search-backend interface: index, query and extensions (ckanext-harvest) import
`make_connection` by name, so each module's reference is replaced, not just the defining one.
"""
from __future__ import annotations

import logging
import os
import sys
from typing import Any

import yaml

log = logging.getLogger(__name__)

_original: dict[str, Any] = {}


def config_declaration() -> dict[str, Any]:
    path = os.path.join(os.path.dirname(__file__), "config_declaration.yaml")
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def make_connection(decode_dates: bool = True) -> Any:
    from .connection import PostgresSearchConnection

    return PostgresSearchConnection()


def check_schema_version(schema_file: str | None = None) -> bool:
    """Stands in for CKAN's Solr schema check at start-up: say which backend serves search."""
    log.info("Search served by paser_search (PostgreSQL); Solr is not used")
    return True


def install() -> None:
    from ckan.lib import search
    from ckan.lib.search import common

    if not _original:
        _original["make_connection"] = common.make_connection
        _original["check_solr_schema_version"] = search.check_solr_schema_version
    original = _original["make_connection"]
    for module in list(sys.modules.values()):
        if module is None:
            continue
        if getattr(module, "make_connection", None) is original:
            module.make_connection = make_connection  # type: ignore[attr-defined]
    common.make_connection = make_connection  # type: ignore[assignment]
    search.check_solr_schema_version = check_schema_version  # type: ignore[assignment]
    # ckanext-harvest imports make_connection at module import; make sure it sees ours even when
    # it is imported after this plugin is loaded.
    try:
        import ckanext.harvest.logic.action.update as harvest_update
    except ImportError:
        return
    harvest_update.make_connection = make_connection  # type: ignore[attr-defined]


