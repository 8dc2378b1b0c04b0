"""``paser_ckan_harvester`` (source type ``paser_ckan``): ckanext-harvest's CKAN harvester, made to produce Paser
datasets through the two methods it documents for extension.

The stock ``ckan`` harvester has no plugin interface (unlike ``dcat_rdf``'s ``IDCATRDFHarvester``), and the Paser
schema requires Satu Data fields no remote CKAN sends, so its datasets would fail validation. This subclass keeps
the whole stock gather/fetch/import and overrides only:

- ``modify_package_dict`` ("allows custom harvesters to modify the package dict before creating or updating the
  actual package"): ``mapping.paser_dataset``;
- ``_get_content``: reads through ``harvesters.base.http_get`` so a slow source ends in a timeout, a large one is
  cut off, and an HTML page or malformed JSON is a clear gather error (the stock read waits forever and would
  quote a whole HTML page in its error).

Everything else (source options such as ``organizations_filter_include``, ``default_tags``, ``remote_groups``,
``api_key``, ``force_all``; "modified since the last error-free job"; skipping a dataset whose remote
``metadata_modified`` is not newer) is the stock behaviour.
"""
from __future__ import annotations

from typing import Any

from ckan import model
from typing_extensions import Self  # typing.Self needs Python 3.11; CKAN pins typing-extensions

from ckanext.harvest.harvesters.ckanharvester import CKANHarvester, ContentFetchError
from ckanext.harvest.model import HarvestObject

from ... import fetch
from ...localization import N_
from ..base import SourceError, config_object, http_get, redact
from . import common, mapping

NOT_A_CKAN_ANSWER = N_("The response of %(url)s is not a CKAN action API answer (no \"result\").")


class PaserCkanHarvester(CKANHarvester):
    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        # CKAN's SingletonPlugin keeps its instance in ``cls._instance``, which a subclass inherits: without its
        # own, loading this plugin would return (and rename) the stock ``ckan_harvester`` instance.
        if "_instance" not in cls.__dict__:
            cls._instance = object.__new__(cls)
        return cls._instance

    def info(self) -> dict[str, str]:
        return {
            "name": "paser_ckan",
            "title": "CKAN (Satu Data Paser)",
            "description": "Datasets of another CKAN portal (action API), as Paser datasets: producer "
                           "organisation, kecamatan coverage and Satu Data fields",
            "form_config_interface": "Text",
        }

    def validate_config(self, config: str | None) -> str | None:
        config = super().validate_config(config)
        if config:
            common.check_config(config_object(config))  # a ConfigError is the ValueError the form shows
        return config

    def _get_content(self, url: str) -> str:
        api_key = self.config.get("api_key") if self.config else None
        headers = {"Authorization": str(api_key)} if api_key else {}
        if self.config and self.config.get("user_agent"):
            headers["User-Agent"] = str(self.config["user_agent"])
        try:
            body, content_type = http_get(url, secrets=[api_key], headers=headers)
        except SourceError as error:
            raise ContentFetchError(error.text) from None
        shown = redact(url, [api_key])
        try:
            data = fetch.parse_json_object(fetch.Fetched(body, content_type), shown, [api_key])
        except SourceError as error:
            if error.message != fetch.NOT_AN_OBJECT:
                raise ContentFetchError(error.text) from None
            data = {}
        if "result" not in data:
            raise ContentFetchError(NOT_A_CKAN_ANSWER % {"url": shown})
        return body.decode("utf-8-sig")

    def modify_package_dict(self, package_dict: dict[str, Any], harvest_object: HarvestObject) -> dict[str, Any]:
        organization = package_dict.get("organization") or {}
        extras = mapping.extras_dict(package_dict)
        publishers = [organization.get("title") or "", organization.get("name") or "",
                      extras.get("publisher", ""), extras.get("produsen_data", ""), extras.get("produsen", "")]
        source = model.Package.get(harvest_object.source.id)
        source_owner = source.owner_org if source else None
        stock_owner = package_dict.get("owner_org")  # the source's organisation, or a local match (remote_orgs)
        mapping.paser_dataset(package_dict, config=self.config or {}, publishers=[name for name in publishers if name],
                              source_owner=stock_owner or source_owner, schema_fields=common.schema_fields())
        package_dict.pop("organization", None)
        return package_dict
