"""Secrets in harvest source configurations: who may read them, and every channel that shows a source without them.

A source's configuration (JSON, `config`) may hold a credential for the remote source: the BPS WebAPI key
(`api_key`, bps/client.py), the CKAN API token of the `paser_ckan` and stock `ckan` harvesters (`api_key`, sent as
the Authorization header). The spreadsheet and DCAT harvesters take none. `SECRET_KEYS` (and the suffixes in
`SECRET_SUFFIXES`) name them, here only; docs/harvesters.md lists them for operators.

Only those who may edit the source (ckanext-harvest's `harvest_source_update`: a sysadmin, an editor or admin of
the source's organisation) read the secrets, through package_show / harvest_source_show (the edit form). Everyone
else gets the configuration with each secret replaced by `***`:

- package_show and harvest_source_show (`after_dataset_show`): the configuration is taken from the database for
  those who may edit, masked for everyone else;
- harvest_source_list (chained): the same rule, source by source;
- the search index (`before_dataset_index`): indexed masked, so `q=<the key>` finds nothing and package_search
  (`fq=dataset_type:harvest`) returns the masked configuration to everyone;
- the activity stream: stored masked (`activity_create`), and masked again when read (activity lists, activity_show,
  activity_data_show, activity_diff), for activities recorded before this module existed.

The harvesters themselves read the configuration from the harvest source table (`HarvestSource.config`), which
keeps the secret: gather and fetch are unchanged.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from .base import REDACTED, redact

HARVEST_TYPE = "harvest"
# Configuration keys whose value is a credential (compared lower-cased). `api_key`: bps (BPS WebAPI key),
# paser_ckan and ckan (CKAN API token). The others are what a future harvester would call a credential.
SECRET_KEYS = frozenset({"api_key", "apikey", "api_token", "access_token", "token", "password", "secret",
                         "client_secret", "authorization"})
SECRET_SUFFIXES = ("_key", "_token", "_secret", "_password")


def is_secret_key(name: Any) -> bool:
    if not isinstance(name, str):
        return False
    lowered = name.lower()
    return lowered in SECRET_KEYS or lowered.endswith(SECRET_SUFFIXES)


def _masked_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: REDACTED if is_secret_key(key) and item not in (None, "") else _masked_value(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_masked_value(item) for item in value]
    return value


def _secret_values(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [str(item) for key, item in value.items()
                 if is_secret_key(key) and isinstance(item, (str, int)) and str(item) not in ("", REDACTED)]
        return found + [secret for item in value.values() for secret in _secret_values(item)]
    if isinstance(value, list):
        return [secret for item in value for secret in _secret_values(item)]
    return []


def _parsed(text: Any) -> Any:
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def secret_values(config: Any) -> list[str]:
    """The secrets of a configuration (JSON text), longest first."""
    return sorted(set(_secret_values(_parsed(config))), key=len, reverse=True)


def mask_config(config: Any) -> Any:
    """The configuration (JSON text) with every secret replaced by `***`. A text that is not JSON cannot be told
    apart, so it is withheld (None); an empty configuration stays as it is."""
    if not isinstance(config, str) or not config.strip():
        return config
    parsed = _parsed(config)
    if parsed is None:
        return None
    masked = _masked_value(parsed)
    return config if masked == parsed else json.dumps(masked, ensure_ascii=False)


def mask_source(source: dict[str, Any], config: Any = None, reveal: bool = False) -> dict[str, Any]:
    """A harvest source's dict (package or harvest_source_list), in place: `config` set to `config` (the stored
    text) when `reveal`, else masked; secret keys at the top level (copied there by ckanext-harvest before
    source_schema.py) and secrets in a `config` extra removed."""
    stored = config if config is not None else source.get("config")
    secrets = secret_values(stored) + secret_values(source.get("config"))
    if "config" in source or config is not None:
        source["config"] = stored if reveal else mask_config(stored)
    for key in [key for key in source if is_secret_key(key)]:
        if reveal:
            continue
        source.pop(key)
    for extra in source.get("extras") or []:
        if isinstance(extra, dict) and extra.get("key") == "config":
            extra["value"] = stored if reveal else mask_config(extra.get("value"))
    if not reveal and secrets:
        # Anything else that quotes a secret (a note, a title) is redacted too.
        for key, value in list(source.items()):
            if isinstance(value, str) and key != "config" and any(secret in value for secret in secrets):
                source[key] = redact(value, secrets)
    return source


def may_see_secrets(user: Any, source_id: str) -> bool:
    """Whether `user` (a name, or a user object) may edit the source, and so read its secrets."""
    name = getattr(user, "name", user)
    if not name or not source_id:
        return False
    context = {"model": model, "session": model.Session, "user": name}
    try:
        tk.check_access("harvest_source_update", context, {"id": source_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def _viewer(context: dict[str, Any]) -> Any:
    return context.get("auth_user_obj") or context.get("user")


def _stored_config(source_id: str) -> str | None:
    package = model.Package.get(source_id)
    return package.extras.get("config") if package is not None else None


# ---------------------------------------------------------------- IPackageController

def after_dataset_show(context: dict[str, Any], package_dict: dict[str, Any]) -> None:
    """package_show and harvest_source_show: the stored configuration for those who may edit the source, the
    masked one for everyone else (the dict may come from the search index, which holds it masked)."""
    if package_dict.get("type") != HARVEST_TYPE or not package_dict.get("id"):
        return
    reveal = may_see_secrets(_viewer(context), package_dict["id"])
    mask_source(package_dict, config=_stored_config(package_dict["id"]), reveal=reveal)


def before_dataset_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """A harvest source is indexed with its configuration masked: in the searchable fields (`config`,
    `extras_config`), in the stored dataset dicts (`data_dict`, `validated_data_dict`, which package_search
    returns) and wherever a secret was copied."""
    if pkg_dict.get("dataset_type", pkg_dict.get("type")) != HARVEST_TYPE:
        return pkg_dict
    secrets = secret_values(pkg_dict.get("config")) + secret_values(pkg_dict.get("extras_config"))
    for name in ("data_dict", "validated_data_dict"):
        stored = _parsed(pkg_dict.get(name))
        if isinstance(stored, dict):
            secrets += secret_values(stored.get("config"))
            pkg_dict[name] = json.dumps(mask_source(stored))
    for name in ("config", "extras_config"):
        if name in pkg_dict:
            pkg_dict[name] = mask_config(pkg_dict[name])
    for key in [key for key in pkg_dict if is_secret_key(key) or is_secret_key(key.removeprefix("extras_"))]:
        pkg_dict.pop(key)
    secrets = sorted(set(secrets), key=len, reverse=True)
    if secrets:
        for key, value in list(pkg_dict.items()):
            if isinstance(value, str) and any(secret in value for secret in secrets):
                pkg_dict[key] = redact(value, secrets)
    return pkg_dict


# ---------------------------------------------------------------- actions

def _mask_harvest_dicts(value: Any) -> Any:
    """Every harvest source dict within `value` (an activity, a list of them), masked in place."""
    if isinstance(value, dict):
        if value.get("type") == HARVEST_TYPE and ("config" in value or "source_type" in value):
            mask_source(value)
        for item in value.values():
            _mask_harvest_dicts(item)
    elif isinstance(value, list):
        for item in value:
            _mask_harvest_dicts(item)
    return value


@tk.chained_action
@tk.side_effect_free
def harvest_source_list(original_action: Callable[..., Any], context: dict[str, Any],
                        data_dict: dict[str, Any]) -> Any:
    # Upstream's action never checks access (its auth function lets everyone list); checked here so that CKAN's
    # auth audit, which exempts only the original, is satisfied.
    tk.check_access("harvest_source_list", context, data_dict)
    sources = original_action(context, data_dict)
    viewer = _viewer(context)
    for source in sources:
        mask_source(source, reveal=may_see_secrets(viewer, source.get("id") or ""))
    return sources


def restore_masked(config: Any, stored: Any) -> Any:
    """`config` with each secret given as `***` (a configuration copied from a masked view) replaced by the
    stored secret of the same key, so saving it does not overwrite the key with the mask."""
    submitted, previous = _parsed(config), _parsed(stored)
    if not isinstance(submitted, dict) or not isinstance(previous, dict):
        return config

    def restored(value: Any, old: Any) -> Any:
        if not isinstance(value, dict):
            return value
        old = old if isinstance(old, dict) else {}
        return {key: (old.get(key, item) if is_secret_key(key) and item == REDACTED else restored(item, old.get(key)))
                for key, item in value.items()}

    result = restored(submitted, previous)
    return config if result == submitted else json.dumps(result, ensure_ascii=False)


@tk.chained_action
def package_update(original_action: Callable[..., Any], context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    """A harvest source saved with a masked secret (`***`) keeps its stored secret."""
    source_id = data_dict.get("id") or data_dict.get("name")
    if isinstance(data_dict.get("config"), str) and REDACTED in data_dict["config"] and source_id:
        package = model.Package.get(source_id)
        if package is not None and package.type == HARVEST_TYPE:
            data_dict = {**data_dict, "config": restore_masked(data_dict["config"], package.extras.get("config"))}
    return original_action(context, data_dict)


@tk.chained_action
def activity_create(original_action: Callable[..., Any], context: dict[str, Any],
                    data_dict: dict[str, Any]) -> Any:
    """A harvest source's activity is stored with its configuration masked: the activity stream is read by
    everyone who may read the source, and keeps what it stores."""
    _mask_harvest_dicts(data_dict.get("data"))
    return original_action(context, data_dict)


def _masking_reader(name: str) -> Callable[..., Any]:
    def reader(original_action: Callable[..., Any], context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
        return _mask_harvest_dicts(original_action(context, data_dict))

    reader.__name__ = name
    reader.__doc__ = f"{name}, with the configuration of harvest sources masked (activities stored earlier)."
    return tk.side_effect_free(tk.chained_action(reader))


ACTIVITY_READERS = ("package_activity_list", "organization_activity_list", "group_activity_list",
                    "recently_changed_packages_activity_list", "dashboard_activity_list", "user_activity_list",
                    "activity_show", "activity_data_show")


@tk.chained_action
@tk.side_effect_free
def activity_diff(original_action: Callable[..., Any], context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    """The diff quotes both stored versions as text: the secrets of a harvest source's activities are redacted."""
    from ckanext.activity.model import Activity

    result = original_action(context, data_dict)
    activity = model.Session.query(Activity).get(data_dict.get("id"))
    if activity is None:
        return result
    secrets = secret_values(_stored_config(activity.object_id))
    for row in model.Session.query(Activity.data).filter(Activity.object_id == activity.object_id):
        package = (row.data or {}).get("package") or {}
        if isinstance(package, dict) and package.get("type") == HARVEST_TYPE:
            secrets += secret_values(package.get("config"))
    secrets = sorted(set(secrets), key=len, reverse=True)
    if secrets and isinstance(result.get("diff"), str):
        result["diff"] = redact(result["diff"], secrets)
    _mask_harvest_dicts(result.get("activities"))
    return result


def actions() -> dict[str, Any]:
    """The chained actions of this module; only those whose plugin (harvest, activity) is loaded."""
    import ckan.plugins as p

    chained: dict[str, Any] = {}
    if p.plugin_loaded("harvest"):
        chained["harvest_source_list"] = harvest_source_list
        chained["package_update"] = package_update
    if p.plugin_loaded("activity"):
        chained["activity_create"] = activity_create
        chained["activity_diff"] = activity_diff
        chained.update({name: _masking_reader(name) for name in ACTIVITY_READERS})
    return chained

