"""Reading agency tables: CSV dialects and encodings, XLSX with merged header cells and several sheets."""
from __future__ import annotations

import os
import re

import pytest
from ckanext.paser.checks import TableReadError, read_table
from ckanext.paser.tables.reading import decode

# the agency files of the checks, which read them too
FIXTURES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "checks", "fixtures")


def fixture(name: str) -> str:
    return os.path.join(FIXTURES, name)


def test_windows_1252_semicolon_csv():
    [sheet] = read_table(fixture("dukcapil_penduduk_2020_cp1252.csv"))
    assert sheet.encoding == "cp1252"
    assert sheet.delimiter == ";"
    assert sheet.rows[1] == ["No", "Kecamatan", "Jumlah Penduduk (jiwa)", "Luas Wilayah (km²)"]
    assert sheet.rows[2] == ["1", "BATU SOPANG", "24.484", "1.091"]
    assert sheet.rows[12] == ["", "JUMLAH", "277.401", ""]


def test_utf8_bom_csv():
    [sheet] = read_table(fixture("dukcapil_penduduk_kabupaten_bom.csv"))
    assert sheet.encoding == "utf-8-sig"
    assert sheet.delimiter == ";"
    assert sheet.rows[0][0] == "Kode Wilayah"  # no byte-order mark left in the first header


def test_comma_csv_with_quoted_decimal_commas():
    [sheet] = read_table(fixture("kecamatan_nama.csv"))
    assert sheet.delimiter == ","
    assert sheet.rows[1] == ["Pasir Belengkong", "2020", "29283", "990,11"]


def test_bytes_with_tabs_and_format_from_content():
    [sheet] = read_table(b"Kecamatan\tJumlah\nKuaro\t29.942\n")
    assert sheet.delimiter == "\t"
    assert sheet.rows == [["Kecamatan", "Jumlah"], ["Kuaro", "29.942"]]


def test_decode_falls_back_from_utf8():
    text, encoding = decode("Kecamatan;Luas (km²)\nKuaro;672\n".encode("cp1252"))
    assert "km²" in text
    assert encoding != "utf-8"


def test_xlsx_merged_header_cells_repeat_their_value():
    penduduk, luas = read_table(fixture("bps_penduduk_kecamatan.xlsx"))
    assert penduduk.name == "Penduduk"
    assert penduduk.rows[2][:3] == ["Kecamatan", "Jumlah Penduduk (jiwa)", "Jumlah Penduduk (jiwa)"]
    assert penduduk.rows[3][:3] == ["Kecamatan", 2020, 2024]
    assert penduduk.rows[0][2] == penduduk.rows[0][0]  # the merged title
    assert luas.name == "Luas"
    assert luas.rows[3] == [1, "Batu Sopang", 1111.38]


def test_xlsx_one_sheet_per_year():
    sheets = read_table(fixture("dukcapil_per_tahun.xlsx"))
    assert [sheet.name for sheet in sheets] == ["2020", "2024"]


@pytest.mark.parametrize(
    ("data", "kwargs", "reason"),
    [
        (b"PK\x03\x04not a workbook", {}, "not a readable XLSX workbook"),
        (b"anything", {"filename": "tabel.xls"}, "old Excel format (.xls)"),
        (b"\x00\x01\x02\xff\xfe", {"format": "csv"}, "binary data, not CSV text"),
    ],
)
def test_unreadable_files_raise_table_read_error(data, kwargs, reason):
    with pytest.raises(TableReadError, match=re.escape(reason)):
        read_table(data, **kwargs)


def test_missing_file():
    with pytest.raises(TableReadError, match="cannot open the file"):
        read_table(fixture("nothing-here.csv"))
