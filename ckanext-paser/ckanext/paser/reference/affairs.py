"""Government affairs (urusan pemerintahan) in the Permendagri 90/2019 nomenclature (data/urusan.csv)."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ._files import ReferenceFileError, packaged_path, read_rows

URUSAN_FILE = packaged_path("urusan.csv")
URUSAN_CODE = re.compile(r"^\d\.\d{2}$")

# Groups of the nomenclature, by the first digit of the code. 1-3 are the affairs of UU 23/2014;
# 4-8 the units that support government rather than hold an affair.
KELOMPOK = {
    "1": "wajib_pelayanan_dasar",
    "2": "wajib_non_pelayanan_dasar",
    "3": "pilihan",
    "4": "pendukung",
    "5": "penunjang",
    "6": "pengawasan",
    "7": "kewilayahan",
    "8": "pemerintahan_umum",
}


@dataclass(frozen=True)
class Urusan:
    kode: str
    kelompok: str
    nama: str  # Indonesian name
    name_en: str

    @property
    def is_affair(self) -> bool:
        """An urusan pemerintahan proper (wajib or pilihan), not a supporting unit."""
        return self.kode[0] in "123"

    def label(self) -> dict[str, str]:
        """Bilingual label as ckanext-scheming expects it."""
        return {"id": self.nama, "en": self.name_en}


@functools.cache
def urusan_list() -> tuple[Urusan, ...]:
    """Every urusan in code order."""
    found: list[Urusan] = []
    for line, row in read_rows(URUSAN_FILE, ("kode", "kelompok", "nama", "name_en")):
        code = row["kode"]
        if not URUSAN_CODE.match(code) or KELOMPOK.get(code[0]) != row["kelompok"]:
            raise ReferenceFileError(f"{URUSAN_FILE}, line {line}: bad code or group {code!r} {row['kelompok']!r}")
        found.append(Urusan(code, row["kelompok"], row["nama"], row["name_en"]))
    return tuple(sorted(found, key=lambda urusan: urusan.kode))


@functools.cache
def _urusan_by_code() -> dict[str, Urusan]:
    return {urusan.kode: urusan for urusan in urusan_list()}


def urusan_by_code(code: str) -> Urusan | None:
    return _urusan_by_code().get((code or "").strip())
