"""A harvest source's configuration stays in its `config` when the source is shown.

ckanext-harvest's show schema (`harvest_source_show_package_schema`) runs `harvest_source_convert_from_config`,
which copies every key of the source configuration to the top level of the dataset dict. Its purpose is the
edit form of a harvester that declares extra form fields (`IHarvester.extra_schema`, collected into the
configuration by `harvest_source_extra_validator`), but it copies every key, over the keys of the dataset
itself: the `organization` the Paser harvesters read (docs/harvesters.md) replaced the source's organisation
dict with a text, and every harvest page (`/harvest/`, the source's read, about, admin and edit pages) broke on
it; a spreadsheet source's `frequency` ("tahunan") replaced the source's harvest frequency, its `title` the
source's title; `api_key` appeared at the top level of package_show for every reader.

`config_to_form_fields` copies only what upstream meant to copy: the keys of some harvester's extra form fields,
where the dataset has no such key, and never a secret (harvesters/secrets.py). CKAN offers no seam to change
another plugin's dataset schema (one IDatasetForm per type), so the show schema's one call site, the name
`harvest_source_convert_from_config` in `ckanext.harvest.logic.schema` (looked up each time the schema is built,
by package_show and by the search index), is pointed at it; `install()` stops the start-up if that name or the
show schema's use of it changed upstream.
"""
from __future__ import annotations

import json
from typing import Any

from ckan.plugins import PluginImplementations

from .secrets import is_secret_key

_TARGET = "harvest_source_convert_from_config"


class UpstreamChanged(RuntimeError):
    """ckanext-harvest no longer has the call site this module replaces: review source_schema.py."""


def _form_field_names() -> set[str]:
    """The extra form fields every harvester declares (what ckanext-harvest accepts at the top level)."""
    from ckanext.harvest.interfaces import IHarvester

    names: set[str] = set()
    for harvester in PluginImplementations(IHarvester):
        if hasattr(harvester, "extra_schema"):
            names.update(harvester.extra_schema().keys())
    return names


def config_to_form_fields(key: tuple[Any, ...], data: dict[tuple[Any, ...], Any], errors: dict[Any, Any],
                          context: dict[str, Any]) -> None:
    """The show schema's `config` converter: an invalid configuration is dropped, as upstream does; keys of
    harvesters' extra form fields are shown at the top level where the dataset has no such key."""
    text = data.get(key)
    if not text:
        return
    try:
        config = json.loads(text)
    except ValueError:
        data[key] = None
        return
    if not isinstance(config, dict):
        return
    form_fields = _form_field_names()
    for name, value in config.items():
        if name in form_fields and (name,) not in data and not is_secret_key(name):
            data[(name,)] = value


def install() -> None:
    """Points ckanext-harvest's show schema at `config_to_form_fields` (idempotent)."""
    from ckanext.harvest.logic import schema, validators

    current = getattr(schema, _TARGET, None)
    if current is config_to_form_fields:
        return
    if current is not getattr(validators, _TARGET, None) or current is None:
        raise UpstreamChanged(f"ckanext.harvest.logic.schema.{_TARGET} is not ckanext-harvest's validator")
    if current not in schema.harvest_source_show_package_schema().get("config", []):
        raise UpstreamChanged(f"ckanext-harvest's show schema no longer converts config with {_TARGET}")
    setattr(schema, _TARGET, config_to_form_fields)
