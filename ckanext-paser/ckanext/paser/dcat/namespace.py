"""The Satu Data vocabulary of the Paser portal (prefix `sdi`), for the fields DCAT-AP has no property for.

Documented in docs/dcat.md. The namespace is fixed, not derived from the site URL, so that harvesters of any copy
of the portal read the same terms.
"""
from __future__ import annotations

from rdflib import Namespace

SDI_URI = "https://data.paserkab.go.id/ns/satudata#"
SDI = Namespace(SDI_URI)
PREFIX = "sdi"

# Dataset property → field of the Paser schema holding a plain text or code value.
LITERAL_FIELDS: dict[str, str] = {
    "jenisData": "jenis_data",
    "klasifikasi": "klasifikasi",
    "tingkatPenyajian": "tingkat_penyajian",
    "kodeIndikator": "kode_indikator",
    "konsep": "konsep",
    "definisi": "definisi",
    "klasifikasiPenyajian": "klasifikasi_penyajian",
    "ukuran": "ukuran",
    "satuan": "satuan",
    "sumberData": "sumber_data",
    "metodePengumpulan": "metode_pengumpulan",
    "jadwalPemutakhiran": "frequency",
}

# Distribution property → resource field (the table description the consistency checks read).
RESOURCE_FIELDS: dict[str, str] = {
    "kolomWilayah": "kolom_wilayah",
    "jenisKodeWilayah": "jenis_kode_wilayah",
    "kolomPeriode": "kolom_periode",
    "kolomNilai": "kolom_nilai",
    "satuan": "satuan",
}
