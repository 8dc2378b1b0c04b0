"""Freeze what a portal process holds once it has started, so that Python's cyclic garbage collector stops walking
it on every full collection.

After start-up a CKAN web process holds about 200,000 objects the collector tracks (modules, templates, SQLAlchemy
metadata, the config), nearly all kept until the process exits. Every full (generation 2) collection walks all of
them, and a request that allocates much, such as a DCAT catalogue page of 7,000 triples, triggers several: with
them, a page of the Paser catalogue cost 54 % more than a plain DCAT-AP page instead of 17 %
(docs/performance.md, "DCAT catalogue"). `gc.freeze()` moves the objects alive at that moment to a permanent
generation that collections skip; everything created later is collected as before. It runs once, at the first
request, when start-up is over (`ckanext.paser.runtime.gc_freeze`, on by default).
"""
from __future__ import annotations

import gc
import logging
from typing import Any

from ckan.plugins import toolkit

log = logging.getLogger(__name__)
OPTION = "ckanext.paser.runtime.gc_freeze"
_frozen = False


def freeze() -> int:
    """Collect what is already garbage, then freeze the rest (once per process); the number of objects frozen."""
    global _frozen
    if _frozen:
        return 0
    _frozen = True
    gc.collect()
    gc.freeze()
    count = gc.get_freeze_count()
    log.info("froze %d objects of the started process out of garbage collection", count)
    return count


def install(app: Any) -> Any:
    """Registers the freeze on the Flask app's first request (IMiddleware), unless switched off."""
    if toolkit.asbool(toolkit.config.get(OPTION)):
        app.before_request(_freeze_at_first_request)
    return app


def _freeze_at_first_request() -> None:
    # A wrapper, not freeze() itself: what a before_request function returns becomes the response.
    freeze()
