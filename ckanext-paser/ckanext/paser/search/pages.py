"""CKAN's dataset search page (``/dataset/`` and every other dataset type's) with its ``sort`` checked first.

``ckan.views.dataset.search`` takes the first word of every comma-separated part of ``sort`` before it searches,
so ``/dataset/?sort=,`` (or a blank part) is an IndexError, a server error, in CKAN 2.11. Flask offers no seam to
validate a registered view's input, so the view function is replaced at its endpoints (IMiddleware, after every
blueprint is registered) by one that answers such a sort as CKAN answers other invalid search queries on this page:
400 with "Invalid search query". The same for ``/api/2/util/dataset/autocomplete``, which lets every error of
package_autocomplete through as a server error. Start-up fails when a view is not found: CKAN changed it.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk

from .group_lists import BAD_SORT

AUTOCOMPLETE = "api.dataset_autocomplete"


def _sort_problem(sort: str | None) -> str | None:
    if not sort:
        return None
    if any(not part.split() for part in sort.split(",")):
        return tk._(BAD_SORT)
    return None


def _guarded(original: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    from flask import request

    problem = _sort_problem(request.args.get("sort"))
    if problem:
        tk.abort(400, tk._("Invalid search query: {error_message}").format(error_message=problem))
    return original(*args, **kwargs)


def _is_dataset_search(view: Any) -> bool:
    # By name: CKAN registers its blueprints from a module it imports by path, a second copy of ckan.views.dataset.
    return getattr(view, "__module__", None) == "ckan.views.dataset" and getattr(view, "__name__", None) == "search"


def _guarded_autocomplete(original: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``/api/2/util/dataset/autocomplete`` calls package_autocomplete and catches nothing: its refusal is 400."""
    from flask import request

    from .guard import check_package_autocomplete

    try:
        check_package_autocomplete({"q": request.args.get("incomplete"), "limit": request.args.get("limit")})
    except tk.ValidationError as error:
        problems = "; ".join(f"{name}: {' '.join(map(str, messages))}" for name, messages in error.error_dict.items())
        tk.abort(400, problems)
    return original(*args, **kwargs)


def _wrap(app: Any, endpoint: str, guard: Callable[..., Any]) -> None:
    original = app.view_functions[endpoint]
    app.view_functions[endpoint] = functools.wraps(original)(functools.partial(guard, original))


def install(app: Any) -> Any:
    endpoints = [endpoint for endpoint, view in app.view_functions.items() if _is_dataset_search(view)]
    if "dataset.search" not in endpoints or AUTOCOMPLETE not in app.view_functions:
        raise RuntimeError("ckanext-paser guards CKAN's dataset search view (ckan.views.dataset.search at "
                           f"'dataset.search') and {AUTOCOMPLETE!r}, one of which is no longer there: check "
                           "ckanext/paser/search/pages.py against the new CKAN")
    for endpoint in endpoints:
        _wrap(app, endpoint, _guarded)
    _wrap(app, AUTOCOMPLETE, _guarded_autocomplete)
    return app
