"""The Satu Data dataset schema: good and bad values for every rule, with the messages callers see."""
from __future__ import annotations

from typing import Any

import pytest
from ckan.plugins import toolkit as tk

from .conftest import World, satu_data

KECAMATAN_MESSAGE = "Choose the kecamatan this dataset covers: it is presented per kecamatan or per desa/kelurahan."
DESA_MESSAGE = "Choose the desa/kelurahan this dataset covers: it is presented per desa/kelurahan."


def errors_of(world: World, **fields: Any) -> dict[str, Any]:
    with pytest.raises(tk.ValidationError) as raised:
        world.create("uji-validasi", **fields)
    return raised.value.error_dict


def test_minimal_regency_dataset_gets_defaults(world):
    dataset = world.create("penduduk-kabupaten", **satu_data())
    assert dataset["private"] is False
    assert dataset["walidata"] == "Diskominfostaper"
    assert dataset["cakupan_kecamatan"] == [] and dataset["cakupan_desa"] == []


def test_full_metadata_round_trips(world):
    dataset = world.create(
        "luas-panen-padi-2023", title="Luas Panen Padi per Desa 2023", org="distan",
        jenis_data="statistik", klasifikasi="terbuka", tingkat_penyajian="desa", walidata="Bappedalitbang",
        # Any order, repeats and a single string are accepted; stored in reference order without repeats.
        cakupan_kecamatan=["64.01.05", "64.01.04", "64.01.04"], cakupan_desa="64.01.05.2002,64.01.04.1001",
        temporal_coverage=[{"start": "2023-01", "end": "2023-12-31"}, {"start": "2021"}],
        frequency="tahunan", urusan=["3.27", "2.09"], kode_indikator="3.27.01",
        konsep="Luas panen", definisi="Luas tanaman padi yang dipanen.", klasifikasi_penyajian="menurut desa",
        ukuran="luas", satuan="hektare", sumber_data="Laporan penyuluh", metode_pengumpulan="administrasi",
        contact=[{"name": "Bidang Tanaman Pangan", "email": "tanaman.pangan@paserkab.go.id"}],
        license_id="cc-by", url="https://paserkab.go.id",
        resources=[{"url": "http://127.0.0.1/padi.csv", "name": "padi.csv", "format": "CSV",
                    "kolom_wilayah": "kode_desa", "jenis_kode_wilayah": "kode_kemendagri",
                    "kolom_periode": "tahun", "kolom_nilai": "luas_panen_ha", "satuan": "hektare"}],
    )
    assert dataset["cakupan_kecamatan"] == ["64.01.04", "64.01.05"]
    assert dataset["cakupan_desa"] == ["64.01.04.1001", "64.01.05.2002"]
    assert dataset["urusan"] == ["2.09", "3.27"]
    assert dataset["temporal_coverage"] == [{"start": "2023-01", "end": "2023-12-31"}, {"start": "2021"}]
    assert dataset["contact"] == [{"name": "Bidang Tanaman Pangan", "email": "tanaman.pangan@paserkab.go.id"}]
    assert dataset["walidata"] == "Bappedalitbang" and dataset["kode_indikator"] == "3.27.01"
    resource = dataset["resources"][0]
    assert (resource["kolom_wilayah"], resource["jenis_kode_wilayah"], resource["kolom_periode"],
            resource["kolom_nilai"], resource["satuan"]) == (
        "kode_desa", "kode_kemendagri", "tahun", "luas_panen_ha", "hektare")


@pytest.mark.parametrize("field_name", ["jenis_data", "klasifikasi", "tingkat_penyajian"])
def test_required_fields(world, field_name):
    fields = satu_data()
    del fields[field_name]
    assert errors_of(world, **fields)[field_name] == ["Missing value"]


@pytest.mark.parametrize(
    ("field_name", "value", "choices"),
    [
        ("jenis_data", "statistika", "statistik, geospasial, keuangan"),
        ("klasifikasi", "rahasia", "terbuka, terbatas, tertutup"),
        ("tingkat_penyajian", "provinsi", "kabupaten, kecamatan, desa"),
        ("frequency", "tiap saat", "harian, mingguan, bulanan, triwulanan, semesteran, tahunan, insidental"),
        ("metode_pengumpulan", "wawancara", "sensus, survei, administrasi, lainnya"),
    ],
)
def test_choices_outside_the_list(world, field_name, value, choices):
    errors = errors_of(world, **satu_data(**{field_name: value}))
    assert errors[field_name] == [f'Invalid value "{value}": choose one of {choices}.']


@pytest.mark.parametrize(
    ("field_name", "value"),
    [
        ("jenis_data", ["statistik"]),
        ("klasifikasi", {"nilai": "terbuka"}),
        ("tingkat_penyajian", 3),
        ("cakupan_kecamatan", {"kode": "64.01.04"}),
        ("cakupan_desa", [1, 2]),
        ("urusan", 7),
        ("walidata", ["Diskominfostaper"]),
        ("kode_indikator", ["1.01"]),
        ("temporal_coverage", "2020"),  # CKAN itself refuses a string where a list of dicts belongs (400)
        ("temporal_coverage", [{"start": ["2020"]}]),
        ("contact", [{"email": 12}]),
        ("contact", [{"email": {"a": 1}}]),
    ],
)
def test_values_of_the_wrong_type_are_client_errors(app, world, field_name, value):
    """Through the API: a clear client error naming the problem, never a server error."""
    token = world.token(world.sysadmin)
    body = {"name": "uji-tipe", "owner_org": world.orgs["disdukcapil"]["id"], **satu_data(), field_name: value}
    response = app.post("/api/3/action/package_create", json=body, headers={"Authorization": token})
    assert response.status_code in (400, 409), response.get_data(as_text=True)
    assert response.json["success"] is False
    if response.status_code == 409:
        assert response.json["error"]["__type"] == "Validation Error" and field_name in response.json["error"]


@pytest.mark.parametrize(
    ("field_name", "value", "stored"),
    [
        ("temporal_coverage", [{"start": 2020}], [{"start": "2020"}]),
        ("konsep", 12, "12"),
        ("satuan", ["jiwa"], '["jiwa"]'),
    ],
)
def test_plain_values_are_kept_as_text(world, field_name, value, stored):
    assert world.create("uji-teks", **satu_data(**{field_name: value}))[field_name] == stored


def test_unknown_reference_codes(world):
    errors = errors_of(world, **satu_data(
        tingkat_penyajian="desa", cakupan_kecamatan=["64.01.04", "64.01.11"], cakupan_desa=["64.01.04.9999"],
        urusan=["2.12", "9.99"], walidata="Dinas Rahasia",
    ))
    assert errors["cakupan_kecamatan"] == [
        "Unknown kecamatan code: 64.01.11. Use a Kemendagri code of Kabupaten Paser such as 64.01.04."]
    assert errors["cakupan_desa"] == [
        "Unknown desa/kelurahan code: 64.01.04.9999. Use a Kemendagri code of Kabupaten Paser such as 64.01.04.1001."]
    assert errors["urusan"] == ["Unknown urusan (government affair) code: 9.99."]
    assert errors["walidata"] == ["Unknown agency (OPD): Dinas Rahasia. Choose one from the list."]


def test_bps_codes_are_not_kemendagri_codes(world):
    errors = errors_of(world, **satu_data(tingkat_penyajian="kecamatan", cakupan_kecamatan=["6401040"]))
    assert errors["cakupan_kecamatan"][0].startswith("Unknown kecamatan code: 6401040.")


@pytest.mark.parametrize(
    ("fields", "field_name", "message"),
    [
        ({"tingkat_penyajian": "kecamatan"}, "cakupan_kecamatan", KECAMATAN_MESSAGE),
        ({"tingkat_penyajian": "desa", "cakupan_desa": ["64.01.04.1001"]}, "cakupan_kecamatan", KECAMATAN_MESSAGE),
        ({"tingkat_penyajian": "desa", "cakupan_kecamatan": ["64.01.04"]}, "cakupan_desa", DESA_MESSAGE),
        ({"tingkat_penyajian": "desa", "cakupan_kecamatan": ["64.01.04"],
          "cakupan_desa": ["64.01.04.1001", "64.01.05.1001"]},
         "cakupan_desa", "Desa/kelurahan Kuaro (64.01.05.1001) is not in any of the chosen kecamatan."),
        ({"tingkat_penyajian": "kecamatan", "cakupan_kecamatan": ["64.01.04"], "cakupan_desa": ["64.01.04.1001"]},
         "cakupan_desa", "Desa/kelurahan coverage is only for datasets presented per desa/kelurahan."),
        ({"tingkat_penyajian": "kabupaten", "cakupan_desa": ["64.01.04.1001"]},
         "cakupan_desa", "Desa/kelurahan coverage is only for datasets presented per desa/kelurahan."),
    ],
)
def test_coverage_follows_the_presentation_level(world, fields, field_name, message):
    errors = errors_of(world, **satu_data(**fields))
    assert errors[field_name] == [message]


@pytest.mark.parametrize(
    "fields",
    [
        {"tingkat_penyajian": "kabupaten"},
        {"tingkat_penyajian": "kabupaten", "cakupan_kecamatan": ["64.01.01", "64.01.02"]},
        {"tingkat_penyajian": "kecamatan", "cakupan_kecamatan": "64.01.04"},
        {"tingkat_penyajian": "desa", "cakupan_kecamatan": ["64.01.04", "64.01.05"],
         "cakupan_desa": ["64.01.04.2002", "64.01.05.2002"]},
    ],
)
def test_coverage_that_fits(world, fields):
    assert world.create("uji-cakupan", **satu_data(**fields))["tingkat_penyajian"] == fields["tingkat_penyajian"]


@pytest.mark.parametrize(
    "period",
    [{"start": "2020"}, {"end": "2020"}, {"start": "2020", "end": "2024"}, {"start": "2024-07", "end": "2024-12"},
     {"start": "2024-01-01", "end": "2024-06-30"}, {"start": "2024-03", "end": "2024"}],
)
def test_periods_that_fit(world, period):
    assert world.create("uji-periode", **satu_data(temporal_coverage=[period]))["temporal_coverage"] == [period]


@pytest.mark.parametrize(
    ("period", "key", "message"),
    [
        ({"start": "2024", "end": "2020"}, "end", "The end of the period comes before its start."),
        ({"start": "2024-07", "end": "2024-06-30"}, "end", "The end of the period comes before its start."),
        ({"start": "1850"}, "start", "Years must lie between 1900 and 2100."),
        ({"start": "2020", "end": "2999"}, "end", "Years must lie between 1900 and 2100."),
        ({"start": "tahun lalu"}, "start",
         "Date format incorrect. Supported formats are YYYY, YYYY-MM, YYYY-MM-DD and YYYY-MM-DDTHH:MM:SS"),
    ],
)
def test_periods_that_do_not_fit(world, period, key, message):
    errors = errors_of(world, **satu_data(temporal_coverage=[{"start": "2019"}, period]))
    assert errors["temporal_coverage"][1][key] == [message]


@pytest.mark.parametrize("code", ["1.01.01", "3.2.1", "IKU-03", "SDG.3.2.1a", "2.12"])
def test_indicator_codes_that_fit(world, code):
    assert world.create("uji-kode", **satu_data(kode_indikator=f" {code} "))["kode_indikator"] == code


@pytest.mark.parametrize("code", ["1 01 01", "1..01", "1.01.", ".1", "IKU_03", "kode/3", "1." * 40 + "1"])
def test_indicator_codes_that_do_not_fit(world, code):
    assert errors_of(world, **satu_data(kode_indikator=code))["kode_indikator"] == [
        "Indicator code must be letters and digits in parts separated by dots or hyphens, such as 1.01.01 or IKU-03."
    ]


def test_contact_email_is_checked(world):
    errors = errors_of(world, **satu_data(contact=[{"name": "Operator", "email": "bukan-surel"}]))
    assert errors["contact"] == [{"email": ["Email bukan-surel is not a valid format"]}]


@pytest.mark.parametrize(
    ("resource", "field_name", "message"),
    [
        ({"kolom_wilayah": "kode"}, "jenis_kode_wilayah",
         "Say what the region column holds: names, Kemendagri codes or BPS codes."),
        ({"jenis_kode_wilayah": "kode_bps"}, "kolom_wilayah",
         "Name the column that holds the region, or leave the kind of region code empty."),
        ({"kolom_wilayah": "kode", "jenis_kode_wilayah": "kode_pos"}, "jenis_kode_wilayah",
         'Invalid value "kode_pos": choose one of nama, kode_kemendagri, kode_bps.'),
    ],
)
def test_resource_region_column(world, resource, field_name, message):
    errors = errors_of(world, **satu_data(resources=[{"url": "http://127.0.0.1/a.csv", **resource}]))
    assert errors["resources"][0][field_name] == [message]


def test_resource_added_later_is_validated_too(world):
    dataset = world.create("uji-sumber", **satu_data())
    with pytest.raises(tk.ValidationError) as raised:
        from ckan.tests import helpers

        helpers.call_action("resource_create", {"user": world.sysadmin["name"]}, package_id=dataset["id"],
                            url="http://127.0.0.1/b.csv", jenis_kode_wilayah="kode_bps")
    assert "kolom_wilayah" in str(raised.value.error_dict)
