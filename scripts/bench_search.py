#!/usr/bin/env python3
"""Benchmark of the paser_search backend (CKAN search on PostgreSQL). Not a test: it prints figures.

For each size (default 10,000 then 50,000 datasets, growing one database) it measures, in one run:

* package_create cost with indexing switched off and on, in alternating blocks at the same database
  size, giving the indexing overhead of a dataset write;
* the indexing rate of CKAN's own `ckan.lib.search.rebuild` over every dataset, split into
  package_show, CKAN's document building and paser_search's `add`, next to package_show alone;
* package_search latency (p50/p95, warm) for `*:*` with 6 facets, a text query, an fq on
  organisation + a scheming-like field, a date range and a private-member query, with result counts;
* baselines in the same run: `SELECT count(*) FROM package` and package_show latency.

It works on its own database (config/bench.ini -> ckan_paser_bench), which it drops and recreates
unless --reuse is given, and talks to 127.0.0.1 services only. Run it from the repository root:

    .venv/bin/python scripts/bench_search.py                 # 10,000 and 50,000 (20-40 min)
    .venv/bin/python scripts/bench_search.py --sizes 500     # quick check (about a minute)

Datasets: most are written with direct SQL inserts of the rows package_create writes (package,
package_extra, package_tag, resource, member; no activity rows), then indexed by CKAN's rebuild; a
sample at each size goes through package_create to time it. See docs/performance.md.
"""
from __future__ import annotations

import argparse
import configparser
import datetime as dt
import os
import random
import re
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import benchlib
from benchlib import ROOT, git, log, machine, percentile

DEFAULT_INI = ROOT / "config" / "bench.ini"
NOW = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)  # naive UTC, as CKAN stores

# Targets from the issue, checked at the largest size.
TARGET_OVERHEAD_PCT = 20.0
TARGET_FACETED_P95_MS = 150.0
TARGET_SELECTIVE_P95_MS = 50.0

FACET_FIELDS = ["organization", "groups", "tags", "res_format", "license_id", "tingkat_penyajian"]
FACET_LIMIT = 50
ROWS = 20  # a page of the dataset search UI

# ---------------------------------------------------------------------------------------------
# Reference data (from /work/shared/reference: opd.csv and the kecamatan/desa of wilayah.csv)

OPD = [
    ("Diskominfostaper", "Dinas Komunikasi, Informatika, Statistik dan Persandian"),
    ("Bappedalitbang", "Badan Perencanaan Pembangunan Daerah, Penelitian dan Pengembangan"),
    ("Disdik", "Dinas Pendidikan"),
    ("Dinkes", "Dinas Kesehatan"),
    ("Disnaker", "Dinas Tenaga Kerja"),
    ("DPMD", "Dinas Pemberdayaan Masyarakat dan Desa"),
    ("Disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil"),
    ("Setda", "Sekretariat Daerah"),
    ("Inspektorat", "Inspektorat Daerah"),
    ("DPUTR", "Dinas Pekerjaan Umum dan Tata Ruang"),
    ("Dinsos", "Dinas Sosial"),
    ("DLH", "Dinas Lingkungan Hidup"),
    ("Dishub", "Dinas Perhubungan"),
    ("Distan", "Dinas Pertanian"),
    ("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"),
    ("BPKAD", "Badan Pengelolaan Keuangan dan Aset Daerah"),
    ("BPBD", "Badan Penanggulangan Bencana Daerah"),
    ("BPS Paser", "Badan Pusat Statistik Kabupaten Paser"),
]

DESA = {
    "Batu Sopang": "Samurangau|Busui|Batu Kajang|Legai|Sungai Terik|Kasungai|Rantau Buta|Rantau Layung|Songka",
    "Tanjung Harapan": "Keladen|Tanjung Aru|Labuangkallo|Lori|Selengot|Random|Senipah",
    "Paser Belengkong": "Lempesu|Bekoso|Damit|Suatang|Suliliran|Pasir Belengkong|Sangkuriman|Laburan|"
                        "Suliliran Baru|Keresik Bura|Laburan Baru|Seniung Jaya|Sunge Batu|Olong Pinang|"
                        "Suatang Keteban",
    "Tanah Grogot": "Tanah Grogot|Janju|Tepian Batang|Tanah Periuk|Pepara|Sungai Tuak|Sempulang|Jone|"
                    "Rantau Panjang|Muara Pasir|Padang Pengrapat|Perepat|Pulau Rantau|Sungai Langir|Tapis|Senaken",
    "Kuaro": "Kuaro|Lolo|Sandeley|Harapan Baru|Rangan|Modang|Pasir Mayang|Kerta Bumi|Pondong Baru|Padang Jaya|"
             "Kendarom|Klempang Sari|Keluang Paser Jaya",
    "Long Ikis": "Long Ikis|Muara Adang|Teluk Waru|Tajur|Semuntai|Lombok|Pait|Olung|Kayungo|Jemparing|Tiwei|"
                 "Belimbing|Long Gelang|Krayan Jaya|Bukit Saloka|Krayan Sentosa|Krayan Makmur|Kayungo Sari|"
                 "Krayan Bahagia|Sawit Jaya|Sekurou Jaya|Kerta Bhakti|Adang Jaya|Tajer Mulya|Brewe|Atang Pait",
    "Muara Komam": "Muara Komam|Batu Botuk|Uko|Muara Langon|Binangon|Muara Kuaro|Prayon|Long Sayo|Muara Payang|"
                   "Lusan|Swan Slutung|Sekuan Makmur|Selerong",
    "Long Kali": "Long Kali|Muara Telake|Sebakung|Bente Tualan|Mendik|Munggu|Muara Pias|Muara Toyu|Perkuwen|"
                 "Pinang Jatus|Muara Lambakan|Kepala Telake|Mendik Makmur|Mendik Karya|Mendik Bhakti|"
                 "Sebakung Taka|Maruat|Sebakung Makmur|Petiku|Muara Adang II|Makmur Jaya|Gunung Putar|Putang",
    "Batu Engau": "Kerang|Lomu|Segendang|Mengkudu|Riwang|Langgai|Petangis|Tempakan|Kerang Dayo|Saing Prupuk|"
                  "Bai Jaya|Pengguren Jaya|Tebru Paser Damai",
    "Muara Samu": "Tanjung Pinang|Rantau Atas|Libur Dinding|Luan|Suweto|Muser|Biu|Rantau Bintungan|Muara Andeh",
}
KECAMATAN = list(DESA)

GROUPS = [
    ("kependudukan", "Kependudukan"), ("kesehatan", "Kesehatan"), ("pendidikan", "Pendidikan"),
    ("pertanian", "Pertanian"), ("perkebunan", "Perkebunan"), ("ekonomi", "Ekonomi dan Investasi"),
    ("infrastruktur", "Infrastruktur"), ("sosial", "Sosial"), ("lingkungan-hidup", "Lingkungan Hidup"),
    ("pemerintahan", "Pemerintahan"), ("kebencanaan", "Kebencanaan"), ("ketenagakerjaan", "Ketenagakerjaan"),
    ("perhubungan", "Perhubungan"), ("keuangan-daerah", "Keuangan Daerah"),
]

# Indicators per producer: (title, tags, group). Tags are the ones a steward would type.
TOPICS: dict[str, list[tuple[str, str, str]]] = {
    "Dinkes": [
        ("Jumlah Puskesmas dan Puskesmas Pembantu", "puskesmas fasilitas-kesehatan pustu", "kesehatan"),
        ("Angka Kematian Bayi", "kematian-bayi kesehatan-ibu-anak akb", "kesehatan"),
        ("Cakupan Imunisasi Dasar Lengkap", "imunisasi balita vaksinasi", "kesehatan"),
        ("Jumlah Tenaga Kesehatan", "tenaga-kesehatan dokter bidan perawat", "kesehatan"),
        ("Prevalensi Stunting pada Balita", "stunting gizi balita", "kesehatan"),
        ("Kasus Demam Berdarah Dengue", "dbd penyakit-menular nyamuk", "kesehatan"),
        ("Jumlah Posyandu Aktif", "posyandu balita kader-kesehatan", "kesehatan"),
        ("Kunjungan Rawat Jalan RSUD Panglima Sebaya", "rsud rawat-jalan rumah-sakit", "kesehatan"),
    ],
    "Disdik": [
        ("Jumlah Sekolah Dasar Negeri dan Swasta", "sekolah-dasar sd sekolah", "pendidikan"),
        ("Angka Partisipasi Kasar SMP", "apk smp partisipasi-sekolah", "pendidikan"),
        ("Jumlah Guru Menurut Jenjang Pendidikan", "guru tenaga-pendidik sertifikasi-guru", "pendidikan"),
        ("Rasio Murid terhadap Guru", "rasio-murid-guru murid guru", "pendidikan"),
        ("Angka Putus Sekolah", "putus-sekolah siswa", "pendidikan"),
        ("Jumlah Pendidikan Anak Usia Dini", "paud tk anak-usia-dini", "pendidikan"),
    ],
    "Distan": [
        ("Produksi Padi Sawah dan Ladang", "padi sawah produksi-pangan", "pertanian"),
        ("Luas Panen Jagung", "jagung palawija luas-panen", "pertanian"),
        ("Produksi Kelapa Sawit Perkebunan Rakyat", "kelapa-sawit sawit perkebunan-rakyat", "perkebunan"),
        ("Luas Areal Perkebunan Karet", "karet perkebunan luas-areal", "perkebunan"),
        ("Populasi Sapi Potong", "sapi peternakan ternak", "pertanian"),
        ("Jumlah Kelompok Tani", "kelompok-tani petani penyuluhan", "pertanian"),
        ("Produksi Tanaman Hortikultura", "hortikultura sayuran buah-buahan", "pertanian"),
        ("Produksi Perikanan Budidaya", "perikanan tambak budidaya-ikan", "pertanian"),
    ],
    "Disdukcapil": [
        ("Jumlah Penduduk Menurut Jenis Kelamin", "penduduk jenis-kelamin demografi", "kependudukan"),
        ("Kepemilikan KTP Elektronik", "ktp-el e-ktp adminduk", "kependudukan"),
        ("Jumlah Kartu Keluarga", "kartu-keluarga kk adminduk", "kependudukan"),
        ("Penduduk Menurut Kelompok Umur", "kelompok-umur penduduk piramida-penduduk", "kependudukan"),
        ("Kepemilikan Akta Kelahiran Anak", "akta-kelahiran catatan-sipil anak", "kependudukan"),
        ("Jumlah Penduduk Menurut Agama", "agama penduduk", "kependudukan"),
    ],
    "Disnaker": [
        ("Pencari Kerja Terdaftar", "pencari-kerja kartu-kuning lowongan", "ketenagakerjaan"),
        ("Tingkat Pengangguran Terbuka", "pengangguran tpt angkatan-kerja", "ketenagakerjaan"),
        ("Penempatan Tenaga Kerja Lokal", "tenaga-kerja penempatan-kerja", "ketenagakerjaan"),
        ("Upah Minimum dan Perusahaan Terdaftar", "upah-minimum perusahaan", "ketenagakerjaan"),
    ],
    "DPMD": [
        ("Status Indeks Desa Membangun", "idm desa-membangun status-desa", "pemerintahan"),
        ("Alokasi Dana Desa", "dana-desa add keuangan-desa", "keuangan-daerah"),
        ("Jumlah Badan Usaha Milik Desa", "bumdes usaha-desa", "ekonomi"),
    ],
    "Setda": [
        ("Jumlah Aparatur Sipil Negara Menurut Golongan", "asn pns pegawai", "pemerintahan"),
        ("Produk Hukum Daerah", "perda perbup produk-hukum", "pemerintahan"),
    ],
    "Inspektorat": [
        ("Temuan Hasil Pemeriksaan", "pemeriksaan temuan audit", "pemerintahan"),
        ("Tindak Lanjut Rekomendasi Pemeriksaan", "tindak-lanjut pengawasan", "pemerintahan"),
    ],
    "DPUTR": [
        ("Panjang Jalan Kabupaten Menurut Kondisi", "jalan jalan-kabupaten kondisi-jalan", "infrastruktur"),
        ("Jumlah Jembatan Menurut Kondisi", "jembatan infrastruktur", "infrastruktur"),
        ("Luas Daerah Irigasi", "irigasi sumber-daya-air", "infrastruktur"),
        ("Rumah Tidak Layak Huni", "rtlh perumahan permukiman", "infrastruktur"),
    ],
    "Dinsos": [
        ("Penerima Bantuan Sosial", "bansos bantuan-sosial", "sosial"),
        ("Keluarga Penerima Manfaat PKH", "pkh keluarga-miskin kpm", "sosial"),
        ("Jumlah Penyandang Disabilitas", "disabilitas pmks", "sosial"),
    ],
    "DLH": [
        ("Timbulan Sampah dan Sampah Terkelola", "sampah persampahan tps", "lingkungan-hidup"),
        ("Kualitas Air Sungai Kandilo", "kualitas-air sungai-kandilo pencemaran", "lingkungan-hidup"),
        ("Luas Ruang Terbuka Hijau", "rth ruang-terbuka-hijau taman", "lingkungan-hidup"),
    ],
    "Dishub": [
        ("Jumlah Kendaraan Bermotor Wajib Uji", "kendaraan uji-kir angkutan", "perhubungan"),
        ("Arus Penumpang Pelabuhan", "pelabuhan penumpang kapal", "perhubungan"),
        ("Jumlah Trayek Angkutan Umum", "trayek angkutan-umum terminal", "perhubungan"),
    ],
    "DPMPTSP": [
        ("Realisasi Investasi PMDN dan PMA", "investasi pmdn pma", "ekonomi"),
        ("Jumlah Izin Usaha yang Diterbitkan", "perizinan izin-usaha nib oss", "ekonomi"),
    ],
    "BPKAD": [
        ("Realisasi Pendapatan Asli Daerah", "pad pendapatan-daerah pajak-daerah", "keuangan-daerah"),
        ("Realisasi Belanja Daerah", "apbd belanja-daerah", "keuangan-daerah"),
        ("Nilai Aset Tetap Pemerintah Daerah", "aset-daerah barang-milik-daerah", "keuangan-daerah"),
    ],
    "BPBD": [
        ("Kejadian Bencana Banjir", "banjir bencana kebencanaan", "kebencanaan"),
        ("Kebakaran Hutan dan Lahan", "karhutla kebakaran-hutan titik-panas", "kebencanaan"),
        ("Jumlah Desa Tangguh Bencana", "destana mitigasi-bencana", "kebencanaan"),
    ],
    "BPS Paser": [
        ("Indeks Pembangunan Manusia", "ipm pembangunan-manusia", "ekonomi"),
        ("Produk Domestik Regional Bruto Atas Dasar Harga Berlaku", "pdrb pertumbuhan-ekonomi", "ekonomi"),
        ("Persentase Penduduk Miskin", "kemiskinan penduduk-miskin garis-kemiskinan", "sosial"),
        ("Jumlah Penduduk Hasil Proyeksi", "penduduk proyeksi-penduduk sensus-penduduk", "kependudukan"),
        ("Luas Wilayah dan Jumlah Desa", "luas-wilayah geografi wilayah-administrasi", "pemerintahan"),
    ],
    "Diskominfostaper": [
        ("Jumlah Menara Telekomunikasi", "menara-telekomunikasi bts sinyal", "infrastruktur"),
        ("Desa dengan Akses Internet", "internet desa-digital akses-internet", "infrastruktur"),
        ("Daftar Data Statistik Sektoral", "statistik-sektoral satu-data metadata", "pemerintahan"),
    ],
    "Bappedalitbang": [
        ("Capaian Indikator Kinerja Utama RPJMD", "rpjmd iku kinerja-daerah", "pemerintahan"),
        ("Usulan Musrenbang Kecamatan", "musrenbang perencanaan usulan-pembangunan", "pemerintahan"),
    ],
}
KECAMATAN_TOPICS = [
    ("Jumlah Penduduk per Desa", "penduduk desa kependudukan", "kependudukan"),
    ("Jumlah Rumah Ibadah", "rumah-ibadah masjid gereja", "sosial"),
    ("Sarana Pendidikan per Desa", "sekolah sarana-pendidikan", "pendidikan"),
    ("Luas Wilayah Desa", "luas-wilayah desa", "pemerintahan"),
    ("Jumlah Rukun Tetangga", "rt rukun-tetangga wilayah-administrasi", "pemerintahan"),
    ("Produksi Pertanian Desa", "pertanian padi kelapa-sawit", "pertanian"),
    ("Jumlah Usaha Mikro Kecil dan Menengah", "umkm usaha-mikro ekonomi-lokal", "ekonomi"),
    ("Jumlah Posyandu dan Kader", "posyandu kader-kesehatan", "kesehatan"),
]
GENERAL_TAGS = ["data-sektoral", "statistik", "tahunan", "semesteran", "rekapitulasi", "satu-data-indonesia",
                "walidata"]
# Heavier producers publish more.
ORG_WEIGHT = {"Dinkes": 9, "Disdik": 8, "Distan": 9, "Disdukcapil": 8, "BPS Paser": 8, "Diskominfostaper": 4,
              "DPUTR": 5, "Dinsos": 5, "BPKAD": 4, "DPMD": 5, "Disnaker": 3, "BPBD": 3, "DLH": 3, "Dishub": 3,
              "DPMPTSP": 3, "Setda": 2, "Inspektorat": 1, "Bappedalitbang": 3}
KECAMATAN_ORG_WEIGHT = 2
LICENSES = [("cc-by", 60), ("cc-by-sa", 10), ("odc-by", 8), ("cc-zero", 7), ("other-open", 5),
            ("notspecified", 10)]
FORMATS = [("CSV", 40), ("XLSX", 30), ("PDF", 20), ("JSON", 10)]
METHODS = [
    "Data bersumber dari laporan rutin unit pelaksana teknis dan diverifikasi oleh walidata.",
    "Angka merupakan hasil rekapitulasi dari seluruh kecamatan di Kabupaten Paser.",
    "Data dikumpulkan melalui survei lapangan oleh petugas kecamatan dan desa.",
    "Sumber data adalah sistem informasi internal perangkat daerah.",
    "Data berasal dari pencatatan administrasi dan diolah oleh bidang statistik.",
]
PERIODS = [
    "Data diperbarui setiap tahun.", "Pemutakhiran dilakukan setiap semester.",
    "Data disajikan per triwulan.", "Data diperbarui apabila terdapat perubahan.",
]
NOTES_EXTRA = [
    "Catatan: angka tahun terakhir bersifat sementara.",
    "Definisi operasional mengikuti standar data Satu Data Indonesia.",
    "Untuk keperluan analisis lanjutan hubungi produsen data.",
    "",
    "",
]

# Queries a visitor types (varied over the repetitions).
TEXT_QUERIES = [
    "penduduk", "padi", "puskesmas", "sekolah dasar", "kelapa sawit", "stunting", "jalan kabupaten",
    "banjir", "petani", "kebun", "investasi", "sampah", "imunisasi", "pengangguran", "Tanah Grogot",
    "Long Ikis", "guru", "bantuan sosial", "kendaraan", "pendapatan asli daerah", "posyandu", "karet",
    "kemiskinan", "jembatan", "dana desa",
]
MEMBER_ORGS = ["dinkes", "distan", "kecamatan-tanah-grogot"]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def weighted(rng: random.Random, pairs: list[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _ in pairs], weights=[weight for _, weight in pairs])[0]


# ---------------------------------------------------------------------------------------------
# Dataset generation


@dataclass
class Org:
    name: str
    title: str
    key: str  # key into TOPICS, or a kecamatan name
    is_kecamatan: bool
    id: str = ""


@dataclass
class Dataset:
    id: str
    name: str
    title: str
    notes: str
    org: Org
    private: bool
    level: str
    tags: list[str]
    groups: list[str]
    license_id: str
    resources: list[dict[str, Any]]
    created: dt.datetime
    modified: dt.datetime

    def action_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "title": self.title, "notes": self.notes, "owner_org": self.org.id,
            "private": self.private, "license_id": self.license_id,
            "tags": [{"name": tag} for tag in self.tags],
            "groups": [{"name": group} for group in self.groups],
            "extras": [{"key": "tingkat_penyajian", "value": self.level}],
            "resources": [{key: res[key] for key in ("name", "url", "format", "description")}
                          for res in self.resources],
        }


def organisations() -> list[Org]:
    orgs = [Org(slugify(short), name, short, False) for short, name in OPD]
    orgs += [Org(f"kecamatan-{slugify(kec)}", f"Kecamatan {kec}", kec, True) for kec in KECAMATAN]
    return orgs


def tag_vocabulary() -> list[str]:
    tags = {tag for topics in TOPICS.values() for _, words, _ in topics for tag in words.split()}
    tags |= {tag for _, words, _ in KECAMATAN_TOPICS for tag in words.split()}
    tags |= {slugify(kec) for kec in KECAMATAN} | set(GENERAL_TAGS)
    tags |= {f"data-{year}" for year in range(2015, 2026)}
    return sorted(tags)


class Generator:
    """Deterministic realistic datasets: dataset i is the same in every run with the same seed."""

    def __init__(self, orgs: list[Org], seed: int) -> None:
        self.orgs = orgs
        self.seed = seed
        self.weights = [KECAMATAN_ORG_WEIGHT if org.is_kecamatan else ORG_WEIGHT[org.key] for org in orgs]
        self.span = (NOW - dt.datetime(2015, 1, 1)).total_seconds()

    def dataset(self, index: int) -> Dataset:
        rng = random.Random(self.seed * 1_000_003 + index)
        org = rng.choices(self.orgs, weights=self.weights)[0]
        if org.is_kecamatan:
            indicator, words, group = rng.choice(KECAMATAN_TOPICS)
            kec = org.key
            level = weighted(rng, [("kecamatan", 60), ("desa", 40)])
        else:
            indicator, words, group = rng.choice(TOPICS[org.key])
            kec = rng.choice(KECAMATAN)
            level = weighted(rng, [("kabupaten", 50), ("kecamatan", 35), ("desa", 15)])
        # Creation times grow towards the present (more datasets in recent years).
        created = dt.datetime(2015, 1, 1) + dt.timedelta(seconds=self.span * (rng.random() ** 0.7))
        created = created.replace(microsecond=rng.randrange(1_000_000))
        if rng.random() < 0.35:
            modified = created + dt.timedelta(seconds=rng.randint(1, 600))
        else:
            modified = created + dt.timedelta(days=rng.random() * 720)
        modified = min(modified, NOW - dt.timedelta(minutes=5))
        year = rng.randint(max(2015, min(created.year - 2, 2025)), max(2015, min(created.year, 2025)))
        desa = rng.choice(DESA[kec].split("|"))
        if level == "kabupaten":
            scope, phrase = "Kabupaten Paser", "di Kabupaten Paser"
        elif level == "kecamatan":
            if org.is_kecamatan or rng.random() < 0.5:
                scope, phrase = f"Kecamatan {kec}", f"di Kecamatan {kec}"
            else:
                scope, phrase = "Menurut Kecamatan", "per kecamatan di Kabupaten Paser"
        else:
            if rng.random() < 0.5:
                scope, phrase = f"Desa {desa} Kecamatan {kec}", f"di Desa {desa}, Kecamatan {kec}"
            else:
                scope, phrase = f"Menurut Desa di Kecamatan {kec}", f"per desa di Kecamatan {kec}"
        period = rng.choice(["", "", "", "Semester I ", "Semester II ", "Triwulan IV "])
        title = f"{indicator} {scope} {period}Tahun {year}"
        notes = " ".join(part for part in (
            f"Data {indicator.lower()} {phrase} tahun {year} yang dihimpun oleh {org.title}.",
            rng.choice(METHODS), rng.choice(PERIODS), rng.choice(NOTES_EXTRA),
        ) if part)
        topic_tags = words.split()
        tags = rng.sample(topic_tags, rng.randint(1, len(topic_tags)))
        extra_tags = rng.randint(0, 2)
        if extra_tags:
            pool = GENERAL_TAGS + [slugify(kec), f"data-{year}"]
            tags += [tag for tag in rng.sample(pool, extra_tags) if tag not in tags]
        tags = tags[:5]
        groups = [group]
        if rng.random() < 0.2:
            other = rng.choice(GROUPS)[0]
            if other != group:
                groups.append(other)
        name = f"{slugify(title)[:85]}-{index:06d}"
        resources = []
        for position in range(rng.choices([1, 2, 3], weights=[50, 35, 15])[0]):
            fmt = weighted(rng, FORMATS)
            kind = {"CSV": "Tabel", "XLSX": "Tabel", "PDF": "Publikasi", "JSON": "Data API"}[fmt]
            res_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            resources.append({
                "id": res_id, "position": position, "format": fmt,
                "name": f"{kind} {indicator} {year}",
                "url": f"https://data.paserkab.go.id/dataset/{name}/resource/{res_id}/download/"
                       f"{slugify(indicator)}-{year}.{fmt.lower()}",
                "description": f"{kind} {indicator.lower()} {phrase} tahun {year} dalam format {fmt}.",
            })
        return Dataset(
            id=str(uuid.UUID(int=rng.getrandbits(128), version=4)), name=name, title=title, notes=notes,
            org=org, private=rng.random() < 0.10, level=level, tags=tags, groups=groups,
            license_id=weighted(rng, LICENSES), resources=resources, created=created, modified=modified,
        )


# ---------------------------------------------------------------------------------------------
# Database set-up


def bench_url(ini: Path) -> Any:
    import sqlalchemy as sa

    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ini)
    url = sa.engine.make_url(parser.get("app:main", "sqlalchemy.url"))
    if not url.database or "bench" not in url.database or url.host not in ("127.0.0.1", "localhost"):
        sys.exit(f"refusing to touch database {url.database!r} on {url.host!r}: "
                 "the benchmark only recreates a local *bench* database")
    return url


def set_up_database(ini: Path) -> None:
    url = bench_url(ini)
    log(f"recreating database {url.database} (owner {url.username}) as postgres")
    benchlib.recreate_database(url.database, url.username, host=url.host, port=url.port or 5432)
    benchlib.ckan_db_init(ini, ("activity", "harvest", "paser_search"))


# ---------------------------------------------------------------------------------------------
# Instrumentation (in this process only; the backend itself is not changed)


@dataclass
class Meter:
    add_calls: int = 0
    add_docs: int = 0
    add_s: float = 0.0
    index_package_s: float = 0.0
    notify_s: float = 0.0
    search_s: float = 0.0
    sql: dict[str, float] = field(default_factory=dict)
    sql_count: dict[str, int] = field(default_factory=dict)

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]


METER = Meter()
INDEXING = {"on": True}
CAPTURE: dict[str, Any] = {"on": False, "last": {}}


def _timed(target: Any, attribute: str, meter_field: str, after: Callable[..., None] | None = None) -> None:
    def record(seconds: float, *args: Any, **kwargs: Any) -> None:
        setattr(METER, meter_field, getattr(METER, meter_field) + seconds)
        if after:
            after(*args, **kwargs)

    benchlib.time_calls(target, attribute, record)


def _sql_kind(statement: str) -> str | None:
    """Which of the backend's statements this is (None: not the search backend's)."""
    if "paser_search" not in statement:
        return None
    head = statement.lstrip()[:40]
    if head.startswith("INSERT"):
        return "upsert"
    if head.startswith(("SELECT count(*)", "SELECT coalesce(sum(c.n)")):  # over documents / kept class counts
        return "count"
    if head.startswith(("SELECT d.stored", "SELECT m.stored")):  # a ranked page counts its matches too
        return "docs"
    if "facet_limit" in statement:
        return "facets"
    return "other"  # e.g. looking up term codes before a query


def instrument() -> None:
    import ckan.lib.search.index as search_index
    import sqlalchemy as sa
    from ckan.lib import search
    from ckan.model import meta
    from ckanext.paser.search.connection import PostgresSearchConnection

    # Indexing switch. CKAN 2.11 has no `ckan.search.automatic_indexing` option: dataset writes are
    # indexed by the always-loaded system plugin `synchronous_search` (package_show + index), so the
    # switch is its notify method, replaced in this process.
    original_notify = search.SynchronousSearchPlugin.notify

    def notify(self: Any, entity: Any, operation: Any) -> None:
        if not INDEXING["on"]:
            return
        started = time.perf_counter()
        try:
            original_notify(self, entity, operation)
        finally:
            METER.notify_s += time.perf_counter() - started

    search.SynchronousSearchPlugin.notify = notify  # type: ignore[method-assign]

    def count_add(*args: Any, **kwargs: Any) -> None:
        docs = kwargs.get("docs", args[1] if len(args) > 1 else [])
        METER.add_calls += 1
        METER.add_docs += len(docs)

    _timed(PostgresSearchConnection, "add", "add_s", count_add)
    _timed(PostgresSearchConnection, "search", "search_s")
    _timed(search_index.PackageSearchIndex, "index_package", "index_package_s")

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def after(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        elapsed = time.perf_counter() - conn.info["bench_started"].pop()
        kind = _sql_kind(statement)
        if kind:
            METER.sql[kind] = METER.sql.get(kind, 0.0) + elapsed
            METER.sql_count[kind] = METER.sql_count.get(kind, 0) + 1
            if CAPTURE["on"] and kind != "upsert":
                CAPTURE["last"][kind] = (statement, parameters)

    sa.event.listen(meta.engine, "before_cursor_execute", before)
    sa.event.listen(meta.engine, "after_cursor_execute", after)


# ---------------------------------------------------------------------------------------------
# The benchmark


@dataclass
class LatencyResult:
    size: int
    kind: str
    label: str
    target_ms: float | None
    times_ms: list[float]
    counts: list[int]
    sql_ms: dict[str, float]
    backend_ms: float
    statements: dict[str, Any]

    @property
    def p50(self) -> float:
        return percentile(self.times_ms, 50)

    @property
    def p95(self) -> float:
        return percentile(self.times_ms, 95)

    @property
    def met(self) -> bool | None:
        return None if self.target_ms is None else self.p95 <= self.target_ms


@dataclass
class SizeResult:
    size: int
    bulk_inserted: int = 0
    bulk_s: float = 0.0
    create_off_ms: list[float] = field(default_factory=list)
    create_on_ms: list[float] = field(default_factory=list)
    notify_ms_per_create: float = 0.0
    search_ms_per_create_off: float = 0.0
    search_ms_per_create_on: float = 0.0
    add_ms_per_create: float = 0.0
    add_calls_per_create: float = 0.0
    rebuild_n: int = 0
    rebuild_s: float = 0.0
    rebuild_index_package_s: float = 0.0
    rebuild_add_s: float = 0.0
    rebuild_upsert_sql_s: float = 0.0
    vacuum_s: float = 0.0
    show_only_n: int = 0
    show_only_s: float = 0.0
    latency: list[LatencyResult] = field(default_factory=list)
    private_visible: int = 0
    private_total: int = 0

    @property
    def off_mean(self) -> float:
        return statistics.fmean(self.create_off_ms) if self.create_off_ms else float("nan")

    @property
    def on_mean(self) -> float:
        return statistics.fmean(self.create_on_ms) if self.create_on_ms else float("nan")

    @property
    def overhead_pct(self) -> float:
        return (self.on_mean / self.off_mean - 1.0) * 100.0

    @property
    def overhead_median_pct(self) -> float:
        return (percentile(self.create_on_ms, 50) / percentile(self.create_off_ms, 50) - 1.0) * 100.0

    @property
    def overhead_direct_pct(self) -> float:
        """Indexing time measured inside the indexed creates, over the rest of those same creates."""
        return self.notify_ms_per_create / (self.on_mean - self.notify_ms_per_create) * 100.0


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.ini = Path(args.ini).resolve()

    # -- CKAN app

    def load(self) -> None:
        log(f"loading CKAN with {self.ini.relative_to(ROOT) if self.ini.is_relative_to(ROOT) else self.ini}")
        self.app, self.request = benchlib.load_ckan(self.ini)
        import ckan.plugins.toolkit as tk
        from ckan import model

        self.tk = tk
        self.model = model
        instrument()

    def action(self, name: str, data: dict[str, Any], user: str | None = None, **context: Any) -> Any:
        ctx = {"user": self.admin if user is None else user}
        ctx.update(context)
        return self.tk.get_action(name)(ctx, data)

    def raw(self) -> Any:
        return self.model.meta.engine.raw_connection()

    def sql_scalar(self, statement: str) -> Any:
        import sqlalchemy as sa

        with self.model.meta.engine.connect() as connection:
            return connection.execute(sa.text(statement)).scalar()

    def maintenance(self, statement: str) -> float:
        """VACUUM/ANALYZE outside a transaction; returns seconds."""
        self.model.Session.remove()
        connection = self.raw()
        try:
            connection.set_session(autocommit=True)
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(statement)
            return time.perf_counter() - started
        finally:
            connection.close()

    # -- fixtures

    def fixtures(self) -> None:
        site_user = self.tk.get_action("get_site_user")({"ignore_auth": True}, {})
        self.admin = site_user["name"]
        self.admin_id = self.action("user_show", {"id": self.admin})["id"]
        self.orgs = organisations()
        existing = set(self.action("organization_list", {"limit": 1000}))
        for org in self.orgs:
            if org.name in existing:
                org.id = self.action("organization_show", {"id": org.name})["id"]
            else:
                org.id = self.action("organization_create", {"name": org.name, "title": org.title})["id"]
        groups = set(self.action("group_list", {}))
        for name, title in GROUPS:
            if name not in groups:
                self.action("group_create", {"name": name, "title": title})
        try:
            member = self.action("user_show", {"id": "bench_member"})
        except self.tk.ObjectNotFound:
            member = self.action("user_create", {"name": "bench_member", "email": "bench_member@example.org",
                                                 "password": "bench-member-password-1"})
        self.member_id = member["id"]
        for org in MEMBER_ORGS:
            self.action("organization_member_create", {"id": org, "username": "bench_member", "role": "editor"})
        # Tags exist up front so bulk rows can point at them; package_create finds them by name.
        vocabulary = tag_vocabulary()
        connection = self.raw()
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, id FROM tag WHERE vocabulary_id IS NULL")
            self.tag_ids = dict(cursor.fetchall())
            missing = [(str(uuid.uuid4()), tag) for tag in vocabulary if tag not in self.tag_ids]
            if missing:
                cursor.executemany("INSERT INTO tag (id, name) VALUES (%s, %s)", missing)
            connection.commit()
            cursor.execute("SELECT name, id FROM tag WHERE vocabulary_id IS NULL")
            self.tag_ids = dict(cursor.fetchall())
            cursor.execute('SELECT name, id FROM "group" WHERE NOT is_organization')
            self.group_ids = dict(cursor.fetchall())
        connection.close()
        self.generator = Generator(self.orgs, self.args.seed)
        log(f"fixtures: {len(self.orgs)} organisations ({len(OPD)} OPD + {len(KECAMATAN)} kecamatan), "
            f"{len(GROUPS)} groups, {len(vocabulary)} tags, user bench_member (editor of "
            f"{', '.join(MEMBER_ORGS)})")

    def dataset_count(self) -> int:
        return int(self.sql_scalar("SELECT count(*) FROM package WHERE state = 'active'"))

    def next_index(self) -> int:
        value = self.sql_scalar("SELECT max(substring(name from '-([0-9]{6})$')::int) FROM package")
        return 0 if value is None else int(value) + 1

    # -- building

    def bulk_insert(self, first: int, count: int) -> float:
        from psycopg2.extras import execute_values

        started = time.perf_counter()
        connection = self.raw()
        batch = 2000
        done = 0
        with connection.cursor() as cursor:
            while done < count:
                packages, extras, tags, resources, members = [], [], [], [], []
                for index in range(first + done, first + min(count, done + batch)):
                    ds = self.generator.dataset(index)
                    packages.append((ds.id, ds.name, ds.title, ds.notes, "active", ds.license_id, "dataset",
                                     ds.org.id, ds.private, ds.modified, self.admin_id, ds.created))
                    extras.append((str(uuid.uuid4()), "tingkat_penyajian", ds.level, "active", ds.id))
                    tags.extend((str(uuid.uuid4()), "active", ds.id, self.tag_ids[tag]) for tag in ds.tags)
                    resources.extend((res["id"], res["url"], res["format"], res["description"], res["position"],
                                      "", "active", res["name"], ds.created, ds.id, ds.created)
                                     for res in ds.resources)
                    members.append((str(uuid.uuid4()), ds.org.id, ds.id, "active", "package", "organization"))
                    members.extend((str(uuid.uuid4()), self.group_ids[group], ds.id, "active", "package", "public")
                                   for group in ds.groups)
                execute_values(cursor, "INSERT INTO package (id, name, title, notes, state, license_id, type, "
                               "owner_org, private, metadata_modified, creator_user_id, metadata_created) "
                               "VALUES %s", packages, page_size=1000)
                execute_values(cursor, "INSERT INTO package_extra (id, key, value, state, package_id) VALUES %s",
                               extras, page_size=1000)
                execute_values(cursor, "INSERT INTO package_tag (id, state, package_id, tag_id) VALUES %s",
                               tags, page_size=1000)
                execute_values(cursor, "INSERT INTO resource (id, url, format, description, position, hash, "
                               "state, name, created, package_id, metadata_modified) VALUES %s",
                               resources, page_size=1000)
                execute_values(cursor, "INSERT INTO member (id, group_id, table_id, state, table_name, capacity) "
                               "VALUES %s", members, page_size=1000)
                connection.commit()
                done = min(count, done + batch)
                if done % 10000 == 0 or done == count:
                    elapsed = time.perf_counter() - started
                    log(f"  bulk insert {done}/{count} ({done / elapsed:.0f} datasets/s)")
        connection.close()
        return time.perf_counter() - started

    def create_sample(self, result: SizeResult, first: int, warmup: int, sample: int) -> list[tuple[str, Dataset]]:
        created = []
        INDEXING["on"] = True
        for index in range(first, first + warmup):
            ds = self.generator.dataset(index)
            created.append((self.action("package_create", ds.action_dict())["id"], ds))
        block = self.args.block
        index = first + warmup
        on_notify = on_add = 0.0
        on_calls = 0
        search_s = {True: 0.0, False: 0.0}
        for block_number in range(sample // block):
            INDEXING["on"] = block_number % 2 == 1  # off, on, off, on, ...
            times = result.create_on_ms if INDEXING["on"] else result.create_off_ms
            for _ in range(block):
                ds = self.generator.dataset(index)
                index += 1
                data = ds.action_dict()
                METER.reset()
                started = time.perf_counter()
                pkg = self.action("package_create", data)
                times.append((time.perf_counter() - started) * 1000)
                # Searches made while creating (package_show looks datasets up in the index first).
                search_s[INDEXING["on"]] += METER.search_s
                if INDEXING["on"]:
                    on_notify += METER.notify_s
                    on_add += METER.add_s
                    on_calls += METER.add_calls
                created.append((pkg["id"], ds))
            self.model.Session.remove()
        INDEXING["on"] = True
        on = max(1, len(result.create_on_ms))
        result.notify_ms_per_create = on_notify * 1000 / on
        result.add_ms_per_create = on_add * 1000 / on
        result.add_calls_per_create = on_calls / on
        result.search_ms_per_create_on = search_s[True] * 1000 / on
        result.search_ms_per_create_off = search_s[False] * 1000 / max(1, len(result.create_off_ms))
        return created

    def fix_timestamps(self, created: list[tuple[str, Dataset]]) -> None:
        """package_create stamps `now`; give sampled datasets the spread of the others."""
        from psycopg2.extras import execute_values

        connection = self.raw()
        with connection.cursor() as cursor:
            execute_values(cursor, "UPDATE package AS p SET metadata_created = v.created, metadata_modified = "
                           "v.modified FROM (VALUES %s) AS v(id, created, modified) WHERE p.id = v.id",
                           [(pkg_id, ds.created, ds.modified) for pkg_id, ds in created])
        connection.commit()
        connection.close()

    def rebuild(self, package_ids: list[str], label: str, chunk: int = 2000) -> float:
        from ckan.lib import search

        started = time.perf_counter()
        for offset in range(0, len(package_ids), chunk):
            search.rebuild(package_ids=package_ids[offset:offset + chunk], defer_commit=True, quiet=True)
            self.model.Session.remove()
            done = min(len(package_ids), offset + chunk)
            if done % 5000 == 0 or done == len(package_ids):
                elapsed = time.perf_counter() - started
                log(f"  {label} {done}/{len(package_ids)} ({done / elapsed:.0f} datasets/s)")
        search.commit()
        return time.perf_counter() - started

    def all_ids(self) -> list[str]:
        connection = self.raw()
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM package WHERE state = 'active' ORDER BY metadata_created")
            ids = [row[0] for row in cursor.fetchall()]
        connection.close()
        return ids

    def grow(self, size: int) -> SizeResult | None:
        result = SizeResult(size)
        current = self.dataset_count()
        if current >= size:
            log(f"== {size}: the database already holds {current} datasets; skipping this size")
            return None
        log(f"== size {size}: growing from {current} datasets")
        room = size - current
        warmup = min(self.args.warmup, room // 10)
        block = self.args.block
        sample = min(self.args.sample, (room - warmup) // 2) // (2 * block) * (2 * block)
        bulk = room - warmup - sample
        first = self.next_index()
        if bulk:
            log(f"bulk-inserting {bulk} datasets with SQL (indexed below by CKAN's rebuild)")
            result.bulk_inserted = bulk
            result.bulk_s = self.bulk_insert(first, bulk)
            result.bulk_s += self.maintenance("ANALYZE package, package_extra, package_tag, resource, member, tag")
        # Index every dataset with CKAN's own rebuild (as `ckan search-index rebuild`): the indexing rate.
        to_index = self.all_ids()
        log(f"indexing all {len(to_index)} datasets with ckan.lib.search.rebuild")
        METER.reset()
        result.rebuild_n = len(to_index)
        result.rebuild_s = self.rebuild(to_index, "rebuild")
        result.rebuild_index_package_s = METER.index_package_s
        result.rebuild_add_s = METER.add_s
        result.rebuild_upsert_sql_s = METER.sql.get("upsert", 0.0)
        result.vacuum_s = self.maintenance("VACUUM ANALYZE paser_search_document")
        log(f"  {result.rebuild_n / result.rebuild_s:.0f} datasets/s; VACUUM ANALYZE {result.vacuum_s:.1f}s")
        # package_create with indexing off and on, alternating blocks at (almost) this size.
        log(f"package_create sample: {warmup} warm-up, then {sample} in blocks of {block} "
            f"alternating indexing off/on")
        started = time.perf_counter()
        created = self.create_sample(result, first + bulk, warmup, sample)
        log(f"  {len(created)} created in {time.perf_counter() - started:.1f}s: off {result.off_mean:.1f} ms, "
            f"on {result.on_mean:.1f} ms, overhead {result.overhead_pct:+.1f}% (medians "
            f"{result.overhead_median_pct:+.1f}%) "
            f"(indexing measured inside: {result.notify_ms_per_create:.1f} ms = "
            f"{result.overhead_direct_pct:.1f}%); index look-ups (search) inside create: off "
            f"{result.search_ms_per_create_off:.1f} ms, on {result.search_ms_per_create_on:.1f} ms")
        self.fix_timestamps(created)
        self.rebuild([pkg_id for pkg_id, _ in created], "re-index of the sample")
        self.maintenance("VACUUM ANALYZE paser_search_document")
        self.maintenance("ANALYZE package, package_extra, package_tag, resource, member")
        total = self.dataset_count()
        found = self.action("package_search", {"q": "*:*", "rows": 0, "include_private": True})["count"]
        log(f"  database {total} datasets, index answers {found} for *:* (sysadmin, include_private)")
        if found != total:
            log("  WARNING: index and database disagree")
        # package_show alone, the first half of every indexing step.
        ids = self.all_ids()
        rng = random.Random(size)
        show_ids = rng.sample(ids, min(len(ids), self.args.show_sample))
        started = time.perf_counter()
        for pkg_id in show_ids:
            self.action("package_show", {"id": pkg_id}, ignore_auth=True, validate=False, use_cache=False)
        result.show_only_s = time.perf_counter() - started
        result.show_only_n = len(show_ids)
        self.model.Session.remove()
        log(f"  package_show alone: {result.show_only_s * 1000 / result.show_only_n:.2f} ms/dataset "
            f"({result.show_only_n} datasets)")
        return result

    # -- latency

    def measure(self, size: int, kind: str, label: str, target: float | None,
                calls: list[tuple[str | None, dict[str, Any]]]) -> LatencyResult:
        warm = self.args.warm
        times, counts = [], []
        sql: dict[str, float] = {}
        backend = 0.0
        # The statements of the slowest timed repetition are kept for EXPLAIN: they explain the p95.
        slowest = -1.0
        statements: dict[str, Any] = {}
        for position, (user, data) in enumerate(calls):
            METER.reset()
            CAPTURE["on"] = True
            CAPTURE["last"] = {}
            started = time.perf_counter()
            response = self.action("package_search", dict(data), user=user)
            elapsed = (time.perf_counter() - started) * 1000
            CAPTURE["on"] = False
            if position < warm:
                continue
            if elapsed > slowest:
                slowest, statements = elapsed, dict(CAPTURE["last"])
            times.append(elapsed)
            counts.append(response["count"])
            backend += METER.search_s * 1000
            for key, value in METER.sql.items():
                sql[key] = sql.get(key, 0.0) + value * 1000
        n = max(1, len(times))
        CAPTURE["last"] = {}
        self.model.Session.remove()
        result = LatencyResult(size, kind, label, target, times, counts, {k: v / n for k, v in sql.items()},
                               backend / n, statements)
        sql_text = ", ".join(f"{k} {v:.1f}" for k, v in sorted(result.sql_ms.items()))
        log(f"  {label:<44} p50 {result.p50:7.1f} ms  p95 {result.p95:7.1f} ms  hits median "
            f"{statistics.median(counts):.0f} (min {min(counts)}, max {max(counts)});  SQL ms/query: {sql_text}")
        return result

    def latency(self, result: SizeResult) -> None:
        size = result.size
        rng = random.Random(size * 7)
        reps = self.args.reps + self.args.warm
        anonymous = ""
        facets = {"facet.field": FACET_FIELDS, "facet.limit": FACET_LIMIT}
        plain = {"rows": ROWS}
        org_levels = [(org.name, level) for org in self.orgs
                      for level in (("kecamatan", "desa") if org.is_kecamatan else ("kabupaten", "kecamatan", "desa"))]

        def texts() -> list[str]:
            return [rng.choice(TEXT_QUERIES) for _ in range(reps)]

        def months() -> list[str]:
            out = []
            for _ in range(reps):
                year, month = rng.randint(2016, 2026), rng.randint(1, 12)
                if (year, month) > (NOW.year, NOW.month - 1):
                    year -= 1
                first = dt.date(year, month, 1)
                last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
                out.append(f"metadata_modified:[{first.isoformat()}T00:00:00Z TO {last.isoformat()}T23:59:59Z]")
            return out

        def orgs_fq() -> list[str]:
            return [f"+organization:{org} +tingkat_penyajian:{level}"
                    for org, level in (rng.choice(org_levels) for _ in range(reps))]

        queries: list[tuple[str, str, float | None, list[tuple[str | None, dict[str, Any]]]]] = [
            ("faceted", "*:* with 6 facets (anonymous)", TARGET_FACETED_P95_MS,
             [(anonymous, {"q": "*:*", "start": rng.choice([0, 0, 20, 40, 60]), **plain, **facets})
              for _ in range(reps)]),
            ("text", "text query (anonymous)", TARGET_SELECTIVE_P95_MS,
             [(anonymous, {"q": q, **plain}) for q in texts()]),
            ("org_field", "fq organization + tingkat_penyajian", TARGET_SELECTIVE_P95_MS,
             [(anonymous, {"q": "*:*", "fq": fq, **plain}) for fq in orgs_fq()]),
            ("date_range", "date range, one month of metadata_modified", TARGET_SELECTIVE_P95_MS,
             [(anonymous, {"q": "*:*", "fq": fq, "sort": "metadata_modified desc", **plain}) for fq in months()]),
            ("private", "text query as org member, include_private", TARGET_SELECTIVE_P95_MS,
             [("bench_member", {"q": q, "include_private": True, **plain}) for q in texts()]),
        ]
        # The same selective queries as the search page sends them: with the 6 facets.
        queries += [
            (f"{kind}+facets", f"{label.split(' (')[0]} + 6 facets", None,
             [(user, {**data, **facets}) for user, data in calls])
            for kind, label, _target, calls in queries[1:]
        ]
        log(f"package_search latency at {size}: {self.args.reps} timed repetitions after {self.args.warm} "
            f"warm-up, rows={ROWS}")
        for kind, label, target, calls in queries:
            result.latency.append(self.measure(size, kind, label, target, calls))
        # The front page as visitors load it again and again: the same query with the per-process
        # result cache on (valid until the index changes), next to the engine figures above.
        from ckan.common import config as ckan_config

        ckan_config["ckanext.paser.search.cache_size"] = 256
        try:
            kind, label, target, calls = queries[0]
            result.latency.append(self.measure(size, "faceted_cached", f"{label.split(' (')[0]} (result cache on)",
                                               target, calls))
        finally:
            ckan_config["ckanext.paser.search.cache_size"] = 0
        # Baselines in the same run.
        result.latency.append(self.baseline_sql(size))
        result.latency.append(self.baseline_show(size))
        # The private-member query sees private datasets of the member's organisations.
        member_private = self.action("package_search", {"q": "*:*", "fq": "+capacity:private",
                                                        "include_private": True, "rows": 0}, user="bench_member")
        result.private_visible = member_private["count"]
        result.private_total = self.action("package_search", {"q": "*:*", "fq": "+capacity:private",
                                                              "include_private": True, "rows": 0})["count"]
        expected = self.sql_scalar(
            "SELECT count(*) FROM package AS p JOIN \"group\" AS g ON g.id = p.owner_org WHERE p.private "
            "AND p.state = 'active' AND g.name IN (" + ", ".join(f"'{name}'" for name in MEMBER_ORGS) + ")")
        if expected != result.private_visible:
            log(f"  WARNING: bench_member should see {expected} private datasets, search returns "
                f"{result.private_visible}")
        sample_q = "penduduk"
        anon = self.action("package_search", {"q": sample_q, "rows": 0}, user="")["count"]
        member = self.action("package_search", {"q": sample_q, "rows": 0, "include_private": True},
                             user="bench_member")["count"]
        log(f"  private check: bench_member sees {result.private_visible} of {result.private_total} private "
            f"datasets; '{sample_q}': anonymous {anon} hits, bench_member {member}")

    def baseline_sql(self, size: int) -> LatencyResult:
        times = []
        counts = []
        with self.model.meta.engine.connect() as connection:
            import sqlalchemy as sa

            for position in range(self.args.reps + self.args.warm):
                started = time.perf_counter()
                value = connection.execute(sa.text("SELECT count(*) FROM package WHERE state = 'active'")).scalar()
                elapsed = (time.perf_counter() - started) * 1000
                if position >= self.args.warm:
                    times.append(elapsed)
                    counts.append(int(value))
        result = LatencyResult(size, "baseline_sql", "baseline: SELECT count(*) FROM package", None, times,
                               counts, {}, 0.0, {})
        log(f"  {result.label:<44} p50 {result.p50:7.1f} ms  p95 {result.p95:7.1f} ms")
        return result

    def baseline_show(self, size: int) -> LatencyResult:
        connection = self.raw()
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM package WHERE state = 'active' AND NOT private "
                           "ORDER BY md5(name) LIMIT %s", (self.args.reps + self.args.warm,))
            names = [row[0] for row in cursor.fetchall()]
        connection.close()
        times = []
        for position, name in enumerate(names):
            started = time.perf_counter()
            self.action("package_show", {"id": name}, user="")
            elapsed = (time.perf_counter() - started) * 1000
            if position >= self.args.warm:
                times.append(elapsed)
        self.model.Session.remove()
        result = LatencyResult(size, "baseline_show", "baseline: package_show (anonymous)", None, times,
                               [1] * len(times), {}, 0.0, {})
        log(f"  {result.label:<44} p50 {result.p50:7.1f} ms  p95 {result.p95:7.1f} ms")
        return result

    # -- EXPLAIN

    def explain(self, latency: LatencyResult) -> str:
        lines = [(f"-- {latency.label} at {latency.size} datasets (statements of the slowest repetition, "
                  f"{max(latency.times_ms):.1f} ms)")]
        connection = self.raw()
        try:
            with connection.cursor() as cursor:
                for kind in ("count", "docs", "facets"):
                    if kind not in latency.statements:
                        continue
                    statement, parameters = latency.statements[kind]
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                    plan = [row[0] for row in cursor.fetchall()]
                    lines.append(f"-- {kind} statement:")
                    lines.append(cursor.mogrify(statement, parameters).decode()[:1500])
                    lines.append(f"-- plan ({kind}):")
                    lines.extend(plan)
            connection.rollback()
        finally:
            connection.close()
        return "\n".join(lines)

    # -- report

    def report(self, results: list[SizeResult]) -> dict[str, Any]:
        print()
        print("=" * 100)
        print(f"Machine: {machine(memory=True)}; {postgres_settings(self)}")
        print(f"1-minute load average during the run: {benchlib.load_range(benchlib.load_stats())} "
              "(2 cores: above ~2 the figures are inflated)")
        print()
        print(f"Code: {self.code}; HEAD {git('rev-parse', '--short', 'HEAD')}")
        if code_version() != self.code:
            print(f"WARNING: the search backend changed during the run (this process kept the code it "
                  f"loaded at the start); now {code_version()}")
        print()
        print("package_create, timed in alternating blocks with indexing off and on (ms per dataset)")
        print()
        print("| datasets | indexing off: mean (p50) | indexing on: mean (p50) | overhead: means / medians "
              "| indexing measured inside create (share of the rest) | of which paser add | add calls per create "
              "| index look-ups (search) inside create, off / on |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in results:
            print(f"| {r.size:,} | {r.off_mean:.1f} ({percentile(r.create_off_ms, 50):.1f}), n={len(r.create_off_ms)} "
                  f"| {r.on_mean:.1f} ({percentile(r.create_on_ms, 50):.1f}), n={len(r.create_on_ms)} "
                  f"| {r.overhead_pct:+.1f}% / {r.overhead_median_pct:+.1f}% "
                  f"| {r.notify_ms_per_create:.1f} ms = {r.overhead_direct_pct:.1f}% "
                  f"| {r.add_ms_per_create:.1f} ms | {r.add_calls_per_create:.1f} "
                  f"| {r.search_ms_per_create_off:.1f} / {r.search_ms_per_create_on:.1f} |")
        print()
        print("Indexing every dataset with CKAN's rebuild (ckan.lib.search.rebuild), ms per dataset")
        print()
        print("| datasets | rate | total | package_show (in rebuild) | CKAN document build | paser add "
              "| of which SQL upsert | package_show alone (sample) | package_create, indexing off (rate) |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in results:
            per = 1000 / max(1, r.rebuild_n)
            build = (r.rebuild_index_package_s - r.rebuild_add_s) * per
            show = (r.rebuild_s - r.rebuild_index_package_s) * per
            print(f"| {r.rebuild_n:,} | {r.rebuild_n / r.rebuild_s:.0f} datasets/s | {r.rebuild_s * per:.2f} "
                  f"| {show:.2f} | {build:.2f} | {r.rebuild_add_s * per:.2f} | {r.rebuild_upsert_sql_s * per:.2f} "
                  f"| {r.show_only_s * 1000 / max(1, r.show_only_n):.2f} (n={r.show_only_n}) "
                  f"| {r.off_mean:.1f} ({1000 / r.off_mean:.0f} datasets/s) |")
        print()
        print("package_search latency, warm (ms)")
        print()
        print("| datasets | query | p50 | p95 | target p95 | met | hits median (min-max) | backend ms "
              "(SQL: count / docs / facets / term look-up) |")
        print("|---:|---|---:|---:|---:|:---:|---|---|")
        for r in results:
            for lat in r.latency:
                target = f"{lat.target_ms:.0f}" if lat.target_ms else "-"
                met = "-" if lat.met is None else ("yes" if lat.met else "**NO**")
                hits = (f"{statistics.median(lat.counts):.0f} ({min(lat.counts)}-{max(lat.counts)})"
                        if lat.kind not in ("baseline_show",) else "1")
                backend = (f"{lat.backend_ms:.1f} ({lat.sql_ms.get('count', 0):.1f} / {lat.sql_ms.get('docs', 0):.1f}"
                           f" / {lat.sql_ms.get('facets', 0):.1f} / {lat.sql_ms.get('other', 0):.1f})"
                           if lat.sql_ms else "-")
                print(f"| {r.size:,} | {lat.label} | {lat.p50:.1f} | {lat.p95:.1f} | {target} | {met} | {hits} "
                      f"| {backend} |")
        largest = results[-1]
        print()
        print(f"Targets at {largest.size:,} datasets:")
        # Judged on the A/B comparison the issue asks for, with medians (robust to the outliers a shared
        # machine produces). The time measured inside the indexed creates is shown for diagnosis: it
        # overstates, since indexing's package_show warms the session for the create's later reads.
        overhead_met = largest.overhead_median_pct <= TARGET_OVERHEAD_PCT
        checks = [(f"indexing overhead <= {TARGET_OVERHEAD_PCT:.0f}%",
                   (f"{largest.overhead_median_pct:+.1f}% (on/off medians; means {largest.overhead_pct:+.1f}%), "
                    f"{largest.overhead_direct_pct:.1f}% measured inside package_create"), overhead_met)]
        for lat in largest.latency:
            if lat.target_ms is not None:
                checks.append((f"{lat.label}: p95 <= {lat.target_ms:.0f} ms", f"{lat.p95:.1f} ms", bool(lat.met)))
        for what, value, met in checks:
            print(f"  [{'MET' if met else 'MISSED'}] {what}: {value}")
        missed = [lat for lat in largest.latency if lat.met is False]
        if self.args.explain:
            missed = [lat for lat in largest.latency if lat.statements]
        for lat in missed:
            print()
            print(self.explain(lat))
        return {
            "machine": machine(memory=True), "postgres": postgres_settings(self), "code": self.code,
            "load_average": benchlib.load_stats(),
            "sizes": [
                {
                    "size": r.size, "bulk_inserted": r.bulk_inserted, "bulk_s": r.bulk_s,
                    "create_off_ms_mean": r.off_mean, "create_on_ms_mean": r.on_mean,
                    "create_off_ms_p50": percentile(r.create_off_ms, 50),
                    "create_on_ms_p50": percentile(r.create_on_ms, 50),
                    "overhead_pct": r.overhead_pct, "overhead_median_pct": r.overhead_median_pct,
                    "overhead_direct_pct": r.overhead_direct_pct,
                    "notify_ms_per_create": r.notify_ms_per_create, "add_ms_per_create": r.add_ms_per_create,
                    "search_ms_per_create_off": r.search_ms_per_create_off,
                    "search_ms_per_create_on": r.search_ms_per_create_on,
                    "add_calls_per_create": r.add_calls_per_create, "rebuild_n": r.rebuild_n,
                    "rebuild_s": r.rebuild_s, "rebuild_index_package_s": r.rebuild_index_package_s,
                    "rebuild_add_s": r.rebuild_add_s, "rebuild_upsert_sql_s": r.rebuild_upsert_sql_s,
                    "vacuum_s": r.vacuum_s, "show_only_ms": r.show_only_s * 1000 / max(1, r.show_only_n),
                    "private_visible": r.private_visible, "private_total": r.private_total,
                    "latency": [{"kind": lat.kind, "label": lat.label, "p50": lat.p50, "p95": lat.p95,
                                 "target": lat.target_ms, "met": lat.met,
                                 "hits_median": statistics.median(lat.counts), "hits_min": min(lat.counts),
                                 "hits_max": max(lat.counts), "backend_ms": lat.backend_ms, "sql_ms": lat.sql_ms}
                                for lat in r.latency],
                }
                for r in results
            ],
        }

    def run(self) -> int:
        # Two runs on one database destroy each other's figures (and a recreate ends the other run).
        self.lock = benchlib.hold_lock("bench_search", "benchmark", record_pid=True)
        sizes = sorted(self.args.sizes)
        self.code = code_version()
        log(f"measuring {self.code}")
        if not self.args.reuse:
            set_up_database(self.ini)
        self.load()
        self.fixtures()
        results = []
        for size in sizes:
            result = self.grow(size)
            if result is None:
                continue
            self.latency(result)
            results.append(result)
        if not results:
            log("nothing measured")
            return 1
        benchlib.finish(self.report(results), self.args.json)
        return 0


BACKEND_PATHS = ("ckanext-paser/ckanext/paser/search", "ckanext-paser/ckanext/paser/migration")


def code_version() -> str:
    """The search backend measured: its last commit, and whether the work tree differs from it."""
    changed = git("status", "--porcelain", "--", *BACKEND_PATHS)
    state = "as committed" if not changed else "modified: " + ", ".join(line[3:] for line in changed.splitlines())
    return f"search backend at commit {git('log', '-1', '--format=%h', '--', *BACKEND_PATHS)} ({state})"


def postgres_settings(bench: Bench) -> str:
    names = ["server_version", "shared_buffers", "work_mem", "effective_cache_size", "jit", "synchronous_commit"]
    values = [f"{name}={bench.sql_scalar(f'SHOW {name}')}" for name in names]
    return "PostgreSQL " + ", ".join(values)


def main(argv: list[str] | None = None) -> int:
    parser = benchlib.arg_parser(__doc__)
    parser.add_argument("--sizes", default="10000,50000",
                        type=lambda text: [int(part) for part in text.split(",") if part.strip()],
                        help="dataset counts to measure at, ascending, growing one database (default 10000,50000)")
    parser.add_argument("--ini", default=str(DEFAULT_INI), help="CKAN config (default config/bench.ini)")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the existing bench database and grow it (default: drop and recreate)")
    parser.add_argument("--sample", type=int, default=1000,
                        help="package_create calls timed per size, half with indexing off (default 1000)")
    parser.add_argument("--block", type=int, default=25, help="size of the alternating off/on blocks (default 25)")
    parser.add_argument("--warmup", type=int, default=20, help="package_create warm-up calls per size (default 20)")
    parser.add_argument("--show-sample", type=int, default=2000,
                        help="datasets read with package_show alone per size (default 2000)")
    parser.add_argument("--reps", type=int, default=50, help="timed repetitions per query kind (default 50)")
    parser.add_argument("--warm", type=int, default=5, help="untimed warm-up repetitions per query kind (default 5)")
    parser.add_argument("--seed", type=int, default=6401, help="data generator seed (default 6401)")
    parser.add_argument("--explain", action="store_true",
                        help="print EXPLAIN ANALYZE for every query kind, not only for missed targets")
    parser.add_argument("--json", help="also write the figures as JSON to this file")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    return Bench(args).run()


if __name__ == "__main__":
    sys.exit(main())
