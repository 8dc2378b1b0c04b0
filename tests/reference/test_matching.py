"""Tolerant name matching against the reference data (used by the seed and by harvesters)."""
from __future__ import annotations

import pytest
from ckanext.paser import reference


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Paser Belengkong", "64.01.03"),
        ("Pasir Belengkong", "64.01.03"),  # older BPS spelling
        ("PASIR BELENGKONG", "64.01.03"),
        ("Kec. Tanah Grogot", "64.01.04"),
        ("Kecamatan  Long Ikis", "64.01.06"),
        ("Longkali", "64.01.08"),
        ("Tanah Grogor", "64.01.04"),  # a typo
        ("Paser Blengkong", "64.01.03"),
    ],
)
def test_kecamatan_by_name(name, code):
    assert reference.kecamatan_by_name(name).kode_kemendagri == code


@pytest.mark.parametrize("name", ["Long", "Batu", "Muara", "Kuala", "", "Kabupaten Paser"])
def test_ambiguous_or_unknown_kecamatan_matches_nothing(name):
    assert reference.kecamatan_by_name(name) is None


def test_desa_by_name():
    # A desa really is called Pasir Belengkong: the exact name wins.
    assert reference.desa_by_name("Pasir Belengkong").kode_kemendagri == "64.01.03.2006"
    assert reference.desa_by_name("Desa Lempesu").kode_kemendagri == "64.01.03.2001"
    assert reference.desa_by_name("Kelurahan Tanah Grogot").kode_kemendagri == "64.01.04.1001"
    assert reference.desa_by_name("Laburan Bar").kode_kemendagri == "64.01.03.2011"
    assert reference.desa_by_name("Laburan").kode_kemendagri == "64.01.03.2008"
    # Restricted to one kecamatan.
    assert reference.desa_by_name("Lempesu", kecamatan_code="64.01.04") is None


def test_opd_by_name():
    assert reference.opd_by_name("Disdukcapil").slug == "disdukcapil"
    assert reference.opd_by_name("Dinas Kependudukan dan Catatan Sipil").slug == "disdukcapil"
    assert reference.opd_by_name("dinas pertanian").slug == "distan"
    assert reference.opd_by_name("Badan Pusat Statistik Kab. Paser").slug == "bps-paser"
    # One word tells agencies apart: a fisheries agency is not the agriculture agency.
    assert reference.opd_by_name("Dinas Perikanan") is None


def test_best_match_reports_how_close():
    found = reference.best_match("Tanah Grogor", [("Tanah Grogot", 1), ("Kuaro", 2)])
    assert found.item == 1 and not found.exact and 85 <= found.score < 100
    assert reference.best_match("tanah  grogot", [("Tanah Grogot", 1)]).exact
