"""Writes the files behind the download links of the demo Kaltim portal (``../ckan/package_search.json`` and
``../dcat/catalog.ttl``), which the demo server serves at ``/kaltim/dataset/.../download/<file name>``.

Run from the repository root: ``.venv/bin/python ckanext-paser/ckanext/paser/demo/remote/kaltim/build.py``. The
files are committed; this script documents how they were made and remakes them byte for byte. Kecamatan names and
codes are those of shared/reference/wilayah.csv. No figure here is an official one ("data contoh"): the population
of semester II 2023 is the published Dukcapil 2020 distribution per kecamatan (shared/reference/figures-published.csv)
scaled to a total between that and the Dukcapil semester II 2024 total 309.667; the oil palm figures of 2023 are
those of the portal's own demo dataset (demo/data/produksi-kelapa-sawit-per-kecamatan-2023.csv); the rice
production of 2023 is that of the spreadsheet harvester's fixtures (tests/harvesters/fixtures/spreadsheet/build.py)
plus Batu Engau; the rest is illustrative, shaped like the agencies' tables.
"""
from __future__ import annotations

import csv
import datetime
import io
import os
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
from openpyxl.styles import Alignment, Font

HERE = os.path.dirname(os.path.abspath(__file__))
SAVED = datetime.datetime(2024, 4, 10, 9, 23)  # fixed document dates: rebuilding gives the same workbook

# --- penduduk-kecamatan-paser-2023-s2.csv (Disdukcapil, via the Kaltim CKAN portal) ----------------------------
# Dukcapil 2020 per kecamatan (published), Kemendagri order.
PENDUDUK_2020 = [
    ("64.01.01", "Batu Sopang", 24484), ("64.01.02", "Tanjung Harapan", 8925),
    ("64.01.03", "Paser Belengkong", 29283), ("64.01.04", "Tanah Grogot", 78018), ("64.01.05", "Kuaro", 29942),
    ("64.01.06", "Long Ikis", 41634), ("64.01.07", "Muara Komam", 13422), ("64.01.08", "Long Kali", 26991),
    ("64.01.09", "Batu Engau", 17833), ("64.01.10", "Muara Samu", 6868),
]
# Three quarters of the way, geometrically, from Dukcapil 2020 (277.401) to semester II 2024 (309.667).
PENDUDUK_TOTAL_2023 = 301265
SHARE_MALE = Decimal("0.5183")  # as in the BPS 2024 split of the demo BPS source (151.846 of 292.948)

# --- produksi-sawit-muara-komam-batu-sopang.xlsx (Dinas Perkebunan Provinsi Kaltim) ---------------------------
# Per year: TBM, TM, TTM (ha), produksi TBS (ton), petani (KK); 2023 as the demo dataset of Distan Paser.
SAWIT = {
    "Muara Komam": {2019: (2120, 7480, 140, 119700, 1990), 2020: (2010, 7790, 150, 126200, 2060),
                    2021: (1890, 8130, 160, 133400, 2130), 2022: (1790, 8490, 175, 141100, 2210),
                    2023: (1680, 8860, 190, 148900, 2280)},
    "Batu Sopang": {2019: (1980, 6940, 120, 115600, 2180), 2020: (1850, 7260, 130, 121900, 2240),
                    2021: (1760, 7540, 140, 128300, 2290), 2022: (1660, 7850, 150, 135800, 2350),
                    2023: (1570, 8120, 160, 142300, 2410)},
}

# --- sd-long-ikis.xlsx (Disdikbud Provinsi Kaltim) --------------------------------------------------------------
# Per school year (Tahun: the year it starts, as Dapodik's odd semester): SD negeri, SD swasta, guru, murid L, P.
SD_LONG_IKIS = [(2022, "2022/2023", 31, 3, 388, 2702, 2531), (2023, "2023/2024", 31, 4, 396, 2735, 2569)]

# --- ipm-kaltim-2019-2023.csv (BPS Provinsi Kaltim) -------------------------------------------------------------
IPM_YEARS = (2019, 2020, 2021, 2022, 2023)
IPM = [
    ("Paser", "72.09 71.87 72.20 72.92 73.60"),
    ("Kutai Barat", "71.10 70.91 71.25 71.83 72.55"),
    ("Kutai Kartanegara", "73.61 73.48 73.82 74.43 75.10"),
    ("Kutai Timur", "73.22 73.01 73.41 74.00 74.69"),
    ("Berau", "75.29 75.13 75.45 76.01 76.63"),
    ("Penajam Paser Utara", "71.97 71.75 72.07 72.69 73.37"),
    ("Mahakam Ulu", "67.93 67.71 68.06 68.79 69.56"),
    ("Balikpapan", "80.58 80.31 80.68 81.15 81.73"),
    ("Samarinda", "80.97 80.76 81.06 81.53 82.08"),
    ("Bontang", "80.55 80.41 80.73 81.23 81.85"),
    ("Kalimantan Timur", "76.61 76.24 76.88 77.44 78.20"),
]

# --- luas-panen-padi-paser-2023.csv (Dinas Pertanian Kabupaten Paser) ------------------------------------------
# Luas panen (ha) and produksi (ton GKG); the productivity (ku/ha) is derived, as the agencies publish it.
PADI_2023 = [("Paser Belengkong", 2416, "9873.1"), ("Tanah Grogot", 1564, "6450.0"), ("Kuaro", 2923, "12305.8"),
             ("Long Ikis", 3536, "15210.3"), ("Batu Engau", 801, "3118.6")]


def _id_number(value: Decimal, places: int) -> str:
    """``1234.5`` as Indonesian agencies write it: ``1.234,5``."""
    text = f"{value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP):,.{places}f}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


def _write_csv(name: str, rows: list[list[object]], delimiter: str = ",", bom: bool = False) -> None:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    with open(os.path.join(HERE, name), "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        handle.write(out.getvalue())


def penduduk() -> None:
    """Excel's "CSV UTF-8" (with a byte-order mark): Kemendagri codes, sex as columns, the regency total last."""
    factor = Decimal(PENDUDUK_TOTAL_2023) / sum(count for _, _, count in PENDUDUK_2020)
    rows: list[list[object]] = [["Kode Wilayah", "Kecamatan", "Tahun", "Semester", "Penduduk Laki-laki (jiwa)",
                                 "Penduduk Perempuan (jiwa)", "Jumlah Penduduk (jiwa)"]]
    totals = [0, 0, 0]
    for code, name, count in PENDUDUK_2020:
        total = int((count * factor).quantize(Decimal(1), ROUND_HALF_UP))
        male = int((total * SHARE_MALE).quantize(Decimal(1), ROUND_HALF_UP))
        rows.append([code, name, 2023, "II", male, total - male, total])
        totals = [totals[0] + male, totals[1] + total - male, totals[2] + total]
    rows.append(["64.01", "Kabupaten Paser", 2023, "II", *totals])
    _write_csv("penduduk-kecamatan-paser-2023-s2.csv", rows, bom=True)


def _header(cell) -> None:
    cell.font = Font(bold=True)
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _save(workbook: openpyxl.Workbook, name: str) -> None:
    """Saved with fixed dates: openpyxl stamps the save time into docProps/core.xml and every zip entry."""
    workbook.properties.created = SAVED
    workbook.properties.creator = "Satu Data Kaltim"
    saved = io.BytesIO()
    workbook.save(saved)
    modified = SAVED.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(os.path.join(HERE, name), "w") as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + modified, data)
            target.writestr(zipfile.ZipInfo(entry.filename, SAVED.timetuple()[:6]), data, zipfile.ZIP_DEFLATED)


def sawit() -> None:
    """A title, a two-row header ("Luas Areal (ha)" merged over TBM/TM/TTM/Jumlah, the other headers merged down),
    each kecamatan merged over its five years, a source note under the table."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sawit Rakyat"
    sheet["A1"] = ("Luas Areal dan Produksi Kelapa Sawit Perkebunan Rakyat Kecamatan Muara Komam dan Batu Sopang, "
                   "Kabupaten Paser, 2019-2023")
    sheet.merge_cells("A1:J1")
    for column, label in zip("ABCDHIJ", ("No", "Kecamatan", "Tahun", "Luas Areal (ha)", "Produksi TBS (ton)",
                                         "Produktivitas TBS (kg/ha)", "Jumlah Petani (KK)")):
        sheet[f"{column}3"] = label
    sheet.merge_cells("D3:G3")
    for column in "ABCHIJ":
        sheet.merge_cells(f"{column}3:{column}4")
    for column, label in zip("DEFG", ("TBM", "TM", "TTM", "Jumlah")):
        sheet[f"{column}4"] = label
    for row in sheet["A3:J4"]:
        for cell in row:
            _header(cell)
    line = 5
    for number, (name, years) in enumerate(SAWIT.items(), 1):
        first = line
        for year, (tbm, tm, ttm, produksi, petani) in years.items():
            sheet.cell(line, 3, year)
            for column, value in enumerate((tbm, tm, ttm, tbm + tm + ttm, produksi,
                                            round(produksi * 1000 / tm), petani), 4):
                sheet.cell(line, column, value).number_format = "#,##0"
            line += 1
        sheet.cell(first, 1, number)
        sheet.cell(first, 2, name)
        sheet.merge_cells(start_row=first, start_column=1, end_row=line - 1, end_column=1)
        sheet.merge_cells(start_row=first, start_column=2, end_row=line - 1, end_column=2)
    sheet.cell(line + 1, 1, "Keterangan: TBM = tanaman belum menghasilkan, TM = tanaman menghasilkan, "
                            "TTM = tanaman tidak menghasilkan/rusak")
    sheet.cell(line + 2, 1, "Sumber: Dinas Perkebunan Provinsi Kalimantan Timur (data contoh)")
    sheet.column_dimensions["B"].width = 18
    _save(workbook, "produksi-sawit-muara-komam-batu-sopang.xlsx")


def sd_long_ikis() -> None:
    """A three-line letterhead, a two-row header with two merged groups (schools by status, pupils by sex)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "SD Long Ikis"
    for line, text in enumerate(("DINAS PENDIDIKAN DAN KEBUDAYAAN PROVINSI KALIMANTAN TIMUR",
                                 "Jumlah Sekolah Dasar, Guru dan Murid Kecamatan Long Ikis (64.01.06)",
                                 "Tahun Ajaran 2022/2023 dan 2023/2024"), 1):
        sheet.cell(line, 1, text)
        sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=11)
    for column, label in zip("ABCDEHIJ", ("No", "Kecamatan", "Tahun", "Tahun Ajaran", "Sekolah Dasar (unit)",
                                          "Jumlah Guru (orang)", "Murid (orang)")):
        sheet[f"{column}5"] = label
    sheet.merge_cells("E5:G5")
    sheet.merge_cells("I5:K5")
    for column in "ABCDH":
        sheet.merge_cells(f"{column}5:{column}6")
    for column, label in zip("EFGIJK", ("Negeri", "Swasta", "Jumlah", "Laki-laki", "Perempuan", "Jumlah")):
        sheet[f"{column}6"] = label
    for row in sheet["A5:K6"]:
        for cell in row:
            _header(cell)
    for number, (year, school_year, negeri, swasta, guru, male, female) in enumerate(SD_LONG_IKIS, 1):
        sheet.append([number, "Long Ikis", year, school_year, negeri, swasta, negeri + swasta, guru, male, female,
                      male + female])
        for column in "HIJK":
            sheet[f"{column}{sheet.max_row}"].number_format = "#,##0"
    sheet.append([])
    sheet.append(["Sumber: Dapodik, diolah Disdikbud Provinsi Kalimantan Timur (data contoh)"])
    sheet.column_dimensions["B"].width = 14
    sheet.column_dimensions["D"].width = 14
    _save(workbook, "sd-long-ikis.xlsx")


def ipm() -> None:
    """BPS's CSV download: a long table, decimal points."""
    rows: list[list[object]] = [["Kabupaten/Kota", "Tahun", "Indeks Pembangunan Manusia"]]
    for name, values in IPM:
        rows += [[name, year, value] for year, value in zip(IPM_YEARS, values.split())]
    _write_csv("ipm-kaltim-2019-2023.csv", rows)


def padi() -> None:
    """Excel's semicolon CSV of an Indonesian-locale desktop: a title line, decimal commas, thousands dots."""
    rows: list[list[object]] = [
        ["Luas Panen, Produktivitas dan Produksi Padi Menurut Kecamatan di Kabupaten Paser Tahun 2023", "", "", "",
         ""],
        ["Kecamatan", "Tahun", "Luas Panen Padi (ha)", "Produktivitas Padi (ku/ha)", "Produksi Padi (ton GKG)"]]
    for name, area, production in PADI_2023:
        tons = Decimal(production)
        rows.append([name, 2023, _id_number(Decimal(area), 0), _id_number(tons * 10 / area, 2), _id_number(tons, 1)])
    _write_csv("luas-panen-padi-paser-2023.csv", rows, delimiter=";")


if __name__ == "__main__":
    penduduk()
    sawit()
    sd_long_ikis()
    ipm()
    padi()
