"""What a viewer may not see stays out of every channel: tags, members, existence answers, DataStore metadata
and the flags that involve private figures.

Terbatas and tertutup datasets are CKAN-private (satudata.visibility); members of their organisation, the walidata
(access.walidata) and sysadmins read them. Each module here closes channels through which CKAN (or the bundle)
would otherwise reveal them to anyone else; ``actions()`` and ``auth_functions()`` gather what plugin.py registers.
"""
from __future__ import annotations

from typing import Any


def actions() -> dict[str, Any]:
    from . import datastore, existence, members, tags

    return {**tags.actions(), **members.actions(), **existence.actions(), **datastore.actions()}
