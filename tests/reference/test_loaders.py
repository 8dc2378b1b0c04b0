"""The packaged reference tables: regions with both code systems, agencies, government affairs."""
from __future__ import annotations

import re

from ckanext.paser import reference


def test_ten_kecamatan_with_both_codes_from_the_table():
    kecamatan = reference.kecamatan_list()
    assert len(kecamatan) == 10
    assert [k.kode_kemendagri for k in kecamatan] == [f"64.01.{n:02d}" for n in range(1, 11)]
    assert all(re.fullmatch(r"6401\d{3}", k.kode_bps) for k in kecamatan)
    assert len({k.kode_bps for k in kecamatan}) == 10
    # The two systems number kecamatan differently: these BPS codes cannot be derived from Kemendagri's.
    assert reference.kecamatan_by_code("64.01.10").kode_bps == "6401011"
    assert reference.kecamatan_by_code("64.01.09").kode_bps == "6401021"
    assert reference.kecamatan_by_bps_code("6401011").nama == "Muara Samu"
    assert reference.kecamatan_by_code("64.01.11") is None
    assert reference.kecamatan_by_bps_code("6401090") is None
    assert reference.kabupaten().kode_kemendagri == "64.01" and reference.kabupaten().kode_bps == "6401"


def test_144_desa_and_kelurahan():
    desa = reference.desa_list()
    assert len(desa) == 144
    assert sum(1 for d in desa if d.is_kelurahan) == 5
    assert sum(k.jumlah_desa for k in reference.kecamatan_list()) == 139
    assert sum(k.jumlah_kelurahan for k in reference.kecamatan_list()) == 5
    for one in desa:
        assert one.kode_kemendagri.startswith(one.kode_kecamatan + ".")
        # Kelurahan codes have a fourth part starting with 1, desa codes with 2.
        assert one.kode_kemendagri.rsplit(".", 1)[1][0] == ("1" if one.is_kelurahan else "2")


def test_desa_of_one_kecamatan():
    tanah_grogot = reference.kecamatan_by_code("64.01.04")
    assert (tanah_grogot.jumlah_desa, tanah_grogot.jumlah_kelurahan) == (15, 1)
    assert reference.desa_list("64.01.04") == tanah_grogot.desa
    assert reference.desa_by_code("64.01.04.1001").nama == "Tanah Grogot"
    assert reference.desa_by_code("64.01.04.1001").is_kelurahan
    assert [d.nama for d in reference.desa_list("64.01.03")][:2] == ["Lempesu", "Bekoso"]
    assert reference.desa_list("64.01.99") == ()


def test_no_capital_is_invented():
    # wilayah.csv has no capital column: the loader leaves it empty rather than guess.
    assert all(k.ibukota is None for k in reference.kecamatan_list())


def test_tables_are_read_once():
    assert reference.kecamatan_list() is reference.kecamatan_list()
    assert reference.opd_list() is reference.opd_list()
    assert reference.urusan_list() is reference.urusan_list()


def test_urusan_nomenclature():
    urusan = reference.urusan_list()
    codes = [u.kode for u in urusan]
    assert len(codes) == len(set(codes))
    affairs = [u for u in urusan if u.is_affair]
    # UU 23/2014: 6 basic-service, 18 non-basic-service and 8 optional affairs, numbered 01-32 throughout.
    assert [u.kode[2:] for u in affairs] == [f"{n:02d}" for n in range(1, 33)]
    assert {u.kelompok for u in affairs} == {"wajib_pelayanan_dasar", "wajib_non_pelayanan_dasar", "pilihan"}
    assert reference.urusan_by_code("2.12").label() == {
        "id": "Administrasi Kependudukan dan Pencatatan Sipil",
        "en": "Population Administration and Civil Registration",
    }
    assert reference.urusan_by_code("7.01").nama == "Kecamatan" and not reference.urusan_by_code("7.01").is_affair


def test_packaged_opd_list_keeps_the_indicative_marking():
    agencies = {opd.slug: opd for opd in reference.opd_list()}
    assert len(agencies) == 18
    assert not agencies["disdukcapil"].indicative and agencies["setda"].indicative
    assert agencies["bps-paser"].jenis == "instansi_vertikal"
    assert agencies["bps-paser"].singkatan == "BPS Paser"
    assert agencies["diskominfostaper"].urusan == ("2.16", "2.20", "2.21")
    assert agencies["disdik"].urusan == ("1.01",)
    assert agencies["bps-paser"].urusan == ()
    assert reference.configured_opd_file().endswith("reference/data/opd.csv")
    assert reference.opd_by_slug("distan").nama == "Dinas Pertanian"
