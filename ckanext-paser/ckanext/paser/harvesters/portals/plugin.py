"""``paser_harvest``: the hooks of ckanext-dcat's ``dcat_rdf`` harvester that make its datasets Paser datasets.

The harvester itself is stock; this plugin only implements ``IDCATRDFHarvester``:

- ``update_session``: every request is bounded by ``ckanext.paser.harvesters.timeout`` (the stock session waits
  forever on a silent server);
- ``after_download``: an HTML page (an error or login page served with status 200) is refused with a clear gather
  error instead of reaching the RDF parser; nothing is imported or withdrawn from a failed read;
- ``before_create``/``before_update``: ``mapping.paser_dataset`` (organisation, kecamatan coverage, Satu Data
  fields); an update whose record and source configuration are those of the last successful import is skipped
  ("not modified": no write, no activity);
- ``after_create``/``after_update``: remember that fingerprint on the harvest object.

It also carries what the portal changes in ckanext-harvest itself (loaded wherever harvesting is):

- ``IConfigurable``: the source show schema no longer copies configuration keys over the source's own
  (``harvesters/source_schema.py``: the ``organization`` key broke every harvest page);
- ``IPackageController``, ``IActions``: secrets of source configurations only for those who may edit the source,
  in every channel (``harvesters/secrets.py``);
- ``IAuthFunctions``: ``harvest_job_list`` without ``source_id`` for sysadmins only, a 403 instead of a 500 for
  everyone else (``harvesters/access.py``).
"""
from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import ckan.plugins as p
import requests
from ckan import model

from ckanext.dcat.interfaces import IDCATRDFHarvester
from ckanext.harvest.model import HarvestObject, HarvestObjectExtra

from ...localization import N_
from .. import access, secrets, source_schema
from ..base import configured_timeout, looks_like_html
from . import common, mapping

log = logging.getLogger(__name__)

FINGERPRINT = "paser_fingerprint"
# Bumped when the mapping changes, so the next run updates every harvested dataset once.
MAPPING_VERSION = "1"
HTML_INSTEAD_OF_RDF = N_("The source %(url)s returned an HTML page instead of an RDF catalogue "
                         "(an error or login page?). Nothing was imported.")
EMPTY_RESPONSE = N_("The source %(url)s returned an empty response. Nothing was imported.")


class _TimeoutAdapter(requests.adapters.HTTPAdapter):
    """Gives every request of the session a timeout (requests has no session-wide one)."""

    def __init__(self, timeout: float):
        self.timeout = timeout
        super().__init__()

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = (self.timeout, self.timeout)
        return super().send(request, **kwargs)


def fingerprint(harvest_object: HarvestObject) -> str:
    record = json.loads(harvest_object.content or "{}")
    record.pop("name", None)  # the gather stage makes a fresh unique name on every run
    text = json.dumps([MAPPING_VERSION, record, common.load_config(harvest_object.source.config)], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def unchanged_since_last_import(harvest_object: HarvestObject, package_id: str, value: str) -> bool:
    query = (model.Session.query(HarvestObject.id)
             .join(HarvestObjectExtra, HarvestObjectExtra.harvest_object_id == HarvestObject.id)
             .filter(HarvestObject.guid == harvest_object.guid, HarvestObject.id != harvest_object.id,
                     HarvestObject.package_id == package_id, HarvestObjectExtra.key == FINGERPRINT,
                     HarvestObjectExtra.value == value))
    return query.first() is not None


def _remember(harvest_object: HarvestObject, value: str) -> None:
    if not any(extra.key == FINGERPRINT for extra in harvest_object.extras):
        model.Session.add(HarvestObjectExtra(object=harvest_object, key=FINGERPRINT, value=value))


def _publishers(dataset: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for publisher in dataset.get("publisher") or []:
        if isinstance(publisher, dict):
            names += [publisher.get("name") or "", publisher.get("uri") or ""]
    extras = mapping.extras_dict(dataset)
    names += [extras.get("publisher_name", ""), extras.get("publisher_uri", "")]
    return [name for name in names if name]


def map_dataset(harvest_object: HarvestObject, dataset: dict[str, Any]) -> None:
    source = model.Package.get(harvest_object.source.id)
    fields = common.schema_fields()
    publishers = _publishers(dataset)
    # Structured DCAT-AP properties the Paser schema has no field for (publisher, creator, ...) would be refused
    # as unexpected input; the profile keeps the publisher in the extras as well.
    for key in [key for key, value in dataset.items() if isinstance(value, (list, dict))
                and key not in fields and key not in common.CORE_LIST_KEYS]:
        dataset.pop(key)
    mapping.paser_dataset(dataset, config=common.load_config(harvest_object.source.config),
                          publishers=publishers, source_owner=source.owner_org if source else None,
                          schema_fields=fields)


class PaserHarvestPlugin(p.SingletonPlugin):
    p.implements(IDCATRDFHarvester, inherit=True)
    p.implements(p.IConfigurable)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)

    def configure(self, config: Any) -> None:
        source_schema.install()

    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        secrets.after_dataset_show(context, pkg_dict)
        return pkg_dict

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return secrets.before_dataset_index(pkg_dict)

    def get_actions(self) -> dict[str, Any]:
        return secrets.actions()

    def get_auth_functions(self) -> dict[str, Any]:
        return access.auth_functions()

    def update_session(self, session: requests.Session) -> requests.Session:
        adapter = _TimeoutAdapter(configured_timeout())
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    def after_download(self, content: str | None, harvest_job: Any) -> tuple[str | None, list[str]]:
        url = harvest_job.source.url
        if content is None:
            return None, []
        if not content.strip():
            return None, [EMPTY_RESPONSE % {"url": url}]
        if looks_like_html(content):
            return None, [HTML_INSTEAD_OF_RDF % {"url": url}]
        return content, []

    def before_create(self, harvest_object: HarvestObject, dataset_dict: dict[str, Any],
                      temp_dict: dict[str, Any]) -> None:
        map_dataset(harvest_object, dataset_dict)

    def before_update(self, harvest_object: HarvestObject, dataset_dict: dict[str, Any],
                      temp_dict: dict[str, Any]) -> None:
        value = fingerprint(harvest_object)
        if unchanged_since_last_import(harvest_object, dataset_dict["id"], value):
            harvest_object.package_id = dataset_dict["id"]
            _remember(harvest_object, value)
            harvest_object.add()
            dataset_dict.clear()  # the stock harvester then reports the object "not modified"
            return
        map_dataset(harvest_object, dataset_dict)

    def after_create(self, harvest_object: HarvestObject, dataset_dict: dict[str, Any],
                     temp_dict: dict[str, Any]) -> None:
        _remember(harvest_object, fingerprint(harvest_object))

    def after_update(self, harvest_object: HarvestObject, dataset_dict: dict[str, Any],
                     temp_dict: dict[str, Any]) -> None:
        _remember(harvest_object, fingerprint(harvest_object))
