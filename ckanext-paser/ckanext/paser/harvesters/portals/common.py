"""What the two portal harvesters share: the source configuration keys and the schema's field names."""
from __future__ import annotations

import json
from typing import Any

from ckanext.scheming.helpers import scheming_get_dataset_schema

from ...localization import N_
from .mapping import JENIS_DATA

ORGANIZATIONS_NOT_MAP = N_('"organizations" must map remote publisher names or URIs to local organisation names.')
DEFAULT_ORG_NOT_NAME = N_('"default_organization" must be the name of a local organisation.')
# Core package keys holding lists or dicts.
CORE_LIST_KEYS = ("tags", "extras", "resources", "groups", "relationships_as_object", "relationships_as_subject")
BAD_JENIS_DATA = N_('"jenis_data" must be one of: %(choices)s.')


def load_config(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def check_config(config: dict[str, Any]) -> None:
    """Raises ValueError (the message shown on the source form) for a bad Paser key."""
    organizations = config.get("organizations", {})
    if not isinstance(organizations, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in organizations.items()):
        raise ValueError(ORGANIZATIONS_NOT_MAP)
    if "default_organization" in config and not isinstance(config["default_organization"], str):
        raise ValueError(DEFAULT_ORG_NOT_NAME)
    if "jenis_data" in config and config["jenis_data"] not in JENIS_DATA:
        raise ValueError(BAD_JENIS_DATA % {"choices": ", ".join(JENIS_DATA)})


def schema_fields() -> list[str]:
    schema = scheming_get_dataset_schema("dataset") or {}
    return [field["field_name"] for field in schema.get("dataset_fields", [])]
