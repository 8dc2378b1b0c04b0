"""The ``bps`` harvester: one dataset per BPS variable, its dynamic table as an uploaded CSV.

- gather: pages through the variable list; only after every page was read are datasets whose variable left the
  source marked for withdrawal (a failed or empty list changes nothing).
- fetch: reads the variable's dynamic table; when its ``last_update`` and content, the variable's description and
  the source configuration are those of the dataset's last import, the object is "not modified" and nothing is
  written (no new activity).
- import: maps to the Satu Data schema, writes the CSV into CKAN's storage and creates or updates the dataset
  through ckanext-harvest's ``_create_or_update_package``; a failed update puts the previous file back.

The stages themselves (withdrawal, "not modified", uploads) are ``stages.ItemHarvester``'s.
"""
from __future__ import annotations

import json

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.harvest.model import HarvestObject

from ...localization import N_
from .. import base, stages
from . import mapping
from .client import NO_VARIABLES, BpsClient, BpsSource, ConfigError, decode, parse_config

CONFIG_ORGANIZATION = "ckanext.paser.harvesters.bps.organization"
DEFAULT_ORGANIZATION = "bps-paser"
# Bumped when the mapping changes, so the next run updates every dataset once.
MAPPING_VERSION = "1"

INVALID_CONFIG = N_("The configuration of the BPS harvest source is invalid: %(reason)s.")
NO_ORGANIZATION = N_("No producer organisation: give the harvest source an organisation or create %(name)s.")
WITHDRAWN = N_("Variable %(var)s is no longer listed by the source: its dataset was withdrawn.")


class BpsHarvester(stages.ItemHarvester):
    """IHarvester for the BPS WebAPI (plugin ``bps_harvester``, source type ``bps``)."""

    config_error = ConfigError
    invalid_config = INVALID_CONFIG

    def info(self) -> dict[str, str]:
        return {
            "name": "bps",
            "title": "BPS WebAPI",
            "description": "Variables and dynamic tables of a BPS domain (webapi.bps.go.id), one dataset per "
                           "variable with its table as CSV",
            "form_config_interface": "Text",
        }

    def _parse_config(self, config: str | None, url: str | None = None) -> BpsSource:
        return parse_config(config, url)

    @staticmethod
    def _guid(source: BpsSource, var_id: str) -> str:
        return f"bps:{source.domain}:var:{var_id}"

    def _withdrawn_message(self, guid: str) -> str:
        return WITHDRAWN % {"var": guid.rsplit(":", 1)[-1]}

    # --- gather ----------------------------------------------------------------------------------------------

    def _list(self, source: BpsSource) -> list[tuple[str, str]]:
        return [(self._guid(source, str(item["var_id"])), json.dumps(item)) for item in BpsClient(source).variables()]

    def _nothing_listed(self, source: BpsSource) -> str:
        return NO_VARIABLES % {"domain": source.domain}

    # --- fetch -----------------------------------------------------------------------------------------------

    def _fetch(self, harvest_object: HarvestObject, source: BpsSource) -> bool | str:
        item = json.loads(harvest_object.content)
        try:
            table = BpsClient(source).table(str(item["var_id"]))
        except base.SourceError as error:
            return self._error(error.message, error.params, harvest_object, "Fetch")
        fingerprint = stages.fingerprint({"mapping": MAPPING_VERSION, "var": item, "table": table,
                                          "config": source.fingerprint_config(),
                                          "owner": self._owner_name(harvest_object)})
        harvest_object.content = json.dumps({"var": item, "table": table, "fingerprint": fingerprint})
        harvest_object.save()
        return "unchanged" if self._unchanged(harvest_object, fingerprint) else True

    def _owner_name(self, harvest_object: HarvestObject) -> str:
        """The producer: the source configuration's organization, else the source's owner, else BPS."""
        try:
            named = self._source(harvest_object.job).organization
        except ConfigError:
            named = ""
        if named:
            return named
        source_dataset = model.Package.get(harvest_object.job.source.id)
        if source_dataset is not None and source_dataset.owner_org:
            return source_dataset.owner_org
        return tk.config.get(CONFIG_ORGANIZATION) or DEFAULT_ORGANIZATION

    # --- import ----------------------------------------------------------------------------------------------

    def _import(self, harvest_object: HarvestObject, source: BpsSource) -> bool | str | None:
        content = json.loads(harvest_object.content)
        item, table = content["var"], content["table"]
        var_id = str(item["var_id"])
        owner_name = self._owner_name(harvest_object)
        owner_id = base.producer_id(owner_name)
        if not owner_id:
            return self._error(NO_ORGANIZATION, {"name": owner_name}, harvest_object, "Import")
        try:
            decoded = decode(table, var_id)
        except base.SourceError as error:
            return self._error(error.message, error.params, harvest_object, "Import")
        package_id = self._package_id(harvest_object.job.source.id, harvest_object.guid)
        mapped = mapping.build(item, table, decoded, source, owner_id, package_id,
                               self._groups(item.get("sub_name")))
        for problem in mapped.problems:
            self._save_object_error(problem, harvest_object, "Import")
        resource = mapped.package["resources"][0]
        return self._save_package(mapped.package, harvest_object, [(resource["id"], mapped.csv)])

    @staticmethod
    def _groups(subject: str | None) -> list[dict[str, str]]:
        """The sektor group whose title matches the BPS subject, if the portal has one."""
        from ...reference import normalise

        if not subject:
            return []
        wanted = normalise(mapping.clean_text(subject), strip_prefix=False)
        groups = model.Session.query(model.Group).filter(model.Group.state == "active",
                                                          model.Group.is_organization == False)
        return [{"name": group.name} for group in groups
                if wanted and wanted in (normalise(group.title or "", strip_prefix=False),
                                         normalise(group.name, strip_prefix=False))]

