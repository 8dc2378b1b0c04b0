"""Validation of the organisation schemas: kecamatan codes against the reference table, dinas fields."""
from __future__ import annotations

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import helpers

from .conftest import token_for

GOOD = {"type": "kecamatan", "name": "kecamatan-muara-samu", "title": "Kecamatan Muara Samu",
        "kode_kemendagri": "64.01.10", "kode_bps": "6401011"}


def _create(sysadmin, **changes):
    return helpers.call_action("organization_create", {"user": sysadmin["name"]}, **{**GOOD, **changes})


def _errors(sysadmin, **changes) -> dict[str, list[str]]:
    with pytest.raises(tk.ValidationError) as raised:
        _create(sysadmin, **changes)
    return raised.value.error_dict


def test_good_codes_are_kept(sysadmin):
    created = _create(sysadmin, jumlah_desa="7", jumlah_kelurahan="0", luas_km2="855,25")
    shown = helpers.call_action("organization_show", id=created["id"])
    assert (shown["kode_kemendagri"], shown["kode_bps"], shown["luas_km2"]) == ("64.01.10", "6401011", "855.25")
    assert shown["jumlah_desa"] == "7"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"kode_kemendagri": "6401.10"}, "kode_kemendagri", "A Kemendagri kecamatan code looks like 64.01.03"),
        ({"kode_kemendagri": "64.01.11"}, "kode_kemendagri",
         "64.01.11 is not the Kemendagri code of a kecamatan of Kabupaten Paser."),
        ({"kode_kemendagri": ""}, "kode_kemendagri", "Missing value"),
        ({"kode_bps": "64.01.10"}, "kode_bps", "A BPS kecamatan code has seven digits"),
        # The BPS code "derived" from 64.01.10 does not exist: BPS numbers Muara Samu 6401011.
        ({"kode_bps": "6401100"}, "kode_bps", "6401100 is not the BPS code of a kecamatan of Kabupaten Paser."),
        # A real BPS code, but of another kecamatan (Batu Engau).
        ({"kode_bps": "6401021"}, "kode_bps",
         ("BPS code 6401021 is Kecamatan Batu Engau, but Kemendagri code 64.01.10 is Kecamatan Muara Samu, "
         "whose BPS code is 6401011.")),
        ({"luas_km2": "luas"}, "luas_km2", "Write the area in km² as a number"),
        ({"jumlah_desa": "-3"}, "jumlah_desa", "Must be a natural number"),
        ({"spatial": '{"type": "Point", "coordinates": [116.2, -1.9]}'}, "spatial", "Polygon or MultiPolygon"),
    ],
)
def test_bad_values_are_refused(sysadmin, changes, field, message):
    errors = _errors(sysadmin, **changes)
    assert any(message in error for error in errors[field]), errors


def test_a_kemendagri_code_belongs_to_one_organisation(sysadmin):
    first = _create(sysadmin)
    errors = _errors(sysadmin, name="muara-samu-lagi")
    assert errors["kode_kemendagri"] == ["Kemendagri code 64.01.10 already belongs to Kecamatan Muara Samu."]
    # Updating the organisation itself is not a clash, by id or by name.
    helpers.call_action("organization_patch", {"user": sysadmin["name"]}, id=first["name"], jumlah_desa="7")
    helpers.call_action("organization_patch", {"user": sysadmin["name"]}, id=first["id"], kode_bps="6401011")


def test_dinas_fields(sysadmin):
    context = {"user": sysadmin["name"]}
    created = helpers.call_action(
        "organization_create", context, type="dinas", name="dinsos", title="Dinas Sosial", singkatan="Dinsos",
        jenis_opd="dinas", urusan=["1.06", "2.08"], email="dinsos@paserkab.go.id", indikatif="true",
    )
    assert helpers.call_action("organization_show", id=created["id"])["urusan"] == ["1.06", "2.08"]
    with pytest.raises(tk.ValidationError) as raised:
        helpers.call_action("organization_create", context, type="dinas", name="dinas-x", title="Dinas X",
                            jenis_opd="kantor", urusan=["9.99"], email="bukan-email", website="bukan url")
    errors = raised.value.error_dict
    assert set(errors) >= {"singkatan", "jenis_opd", "urusan", "email", "website"}


NOT_A_KECAMATAN = "{code} is not the Kemendagri code of a kecamatan of Kabupaten Paser."


def test_form_shows_the_message_in_english(app, sysadmin):
    response = app.post("/en/kecamatan/new", headers=token_for(sysadmin), data={
        "title": "Kecamatan Baru", "name": "kecamatan-baru", "kode_kemendagri": "64.01.11", "kode_bps": "6401011",
        "save": "",
    })
    assert response.status_code == 200
    assert NOT_A_KECAMATAN.format(code="64.01.11") in response.get_data(as_text=True)


def test_form_shows_the_message_in_indonesian(app, sysadmin):
    response = app.post("/kecamatan/new", headers=token_for(sysadmin), data={
        "title": "Kecamatan Baru", "name": "kecamatan-baru", "kode_kemendagri": "64.01.11", "kode_bps": "6401011",
        "save": "",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "64.01.11 bukan kode Kemendagri kecamatan di Kabupaten Paser." in html
    assert NOT_A_KECAMATAN.format(code="64.01.11") not in html
