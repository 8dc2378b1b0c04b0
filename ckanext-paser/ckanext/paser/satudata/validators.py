"""Validators of the Satu Data dataset schema, registered by name (IValidators) and composed in dataset.yaml.

Messages are English msgids translated through the `ckanext-paser` catalogue (Indonesian is the default locale).
Every validator accepts any JSON value without raising anything but Invalid/StopOnError: bad input is a
validation error for the caller, never a server error.
"""
from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import Missing, StopOnError

from ckanext.scheming.validation import scheming_validator

from ..checks import hold
from ..reference import affairs, agencies, regions
from . import vocabularies

FlatKey = tuple[Any, ...]
FlatData = dict[FlatKey, Any]
FlatErrors = dict[FlatKey, list[str]]
Validator = Callable[[FlatKey, FlatData, FlatErrors, dict[str, Any]], None]

TERBUKA = "terbuka"
KLASIFIKASI = vocabularies.KLASIFIKASI
TINGKAT_KABUPATEN, TINGKAT_KECAMATAN, TINGKAT_DESA = "kabupaten", "kecamatan", "desa"
# A Bappenas/SIPD-style indicator code: letters and digits in parts separated by dots or hyphens
# (1.01.01, 3.2.1, IKU-03, SDG.3.2.1a).
KODE_INDIKATOR = re.compile(r"^[0-9A-Za-z]{1,12}(?:[.\-][0-9A-Za-z]{1,12}){0,11}$")
KODE_INDIKATOR_MAX = 60
# Years a period may name: wide enough for history and plans, narrow enough to index year by year.
FIRST_YEAR, LAST_YEAR = 1900, 2100
MAX_CODES = 500


def N_(message: str) -> str:  # babel's keyword: a msgid translated where used
    return message


def _empty(value: Any) -> bool:
    return value is None or isinstance(value, Missing) or value == "" or value == [] or value == ()


def code_list(value: Any) -> list[str] | None:
    """Codes from a list, a JSON list, or a single/comma-separated string; None when the value is no list."""
    if _empty(value):
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                return None
        else:
            return [part.strip() for part in text.split(",") if part.strip()]
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
        return None
    return [item.strip() for item in value if item.strip()]


def _codes_validator(known: Callable[[], Iterable[str]], unknown_message: str) -> Validator:
    """A list of reference codes, stored as a JSON list in reference order; each unknown code is an error."""

    def validator(key: FlatKey, data: FlatData, errors: FlatErrors, context: dict[str, Any]) -> None:
        if errors.get(key):
            return
        codes = code_list(data.get(key))
        if codes is None or len(codes) > MAX_CODES:
            errors[key].append(tk._("Expecting a list of codes."))
            raise StopOnError
        order = {code: position for position, code in enumerate(known())}
        unknown = [code for code in dict.fromkeys(codes) if code not in order]
        if unknown:
            errors[key].extend(tk._(unknown_message).format(code=code) for code in unknown)
            raise StopOnError
        data[key] = json.dumps(sorted(set(codes), key=order.__getitem__))

    return validator


def paser_kecamatan_codes() -> Validator:
    return _codes_validator(
        lambda: (kecamatan.kode_kemendagri for kecamatan in regions.kecamatan_list()),
        N_("Unknown kecamatan code: {code}. Use a Kemendagri code of Kabupaten Paser such as 64.01.04."),
    )


def paser_desa_codes() -> Validator:
    return _codes_validator(
        lambda: (desa.kode_kemendagri for desa in regions.desa_list()),
        N_("Unknown desa/kelurahan code: {code}. Use a Kemendagri code of Kabupaten Paser such as 64.01.04.1001."),
    )


def paser_urusan_codes() -> Validator:
    return _codes_validator(
        lambda: (urusan.kode for urusan in affairs.urusan_list()),
        N_("Unknown urusan (government affair) code: {code}."),
    )


def paser_opd(value: Any) -> Any:
    """The short name (singkatan) of an agency of the OPD list in use."""
    if _empty(value):
        return value
    if not isinstance(value, str) or value.strip() not in {opd.singkatan for opd in agencies.opd_list()}:
        raise tk.Invalid(tk._("Unknown agency (OPD): {value}. Choose one from the list.").format(value=value))
    return value.strip()


@scheming_validator
def paser_choice(field: dict[str, Any], schema: dict[str, Any]) -> Validator:
    """One of the field's choices (static or from its choices helper), with the valid values in the message."""

    def validator(key: FlatKey, data: FlatData, errors: FlatErrors, context: dict[str, Any]) -> None:
        value = data.get(key)
        if _empty(value) or errors.get(key):
            return
        choices = tk.h.scheming_field_choices(field) or []
        values = [str(choice["value"]) for choice in choices]
        if not isinstance(value, str) or value not in values:
            shown = value if isinstance(value, (str, int, float)) else type(value).__name__
            errors[key].append(
                tk._('Invalid value "{value}": choose one of {choices}.').format(value=shown, choices=", ".join(values))
            )
            raise StopOnError

    return validator


def paser_kode_indikator(value: Any) -> Any:
    if _empty(value):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > KODE_INDIKATOR_MAX or not KODE_INDIKATOR.match(text):
        raise tk.Invalid(tk._(
            "Indicator code must be letters and digits in parts separated by dots or hyphens, "
            "such as 1.01.01 or IKU-03."
        ))
    return text


def _flat_codes(data: FlatData, name: str) -> list[str]:
    return code_list(data.get((name,))) or []


def _has_errors(errors: FlatErrors, *names: str) -> bool:
    return any(errors.get((name,)) for name in names)


def _add_error(errors: FlatErrors, key: FlatKey, message: str) -> None:
    errors.setdefault(key, []).append(message)


def _check_coverage(data: FlatData, errors: FlatErrors) -> None:
    """Tingkat penyajian and cakupan wilayah agree; every chosen desa lies in a chosen kecamatan."""
    if _has_errors(errors, "tingkat_penyajian", "cakupan_kecamatan", "cakupan_desa"):
        return
    tingkat = data.get(("tingkat_penyajian",))
    kecamatan = _flat_codes(data, "cakupan_kecamatan")
    desa = _flat_codes(data, "cakupan_desa")
    if tingkat in (TINGKAT_KECAMATAN, TINGKAT_DESA) and not kecamatan:
        _add_error(errors, ("cakupan_kecamatan",), tk._(
            "Choose the kecamatan this dataset covers: it is presented per kecamatan or per desa/kelurahan."
        ))
    if tingkat == TINGKAT_DESA and not desa:
        _add_error(errors, ("cakupan_desa",), tk._(
            "Choose the desa/kelurahan this dataset covers: it is presented per desa/kelurahan."
        ))
    if desa and tingkat in (TINGKAT_KABUPATEN, TINGKAT_KECAMATAN):
        _add_error(errors, ("cakupan_desa",), tk._(
            "Desa/kelurahan coverage is only for datasets presented per desa/kelurahan."
        ))
    if desa and kecamatan and tingkat == TINGKAT_DESA:
        for code in desa:
            found = regions.desa_by_code(code)
            if found is None or found.kode_kecamatan in kecamatan:
                continue
            _add_error(errors, ("cakupan_desa",), tk._(
                "Desa/kelurahan {desa} is not in any of the chosen kecamatan."
            ).format(desa=f"{found.nama} ({code})"))


def period_bounds(value: Any) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day a dcat date names (2020 → all of 2020, 2020-05 → May 2020); None if unreadable."""
    if isinstance(value, datetime.datetime):
        return value.date(), value.date()
    if isinstance(value, datetime.date):
        return value, value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}", text):
            year = int(text)
            return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        if re.fullmatch(r"\d{4}-\d{2}", text):
            first = datetime.date(int(text[:4]), int(text[5:]), 1)
            following = datetime.date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return first, following - datetime.timedelta(days=1)
        day = datetime.date.fromisoformat(text[:10])
        return day, day
    except ValueError:
        return None


def _check_period(data: FlatData, errors: FlatErrors) -> None:
    """Each temporal_coverage entry: start not after end, years within FIRST_YEAR..LAST_YEAR."""
    indexes = sorted({key[1] for key in data if len(key) == 3 and key[0] == "temporal_coverage"
                      and isinstance(key[1], int)})
    for index in indexes:
        bounds = {}
        for part in ("start", "end"):
            key = ("temporal_coverage", index, part)
            if errors.get(key) or _empty(data.get(key)):
                continue
            found = period_bounds(data[key])
            if found is None:
                continue  # dcat_date accepted a free form we do not compare
            if not (FIRST_YEAR <= found[0].year and found[1].year <= LAST_YEAR):
                _add_error(errors, key, tk._("Years must lie between {first} and {last}.").format(
                    first=FIRST_YEAR, last=LAST_YEAR))
                continue
            bounds[part] = found
        if "start" in bounds and "end" in bounds and bounds["start"][0] > bounds["end"][1]:
            _add_error(errors, ("temporal_coverage", index, "end"), tk._(
                "The end of the period comes before its start."
            ))


def _tie_private_to_klasifikasi(data: FlatData, errors: FlatErrors, context: dict[str, Any]) -> None:
    """terbuka → public, terbatas/tertutup → private. An explicit `private` that contradicts the classification
    is an error unless it merely repeats the stored flag (package_patch and form round trips carry it)."""
    klasifikasi = data.get(("klasifikasi",))
    if _has_errors(errors, "klasifikasi") or klasifikasi not in KLASIFIKASI:
        return
    package = context.get("package")
    # In the hold mode a dataset with an unresolved error flag stays private (checks.hold).
    private = klasifikasi != TERBUKA or hold.is_held(getattr(package, "id", None) or data.get(("id",)))
    given = data.get(("private",))
    if isinstance(given, bool) and given != private:
        stored = getattr(package, "private", None)
        if stored is None or given != stored:
            _add_error(errors, ("private",), tk._(
                "Visibility follows the classification: terbuka datasets are public, terbatas and tertutup "
                "datasets are private. Change the classification instead."
            ))
            return
    data[("private",)] = private
    if private and _empty(data.get(("owner_org",))):
        _add_error(errors, ("klasifikasi",), tk._(
            "A terbatas or tertutup dataset is private, so it needs an organization (its data producer)."
        ))


def paser_satudata_dataset(key: FlatKey, data: FlatData, errors: FlatErrors, context: dict[str, Any]) -> None:
    """Cross-field rules of the Satu Data schema (the schema's `after_validators`)."""
    _check_coverage(data, errors)
    _check_period(data, errors)
    _tie_private_to_klasifikasi(data, errors, context)


def paser_region_column(key: FlatKey, data: FlatData, errors: FlatErrors, context: dict[str, Any]) -> None:
    """On a resource's jenis_kode_wilayah: the region column and the kind of its codes come together."""
    column = data.get(key[:-1] + ("kolom_wilayah",))
    kind = data.get(key)
    if errors.get(key):
        return
    if _empty(column) and not _empty(kind):
        _add_error(errors, key[:-1] + ("kolom_wilayah",), tk._(
            "Name the column that holds the region, or leave the kind of region code empty."
        ))
    elif not _empty(column) and _empty(kind):
        _add_error(errors, key, tk._("Say what the region column holds: names, Kemendagri codes or BPS codes."))


def all_validators() -> dict[str, Any]:
    return {
        "paser_kecamatan_codes": paser_kecamatan_codes(),
        "paser_desa_codes": paser_desa_codes(),
        "paser_urusan_codes": paser_urusan_codes(),
        "paser_opd": paser_opd,
        "paser_choice": paser_choice,
        "paser_kode_indikator": paser_kode_indikator,
        "paser_satudata_dataset": paser_satudata_dataset,
        "paser_region_column": paser_region_column,
    }
