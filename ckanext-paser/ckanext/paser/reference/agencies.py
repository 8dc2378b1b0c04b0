"""The agencies (OPD) of Pemkab Paser: the packaged list (data/opd.csv) or the official one named in the config.

The packaged list marks each agency `evidenced` (seen in public sources) or `indicative` (follows the usual regency
nomenclature, to be confirmed against the Perda on perangkat daerah). A portal replaces the whole list with the
official one through `ckanext.paser.reference.opd_file`: a CSV file with the same columns.
"""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass

from ._files import ReferenceFileError, packaged_path, read_rows
from .affairs import urusan_by_code

CONFIG_OPD_FILE = "ckanext.paser.reference.opd_file"
PACKAGED_OPD_FILE = packaged_path("opd.csv")
# Which urusan each packaged agency holds, read from its name against the nomenclature (indicative);
# a file with its own `urusan` column (space-separated codes) overrides it.
OPD_URUSAN_FILE = packaged_path("opd_urusan.csv")

OPD_COLUMNS = ("singkatan", "nama", "jenis", "bukti")
JENIS_OPD = ("dinas", "badan", "sekretariat", "inspektorat", "rsud", "instansi_vertikal")


@dataclass(frozen=True)
class Opd:
    singkatan: str
    nama: str
    jenis: str  # one of JENIS_OPD
    bukti: str  # the evidence, or "indicative"
    urusan: tuple[str, ...]  # urusan codes (1.01 ...) the agency holds, possibly empty

    @property
    def indicative(self) -> bool:
        return self.bukti.lower().startswith("indicative")

    @property
    def slug(self) -> str:
        """The organisation name in the portal: lowercase short name, spaces as hyphens (bps-paser)."""
        return slugify(self.singkatan)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "-", text.lower()).strip("-")


def _jenis_code(text: str) -> str:
    return re.sub(r"[\s-]+", "_", text.strip().lower())


def configured_opd_file() -> str:
    """The OPD file in use: the configured one (relative to the ini file's folder) or the packaged list."""
    from ckan.plugins.toolkit import config

    configured = (config.get(CONFIG_OPD_FILE) or "").strip()
    if not configured:
        return PACKAGED_OPD_FILE
    if os.path.isabs(configured):
        return configured
    ini_file = config.get("__file__")
    base = os.path.dirname(os.path.abspath(ini_file)) if ini_file else os.getcwd()
    return os.path.normpath(os.path.join(base, configured))


def opd_list() -> tuple[Opd, ...]:
    """The agencies of the OPD file in use, in file order. Raises ReferenceFileError for a bad file."""
    path = configured_opd_file()
    try:
        modified = os.stat(path).st_mtime_ns
    except OSError:
        modified = 0  # let the loader report the problem
    return _load_opd_file(path, modified)


def opd_by_slug(slug: str) -> Opd | None:
    return next((opd for opd in opd_list() if opd.slug == slug), None)


@functools.cache
def _packaged_urusan() -> dict[str, tuple[str, ...]]:
    return {row["singkatan"]: tuple(row["urusan"].split()) for _, row in read_rows(OPD_URUSAN_FILE, ("singkatan", "urusan"))}


@functools.lru_cache(maxsize=8)
def _load_opd_file(path: str, modified: int) -> tuple[Opd, ...]:
    # `modified` is part of the cache key: an official file replaced on disk is read again.
    found: list[Opd] = []
    seen: dict[str, int] = {}
    has_urusan_column = False
    for line, row in read_rows(path, OPD_COLUMNS):
        has_urusan_column = has_urusan_column or "urusan" in row
        empty = [column for column in OPD_COLUMNS if not row[column]]
        if empty:
            raise ReferenceFileError(f"{path}, line {line}: empty {', '.join(empty)}")
        jenis = _jenis_code(row["jenis"])
        if jenis not in JENIS_OPD:
            raise ReferenceFileError(
                f"{path}, line {line}: unknown jenis {row['jenis']!r}; expected one of {', '.join(JENIS_OPD)} "
                "(spaces allowed for underscores: 'instansi vertikal')"
            )
        slug = slugify(row["singkatan"])
        if len(slug) < 2:
            raise ReferenceFileError(f"{path}, line {line}: singkatan {row['singkatan']!r} makes no usable name")
        if slug in seen:
            raise ReferenceFileError(
                f"{path}, line {line}: singkatan {row['singkatan']!r} repeats the agency of line {seen[slug]}"
            )
        seen[slug] = line
        urusan = tuple(row.get("urusan", "").split())
        unknown = [code for code in urusan if urusan_by_code(code) is None]
        if unknown:
            raise ReferenceFileError(f"{path}, line {line}: unknown urusan code(s) {', '.join(unknown)}")
        found.append(Opd(row["singkatan"], row["nama"], jenis, row["bukti"], urusan))
    if not found:
        raise ReferenceFileError(f"{path}: no agencies listed")
    if not has_urusan_column:
        # An official list without an `urusan` column keeps the packaged assignment of the same short names.
        mapping = _packaged_urusan()
        found = [Opd(o.singkatan, o.nama, o.jenis, o.bukti, mapping.get(o.singkatan, ())) for o in found]
    return tuple(found)
