"""The gather, fetch and import stages shared by the harvesters keeping one dataset per listed item (``bps``,
``spreadsheet``). ``ItemHarvester`` runs the stages; a subclass says how to read its configuration, list, fetch
and import its items.

- gather: an invalid configuration, a failed listing and an empty one are gather errors and change nothing. Only
  after a full listing are the datasets whose item left the source marked for withdrawal.
- fetch: a withdrawal object has nothing to fetch. An item whose fingerprint is that of the dataset's last import
  (the dataset still active, the import not forced) is "not modified": nothing is written.
- import: a withdrawal object deletes its dataset. Uploads are written before the dataset is created or updated
  through ckanext-harvest's ``_create_or_update_package``; a refused update puts the previous files back.
"""
from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestObjectExtra

from . import base

# The harvest object extra telling a listed item ("change") from a withdrawal ("withdraw").
STATUS = "status"
CHANGE = "change"
WITHDRAW = "withdraw"


class ItemHarvester(HarvesterBase):
    """IHarvester stages for one dataset per listed item. A subclass sets ``config_error`` (what its
    ``_parse_config`` raises) and ``invalid_config`` (a msgid with ``%(reason)s``) and implements the hooks below."""

    config_error: ClassVar[type[Exception]] = ValueError
    invalid_config: ClassVar[str] = "%(reason)s"

    # --- hooks ---------------------------------------------------------------------------------------------------

    def _parse_config(self, config: str | None, url: str | None = None) -> Any:
        """The source configuration; raises ``config_error``."""
        raise NotImplementedError

    def _list(self, source: Any) -> list[tuple[str, str]]:
        """(guid, object content) of every item the source lists; a failed read raises ``base.SourceError``."""
        raise NotImplementedError

    def _nothing_listed(self, source: Any) -> str:
        """The gather error of a source listing no item."""
        raise NotImplementedError

    def _fetch(self, harvest_object: HarvestObject, source: Any) -> bool | str:
        raise NotImplementedError

    def _import(self, harvest_object: HarvestObject, source: Any) -> bool | str | None:
        raise NotImplementedError

    def _withdrawn_message(self, guid: str) -> str:
        """The log line of a withdrawn item."""
        raise NotImplementedError

    # --- IHarvester ------------------------------------------------------------------------------------------------

    def validate_config(self, config: str | None) -> str | None:
        try:
            self._parse_config(config)
        except self.config_error as error:
            # Shown by ckanext-harvest's source form: in the steward's language.
            raise ValueError(base.translated(error)) from None
        return config

    def gather_stage(self, harvest_job: HarvestJob) -> list[str]:
        try:
            source = self._source(harvest_job)
        except self.config_error as error:
            self._save_gather_error(self.invalid_config % {"reason": str(error)}, harvest_job)
            return []
        try:
            items = self._list(source)
        except base.SourceError as error:
            self._save_gather_error(error.text, harvest_job)
            return []
        if not items:
            self._save_gather_error(self._nothing_listed(source), harvest_job)
            return []
        object_ids = [_new_object(harvest_job, guid, CHANGE, content=content) for guid, content in items]
        return object_ids + self._mark_withdrawn({guid for guid, _ in items}, harvest_job)

    def fetch_stage(self, harvest_object: HarvestObject) -> bool | str:
        if self._status(harvest_object) == WITHDRAW:
            return True
        try:
            source = self._source(harvest_object.job)
        except self.config_error as error:
            return self._error(self.invalid_config, {"reason": str(error)}, harvest_object, "Fetch")
        return self._fetch(harvest_object, source)

    def import_stage(self, harvest_object: HarvestObject) -> bool | str | None:
        if self._status(harvest_object) == WITHDRAW:
            return self._withdraw(harvest_object)
        try:
            source = self._source(harvest_object.job)
        except self.config_error as error:
            return self._error(self.invalid_config, {"reason": str(error)}, harvest_object, "Import")
        return self._import(harvest_object, source)

    # --- helpers -------------------------------------------------------------------------------------------------

    def _source(self, harvest_job: HarvestJob) -> Any:
        return self._parse_config(harvest_job.source.config, harvest_job.source.url)

    @staticmethod
    def _package_id(source_id: str, guid: str) -> str:
        """A stable dataset id per source and item."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"ckanext-paser:{source_id}:{guid}"))

    @staticmethod
    def _status(harvest_object: HarvestObject) -> str | None:
        return next((extra.value for extra in harvest_object.extras if extra.key == STATUS), None)

    def _error(self, message: str, params: Mapping[str, Any], harvest_object: HarvestObject, stage: str) -> bool:
        """Saves ``message % params`` as an object error; False, the failed stage's result."""
        self._save_object_error(message % params, harvest_object, stage)
        return False

    @staticmethod
    def _mark_withdrawn(guids_in_source: set[str], harvest_job: HarvestJob) -> list[str]:
        """Objects withdrawing the datasets whose item the (fully read) source no longer lists."""
        current = (model.Session.query(HarvestObject.guid, HarvestObject.package_id)
                   .filter(HarvestObject.current == True)
                   .filter(HarvestObject.harvest_source_id == harvest_job.source.id))
        return [_new_object(harvest_job, guid, WITHDRAW, package_id=package_id)
                for guid, package_id in current if guid not in guids_in_source and package_id]

    @staticmethod
    def _unchanged(harvest_object: HarvestObject, fingerprint: str) -> bool:
        """Whether the dataset's last import had ``fingerprint`` and the dataset is active (no forced import)."""
        previous = _previous(harvest_object)
        return (previous is not None and not getattr(harvest_object, "force_import", False)
                and stored_fingerprint(previous.content) == fingerprint and _dataset_active(previous.package_id))

    def _save_package(self, package: dict[str, Any], harvest_object: HarvestObject,
                      uploads: Sequence[tuple[str, bytes]]) -> bool | str | None:
        """Writes ``uploads`` (resource id, data), then creates or updates ``package``; a refused update puts the
        previous uploads back."""
        restores = [base.write_upload(resource_id, data) for resource_id, data in uploads]
        result = self._create_or_update_package(package, harvest_object, "package_show")
        if result is not True:
            for restore in restores:
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
        # Logged under the harvester's own module, as each harvester did.
        logging.getLogger(type(self).__module__).info(self._withdrawn_message(harvest_object.guid))
        return True


def fingerprint(parts: Mapping[str, Any]) -> str:
    """The SHA-256 of ``parts`` as sorted JSON: what a fetch compares with the last import."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


def stored_fingerprint(content: str | None) -> str | None:
    """The ``fingerprint`` of a harvest object's JSON content, if any."""
    try:
        return json.loads(content or "{}").get("fingerprint")
    except (TypeError, ValueError, AttributeError):
        return None


def _new_object(harvest_job: HarvestJob, guid: str, status: str, **fields: Any) -> str:
    """Saves a harvest object of ``harvest_job`` with its status extra; its id."""
    obj = HarvestObject(guid=guid, job=harvest_job, extras=[HarvestObjectExtra(key=STATUS, value=status)], **fields)
    obj.save()
    return obj.id


def _previous(harvest_object: HarvestObject) -> HarvestObject | None:
    """The current object of the same guid and source: the dataset's last import."""
    return (model.Session.query(HarvestObject)
            .filter(HarvestObject.guid == harvest_object.guid)
            .filter(HarvestObject.harvest_source_id == harvest_object.job.source.id)
            .filter(HarvestObject.current == True)
            .filter(HarvestObject.id != harvest_object.id)
            .first())


def _dataset_active(package_id: str | None) -> bool:
    package = model.Package.get(package_id) if package_id else None
    return package is not None and package.state == "active"
