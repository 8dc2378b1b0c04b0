"""What makes a dataset harvested from another portal (CKAN action API or DCAT catalogue) a Paser dataset.

The upstream harvesters build a CKAN package dict from the remote record; ``paser_dataset`` then adds the Satu
Data fields the schema requires, the producer organisation and the kecamatan the dataset covers:

- organisation: the source configuration's ``organizations`` map (remote publisher/organisation name, title or
  URI → local organisation name), else the OPD of that name in the OPD list when the name is a Paser agency
  ("Dinas Pertanian Kabupaten Paser" → ``distan``; a provincial agency matches nothing), else the configuration's
  ``default_organization``, else the harvest source's organisation;
- cakupan kecamatan: Paser kecamatan named or coded (Kemendagri ``64.01.06``, BPS ``6401040``) in the title,
  description, tags, extras or spatial name; tingkat penyajian ``kecamatan`` when any is found, else ``kabupaten``;
- Satu Data fields: jenis data ``statistik`` (``jenis_data`` in the configuration overrides), klasifikasi
  ``terbuka`` (what a public portal publishes), jadwal pemutakhiran from DCAT's accrualPeriodicity or a remote
  frequency extra, periode from DCAT's temporal coverage or the remote extras (or a year in the title).

Values of fields of the Paser schema the remote dict already has are replaced by the mapped ones (a remote
portal's ``frequency`` or ``spatial`` is read, never copied unchecked), so validation never fails on a remote
spelling.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ckan import model

from ckanext.paser.reference.affairs import urusan_by_code
from ckanext.paser.reference.matching import normalise, opd_by_name
from ckanext.paser.reference.regions import desa_by_code, kecamatan_by_bps_code, kecamatan_by_code, kecamatan_list
from ckanext.paser.satudata.validators import KODE_INDIKATOR, code_list

from ...satudata import vocabularies
from ..base import ensure_reference_organization, satu_data_defaults

# The Satu Data fields this mapping decides (remote values for them are read, then replaced).
MAPPED_FIELDS = ("jenis_data", "klasifikasi", "tingkat_penyajian", "cakupan_kecamatan", "cakupan_desa",
                 "temporal_coverage", "frequency", "walidata", "urusan", "kode_indikator", "metode_pengumpulan",
                 "jenis_kode_wilayah")
JENIS_DATA = vocabularies.JENIS_DATA

# DCAT accrualPeriodicity (EU frequency vocabulary, Dublin Core Collection Description) and the spellings
# CKAN portals use in their extras → the Paser jadwal pemutakhiran codes.
_FREQUENCY_WORDS = {
    "harian": ("daily", "harian", "continuous", "cont", "update_cont", "hourly"),
    "mingguan": ("weekly", "mingguan", "biweekly", "twice a week"),
    "bulanan": ("monthly", "bulanan", "bimonthly", "semimonthly"),
    "triwulanan": ("quarterly", "triwulanan", "triwulan", "caturwulan", "triennial_quarterly"),
    "semesteran": ("semiannual", "semesteran", "semester", "annual_2", "biannual", "half yearly", "6 bulanan"),
    "tahunan": ("annual", "yearly", "tahunan", "tahun", "annually", "biennial", "triennial", "annual_3"),
    "insidental": ("irregular", "insidental", "other", "unknown", "never", "as_needed", "not_planned",
                   "tidak tentu", "sewaktu waktu"),
}
_FREQUENCY = {word: code for code, words in _FREQUENCY_WORDS.items() for word in words}
_FREQUENCY_EXTRA_KEYS = ("frequency", "frekuensi", "accrual_periodicity", "jadwal_pemutakhiran",
                         "update_frequency", "periodisitas", "periode_update")
_PERIOD_EXTRA_KEYS = ("tahun", "year", "periode", "temporal", "tahun_data")
_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")
_YEAR_RANGE = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*(?:-|–|s\.?d\.?|sampai|to)\s*((?:19|20)\d\d)(?!\d)")
_KEMENDAGRI_CODE = re.compile(r"(?<![\d.])64\.01\.(\d\d)(?![\d])")
_BPS_CODE = re.compile(r"(?<!\d)6401(\d{3})(?!\d)")
# Suffixes naming this regency, removed before a publisher's name is compared with the OPD list.
_PASER_SUFFIX = re.compile(r"\s+(kabupaten|kab)\s+paser\s*$")


def frequency_code(value: Any) -> str | None:
    """The Paser jadwal pemutakhiran for a DCAT frequency URI or a remote spelling ("Tahunan", "annual")."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    text = re.sub(r"[-\s]+", " ", text.lower()).strip()
    return _FREQUENCY.get(text) or _FREQUENCY.get(text.replace(" ", "_")) or _FREQUENCY.get(normalise(text))


def kecamatan_codes(texts: Iterable[str]) -> list[str]:
    """Kemendagri codes of the Paser kecamatan named or coded in ``texts``, in reference order."""
    found: set[str] = set()
    for text in texts:
        if not text:
            continue
        for match in _KEMENDAGRI_CODE.finditer(text):
            if kecamatan_by_code(f"64.01.{match.group(1)}"):
                found.add(f"64.01.{match.group(1)}")
        for match in _BPS_CODE.finditer(text):
            kecamatan = kecamatan_by_bps_code(f"6401{match.group(1)}")
            if kecamatan:
                found.add(kecamatan.kode_kemendagri)
        words = f" {normalise(text, strip_prefix=False)} "
        for kecamatan in kecamatan_list():
            name = normalise(kecamatan.nama, strip_prefix=False)
            # also written as one word: "Longkali", "Batusopang"
            if f" {name} " in words or f" {name.replace(' ', '')} " in words:
                found.add(kecamatan.kode_kemendagri)
    return [kecamatan.kode_kemendagri for kecamatan in kecamatan_list() if kecamatan.kode_kemendagri in found]


def periods(temporal: Any, extras: Mapping[str, str], title: str) -> list[dict[str, str]]:
    """Periods as the schema stores them: DCAT temporal coverage, else a year (range) in the extras or title."""
    result = []
    for period in temporal if isinstance(temporal, list) else []:
        if not isinstance(period, Mapping):
            continue
        start, end = _bound(period.get("start"), "-01-01"), _bound(period.get("end"), "-12-31")
        if start or end:
            result.append({"start": start or end, "end": end or start})
    if result:
        return result
    for text in [extras.get(key, "") for key in _PERIOD_EXTRA_KEYS] + [title]:
        if (match := _YEAR_RANGE.search(text or "")):
            return [{"start": match.group(1), "end": match.group(2)}]
        years = sorted(set(_YEAR.findall(text or "")))
        if years:
            return [{"start": years[0], "end": years[-1]}]
    return []


def _bound(value: Any, year_edge: str) -> str | None:
    """A period bound the schema accepts (2024, 2024-07, 2024-07-31); a start on 1 January or an end on
    31 December (``year_edge``) is kept as the year, as a steward would enter it."""
    if not isinstance(value, str) or not (match := re.match(r"^((?:19|20)\d\d)(-\d\d)?(-\d\d)?", value.strip())):
        return None
    year, month, day = match.groups()
    if (month or "") + (day or "") == year_edge:
        return year
    return year + (month or "") + (day or "")


def _organization_id(name_or_id: str) -> str | None:
    """The id of an active organisation, or None: what ``base.organization_id`` answers, read from the model.
    ``organization_show`` (behind ``base.organization_id``) builds the whole organisation dict on every call, which
    was most of the mapping's time in a harvest (scripts/bench_harvest.py)."""
    group = model.Group.get(name_or_id)
    return group.id if group is not None and group.is_organization and group.state == "active" else None


def organization_for(publishers: Iterable[str], config: Mapping[str, Any], source_owner: str | None) -> str | None:
    """The local organisation id for a remote record published by any of ``publishers`` (names, titles, URIs)."""
    names = [name.strip() for name in publishers if isinstance(name, str) and name.strip()]
    mapped = config.get("organizations") or {}
    by_key = {normalise(str(key), strip_prefix=False): value for key, value in mapped.items()}
    for name in names:
        local = mapped.get(name) or by_key.get(normalise(name, strip_prefix=False))
        if local and (found := _organization_id(local) or ensure_reference_organization(local)):
            return found
    for name in names:
        if name.startswith(("http://", "https://")):
            continue
        opd = opd_by_name(_PASER_SUFFIX.sub("", normalise(name, strip_prefix=False)))
        if opd and (found := _organization_id(opd.slug) or ensure_reference_organization(opd.slug)):
            return found
    default = config.get("default_organization")
    if default and (found := _organization_id(default) or ensure_reference_organization(default)):
        return found
    return source_owner


def extras_dict(package: Mapping[str, Any]) -> dict[str, str]:
    """The remote extras as {lowercase key: value}."""
    return {str(extra.get("key", "")).strip().lower(): str(extra.get("value") or "")
            for extra in package.get("extras") or [] if isinstance(extra, Mapping)}


def paser_dataset(package: dict[str, Any], *, config: Mapping[str, Any], publishers: Iterable[str],
                  source_owner: str | None, schema_fields: Iterable[str]) -> dict[str, Any]:
    """``package`` (a package dict built by an upstream harvester) made a Paser dataset, in place and returned."""
    schema_fields = set(schema_fields)
    extras = extras_dict(package)
    remote = {key: package.pop(key) for key in list(package) if key in MAPPED_FIELDS}
    # Extras named like a schema field would clash with it (CKAN refuses both): they become candidates.
    for extra in list(package.get("extras") or []):
        key = str(extra.get("key", ""))
        if key in schema_fields or key in MAPPED_FIELDS:
            package["extras"].remove(extra)
            remote.setdefault(key, extra.get("value"))
    spatial = package.get("spatial") or remote.get("spatial")
    if spatial and _geojson(spatial):
        package["spatial"] = spatial if isinstance(spatial, str) else json.dumps(spatial)
    else:
        package.pop("spatial", None)

    tags = [tag.get("name", "") if isinstance(tag, Mapping) else str(tag) for tag in package.get("tags") or []]
    texts = [package.get("title") or "", package.get("notes") or "", *tags,
             *(value for key, value in extras.items() if key not in ("spatial", "uri", "guid", "identifier")),
             *(resource.get("name") or "" for resource in package.get("resources") or [])]
    cakupan = kecamatan_codes(texts)
    frequency = next(filter(None, (frequency_code(remote.get("frequency")),
                                   *(frequency_code(extras.get(key)) for key in _FREQUENCY_EXTRA_KEYS))), None)
    jenis = config.get("jenis_data") if config.get("jenis_data") in JENIS_DATA else None
    fields = satu_data_defaults(
        jenis_data=jenis or ("geospasial" if _is_geospatial(package) else "statistik"),
        tingkat_penyajian="kecamatan" if cakupan else "kabupaten",
        cakupan_kecamatan=cakupan,
        frequency=frequency,
        temporal_coverage=periods(remote.get("temporal_coverage"), extras, package.get("title") or ""),
        sumber_data=package.get("sumber_data") or _source_name(publishers),
    )
    fields.update(_given_satu_data(remote, config))
    fields.pop("type", None)
    if not package.get("license_id"):
        package.pop("license_id", None)
        fields.setdefault("license_id", "cc-by")
    else:
        fields.pop("license_id", None)
    package.update(fields)
    package["type"] = "dataset"
    package["private"] = False
    owner = organization_for(publishers, config, source_owner)
    if owner:
        package["owner_org"] = owner
    for resource in package.get("resources") or []:
        _keep_table_description(resource)
        for key in [key for key in resource if key in MAPPED_FIELDS and key != "jenis_kode_wilayah"]:
            resource.pop(key)
    return package


REGION_CODE_KINDS = ("nama", "kode_kemendagri", "kode_bps")
LEVELS = ("kabupaten", "kecamatan", "desa")
METODE = ("sensus", "survei", "administrasi", "lainnya")


def _given_satu_data(remote: Mapping[str, Any], config: Mapping[str, Any]) -> dict[str, Any]:
    """The Satu Data fields a source already states validly (another Satu Data portal, or our own profile
    parsed back): they win over what is guessed from texts. A value the Paser schema would refuse is left out."""
    given: dict[str, Any] = {}
    kecamatan = [code for code in code_list(remote.get("cakupan_kecamatan")) or [] if kecamatan_by_code(code)]
    desa = [code for code in code_list(remote.get("cakupan_desa")) or []
            if (found := desa_by_code(code)) is not None and found.kode_kecamatan in kecamatan]
    level = remote.get("tingkat_penyajian")
    if level == "kabupaten" or (level == "kecamatan" and kecamatan) or (level == "desa" and kecamatan and desa):
        given.update(tingkat_penyajian=level, cakupan_kecamatan=kecamatan if level != "kabupaten" else [],
                     cakupan_desa=desa if level == "desa" else [])
    if (urusan := [code for code in code_list(remote.get("urusan")) or [] if urusan_by_code(code)]):
        given["urusan"] = urusan
    code = str(remote.get("kode_indikator") or "").strip()
    if code and KODE_INDIKATOR.match(code):
        given["kode_indikator"] = code
    if remote.get("metode_pengumpulan") in METODE:
        given["metode_pengumpulan"] = remote["metode_pengumpulan"]
    if remote.get("jenis_data") in JENIS_DATA and not config.get("jenis_data"):
        given["jenis_data"] = remote["jenis_data"]
    return given


def _keep_table_description(resource: dict[str, Any]) -> None:
    """A remote Satu Data portal's table description is kept when it is whole: the schema wants the region
    column and its code kind together. Without a known kind both go, and the figures check finds the column."""
    if resource.get("jenis_kode_wilayah") not in REGION_CODE_KINDS:
        resource.pop("jenis_kode_wilayah", None)
        resource.pop("kolom_wilayah", None)


def _geojson(value: Any) -> bool:
    try:
        return isinstance(json.loads(value), dict) if isinstance(value, str) else isinstance(value, dict)
    except ValueError:
        return False


def _is_geospatial(package: Mapping[str, Any]) -> bool:
    formats = {str(resource.get("format") or "").strip().lower() for resource in package.get("resources") or []}
    return bool(formats) and formats <= {"shp", "geojson", "kml", "kmz", "wms", "wfs", "gpkg", "zip shp"}


def _source_name(publishers: Iterable[str]) -> str | None:
    return next((name for name in publishers if isinstance(name, str) and name.strip()
                 and not name.startswith(("http://", "https://"))), None)
