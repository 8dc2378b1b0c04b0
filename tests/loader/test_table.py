"""Column names and types of agency tables, decided over every value (no database)."""
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from ckanext.paser.loader.table import EmptyTableError, field_name, infer_type, table_from_sheet
from ckanext.paser.tables.reading import Sheet


@pytest.mark.parametrize(("cells", "expected"), [
    (["1.234", "25.479", "7"], "int8"),  # Indonesian thousands
    ([1, 2.0, "3"], "int8"),
    (["1.234,5", "7"], "numeric"),  # Indonesian decimal comma
    (["1,234.5", "7.25"], "numeric"),  # English notation
    (["12,5%", "3%"], "numeric"),
    ([Decimal("0.5"), 2], "numeric"),
    (["9223372036854775808"], "numeric"),  # beyond int8
    (["1", "2", "n.a."], "text"),  # one value that is not a number
    (["0612", "0613"], "text"),  # codes keep their leading zero
    (["64.01.04"], "text"),
    (["2024-06-30", "31/12/2024"], "date"),
    ([datetime.date(2024, 1, 1), datetime.datetime(2024, 1, 1)], "date"),
    (["2024-06-30 08:15", "2024-06-30T09:00:00"], "timestamp"),
    (["30/02/2024"], "text"),  # not a date
    ([None, "", "  "], "text"),
    ([True, False], "text"),
])
def test_column_types(cells, expected):
    assert infer_type(cells)[0] == expected


def test_header_names_stay_recognisable():
    assert field_name("  Luas\n(km²) ", 1) == "Luas (km²)"
    assert field_name("_id", 2) == "id"
    assert field_name('Nama "Desa"', 3) == "Nama 'Desa'"
    assert field_name("", 4) == "kolom_4"
    assert len(field_name("Jumlah Penduduk Menurut Kelompok Umur dan Jenis Kelamin di Kecamatan", 5).encode()) <= 63


def test_title_rows_group_headers_and_empty_rows():
    sheet = Sheet("Penduduk", [
        ["Jumlah Penduduk Kabupaten Paser", "Jumlah Penduduk Kabupaten Paser", "Jumlah Penduduk Kabupaten Paser"],
        [],
        ["Kecamatan", "Jumlah Penduduk", "Jumlah Penduduk", None],
        [None, "2023", "2024", None],
        ["Kuaro", "29.942", "30.100", None],
        [None, None, None],
        ["Long Kali", "31.002", "n.a.", None],
    ])
    table = table_from_sheet(sheet)
    assert [(c.name, c.type) for c in table.columns] == [
        ("Kecamatan", "text"), ("Jumlah Penduduk 2023", "int8"), ("Jumlah Penduduk 2024", "text")]
    assert list(table.values()) == [["Kuaro", "29942", "30.100"], ["Long Kali", "31002", "n.a."]]


def test_duplicate_and_missing_headers_are_named():
    table = table_from_sheet(Sheet(None, [["Nama", "Nama", None, "Umur"], ["a", "b", "c", "7"]]))
    assert [c.name for c in table.columns] == ["Nama", "Nama (2)", "kolom_3", "Umur"]
    # A first row of text under duplicate names is data, not more header.
    table = table_from_sheet(Sheet(None, [["Nama", "Nama", "Umur"], ["Ani", "Budi", "tujuh"]]))
    assert [c.name for c in table.columns] == ["Nama", "Nama (2)", "Umur"]
    assert len(table.rows) == 1


def test_an_empty_sheet_has_no_table():
    with pytest.raises(EmptyTableError):
        table_from_sheet(Sheet(None, [[None, ""], []]))


def test_notes_under_the_table_are_not_records():
    """A workbook's source and legend lines under the table (the Kaltim sawit file) are not loaded as rows; a
    last row that is data, or a note-like word inside the table, stays."""
    table = table_from_sheet(Sheet("Sawit", [
        ["No", "Kecamatan", "Tahun", "Produksi TBS (ton)"],
        [1, "Muara Komam", 2023, 8120],
        [2, "Batu Sopang", 2023, 7410],
        ["Keterangan: TBM = tanaman belum menghasilkan", None, None, None],
        [None, None, None, None],
        ["Sumber: Dinas Perkebunan Provinsi Kalimantan Timur", None, None, None],
        ["*) angka sementara", "", None, None],
    ]))
    assert [row[1] for row in table.rows] == ["Muara Komam", "Batu Sopang"]
    table = table_from_sheet(Sheet(None, [["Kecamatan", "Catatan"], ["Kuaro", "Sumber: Dukcapil"], ["Sumber", None]]))
    assert [row[0] for row in table.rows] == ["Kuaro", "Sumber"]  # "Sumber" in the first column may be a name
