"""Reference data of Kabupaten Paser: regions (kecamatan, desa/kelurahan), agencies (OPD), government affairs
(urusan), and tolerant name matching against them. Tables live in data/ and are read once, then cached."""
from __future__ import annotations

from ._files import ReferenceFileError
from .affairs import Urusan, urusan_by_code, urusan_list
from .agencies import CONFIG_OPD_FILE, JENIS_OPD, Opd, configured_opd_file, opd_by_slug, opd_list
from .matching import Match, best_match, desa_by_name, kecamatan_by_name, normalise, opd_by_name
from .regions import (
    Desa,
    Kabupaten,
    Kecamatan,
    desa_by_code,
    desa_list,
    kabupaten,
    kecamatan_by_bps_code,
    kecamatan_by_code,
    kecamatan_list,
)

__all__ = [
    "CONFIG_OPD_FILE", "JENIS_OPD", "Desa", "Kabupaten", "Kecamatan", "Match", "Opd", "ReferenceFileError", "Urusan",
    "best_match", "configured_opd_file", "desa_by_code", "desa_by_name", "desa_list", "kabupaten",
    "kecamatan_by_bps_code", "kecamatan_by_code", "kecamatan_by_name", "kecamatan_list", "normalise",
    "opd_by_name", "opd_by_slug", "opd_list", "urusan_by_code", "urusan_list",
]
