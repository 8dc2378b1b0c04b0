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

The stages themselves (withdrawal, "not modified", uploads) are ``stages.ItemHarvester``'s.
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

from ckan import model

from ckanext.harvest.model import HarvestObject

from ... import reference
from ...localization import N_
from .. import base, stages
from .config import ConfigError, SpreadsheetSource, file_name, parse_config
from .convert import ConvertError, Table, convert
from .listing import workbook_links

log = logging.getLogger(__name__)

# Bumped when the conversion or the dataset mapping changes, so the next run updates every dataset once.
MAPPING_VERSION = "1"
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


class SpreadsheetHarvester(stages.ItemHarvester):
    """IHarvester for agency workbooks (plugin ``spreadsheet_harvester``, source type ``spreadsheet``);
    ``HarvesterBase`` is already a SingletonPlugin implementing IHarvester."""

    config_error = ConfigError
    invalid_config = INVALID_CONFIG

    def info(self) -> dict[str, str]:
        return {
            "name": "spreadsheet",
            "title": "Spreadsheets (XLSX/CSV)",
            "description": "Workbooks of an OPD (links or a directory listing page), one dataset per workbook with "
                           "a clean CSV and the original file",
            "form_config_interface": "Text",
        }

    def _parse_config(self, config: str | None, url: str | None = None) -> SpreadsheetSource:
        return parse_config(config, url)

    @staticmethod
    def _guid(url: str) -> str:
        return f"spreadsheet:{url}"

    def _withdrawn_message(self, guid: str) -> str:
        return WITHDRAWN % {"url": guid.removeprefix("spreadsheet:")}

    # --- gather ----------------------------------------------------------------------------------------------

    def _list(self, source: SpreadsheetSource) -> list[tuple[str, str]]:
        return [(self._guid(url), json.dumps({"url": url})) for url in self._workbook_urls(source)]

    def _nothing_listed(self, source: SpreadsheetSource) -> str:
        return NO_WORKBOOKS % {"url": source.url}

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

    # --- fetch -----------------------------------------------------------------------------------------------

    def _fetch(self, harvest_object: HarvestObject, source: SpreadsheetSource) -> bool | str:
        url = json.loads(harvest_object.content)["url"]
        filename = file_name(url)
        mapping = source.mapping_for(url)
        try:
            data = base.get_file(url, "workbook", timeout=source.timeout)
            table = convert(data, filename, mapping)
        except (base.SourceError, ConvertError) as error:
            return self._error(error.message, error.params, harvest_object, "Fetch")
        fingerprint = stages.fingerprint(
            {"mapping": MAPPING_VERSION, "file": hashlib.sha256(data).hexdigest(), "url": url,
             "config": source.fingerprint(url), "owner": self._owner_name(harvest_object, source)})
        if self._unchanged(harvest_object, fingerprint):
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
    def _owner_name(harvest_object: HarvestObject, source: SpreadsheetSource) -> str:
        """The producer: the configuration's organization, else the harvest source's organisation."""
        if source.organization:
            return source.organization
        source_dataset = model.Package.get(harvest_object.job.source.id)
        return source_dataset.owner_org if source_dataset is not None and source_dataset.owner_org else ""

    # --- import ----------------------------------------------------------------------------------------------

    def _import(self, harvest_object: HarvestObject, source: SpreadsheetSource) -> bool | str | None:
        content = json.loads(harvest_object.content)
        url = content["url"]
        table = Table(**{**content["table"], "csv": content["table"]["csv"].encode("utf-8")})
        original = base64.b64decode(content["original"])
        owner_name = self._owner_name(harvest_object, source)
        owner_id = base.producer_id(owner_name)
        if not owner_id:
            return self._error(NO_ORGANIZATION, {"name": owner_name or "-"}, harvest_object, "Import")
        for problem in table.problems[:20]:
            log.info(TABLE_PROBLEM % {"file": file_name(url), "problem": problem})
        package_id = self._package_id(harvest_object.job.source.id, harvest_object.guid)
        package = build_package(source, url, table, original, owner_id, package_id)
        table_resource, original_resource = package["resources"]
        return self._save_package(package, harvest_object,
                                  [(table_resource["id"], table.csv), (original_resource["id"], original)])


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
    return base.harvested_dataset(
        source, notes,
        id=package_id,
        name=f"{_slug(title) or 'tabel'}-{hashlib.sha1(url.encode('utf-8')).hexdigest()[:8]}",
        title=title,
        owner_org=owner_org,
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
        resources=[table_resource, original_resource],
    )
