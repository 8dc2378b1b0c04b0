"""CKAN 2.11's editing pages of a dataset and its resources, for a dataset the visitor may not read.

``/dataset/resources/<id>``, ``/dataset/<id>/resource/new``, ``.../resource/<rid>/edit``, ``.../views``,
``.../new_view`` and ``.../edit_view/<view>`` (endpoint ``edit_view``) check the right to change the dataset before they look it up: a private
dataset answers 403 where a missing one answers 404, and for a missing one ``resource/new`` and ``views`` let
``NotFound`` through as a server error. Here a dataset that does not exist, or that the visitor may not read, gets
core's own 404 ("Dataset not found") before the upstream view runs; a dataset the visitor may read but not change
keeps its 403. Worth reporting upstream (ckan/ckan, ckan/views/resource.py and dataset.py).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ..privacy import existence

# CKAN registers the resource pages twice, as "resource" and "dataset_resource" (same URLs).
ENDPOINTS = ("dataset.resources", *(f"{blueprint}.{view}" for blueprint in ("resource", "dataset_resource")
                                    for view in ("new", "edit", "views", "edit_view")))
DATASET_NOT_FOUND = "Dataset not found"  # core's msgid, as its own pages say it


def guard(original: Callable[..., Any], **view_args: Any) -> Any:
    identifier = view_args.get("id")
    package = model.Package.get(identifier) if isinstance(identifier, str) and "\x00" not in identifier else None
    user = tk.current_user
    context = {"user": user.name if user and user.is_authenticated else "",
               "auth_user_obj": user if user and user.is_authenticated else None}
    if package is None or not existence.may_read(context, package):
        tk.abort(404, tk._(DATASET_NOT_FOUND))
    return original(**view_args)
