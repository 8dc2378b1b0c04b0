"""Normalising agency tables into figures (indicator, Kemendagri region, period, value, unit) and problems.

The fixtures (built by fixtures/build.py) carry the published figures of shared/reference/figures-published.csv.
"""
from __future__ import annotations

import os
from decimal import Decimal

import pytest
from ckanext.paser.checks import Figure, Problem, Sheet, TableDescription, figures_from_file, normalise_sheets
from ckanext.paser.checks import normalise as checks

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")

KECAMATAN = ["64.01.01", "64.01.02", "64.01.03", "64.01.04", "64.01.05",
             "64.01.06", "64.01.07", "64.01.08", "64.01.09", "64.01.10"]
# Dukcapil 2020 (figures-published.csv), in Kemendagri order.
DUKCAPIL_2020_PENDUDUK = [24484, 8925, 29283, 78018, 29942, 41634, 13422, 26991, 17833, 6868]
DUKCAPIL_2020_LUAS = [1091, 567, 676, 342, 672, 982, 1650, 2164, 1536, 917]


def read(name: str, description: TableDescription | None = None):
    return figures_from_file(os.path.join(FIXTURES, name), description=description)


def as_tuples(figures):
    return [(f.indicator, f.region_code, f.region_level, f.period, f.value, f.unit, f.sheet, f.cell) for f in figures]


def test_dukcapil_csv_population_per_kecamatan_with_total():
    result = read("dukcapil_penduduk_2020_cp1252.csv")
    assert result.problems == []
    expected = []
    for index, (code, people, area) in enumerate(zip(KECAMATAN, DUKCAPIL_2020_PENDUDUK, DUKCAPIL_2020_LUAS)):
        line = index + 3
        expected.append(("jumlah_penduduk", code, "kecamatan", "2020", Decimal(people), "jiwa", None, f"C{line}"))
        expected.append(("luas_wilayah", code, "kecamatan", "2020", Decimal(area), "km²", None, f"D{line}"))
    # The published total row, one more than the sum of its kecamatan: kept as read, for the sum rule to flag.
    expected.append(("jumlah_penduduk", "64.01", "kabupaten", "2020", Decimal(277401), "jiwa", None, "C13"))
    assert as_tuples(result.figures) == expected
    assert sum(DUKCAPIL_2020_PENDUDUK) == 277400


def test_dukcapil_bom_csv_with_codes_and_period_column():
    result = read("dukcapil_penduduk_kabupaten_bom.csv")
    assert result.problems == []
    assert as_tuples(result.figures) == [
        ("jumlah_penduduk", "64.01", "kabupaten", "2020", Decimal(277401), None, None, "D2"),
        ("jumlah_penduduk", "64.01", "kabupaten", "2024", Decimal(309667), None, None, "D3"),
    ]


def test_bps_xlsx_kecamatan_rows_year_columns_merged_header():
    result = read("bps_penduduk_kecamatan.xlsx")
    # BPS order of the rows, BPS spelling "Pasir Belengkong" (row 9), resolved to Kemendagri codes.
    bps_order = ["64.01.01", "64.01.10", "64.01.09", "64.01.02", "64.01.03",
                 "64.01.04", "64.01.05", "64.01.06", "64.01.07", "64.01.08"]
    values = [26867, 6868, 17833, 8925, 29283, 78018, 29942, 41634, 13422, 26991]
    penduduk = [f for f in result.figures if f.sheet == "Penduduk"]
    assert as_tuples(penduduk) == [
        ("jumlah_penduduk", code, "kecamatan", "2020", Decimal(value), "jiwa", "Penduduk", f"B{row}")
        for row, (code, value) in enumerate(zip(bps_order, values), 5)
    ] + [
        ("jumlah_penduduk", "64.01", "kabupaten", "2020", Decimal(275452), "jiwa", "Penduduk", "B15"),
        ("jumlah_penduduk", "64.01", "kabupaten", "2024", Decimal(292948), "jiwa", "Penduduk", "C15"),
    ]


def test_bps_xlsx_area_sheet_with_na_and_dash_cells():
    result = read("bps_penduduk_kecamatan.xlsx")
    luas = [f for f in result.figures if f.sheet == "Luas"]
    published = {"64.01.01": "1111.38", "64.01.02": "714.05", "64.01.03": "990.11", "64.01.04": "335.58",
                 "64.01.05": "747.3", "64.01.07": "1753.4", "64.01.09": "1507.26", "64.01.10": "855.25"}
    assert [(f.indicator, f.region_code, f.period, f.value, f.unit) for f in luas] == [
        ("luas", code, None, Decimal(value), "km2") for code, value in published.items()
    ]
    assert [(p.message, p.sheet, p.row, p.column, p.text) for p in result.problems] == [
        (checks.NOT_A_NUMBER, "Luas", 9, 3, '"n.a." in the column "Luas (km2)" is not a number.'),
        (checks.NOT_A_NUMBER, "Luas", 11, 3, '"-" in the column "Luas (km2)" is not a number.'),
    ]


def test_sheet_per_year_takes_the_period_from_the_sheet():
    result = read("dukcapil_per_tahun.xlsx")
    assert result.problems == []
    assert as_tuples(result.figures) == [
        ("jumlah_penduduk", "64.01", "kabupaten", "2020", Decimal(277401), None, "2020", "B2"),
        ("jumlah_penduduk", "64.01", "kabupaten", "2024", Decimal(309667), None, "2024", "B2"),
    ]


def test_old_spelling_unknown_name_and_non_numbers():
    result = read("kecamatan_nama.csv")
    assert as_tuples(result.figures) == [
        ("jumlah_penduduk", "64.01.03", "kecamatan", "2020", Decimal(29283), None, None, "C2"),
        ("luas_wilayah", "64.01.03", "kecamatan", "2020", Decimal("990.11"), "km2", None, "D2"),
        ("luas_wilayah", "64.01.04", "kecamatan", "2020", Decimal("335.58"), "km2", None, "D4"),
        ("jumlah_penduduk", "64.01.05", "kecamatan", "2020", Decimal(29942), None, None, "C5"),
    ]
    unknown, dash, na = result.problems
    assert unknown == Problem(
        checks.UNKNOWN_REGION_SUGGESTION,
        {"name": "Kecamatan Antah", "suggestion": "Tanah Grogot", "code": "64.01.04"},
        None, 3, 1, suggestion="64.01.04",
    )
    assert unknown.text == 'Unknown region "Kecamatan Antah"; did you mean Tanah Grogot (64.01.04)?'
    assert (dash.message, dash.row, dash.column, dash.params["value"]) == (checks.NOT_A_NUMBER, 4, 3, "-")
    assert (na.message, na.row, na.column, na.params["value"]) == (checks.NOT_A_NUMBER, 5, 4, "n.a.")


def test_table_description_names_columns_and_indicator():
    resource = {"kolom_wilayah": "kode_bps", "jenis_kode_wilayah": "kode_bps", "kolom_periode": "th",
                "kolom_nilai": "penduduk_sp2020", "satuan": "jiwa"}
    description = TableDescription.from_resource(resource, {"kode_indikator": "1.01.01"})
    result = read("bps_kode_penduduk.csv", description)
    assert result.problems == []
    # BPS codes resolve through the reference table: 6401010 is Batu Sopang, 64.01.01; 6401 is the regency.
    assert result.figures == [
        Figure("1.01.01", "64.01.01", "kecamatan", "2020", Decimal(26867), "jiwa", None, 2, 4),
        Figure("1.01.01", "64.01", "kabupaten", "2020", Decimal(275452), "jiwa", None, 3, 4),
    ]


def test_table_description_with_missing_columns():
    description = TableDescription(region_column="wilayah", period_column="tahun", value_columns=("populasi",))
    result = read("bps_kode_penduduk.csv", description)
    assert result.figures == []
    assert [p.text for p in result.problems] == [
        'The column "tahun" named in the table description is not in the table.',
        'The column "populasi" named in the table description is not in the table.',
    ]


def test_table_description_from_resource_splits_value_columns():
    description = TableDescription.from_resource({"kolom_nilai": "laki_laki, perempuan;jumlah"}, {"satuan": "jiwa"})
    assert description.value_columns == ("laki_laki", "perempuan", "jumlah")
    assert description.unit == "jiwa"
    assert description.region_column is None


def test_desa_within_kecamatan_and_kelurahan():
    sheet = Sheet("Desa", [
        ["Kecamatan", "Desa/Kelurahan", "Jumlah KK"],
        ["Paser Belengkong", "Lempesu", "412"],
        ["Paser Belengkong", "Pasir Belengkong", "1.020"],
        ["Tanah Grogot", "Tanah Grogot", "5.310"],
        ["Tanah Grogot", "Jumlah", "9.876"],
        ["Tanah Grogot", "Desa Entah", "12"],
    ])
    result = normalise_sheets([sheet])
    assert [(f.region_code, f.region_level, f.value) for f in result.figures] == [
        ("64.01.03.2001", "desa", Decimal(412)),
        ("64.01.03.2006", "desa", Decimal(1020)),  # the desa, not the kecamatan of that name
        ("64.01.04.1001", "kelurahan", Decimal(5310)),
        ("64.01.04", "kecamatan", Decimal(9876)),  # the kecamatan's subtotal
    ]
    [problem] = result.problems
    assert (problem.message, problem.row, problem.column) in {
        (checks.UNKNOWN_REGION, 6, 2), (checks.UNKNOWN_REGION_SUGGESTION, 6, 2)}


def test_kemendagri_codes_and_unknown_code():
    sheet = Sheet(None, [
        ["Kode Wilayah", "Tahun", "Jumlah Penduduk"],
        ["64.01.03", "2020", "29.283"],
        ["6401030", "2020", "29.283"],
        ["64.01.03.2001", "2020", "1.500"],
        ["64.01.99", "2020", "1"],
        ["", "", "7"],
    ])
    result = normalise_sheets([sheet])
    assert [(f.region_code, f.region_level, f.value) for f in result.figures] == [
        ("64.01.03", "kecamatan", Decimal(29283)),
        ("64.01.03", "kecamatan", Decimal(29283)),
        ("64.01.03.2001", "desa", Decimal(1500)),
    ]
    assert [(p.message, p.row, p.column, p.params) for p in result.problems] == [
        (checks.UNKNOWN_REGION_CODE, 5, 1, {"code": "64.01.99"}),
        (checks.MISSING_REGION, 6, None, {}),
    ]


def test_unknown_name_without_a_close_match_has_no_suggestion():
    result = normalise_sheets([Sheet(None, [["Kecamatan", "Nilai"], ["Xyzzy Qwerty", "1"]])])
    assert [(p.message, p.suggestion, p.text) for p in result.problems] == [
        (checks.UNKNOWN_REGION, None, 'Unknown region "Xyzzy Qwerty".')]


@pytest.mark.parametrize(
    ("text", "locale", "value"),
    [
        ("1.234,5", "id", Decimal("1234.5")),
        ("12.345", "id", Decimal(12345)),  # Indonesian thousands separator
        ("1.234.567", "id", Decimal(1234567)),
        ("0,5", "id", Decimal("0.5")),
        ("-3", "id", Decimal(-3)),
        (" 78 018 ", "id", Decimal(78018)),
        ("12,5%", "id", Decimal("12.5")),
        ("1111.38", "en", Decimal("1111.38")),
        ("1,234.5", "en", Decimal("1234.5")),
        (1111.38, "id", Decimal("1111.38")),
        (29283, "id", Decimal(29283)),
        ("-", "id", None),
        ("n.a.", "id", None),
        ("...", "id", None),
        ("1.23", "id", None),  # a misplaced thousands separator is no number
        ("", "id", None),
        (None, "id", None),
        (True, "id", None),
        (float("nan"), "id", None),
    ],
)
def test_parse_number(text, locale, value):
    assert checks.parse_number(text, locale) == value


@pytest.mark.parametrize(
    ("cells", "locale"),
    [
        (["12.345", "1.234,5"], "id"),
        (["12.345", "678"], "id"),  # ambiguous: read as Indonesian thousands
        (["1111.38", "714.05"], "en"),
        (["1,234.5"], "en"),
        ([1111.38, "-"], "id"),
    ],
)
def test_column_locale(cells, locale):
    assert checks.column_locale(cells) == locale


def test_column_with_decimal_points_is_read_as_such():
    result = normalise_sheets([Sheet(None, [["Kecamatan", "Luas (km2)"], ["Kuaro", "747.30"], ["Long Kali", "2164"]])])
    assert [f.value for f in result.figures] == [Decimal("747.30"), Decimal(2164)]


def test_unreadable_file_is_a_problem_not_an_exception():
    result = figures_from_file(b"PK\x03\x04broken", filename="tabel.xlsx")
    assert result.figures == []
    [problem] = result.problems
    assert problem.message == checks.UNREADABLE_FILE
    assert problem.text.startswith("The file cannot be read as a table: not a readable XLSX workbook")


def test_table_without_region_column():
    result = figures_from_file(b"Indikator,Nilai\nPenduduk,1\n", format="csv")
    assert [p.message for p in result.problems] == [checks.NO_REGION_COLUMN]


def test_messages_are_marked_for_translation():
    """Babel's extractor (N_ is one of its default keywords) finds every problem message of the module (and of
    the reading, where the unreadable file's and the reading limits' messages live)."""
    from babel.messages.extract import extract_from_file
    from ckanext.paser.tables import reading

    extracted = {message for path in (checks.__file__, reading.__file__)
                 for _, message, _, _ in extract_from_file("python", path)}
    messages = {reading.TOO_MANY_ROWS, reading.TOO_MANY_COLUMNS, reading.TOO_MANY_CELLS, reading.TOO_SLOW,
                reading.TOO_LARGE_UNPACKED,
                checks.UNREADABLE_FILE, checks.NO_REGION_COLUMN, checks.COLUMN_NOT_FOUND, checks.NO_VALUE_COLUMN,
                checks.NOT_A_NUMBER, checks.MISSING_REGION, checks.UNKNOWN_REGION, checks.UNKNOWN_REGION_SUGGESTION,
                checks.UNKNOWN_REGION_CODE}
    assert messages <= extracted


def test_two_row_header_without_merged_cells():
    sheet = Sheet(None, [
        ["Kecamatan", "Jumlah Penduduk (jiwa)", ""],
        ["", "2020", "2024"],
        ["Kuaro", "29.942", "31.005"],
    ])
    result = normalise_sheets([sheet])
    assert result.problems == []
    assert as_tuples(result.figures) == [
        ("jumlah_penduduk", "64.01.05", "kecamatan", "2020", Decimal(29942), "jiwa", None, "B3"),
        ("jumlah_penduduk", "64.01.05", "kecamatan", "2024", Decimal(31005), "jiwa", None, "C3"),
    ]


def test_data_row_without_region_right_below_the_header_is_not_header():
    result = normalise_sheets([Sheet(None, [["Kecamatan", "Jumlah Penduduk"], ["", "29.942"], ["Kuaro", "1"]])])
    assert [(p.message, p.row) for p in result.problems] == [(checks.MISSING_REGION, 2)]
    assert [(f.indicator, f.region_code, f.value) for f in result.figures] == [
        ("jumlah_penduduk", "64.01.05", Decimal(1))]


def test_identifier_columns_are_not_figures():
    """A region table lists BPS and parent codes beside the names: numbers, but no figures."""
    result = normalise_sheets([Sheet("kode", [
        ["kode_wilayah", "kode_bps", "nama_wilayah", "kode_induk", "npsn", "jumlah_penduduk"],
        ["64.01.01", "6401010", "Batu Sopang", "64.01", "30400123", "24484"],
    ])])
    assert [(f.indicator, f.region_code, f.value) for f in result.figures] == [
        ("jumlah_penduduk", "64.01.01", Decimal(24484))]
