"""The official OPD list replaces the packaged one through ckanext.paser.reference.opd_file."""
from __future__ import annotations

import os

import pytest
from ckan import plugins
from ckan.plugins.toolkit import config
from ckanext.paser import reference

HEADER = "singkatan,nama,jenis,bukti\n"
OFFICIAL = HEADER + (
    "Diskominfo,Dinas Komunikasi dan Informatika,dinas,Perda Kabupaten Paser (uji)\n"
    "RSUD,RSUD Panglima Sebaya,RSUD,Perda Kabupaten Paser (uji)\n"
    "BPS Paser,Badan Pusat Statistik Kabupaten Paser,instansi vertikal,BPS domain 6401\n"
)


@pytest.fixture
def official_file(tmp_path):
    path = tmp_path / "opd-resmi.csv"
    path.write_text(OFFICIAL, encoding="utf-8")
    return path


def test_official_file_replaces_the_packaged_list(official_file, monkeypatch):
    monkeypatch.setitem(config, reference.CONFIG_OPD_FILE, str(official_file))
    agencies = reference.opd_list()
    assert [opd.slug for opd in agencies] == ["diskominfo", "rsud", "bps-paser"]
    assert [opd.jenis for opd in agencies] == ["dinas", "rsud", "instansi_vertikal"]
    assert not any(opd.indicative for opd in agencies)
    # Without an urusan column the packaged assignment of the same short names is kept.
    assert agencies[2].urusan == () and agencies[0].urusan == ()


def test_relative_path_is_taken_from_the_ini_folder(official_file, monkeypatch):
    ini_dir = os.path.dirname(os.path.abspath(config["__file__"]))
    monkeypatch.setitem(config, reference.CONFIG_OPD_FILE, os.path.relpath(official_file, ini_dir))
    assert reference.configured_opd_file() == str(official_file)
    assert len(reference.opd_list()) == 3


def test_a_replaced_file_is_read_again(official_file, monkeypatch):
    monkeypatch.setitem(config, reference.CONFIG_OPD_FILE, str(official_file))
    assert len(reference.opd_list()) == 3
    official_file.write_text(OFFICIAL + "Dinsos,Dinas Sosial,dinas,Perda (uji)\n", encoding="utf-8")
    os.utime(official_file, ns=(1, 10**18))
    assert len(reference.opd_list()) == 4


def test_urusan_column_of_the_official_file(tmp_path, monkeypatch):
    path = tmp_path / "opd.csv"
    path.write_text("singkatan,nama,jenis,bukti,urusan\nDinsos,Dinas Sosial,dinas,Perda (uji),1.06 2.08\n",
                    encoding="utf-8")
    monkeypatch.setitem(config, reference.CONFIG_OPD_FILE, str(path))
    assert reference.opd_list()[0].urusan == ("1.06", "2.08")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("singkatan,nama,bukti\nDinsos,Dinas Sosial,Perda\n", "missing column(s) jenis"),
        (HEADER + "Dinsos,Dinas Sosial,kantor,Perda\n", "line 2: unknown jenis 'kantor'"),
        (HEADER + "Dinsos,Dinas Sosial,dinas,Perda\nDINSOS,Dinas Sosial Lagi,dinas,Perda\n",
         "line 3: singkatan 'DINSOS' repeats the agency of line 2"),
        (HEADER + "Dinsos,,dinas,Perda\n", "line 2: empty nama"),
        (HEADER + "Dinsos,Dinas Sosial,dinas,Perda,lebih\n", "line 2: more values than columns"),
        ("singkatan,nama,jenis,bukti,urusan\nDinsos,Dinas Sosial,dinas,Perda,9.99\n",
         "line 2: unknown urusan code(s) 9.99"),
        (HEADER, "no agencies listed"),
        ("", "missing column(s) singkatan, nama, jenis, bukti"),
    ],
)
def test_malformed_file_is_refused_with_a_clear_message(tmp_path, monkeypatch, content, message):
    path = tmp_path / "opd.csv"
    path.write_text(content, encoding="utf-8")
    monkeypatch.setitem(config, reference.CONFIG_OPD_FILE, str(path))
    with pytest.raises(reference.ReferenceFileError) as raised:
        reference.opd_list()
    assert str(path) in str(raised.value) and message in str(raised.value)


def test_missing_or_unreadable_file(tmp_path, monkeypatch):
    monkeypatch.setitem(config, reference.CONFIG_OPD_FILE, str(tmp_path / "tidak-ada.csv"))
    with pytest.raises(reference.ReferenceFileError, match="tidak-ada.csv: file not found"):
        reference.opd_list()
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(HEADER.encode() + b"Dinsos,Dinas Sosial \xe9,dinas,Perda\n")
    monkeypatch.setitem(config, reference.CONFIG_OPD_FILE, str(latin1))
    with pytest.raises(reference.ReferenceFileError, match="not UTF-8 text"):
        reference.opd_list()


def test_portal_refuses_to_start_with_a_bad_file(tmp_path, monkeypatch):
    monkeypatch.setitem(config, reference.CONFIG_OPD_FILE, str(tmp_path / "tidak-ada.csv"))
    with pytest.raises(reference.ReferenceFileError, match="file not found"):
        plugins.get_plugin("paser").configure(config)


def test_option_is_declared():
    from ckan.common import config_declaration

    option = config_declaration.get(reference.CONFIG_OPD_FILE)
    assert option is not None and "official list of agencies" in option.description
