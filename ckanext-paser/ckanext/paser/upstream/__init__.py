"""Corrections to upstream actions and auth functions that answer a server error where they should refuse.

``action_input``: CKAN core and ckanext-activity actions that read a parameter they never validated (a missing
``q`` is a ``KeyError``, a 500); each gets a navl schema and refuses bad input with CKAN's ``ValidationError``.
``harvest_auth``: ckanext-harvest 1.6.3 registers some of its actions as their own auth functions (its
``_get_logic_functions`` shares one mutable default dict between actions and auth), so checking access to them
recurses until Python gives up; they get real auth functions here.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins as p


def actions() -> dict[str, Any]:
    from . import action_input, harvest_auth

    functions = dict(action_input.actions())
    if p.plugin_loaded("harvest"):
        functions.update(harvest_auth.actions())
    return functions


def auth_functions() -> dict[str, Any]:
    from . import action_input, harvest_auth

    functions = dict(action_input.auth_functions())
    if p.plugin_loaded("harvest"):
        functions.update(harvest_auth.auth_functions())
    return functions
