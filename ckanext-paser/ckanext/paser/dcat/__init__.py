"""The Paser DCAT profile (`paser_dcat_ap`, profile.py), its namespace, stable URIs, catalogue options and the
catalogue's visibility filter. docs/dcat.md describes the mapping."""
from __future__ import annotations

from typing import Any


def actions() -> dict[str, Any]:
    """Chained actions on ckanext-dcat's catalogue actions (IActions of `paser_dcat`)."""
    from .actions import actions as catalogue_actions

    return catalogue_actions()
