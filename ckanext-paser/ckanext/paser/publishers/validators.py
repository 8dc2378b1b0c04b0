"""Validators of the organisation schemas (organization_kecamatan.yaml, organization_dinas.yaml), by name.

Kecamatan codes are checked against the reference table: the Kemendagri code (64.01.xx) and the BPS code (6401xxx)
must each name a kecamatan of Kabupaten Paser, and the same one. Neither is computed from the other: the two
systems number the kecamatan in different orders (Muara Samu is 64.01.10 but 6401011).
"""
from __future__ import annotations

import json
import re
from typing import Any

import ckan.plugins.toolkit as tk

from .. import reference

Invalid = tk.Invalid
missing = tk.missing

KEMENDAGRI_FORMAT = re.compile(r"^64\.01\.\d{2}$")
BPS_FORMAT = re.compile(r"^6401\d{3}$")


def _given_code(key: tuple, data: dict, errors: dict) -> str | None:
    """The code given for `key`, stripped and stored back; None when absent or already in error."""
    value = data.get(key)
    if value is missing or value is None or errors[key]:
        return None
    data[key] = str(value).strip()
    return data[key]


def paser_kode_kemendagri_kecamatan(key: tuple, data: dict, errors: dict, context: dict) -> None:
    """A Kemendagri code of a kecamatan of Kabupaten Paser, not held by another kecamatan organisation."""
    code = _given_code(key, data, errors)
    if code is None:
        return
    if not KEMENDAGRI_FORMAT.match(code):
        errors[key].append(tk._("A Kemendagri kecamatan code looks like 64.01.03: 64.01, a dot and two digits."))
        return
    if reference.kecamatan_by_code(code) is None:
        errors[key].append(tk._("{code} is not the Kemendagri code of a kecamatan of Kabupaten Paser.").format(code=code))
        return
    holder = _organization_holding(code, data.get(("id",)), context)
    if holder:
        errors[key].append(tk._("Kemendagri code {code} already belongs to {organization}.").format(
            code=code, organization=holder))


def paser_kode_bps_kecamatan(key: tuple, data: dict, errors: dict, context: dict) -> None:
    """A BPS code of a kecamatan of Kabupaten Paser, of the same kecamatan as the Kemendagri code."""
    code = _given_code(key, data, errors)
    if code is None:
        return
    if not BPS_FORMAT.match(code):
        errors[key].append(tk._("A BPS kecamatan code has seven digits and starts with 6401, like 6401040."))
        return
    by_bps = reference.kecamatan_by_bps_code(code)
    if by_bps is None:
        errors[key].append(tk._("{code} is not the BPS code of a kecamatan of Kabupaten Paser.").format(code=code))
        return
    kemendagri_key = key[:-1] + ("kode_kemendagri",)
    by_kemendagri = reference.kecamatan_by_code(str(data.get(kemendagri_key) or ""))
    if by_kemendagri is not None and by_kemendagri != by_bps:
        errors[key].append(tk._(
            "BPS code {code} is Kecamatan {bps_name}, but Kemendagri code {kemendagri_code} is Kecamatan "
            "{kemendagri_name}, whose BPS code is {expected}. The two systems number kecamatan differently: "
            "take each code from its own list."
        ).format(code=code, bps_name=by_bps.nama, kemendagri_code=by_kemendagri.kode_kemendagri,
                 kemendagri_name=by_kemendagri.nama, expected=by_kemendagri.kode_bps))


def paser_luas_km2(value: Any, context: dict) -> Any:
    """An area in km², written with a decimal point or an Indonesian decimal comma (1091,5)."""
    if value is missing or value is None or str(value).strip() == "":
        return value
    text = str(value).strip().replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        area = float(text)
    except ValueError:
        raise Invalid(tk._("Write the area in km² as a number, e.g. 335.58.")) from None
    if area <= 0:
        raise Invalid(tk._("The area must be greater than zero."))
    return text


def paser_geojson_geometry(value: Any, context: dict) -> Any:
    """A GeoJSON Polygon or MultiPolygon (a boundary or a bounding box), kept as JSON text."""
    if value is missing or value is None or (isinstance(value, str) and not value.strip()):
        return value
    try:
        geometry = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        raise Invalid(tk._("Not valid JSON: paste a GeoJSON Polygon or MultiPolygon.")) from None
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon") \
            or not isinstance(geometry.get("coordinates"), list) or not geometry["coordinates"]:
        raise Invalid(tk._("Expected a GeoJSON geometry of type Polygon or MultiPolygon with coordinates."))
    return json.dumps(geometry, separators=(",", ":"))


def _organization_holding(code: str, own_id: Any, context: dict) -> str | None:
    """Title of another active organisation whose Kemendagri code is `code`, if any."""
    from ckan import model

    query = (
        model.Session.query(model.Group.title, model.Group.name)
        .join(model.GroupExtra, model.GroupExtra.group_id == model.Group.id)
        .filter(model.GroupExtra.key == "kode_kemendagri", model.GroupExtra.value == code,
                model.GroupExtra.state == "active", model.Group.state == "active",
                model.Group.is_organization.is_(True))
    )
    # On update `id` may be the organisation's id or its name.
    own = model.Group.get(own_id) if own_id and own_id is not missing else None
    if own is not None:
        query = query.filter(model.Group.id != own.id)
    row = query.first()
    return (row.title or row.name) if row else None


def validators() -> dict[str, Any]:
    return {
        "paser_kode_kemendagri_kecamatan": paser_kode_kemendagri_kecamatan,
        "paser_kode_bps_kecamatan": paser_kode_bps_kecamatan,
        "paser_luas_km2": paser_luas_km2,
        "paser_geojson_geometry": paser_geojson_geometry,
    }
