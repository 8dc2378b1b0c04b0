"""ckanext-harvest's auth functions callable through the action API.

ckanext-harvest 1.6.3 collects its actions and its auth functions into one dict (``_get_logic_functions``' mutable
default argument), so the names that are only auth functions became actions too, depending on which list CKAN
asked for first: ``/api/3/action/harvest_sources_clear`` ran the auth function as an action and
``auth_allow_anonymous_access`` a decorator, each a server error. Both are answered as CKAN answers any unknown
action name (400, "Action name not known"). No action seam can do this: a chained action finds no original when
the names were not mixed up.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

ENDPOINT = "api.action"
NOT_ACTIONS = frozenset({"harvest_sources_clear", "auth_allow_anonymous_access"})


def guard(original: Callable[..., Any], logic_function: str, **kwargs: Any) -> Any:
    if logic_function in NOT_ACTIONS:
        from ckan.views import api

        return api._finish_bad_request(f"Action name not known: {logic_function}")
    return original(logic_function=logic_function, **kwargs)
