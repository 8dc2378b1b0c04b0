"""ckanext-harvest 1.6.3's source actions by POST only (with CKAN's CSRF token), never by GET.

Its blueprint runs ``/harvest/<source>/job/<id>/abort`` and ``/harvest/delete/<id>`` on GET and
``/harvest/refresh/<id>`` and ``/harvest/clear/<id>`` on GET or POST, so a link or an image on any site could stop,
clear or delete a source in an administrator's browser. Flask offers no seam to change a registered rule, so the
portal replaces the view functions at these named endpoints (IMiddleware, after every blueprint is registered) and
refuses to start if one is missing: the upstream routes changed and this must be looked at again.

``POST /harvest/delete/<id>`` is matched first by CKAN's generic dataset delete for the harvest type
(``harvest.delete``, the only rule of that path that takes POST), which ignores ``?clear=True``; the harvest UI's
"Delete and clear source" posts there (confirm-action), so that endpoint runs ckanext-harvest's delete too.
"""
from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import flask
from werkzeug.exceptions import MethodNotAllowed

from ..localization import N_

POST_REQUIRED = N_("This action changes data: it is done by the form's button (POST), not by opening a link.")

# endpoint -> the path it must serve (checked at start-up)
ENDPOINTS = {
    "harvester.refresh": "/harvest/refresh/<id>",
    "harvester.clear": "/harvest/clear/<id>",
    "harvester.delete": "/harvest/delete/<id>",
    "harvester.job_abort": "/harvest/<source>/job/<id>/abort",
    "harvest.delete": "/harvest/delete/<id>",
}


def install(app: Any) -> Any:
    """Make the harvest actions POST-only on the Flask app (IMiddleware.make_middleware); a no-op without harvest."""
    if not p.plugin_loaded("harvest"):
        return app
    from ckanext.harvest import views as harvest_views

    _check_endpoints(app)
    actions: dict[str, Callable[..., Any]] = {
        "harvester.refresh": lambda id: harvest_views.refresh(id),
        "harvester.clear": lambda id: harvest_views.clear(id),
        "harvester.delete": lambda id: harvest_views.delete(id),
        "harvester.job_abort": lambda source, id: harvest_views.job_abort(source, id),
        # CKAN's DeleteView also gets package_type="harvest" from its blueprint's url_defaults.
        "harvest.delete": lambda id, package_type=None: harvest_views.delete(id),
    }
    for endpoint, action in actions.items():
        app.view_functions[endpoint] = _post_only(endpoint, action)
    # The abort rule takes GET only: a POST rule at the same path and endpoint (no other rule serves it).
    app.add_url_rule(ENDPOINTS["harvester.job_abort"], endpoint="harvester.job_abort", methods=["POST"])
    return app


def _check_endpoints(app: Any) -> None:
    for endpoint, path in ENDPOINTS.items():
        rules = [rule.rule for rule in app.url_map.iter_rules(endpoint)] if endpoint in app.view_functions else []
        if path not in rules:
            raise RuntimeError(f"ckanext-harvest no longer serves {endpoint} at {path} (found {rules}): "
                               "review ckanext/paser/security/harvest_routes.py")


def _post_only(endpoint: str, action: Callable[..., Any]) -> Callable[..., Any]:
    def view(**kwargs: Any) -> Any:
        if flask.request.method != "POST":
            raise MethodNotAllowed(valid_methods=["POST"], description=tk._(POST_REQUIRED))
        return action(**kwargs)

    # Flask-WTF's CSRF check and CKAN's error pages identify a view by its module and name.
    view.__name__ = endpoint.replace(".", "_")
    return functools.update_wrapper(view, action, assigned=("__doc__",), updated=())


TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


def add_templates(config: Any) -> None:
    """IConfigurer.update_config: the Stop button's override (templates/source/admin_base.html) first in the search
    path. CKAN puts an earlier-listed plugin's templates first, so ckanext-harvest's own would hide the portal's
    (the paser plugin is listed last); ``extra_template_paths`` is searched before every plugin's directory."""
    paths = [path for path in (config.get("extra_template_paths") or "").split(",") if path]
    if TEMPLATES not in paths:
        config["extra_template_paths"] = ",".join([TEMPLATES, *paths])
