"""Putting the PostgreSQL connection in place of Solr's wherever CKAN and extensions look it up.

CKAN has no search-backend interface: its index and query modules and ckanext-harvest import `make_connection`
by name, so each of those references is replaced (``CALL_SITES``, the known ones, each checked), not just the
defining one. If CKAN or ckanext-harvest changes, so that a call site is gone or no longer holds Solr's
connection, the portal refuses to start and names it: a silent miss would send that code to Solr.
"""
from __future__ import annotations

import contextvars
import importlib
import logging
from typing import Any

log = logging.getLogger(__name__)

# Every module that holds its own reference to CKAN's make_connection (ckan 2.11, ckanext-harvest 1.6).
CALL_SITES = ("ckan.lib.search.common", "ckan.lib.search", "ckan.lib.search.index", "ckan.lib.search.query")
OPTIONAL_CALL_SITES = ("ckanext.harvest.logic.action.update",)  # only when ckanext-harvest is installed

_original: dict[str, Any] = {}
# Datasets indexed during the current commit's notifications (None outside one).
_indexed_in_commit: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "paser_search_indexed_in_commit", default=None)


def make_connection(decode_dates: bool = True) -> Any:
    from .connection import PostgresSearchConnection

    return PostgresSearchConnection()


def check_schema_version(schema_file: str | None = None) -> bool:
    """Stands in for CKAN's Solr schema check at start-up: say which backend serves search."""
    log.info("Search served by paser_search (PostgreSQL); Solr is not used")
    return True


def notify_observers(self: Any, session: Any, method: Any) -> None:
    token = _indexed_in_commit.set(set())
    try:
        _original["notify_observers"](self, session, method)
    finally:
        _indexed_in_commit.reset(token)


def notify(self: Any, entity: Any, operation: Any) -> None:
    """Index a dataset once per commit.

    CKAN notifies a new dataset twice in the same commit: as new, then as changed through its new
    tag, resource and membership rows. Both come after the same flush, so the second package_show
    and index document would be the same as the first.
    """
    from ckan import model

    indexed = _indexed_in_commit.get()
    if indexed is not None and isinstance(entity, model.Package) \
            and operation != model.DomainObjectOperation.deleted:
        if entity.id in indexed:
            return
        indexed.add(entity.id)
    _original["notify"](self, entity, operation)


def install() -> None:
    from ckan.lib import search
    from ckan.lib.search import common
    from ckan.model.modification import DomainObjectModificationExtension

    if not _original:
        _original["make_connection"] = common.make_connection
        _original["check_solr_schema_version"] = search.check_solr_schema_version
        _original["notify_observers"] = DomainObjectModificationExtension.notify_observers
        _original["notify"] = search.SynchronousSearchPlugin.notify
    DomainObjectModificationExtension.notify_observers = notify_observers  # type: ignore[method-assign]
    search.SynchronousSearchPlugin.notify = notify  # type: ignore[method-assign]
    original = _original["make_connection"]
    for name in CALL_SITES + OPTIONAL_CALL_SITES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            if name in OPTIONAL_CALL_SITES:
                continue
            raise
        current = getattr(module, "make_connection", None)
        if current is not make_connection and current is not original:
            raise RuntimeError(f"paser_search: {name}.make_connection is not CKAN's Solr connection any more "
                               "(CKAN or ckanext-harvest changed); update search/install.py CALL_SITES")
        module.make_connection = make_connection  # type: ignore[attr-defined]
    search.check_solr_schema_version = check_schema_version  # type: ignore[assignment]
