"""The ``spreadsheet`` harvester: an OPD's workbooks (XLSX, CSV) as Satu Data datasets, each with a clean CSV and
the original file.

- gather: the workbooks are the source URL itself (a workbook) or the links of its directory listing page, plus
  the configuration's ``files``. Only after the listing was read are datasets whose workbook left the source marked
  for withdrawal (a failed or empty listing changes nothing).
- fetch: downloads the workbook (bounded in time and size; an HTML page is refused) and converts it to a tidy
  table; a workbook without a recognisable table is an error on its object. When the file, its mapping and the
  producer are those of the dataset's last import, the object is "not modified": nothing is written.
- import: writes both files into CKAN's storage and creates or updates the dataset through ckanext-harvest's
  ``_create_or_update_package``; a refused update puts the previous files back.
"""
from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
import uuid
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestObjectExtra

from ... import reference
from ...localization import N_
from .. import base
from .config import ConfigError, SpreadsheetSource, file_name, parse_config
from .convert import ConvertError, Table, convert
from .listing import workbook_links

log = logging.getLogger(__name__)

# Bumped when the conversion or the dataset mapping changes, so the next run updates every dataset once.
MAPPING_VERSION = "1"
STATUS = "status"
WITHDRAW = "withdraw"
FORMATS = {".xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
           ".xlsm": ("XLSX", "application/vnd.ms-excel.sheet.macroEnabled.12"),
           ".csv": ("CSV", "text/csv")}
_PERIOD = re.compile(r"^(19|20)\d{2}(-\d{2}(-\d{2})?)?$")

INVALID_CONFIG = N_("The configuration of the spreadsheet harvest source is invalid: %(reason)s.")
NO_WORKBOOKS = N_("The source %(url)s lists no workbooks (.xlsx, .xlsm or .csv links); nothing was changed.")
NO_ORGANIZATION = N_("No producer organisation: give the harvest source an organisation or name an existing one "
                     "in the configuration (%(name)s was not found).")
WITHDRAWN = N_("The workbook %(url)s is no longer listed by the source: its dataset was withdrawn.")
TABLE_PROBLEM = N_("Workbook %(file)s: %(problem)s")


class SpreadsheetHarvester(HarvesterBase):
    """IHarvester for agency workbooks (plugin ``spreadsheet_harvester``, source type ``spreadsheet``);
    ``HarvesterBase`` is already a SingletonPlugin implementing IHarvester."""

    def info(self) -> dict[str, str]:
        return {
            "name": "spreadsheet",
            "title": "Spreadsheets (XLSX/CSV)",
            "description": "Workbooks of an OPD (links or a directory listing page), one dataset per workbook with "
                           "a clean CSV and the original file",
            "form_config_interface": "Text",
        }

    def validate_config(self, config: str | None) -> str | None:
        try:
            parse_config(config)
        except ConfigError as error:
            raise ValueError(str(error)) from None
        return config

    # --- helpers -------------------------------------------------------------------------------------------

    @staticmethod
    def _source(harvest_job: HarvestJob) -> SpreadsheetSource:
        return parse_config(harvest_job.source.config, harvest_job.source.url)

    @staticmethod
    def _guid(url: str) -> str:
        return f"spreadsheet:{url}"

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
            urls = self._workbook_urls(source)
        except base.SourceError as error:
            self._save_gather_error(error.text, harvest_job)
            return []
        if not urls:
            self._save_gather_error(NO_WORKBOOKS % {"url": source.url}, harvest_job)
            return []
        object_ids = []
        guids = set()
        for url in urls:
            guid = self._guid(url)
            guids.add(guid)
            obj = HarvestObject(guid=guid, job=harvest_job, content=json.dumps({"url": url}),
                                extras=[HarvestObjectExtra(key=STATUS, value="change")])
            obj.save()
            object_ids.append(obj.id)
        return object_ids + self._mark_withdrawn(guids, harvest_job)

    @staticmethod
    def _workbook_urls(source: SpreadsheetSource) -> list[str]:
        """The workbooks of the source: its URL or the links of its listing page, then the configured files."""
        urls: list[str] = []
        if source.url_is_workbook:
            urls.append(source.url)
        else:
            body, content_type = base.http_get(source.url, timeout=source.timeout,
                                               headers={"Accept": "text/html,application/xhtml+xml"})
            charset = re.search(r"charset=([\w-]+)", content_type or "")
            try:
                page = body.decode(charset.group(1) if charset else "utf-8", errors="replace")
            except LookupError:
                page = body.decode("utf-8", errors="replace")
            urls += workbook_links(page, source.url)
        return list(dict.fromkeys([*urls, *source.files]))

    def _mark_withdrawn(self, guids_in_source: set[str], harvest_job: HarvestJob) -> list[str]:
        """Objects withdrawing the datasets whose workbook the (fully read) source no longer lists."""
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
        url = json.loads(harvest_object.content)["url"]
        filename = file_name(url)
        mapping = source.mapping_for(url)
        try:
            data = base.get_file(url, "workbook", timeout=source.timeout)
            table = convert(data, filename, mapping)
        except (base.SourceError, ConvertError) as error:
            return self._error(error.message, error.params, harvest_object, "Fetch")
        fingerprint = hashlib.sha256(json.dumps(
            {"mapping": MAPPING_VERSION, "file": hashlib.sha256(data).hexdigest(), "url": url,
             "config": source.fingerprint(url), "owner": self._owner_name(harvest_object, source)},
            sort_keys=True).encode("utf-8")).hexdigest()
        previous = self._previous(harvest_object)
        if (previous is not None and not getattr(harvest_object, "force_import", False)
                and _fingerprint(previous.content) == fingerprint and self._dataset_active(previous.package_id)):
            # Harvest objects are kept: an unchanged workbook is not stored again.
            harvest_object.content = json.dumps({"url": url, "fingerprint": fingerprint})
            harvest_object.save()
            return "unchanged"
        harvest_object.content = json.dumps({
            "url": url, "fingerprint": fingerprint, "original": base64.b64encode(data).decode("ascii"),
            "table": {**table.__dict__, "csv": table.csv.decode("utf-8")},
        })
        harvest_object.save()
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

    @staticmethod
    def _owner_name(harvest_object: HarvestObject, source: SpreadsheetSource) -> str:
        """The producer: the configuration's organization, else the harvest source's organisation."""
        if source.organization:
            return source.organization
        source_dataset = model.Package.get(harvest_object.job.source.id)
        return source_dataset.owner_org if source_dataset is not None and source_dataset.owner_org else ""

    # --- import ----------------------------------------------------------------------------------------------

    def import_stage(self, harvest_object: HarvestObject) -> bool | str | None:
        if self._status(harvest_object) == WITHDRAW:
            return self._withdraw(harvest_object)
        try:
            source = self._source(harvest_object.job)
        except ConfigError as error:
            return self._error(INVALID_CONFIG, {"reason": str(error)}, harvest_object, "Import")
        content = json.loads(harvest_object.content)
        url = content["url"]
        table = Table(**{**content["table"], "csv": content["table"]["csv"].encode("utf-8")})
        original = base64.b64decode(content["original"])
        owner_name = self._owner_name(harvest_object, source)
        owner_id = owner_name and (base.organization_id(owner_name) or base.ensure_reference_organization(owner_name))
        if not owner_id:
            return self._error(NO_ORGANIZATION, {"name": owner_name or "-"}, harvest_object, "Import")
        for problem in table.problems[:20]:
            log.info(TABLE_PROBLEM % {"file": file_name(url), "problem": problem})
        package_id = self._package_id(harvest_object.job.source.id, harvest_object.guid)
        package = build_package(source, url, table, original, owner_id, package_id)
        table_resource, original_resource = package["resources"]
        restores = [base.write_upload(table_resource["id"], table.csv),
                    base.write_upload(original_resource["id"], original)]
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
        log.info(WITHDRAWN % {"url": harvest_object.guid.removeprefix("spreadsheet:")})
        return True


def _fingerprint(content: str | None) -> str | None:
    try:
        return json.loads(content or "{}").get("fingerprint")
    except (TypeError, ValueError, AttributeError):
        return None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", reference.normalise(text, strip_prefix=False)).strip("-")[:60].rstrip("-")


def _title_of_file(filename: str) -> str:
    stem = os.path.splitext(filename)[0]
    return " ".join(word.capitalize() if word.islower() else word for word in re.split(r"[-_\s]+", stem) if word)


def build_package(source: SpreadsheetSource, url: str, table: Table, original: bytes, owner_org: str,
                  package_id: str) -> dict[str, Any]:
    """The package dict (package_show form) of one workbook: Satu Data fields, the clean CSV, the original file."""
    mapping = source.mapping_for(url)
    filename = file_name(url)
    stem, extension = os.path.splitext(filename)
    title = table.title or _title_of_file(filename)
    organization = model.Group.get(owner_org)
    producer = organization.title if organization is not None and organization.title else "OPD"
    sumber = f"{producer} (berkas {filename})"

    kecamatan_codes = {code for code, level in table.regions.items() if level == "kecamatan"}
    desa_codes = sorted(code for code, level in table.regions.items() if level in ("desa", "kelurahan"))
    if desa_codes:
        level = "desa"
        kecamatan_codes |= {code.rsplit(".", 1)[0] for code in desa_codes}
    elif kecamatan_codes:
        level = "kecamatan"
    else:
        level = "kabupaten"
    periods = [period for period in table.periods if _PERIOD.match(period)]
    years = all(re.match(r"^\d{4}$", period) for period in periods)
    indicator = table.indicators[0] if len(table.indicators) == 1 else title
    notes = [mapping.description or "",
             (f"Dipanen dari berkas {filename} ({url}). Tabel bersih: satu baris per wilayah dan periode; "
             f"berkas asli terlampir.")]
    format_, mimetype = FORMATS.get(extension.lower(), ("CSV", "text/csv"))
    table_resource = {
        "id": str(uuid.uuid5(uuid.UUID(package_id), "table")),
        "name": f"{title} (tabel bersih)",
        "description": f"Tabel {filename} dalam bentuk rapi: kode wilayah Kemendagri dan BPS, nama wilayah, "
                       f"periode dan nilai per indikator.",
        "format": "CSV",
        "mimetype": "text/csv",
        "url_type": "upload",
        "url": f"{_slug(stem) or 'tabel'}-bersih.csv",
        "size": len(table.csv),
        "kolom_wilayah": "kode_wilayah",
        "jenis_kode_wilayah": "kode_kemendagri",
        "kolom_periode": table.period_column,
        "kolom_nilai": ", ".join(table.value_columns),
        "satuan": table.unit or "",
    }
    original_resource = {
        "id": str(uuid.uuid5(uuid.UUID(package_id), "original")),
        "name": f"Berkas asli: {filename}",
        "description": f"Berkas sebagaimana diterbitkan di {url}.",
        "format": format_,
        "mimetype": mimetype,
        "url_type": "upload",
        "url": filename,
        "size": len(original),
        # The clean table this file is the original of: its figures are those of that table, so a check of this
        # file (which does not know the source's mapping) would only repeat them or misread them.
        "original_of": table_resource["id"],
    }
    return base.satu_data_defaults(
        id=package_id,
        name=f"{_slug(title) or 'tabel'}-{hashlib.sha1(url.encode('utf-8')).hexdigest()[:8]}",
        title=title,
        notes="\n\n".join(part for part in notes if part),
        owner_org=owner_org,
        state="active",
        klasifikasi=source.klasifikasi,
        walidata=source.walidata or None,
        tingkat_penyajian=level,
        cakupan_kecamatan=sorted(kecamatan_codes),
        cakupan_desa=desa_codes,
        temporal_coverage=[{"start": periods[0], "end": periods[-1]}] if periods else [],
        frequency=source.frequency or ("tahunan" if periods and years else None),
        konsep=indicator,
        definisi=mapping.description or title,
        satuan=table.unit,
        sumber_data=sumber,
        kode_indikator=mapping.kode_indikator,
        urusan=list(source.urusan),
        resources=[table_resource, original_resource],
    )
