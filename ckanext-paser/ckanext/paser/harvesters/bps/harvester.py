"""The ``bps`` harvester: one dataset per BPS variable, its dynamic table as an uploaded CSV.

- gather: pages through the variable list; only after every page was read are datasets whose variable left the
  source marked for withdrawal (a failed or empty list changes nothing).
- fetch: reads the variable's dynamic table; when its ``last_update`` and content, the variable's description and
  the source configuration are those of the dataset's last import, the object is "not modified" and nothing is
  written (no new activity).
- import: maps to the Satu Data schema, writes the CSV into CKAN's storage and creates or updates the dataset
  through ckanext-harvest's ``_create_or_update_package``; a failed update puts the previous file back.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import uuid
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestObjectExtra

from ...localization import N_
from .. import base
from . import mapping
from .client import NO_VARIABLES, BpsClient, BpsSource, ConfigError, decode, parse_config

log = logging.getLogger(__name__)

CONFIG_ORGANIZATION = "ckanext.paser.harvesters.bps.organization"
DEFAULT_ORGANIZATION = "bps-paser"
# Bumped when the mapping changes, so the next run updates every dataset once.
MAPPING_VERSION = "1"
STATUS = "status"
WITHDRAW = "withdraw"

INVALID_CONFIG = N_("The configuration of the BPS harvest source is invalid: %(reason)s.")
NO_ORGANIZATION = N_("No producer organisation: give the harvest source an organisation or create %(name)s.")
WITHDRAWN = N_("Variable %(var)s is no longer listed by the source: its dataset was withdrawn.")


class BpsHarvester(HarvesterBase):
    """IHarvester for the BPS WebAPI (plugin ``bps_harvester``, source type ``bps``)."""

    def info(self) -> dict[str, str]:
        return {
            "name": "bps",
            "title": "BPS WebAPI",
            "description": "Variables and dynamic tables of a BPS domain (webapi.bps.go.id), one dataset per "
                           "variable with its table as CSV",
            "form_config_interface": "Text",
        }

    def validate_config(self, config: str | None) -> str | None:
        try:
            parse_config(config)
        except ConfigError as error:
            raise ValueError(str(error)) from None
        return config

    # --- helpers -------------------------------------------------------------------------------------------

    def _source(self, harvest_job: HarvestJob) -> BpsSource:
        return parse_config(harvest_job.source.config, harvest_job.source.url)

    @staticmethod
    def _guid(source: BpsSource, var_id: str) -> str:
        return f"bps:{source.domain}:var:{var_id}"

    @staticmethod
    def _package_id(source_id: str, guid: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"ckanext-paser:{source_id}:{guid}"))

    @staticmethod
    def _status(harvest_object: HarvestObject) -> str | None:
        return next((extra.value for extra in harvest_object.extras if extra.key == STATUS), None)

    def _error(self, message: str, params: dict[str, Any], harvest_object: HarvestObject, stage: str) -> bool:
        self._save_object_error(message % params, harvest_object, stage)
        return False

    # --- gather ----------------------------------------------------------------------------------------------

    def gather_stage(self, harvest_job: HarvestJob) -> list[str]:
        try:
            source = self._source(harvest_job)
        except ConfigError as error:
            self._save_gather_error(INVALID_CONFIG % {"reason": str(error)}, harvest_job)
            return []
        try:
            items = BpsClient(source).variables()
        except base.SourceError as error:
            self._save_gather_error(error.text, harvest_job)
            return []
        if not items:
            self._save_gather_error(NO_VARIABLES % {"domain": source.domain}, harvest_job)
            return []
        object_ids = []
        guids = set()
        for item in items:
            guid = self._guid(source, str(item["var_id"]))
            guids.add(guid)
            obj = HarvestObject(guid=guid, job=harvest_job, content=json.dumps(item),
                                extras=[HarvestObjectExtra(key=STATUS, value="change")])
            obj.save()
            object_ids.append(obj.id)
        return object_ids + self._mark_withdrawn(guids, harvest_job)

    def _mark_withdrawn(self, guids_in_source: set[str], harvest_job: HarvestJob) -> list[str]:
        """Objects withdrawing the datasets whose variable the (fully read) source no longer lists."""
        current = (model.Session.query(HarvestObject.guid, HarvestObject.package_id)
                   .filter(HarvestObject.current == True)
                   .filter(HarvestObject.harvest_source_id == harvest_job.source.id))
        object_ids = []
        for guid, package_id in current:
            if guid in guids_in_source or not package_id:
                continue
            obj = HarvestObject(guid=guid, job=harvest_job, package_id=package_id,
                                extras=[HarvestObjectExtra(key=STATUS, value=WITHDRAW)])
            obj.save()
            object_ids.append(obj.id)
        return object_ids

    # --- fetch -----------------------------------------------------------------------------------------------

    def fetch_stage(self, harvest_object: HarvestObject) -> bool | str:
        if self._status(harvest_object) == WITHDRAW:
            return True
        try:
            source = self._source(harvest_object.job)
        except ConfigError as error:
            return self._error(INVALID_CONFIG, {"reason": str(error)}, harvest_object, "Fetch")
        item = json.loads(harvest_object.content)
        try:
            table = BpsClient(source).table(str(item["var_id"]))
        except base.SourceError as error:
            return self._error(error.message, error.params, harvest_object, "Fetch")
        fingerprint = hashlib.sha256(json.dumps(
            {"mapping": MAPPING_VERSION, "var": item, "table": table, "config": source.fingerprint_config(),
             "owner": self._owner_name(harvest_object)}, sort_keys=True).encode("utf-8")).hexdigest()
        harvest_object.content = json.dumps({"var": item, "table": table, "fingerprint": fingerprint})
        harvest_object.save()
        previous = self._previous(harvest_object)
        if (previous is not None and not getattr(harvest_object, "force_import", False)
                and _fingerprint(previous.content) == fingerprint and self._dataset_active(previous.package_id)):
            return "unchanged"
        return True

    @staticmethod
    def _previous(harvest_object: HarvestObject) -> HarvestObject | None:
        return (model.Session.query(HarvestObject)
                .filter(HarvestObject.guid == harvest_object.guid)
                .filter(HarvestObject.harvest_source_id == harvest_object.job.source.id)
                .filter(HarvestObject.current == True)
                .filter(HarvestObject.id != harvest_object.id)
                .first())

    @staticmethod
    def _dataset_active(package_id: str | None) -> bool:
        package = model.Package.get(package_id) if package_id else None
        return package is not None and package.state == "active"

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

    def import_stage(self, harvest_object: HarvestObject) -> bool | str | None:
        if self._status(harvest_object) == WITHDRAW:
            return self._withdraw(harvest_object)
        try:
            source = self._source(harvest_object.job)
        except ConfigError as error:
            return self._error(INVALID_CONFIG, {"reason": str(error)}, harvest_object, "Import")
        content = json.loads(harvest_object.content)
        item, table = content["var"], content["table"]
        var_id = str(item["var_id"])
        owner_name = self._owner_name(harvest_object)
        owner_id = base.organization_id(owner_name) or base.ensure_reference_organization(owner_name)
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
        restore = _write_upload(resource["id"], mapped.csv)
        result = self._create_or_update_package(mapped.package, harvest_object, "package_show")
        if result is not True:
            restore()
            model.Session.rollback()
        return result

    def _withdraw(self, harvest_object: HarvestObject) -> bool:
        context = {"model": model, "session": model.Session, "user": self._get_user_name(), "ignore_auth": True}
        try:
            tk.get_action("package_delete")(context, {"id": harvest_object.package_id})
        except tk.ObjectNotFound:
            pass
        harvest_object.current = False
        harvest_object.save()
        var_id = harvest_object.guid.rsplit(":", 1)[-1]
        log.info(WITHDRAWN % {"var": var_id})
        return True

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


def _fingerprint(content: str | None) -> str | None:
    try:
        return json.loads(content or "{}").get("fingerprint")
    except (TypeError, ValueError, AttributeError):
        return None


def _write_upload(resource_id: str, data: bytes):
    """Put ``data`` where CKAN keeps the upload of ``resource_id``; returns a function putting back what was there."""
    from ckan.lib.uploader import get_resource_uploader

    path = get_resource_uploader({"id": resource_id}).get_path(resource_id)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    previous = None
    if os.path.exists(path):
        with open(path, "rb") as handle:
            previous = handle.read()
    temporary = f"{path}.harvest-{uuid.uuid4().hex}"
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)

    def restore() -> None:
        if previous is None:
            if os.path.exists(path):
                os.remove(path)
            return
        with open(temporary, "wb") as handle:
            handle.write(previous)
        os.replace(temporary, path)

    return restore
