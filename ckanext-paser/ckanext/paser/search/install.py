"""Putting the PostgreSQL connection in place of Solr's wherever CKAN and extensions look it up.

CKAN has no search-backend interface: index, query and extensions (ckanext-harvest) import
`make_connection` by name, so each module's reference is replaced, not just the defining one.
"""
from __future__ import annotations

import contextvars
import logging
import sys
from typing import Any

log = logging.getLogger(__name__)

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
