"""A BPS variable and its dynamic table as a Paser dataset: the Satu Data fields and the table as CSV.

The CSV has one row per region and period: Kemendagri code, BPS code, region name, period, the value column(s) and
the unit. A variable broken down by a turvar (or by a vertical variable that is not a region) gets one value column
per category, named after the indicator and the category, so each column is one indicator for the figures check;
the category "Jumlah"/"Total" keeps the plain indicator name. Regions are resolved through the reference data
(BPS codes, then names), never derived from the code's digits.
"""
from __future__ import annotations

import csv
import html
import io
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ... import reference
from .client import BpsSource, Cell, Decoded

REGION_COLUMNS = ("kode_wilayah", "kode_bps", "nama_wilayah")
UNIT_COLUMN = "satuan"
TOTAL_LABELS = {"jumlah", "total", "jumlah total", "tidak ada", ""}
_TITLE_CUT = re.compile(r"\s+(menurut|berdasarkan|per|di|pada|tahun|by|in)\s+.*$", re.IGNORECASE)
_PARENS = re.compile(r"\s*\([^()]*\)\s*$")
_TAGS = re.compile(r"<[^>]+>")
_YEAR = re.compile(r"^(19|20)\d{2}$")
FREQUENCIES = (("bulan", "bulanan"), ("month", "bulanan"), ("triwulan", "triwulanan"), ("quarter", "triwulanan"),
               ("semester", "semesteran"), ("tahun", "tahunan"), ("annual", "tahunan"), ("year", "tahunan"))


@dataclass(frozen=True)
class Region:
    kode_kemendagri: str  # empty when the reference data does not know it
    kode_bps: str
    nama: str
    level: str  # kabupaten, kecamatan, desa


@dataclass
class Mapped:
    package: dict[str, Any]
    csv: bytes
    filename: str
    problems: list[str] = field(default_factory=list)


def clean_text(text: Any) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", str(text or ""))).split())


def indicator_label(title: str) -> str:
    """The indicator a BPS title names: "Jumlah Penduduk Menurut Kecamatan (Jiwa)" → "Jumlah Penduduk"."""
    text = _PARENS.sub("", clean_text(title))
    return _TITLE_CUT.sub("", text).strip() or text


def _header_safe(text: str) -> str:
    """Column names are listed comma-separated in ``kolom_nilai`` and carry the unit in parentheses."""
    return " ".join(re.sub(r"[,;()]", " ", text).split())


def region_of(val: Any, label: str, domain: str) -> Region | None:
    """The region a vervar value stands for, through the reference data; None when it is not a region."""
    code, name = str(val).strip(), clean_text(label)
    kab = reference.kabupaten()
    if code == domain[:4] or code == kab.kode_bps:
        return Region(kab.kode_kemendagri, code, kab.nama, "kabupaten")
    if code.isdigit() and code.startswith(domain[:4]) and len(code) == 7:
        kecamatan = reference.kecamatan_by_bps_code(code) or reference.kecamatan_by_name(name)
        if kecamatan:
            return Region(kecamatan.kode_kemendagri, code, kecamatan.nama, "kecamatan")
        return Region("", code, name, "kecamatan")
    if code.isdigit() and code.startswith(domain[:4]) and len(code) == 10:
        kecamatan = reference.kecamatan_by_bps_code(code[:7])
        desa = reference.desa_by_name(name, kecamatan.kode_kemendagri) if kecamatan else None
        if desa:
            return Region(desa.kode_kemendagri, code, desa.nama, "desa")
        return Region("", code, name, "desa")
    kecamatan = reference.kecamatan_by_name(name) if name else None
    if kecamatan and reference.normalise(name) == reference.normalise(kecamatan.nama):
        return Region(kecamatan.kode_kemendagri, kecamatan.kode_bps, kecamatan.nama, "kecamatan")
    return None


def _number(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, (int, float)):
        number = Decimal(str(value))
    else:
        text = str(value).strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            return text  # BPS marks missing figures with "-", "…" or "NA": kept as written
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def _trivial(items: list[dict[str, Any]]) -> bool:
    return len(items) <= 1 and all(clean_text(i.get("label")).lower() in TOTAL_LABELS | {"tahun", "tahunan"}
                                   or str(i.get("val")) == "0" for i in items)


def _frequency(turtahun: list[dict[str, Any]]) -> str:
    labels = " ".join(clean_text(item.get("label")).lower() for item in turtahun)
    return next((frequency for word, frequency in FREQUENCIES if word in labels), "tahunan")


def _vertical(table: Mapping[str, Any], domain: str) -> tuple[bool, dict[str, Region | None]]:
    """Whether the vertical variable lists regions, and the region of each of its values."""
    regions = {str(item.get("val")): region_of(item.get("val"), item.get("label", ""), domain)
               for item in table.get("vervar") or []}
    return bool(regions) and all(regions.values()), regions


def build(item: Mapping[str, Any], table: Mapping[str, Any], decoded: Decoded, source: BpsSource,
          owner_org: str, package_id: str, groups: list[dict[str, str]]) -> Mapped:
    """The package dict (package_show form) and the CSV of one variable."""
    var_id = str(item.get("var_id"))
    var_info = next((v for v in table.get("var") or [] if str(v.get("val")) == var_id), {})
    title = clean_text(item.get("title") or var_info.get("label") or f"Variabel BPS {var_id}")
    unit = clean_text(item.get("unit") or var_info.get("unit"))
    indicator = indicator_label(title)
    problems: list[str] = []

    regional, regions = _vertical(table, source.domain)
    turvar = [t for t in table.get("turvar") or [] if isinstance(t, dict)]
    turtahun = [t for t in table.get("turtahun") or [] if isinstance(t, dict)]
    turvar_trivial, turtahun_trivial = _trivial(turvar), _trivial(turtahun)

    def column_of(cell: Cell) -> str:
        parts = [indicator]
        if not regional:
            parts.append(clean_text(cell.vervar.get("label")))
        if not turvar_trivial:
            parts.append(clean_text(cell.turvar.get("label")))
        parts = [parts[0]] + [p for p in parts[1:] if p.lower() not in TOTAL_LABELS]
        name = _header_safe(" ".join(parts))
        return f"{name} ({_header_safe(unit)})" if unit else name

    def period_of(cell: Cell) -> str:
        year = clean_text(cell.tahun.get("label"))
        return year if turtahun_trivial else f"{year} {clean_text(cell.turtahun.get('label'))}".strip()

    kab = reference.kabupaten()
    kab_region = Region(kab.kode_kemendagri, kab.kode_bps, kab.nama, "kabupaten")
    columns: list[str] = []
    rows: dict[tuple[str, str], dict[str, str]] = {}
    row_region: dict[tuple[str, str], Region] = {}
    vervar_order = {str(v.get("val")): index for index, v in enumerate(table.get("vervar") or [])}
    period_order: dict[str, int] = {}
    for index, (year, sub) in enumerate((y, s) for y in table.get("tahun") or [] for s in turtahun or [{}]):
        period_order.setdefault(period_of(Cell({}, {}, year, sub, None)), index)
    for cell in decoded.cells:
        column = column_of(cell)
        if column not in columns:
            columns.append(column)
        region = regions.get(str(cell.vervar.get("val"))) if regional else kab_region
        key = (region.kode_bps if region else "", period_of(cell))
        row_region[key] = region or kab_region
        rows.setdefault(key, {})[column] = _number(cell.value)
    for val, region in regions.items():
        if regional and region and not region.kode_kemendagri:
            problems.append(f'BPS region {val} "{region.nama}" is not in the reference data')
    if decoded.unknown_keys:
        problems.append(f"{len(decoded.unknown_keys)} datacontent keys match no combination of the value lists "
                        f"(e.g. {decoded.unknown_keys[0]})")
    if decoded.ambiguous_keys:
        problems.append(f"{len(decoded.ambiguous_keys)} datacontent keys are ambiguous and were left out "
                        f"(e.g. {decoded.ambiguous_keys[0]})")

    region_rank = {region.kode_bps: vervar_order.get(val, 0) for val, region in regions.items() if region}
    ordered = sorted(rows, key=lambda key: (region_rank.get(key[0], -1) if regional else 0,
                                            period_order.get(key[1], 0), key[1]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*REGION_COLUMNS, "tahun", *columns, UNIT_COLUMN])
    for key in ordered:
        region = row_region[key]
        writer.writerow([region.kode_kemendagri, region.kode_bps, region.nama, key[1],
                         *(rows[key].get(column, "") for column in columns), unit])
    data = buffer.getvalue().encode("utf-8")

    kecamatan_codes = sorted({r.kode_kemendagri for r in regions.values()
                              if r and r.level == "kecamatan" and r.kode_kemendagri}) if regional else []
    desa = [r for r in regions.values() if r and r.level == "desa" and r.kode_kemendagri] if regional else []
    if desa:
        level = "desa"
        kecamatan_codes = sorted(set(kecamatan_codes) | {r.kode_kemendagri.rsplit(".", 1)[0] for r in desa})
    elif kecamatan_codes:
        level = "kecamatan"
    else:
        level = "kabupaten"
    years = sorted(label for t in table.get("tahun") or [] if _YEAR.match(label := clean_text(t.get("label"))))

    definition = clean_text(item.get("def") or var_info.get("def"))
    note = clean_text(item.get("notes") or var_info.get("note"))
    subjects = table.get("subject") if isinstance(table.get("subject"), list) else []
    subject = clean_text(item.get("sub_name") or (subjects[0].get("label") if subjects else ""))
    producer = kab.nama if source.domain[:4] == kab.kode_bps else f"domain {source.domain}"
    sumber = f"BPS {producer} (WebAPI, variabel {var_id})"
    notes_parts = [definition, note, f"Sumber: {sumber}."]
    if table.get("last_update"):
        notes_parts.append(f"Pemutakhiran terakhir di BPS: {table['last_update']}.")
    breakdown = [clean_text(table.get("labelvervar"))]
    filename = f"bps-{source.domain}-{var_id}.csv"
    resource = {
        "id": str(uuid.uuid5(uuid.UUID(package_id), "table")),
        "name": f"{title} (tabel)",
        "description": f"Tabel dinamis BPS variabel {var_id}: satu baris per wilayah dan periode.",
        "format": "CSV",
        "mimetype": "text/csv",
        "url_type": "upload",
        "url": filename,
        "size": len(data),
        "kolom_wilayah": "kode_wilayah",
        "jenis_kode_wilayah": "kode_kemendagri",
        "kolom_periode": "tahun",
        "kolom_nilai": ", ".join(columns),
        "satuan": unit,
    }
    from ..base import harvested_dataset

    package = harvested_dataset(
        source, notes_parts,
        id=package_id,
        name=f"{indicator_slug(title)}-bps-{source.domain}-{var_id}",
        title=title,
        owner_org=owner_org,
        tingkat_penyajian=level,
        cakupan_kecamatan=kecamatan_codes,
        cakupan_desa=sorted(r.kode_kemendagri for r in desa),
        temporal_coverage=[{"start": years[0], "end": years[-1]}] if years else [],
        frequency=_frequency(turtahun),
        konsep=indicator,
        definisi=definition or title,
        klasifikasi_penyajian=" dan ".join(f"menurut {b}" for b in breakdown if b) or None,
        satuan=unit,
        sumber_data=sumber,
        kode_indikator=source.indicators.get(var_id),
        tags=[{"name": tag} for tag in dict.fromkeys(["bps", *([_tag(subject)] if subject else [])]) if tag],
        groups=groups,
        resources=[resource],
    )
    return Mapped(package, data, filename, problems)


def _tag(text: str) -> str:
    return re.sub(r"[^\w\- .]", " ", text).strip()[:100]


def indicator_slug(title: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", reference.normalise(clean_text(title), strip_prefix=False)).strip("-")
    return text[:60].rstrip("-") or "variabel"
