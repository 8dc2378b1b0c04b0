"""Guards in front of upstream views that answer bad input with a server error: ckanext-activity's
``changes_multiple`` pages (``activity_changes``), the DataStore's data dictionary form (``datastore_dictionary``)
ckanext-harvest's auth functions reachable as actions (``harvest_auth_actions``) and the editing pages of a
dataset the visitor may not read (``dataset_pages``).

Flask offers no seam to validate a registered view's input, so each guard replaces the view function at one named
endpoint (IMiddleware, after every blueprint is registered), checks the input and calls the original; start-up fails
when an endpoint is missing while its plugin is loaded: the upstream view changed and must be looked at again.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import ckan.plugins as p


def wrap(app: Any, plugin: str | None, endpoint: str, guard: Callable[..., Any]) -> None:
    """``guard(original, **view_args)`` in place of the view at ``endpoint`` when ``plugin`` is loaded (None:
    a core view)."""
    if plugin is not None and not p.plugin_loaded(plugin):
        return
    original = app.view_functions.get(endpoint)
    if original is None:
        raise RuntimeError(f"ckanext-paser guards the upstream view {endpoint!r}, which {plugin or 'CKAN'!r} no longer "
                           "registers: check ckanext/paser/guards against the new upstream code")
    app.view_functions[endpoint] = functools.wraps(original)(functools.partial(guard, original))


def install(app: Any) -> Any:
    from . import activity_changes, dataset_pages, datastore_dictionary, harvest_auth_actions

    for endpoint in activity_changes.ENDPOINTS:
        wrap(app, "activity", endpoint, activity_changes.guard)
    wrap(app, "datastore", datastore_dictionary.ENDPOINT, datastore_dictionary.guard)
    wrap(app, "harvest", harvest_auth_actions.ENDPOINT, harvest_auth_actions.guard)
    for endpoint in dataset_pages.ENDPOINTS:
        wrap(app, None, endpoint, dataset_pages.guard)
    return app
