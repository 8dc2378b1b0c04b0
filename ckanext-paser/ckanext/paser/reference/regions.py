"""The regions of Kabupaten Paser: the regency, its kecamatan and their desa/kelurahan (data/wilayah.csv).

Kecamatan carry both their Kemendagri code (64.01.xx) and their BPS code (6401xxx), read from the table: the two
number the kecamatan in different orders, so neither is ever derived from the other.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ._files import ReferenceFileError, packaged_path, read_rows

WILAYAH_FILE = packaged_path("wilayah.csv")

KEMENDAGRI_KECAMATAN = re.compile(r"^64\.01\.\d{2}$")
BPS_KECAMATAN = re.compile(r"^6401\d{3}$")
KEMENDAGRI_DESA = re.compile(r"^64\.01\.\d{2}\.[12]\d{3}$")


@dataclass(frozen=True)
class Desa:
    """A desa or kelurahan (the fourth part of a kelurahan code starts with 1, of a desa with 2)."""

    kode_kemendagri: str
    nama: str
    tingkat: str  # "desa" or "kelurahan"
    kode_kecamatan: str

    @property
    def is_kelurahan(self) -> bool:
        return self.tingkat == "kelurahan"


@dataclass(frozen=True)
class Kecamatan:
    kode_kemendagri: str
    kode_bps: str
    nama: str
    ibukota: str | None
    desa: tuple[Desa, ...]

    @property
    def jumlah_desa(self) -> int:
        return sum(1 for desa in self.desa if not desa.is_kelurahan)

    @property
    def jumlah_kelurahan(self) -> int:
        return sum(1 for desa in self.desa if desa.is_kelurahan)


@dataclass(frozen=True)
class Kabupaten:
    kode_kemendagri: str
    kode_bps: str
    nama: str


@dataclass(frozen=True)
class _Regions:
    kabupaten: Kabupaten
    kecamatan: tuple[Kecamatan, ...]


@functools.cache
def _regions(path: str = WILAYAH_FILE) -> _Regions:
    kabupaten: Kabupaten | None = None
    kecamatan_rows: list[dict[str, str]] = []
    desa_by_kecamatan: dict[str, list[Desa]] = {}
    for line, row in read_rows(path, ("kode_kemendagri", "nama", "tingkat", "kode_induk", "kode_bps")):
        code, level = row["kode_kemendagri"], row["tingkat"]
        if level == "kabupaten":
            kabupaten = Kabupaten(code, row["kode_bps"], row["nama"])
        elif level == "kecamatan":
            if not KEMENDAGRI_KECAMATAN.match(code) or not BPS_KECAMATAN.match(row["kode_bps"]):
                raise ReferenceFileError(f"{path}, line {line}: bad kecamatan codes {code!r} / {row['kode_bps']!r}")
            kecamatan_rows.append(row)
        elif level in ("desa", "kelurahan"):
            expected_first_digit = "1" if level == "kelurahan" else "2"
            if not KEMENDAGRI_DESA.match(code) or code.rsplit(".", 1)[1][0] != expected_first_digit:
                raise ReferenceFileError(f"{path}, line {line}: bad {level} code {code!r}")
            desa_by_kecamatan.setdefault(row["kode_induk"], []).append(Desa(code, row["nama"], level, row["kode_induk"]))
        else:
            raise ReferenceFileError(f"{path}, line {line}: unknown tingkat {level!r}")
    if kabupaten is None:
        raise ReferenceFileError(f"{path}: no kabupaten row")
    kecamatan = tuple(
        Kecamatan(
            kode_kemendagri=row["kode_kemendagri"],
            kode_bps=row["kode_bps"],
            nama=row["nama"],
            ibukota=row.get("ibukota") or None,
            desa=tuple(sorted(desa_by_kecamatan.get(row["kode_kemendagri"], []), key=lambda d: d.kode_kemendagri)),
        )
        for row in sorted(kecamatan_rows, key=lambda r: r["kode_kemendagri"])
    )
    return _Regions(kabupaten, kecamatan)


def kabupaten() -> Kabupaten:
    return _regions().kabupaten


def kecamatan_list() -> tuple[Kecamatan, ...]:
    """The 10 kecamatan in the order of their Kemendagri codes."""
    return _regions().kecamatan


@functools.cache
def _kecamatan_by_kemendagri() -> dict[str, Kecamatan]:
    return {kecamatan.kode_kemendagri: kecamatan for kecamatan in kecamatan_list()}


@functools.cache
def _kecamatan_by_bps() -> dict[str, Kecamatan]:
    return {kecamatan.kode_bps: kecamatan for kecamatan in kecamatan_list()}


@functools.cache
def _desa_by_code() -> dict[str, Desa]:
    return {desa.kode_kemendagri: desa for kecamatan in kecamatan_list() for desa in kecamatan.desa}


def kecamatan_by_code(code: str) -> Kecamatan | None:
    """The kecamatan with this Kemendagri code (64.01.03), or None."""
    return _kecamatan_by_kemendagri().get((code or "").strip())


def kecamatan_by_bps_code(code: str) -> Kecamatan | None:
    """The kecamatan with this BPS code (6401030), or None."""
    return _kecamatan_by_bps().get((code or "").strip())


def desa_by_code(code: str) -> Desa | None:
    """The desa or kelurahan with this Kemendagri code (64.01.03.2001), or None."""
    return _desa_by_code().get((code or "").strip())


def desa_list(kecamatan_code: str | None = None) -> tuple[Desa, ...]:
    """Every desa and kelurahan (144), or those of the kecamatan with this Kemendagri code (empty if unknown)."""
    if kecamatan_code is None:
        return tuple(desa for kecamatan in kecamatan_list() for desa in kecamatan.desa)
    kecamatan = kecamatan_by_code(kecamatan_code)
    return kecamatan.desa if kecamatan else ()
