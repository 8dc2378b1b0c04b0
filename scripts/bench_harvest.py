#!/usr/bin/env python3
"""Benchmark of the harvesters (issue 5). Not a test: it prints figures.

In one run, against remote sources served by this script on 127.0.0.1:

* a CKAN 2.11 Satu Data portal of 2,000 datasets (action API ``package_search`` paged with rows/start like CKAN,
  datasets carrying the Satu Data fields at top level as a scheming portal returns them), harvested by the stock
  ``ckan`` harvester and by ``paser_ckan`` (the Paser mapping), alternating stock, paser, stock, paser, each into a
  fresh database: gather, fetch + import and the total, datasets per second, medians;
* a BPS WebAPI of 200 variables (the paged variable list and a dynamic table per variable), harvested by ``bps``
  in full, then again unchanged (every variable "not modified").

Each harvest runs in its own process (this script with ``--child``), in process as the tests do it (gather_stage,
then fetch_and_import_stages for every object, then harvest_jobs_run), on a database copied from a template
made once with ``ckan db init`` (ckan_paser_bench_harvest_tpl → ckan_paser_bench_harvest), redis db 10 and a
temporary storage folder, with an ini in a temporary folder that chains config/common.ini (the real plugin list).
The consistency checks are left out (no ``paser_checks`` plugin): their jobs run in background workers,
not in the harvest. The remote server runs in the parent process, so it takes no time from the harvest's
interpreter. Run it from the repository root:

    .venv/bin/python scripts/bench_harvest.py              # 2,000 datasets x 2 runs each, 200 variables
    .venv/bin/python scripts/bench_harvest.py --quick      # 100 datasets x 1 run each, 20 variables

See docs/performance.md ("Harvesters (issue 5)").
"""
from __future__ import annotations

import argparse
import csv
import http.server
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import benchlib
from benchlib import LOADS, ROOT, START, git, log, machine, median

REFERENCE = ROOT / "ckanext-paser" / "ckanext" / "paser" / "reference" / "data"
TEMPLATE_DB = "ckan_paser_bench_harvest_tpl"
DATABASE = "ckan_paser_bench_harvest"
DB_ROLE = "ckan_paser"
REDIS_DB = 10
BPS_KEY = "kunci-bench-6401"
BPS_PER_PAGE = 10
TARGET_SLOWER_PCT = 10.0
OTHER_BENCHMARKS = ("bench_checks.py", "bench_search.py")


# ---------------------------------------------------------------------------------------------
# Reference data: kecamatan and desa (wilayah.csv), OPD and their urusan (opd.csv, opd_urusan.csv).


def _rows(name: str) -> list[dict[str, str]]:
    with open(REFERENCE / name, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


WILAYAH = _rows("wilayah.csv")
KECAMATAN = [(row["kode_kemendagri"], row["nama"], row["kode_bps"]) for row in WILAYAH if row["tingkat"] == "kecamatan"]
DESA = {code: [row["nama"] for row in WILAYAH if row["kode_induk"] == code] for code, _, _ in KECAMATAN}
URUSAN = {row["singkatan"]: row["urusan"].split() for row in _rows("opd_urusan.csv")}
OPD = [(row["singkatan"], row["nama"]) for row in _rows("opd.csv")]
assert len(KECAMATAN) == 10

# Topics per OPD (singkatan → (title, unit, frequency)); the remote portal publishes them per kecamatan and year.
TOPICS: dict[str, list[tuple[str, str]]] = {
    "Diskominfostaper": [("Jumlah Menara Telekomunikasi", "unit"), ("Jumlah Titik Akses Internet Publik", "titik")],
    "Bappedalitbang": [("Indeks Pembangunan Manusia", "indeks"), ("Realisasi Program Pembangunan", "persen")],
    "Disdik": [("Jumlah Sekolah Dasar dan Murid", "unit"), ("Angka Partisipasi Murni SMP", "persen"),
               ("Jumlah Guru Menurut Jenjang", "orang")],
    "Dinkes": [("Jumlah Kasus Stunting Balita", "kasus"), ("Jumlah Tenaga Kesehatan Puskesmas", "orang"),
               ("Cakupan Imunisasi Dasar Lengkap", "persen")],
    "Disnaker": [("Jumlah Pencari Kerja Terdaftar", "orang")],
    "DPMD": [("Status Indeks Desa Membangun", "indeks"), ("Realisasi Dana Desa", "rupiah")],
    "Disdukcapil": [("Jumlah Penduduk Menurut Jenis Kelamin", "jiwa"), ("Kepemilikan Akta Kelahiran", "persen")],
    "Setda": [("Jumlah Aparatur Sipil Negara", "orang")],
    "Inspektorat": [("Jumlah Temuan Pemeriksaan", "temuan")],
    "DPUTR": [("Panjang Jalan Kabupaten Menurut Kondisi", "km"), ("Jumlah Jembatan", "unit")],
    "Dinsos": [("Jumlah Penerima Bantuan Sosial", "keluarga"), ("Jumlah Penyandang Disabilitas", "orang")],
    "DLH": [("Volume Sampah Terangkut", "ton"), ("Jumlah Bank Sampah", "unit")],
    "Dishub": [("Jumlah Kendaraan Angkutan Umum", "unit")],
    "Distan": [("Luas Panen dan Produksi Padi", "ton"), ("Produksi Kelapa Sawit Perkebunan Rakyat", "ton"),
               ("Populasi Ternak Sapi", "ekor")],
    "DPMPTSP": [("Jumlah Izin Usaha Terbit", "izin")],
    "BPKAD": [("Realisasi Pendapatan Asli Daerah", "rupiah")],
    "BPBD": [("Jumlah Kejadian Bencana Banjir", "kejadian")],
    "BPS Paser": [("Persentase Penduduk Miskin", "persen"), ("Luas Wilayah dan Jumlah Desa", "km2")],
}
# Remote organisations: Paser OPD as a provincial portal names them, and provincial agencies (no local match).
PROVINCIAL = [("dinkes-kaltim", "Dinas Kesehatan Provinsi Kalimantan Timur"),
              ("disdikbud-kaltim", "Dinas Pendidikan dan Kebudayaan Provinsi Kalimantan Timur"),
              ("bps-kaltim", "BPS Provinsi Kalimantan Timur")]
FREQUENCIES = [("tahunan", "Tahunan"), ("semesteran", "Semesteran"), ("triwulanan", "Triwulanan"),
               ("bulanan", "Bulanan")]
FORMATS = [("CSV", "csv", "text/csv"), ("XLSX", "xlsx",
                                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
           ("PDF", "pdf", "application/pdf"), ("JSON", "json", "application/json")]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def remote_organizations(rng: random.Random) -> list[dict[str, Any]]:
    orgs = []
    for singkatan, nama in OPD:
        title = nama if singkatan == "BPS Paser" else f"{nama} Kabupaten Paser"
        orgs.append({"singkatan": singkatan, "id": _uuid(rng), "name": _slug(f"{singkatan}-paser"), "title": title})
    for name, title in PROVINCIAL:
        orgs.append({"singkatan": None, "id": _uuid(rng), "name": name, "title": title})
    return orgs


def ckan_datasets(count: int, base_url: str, seed: int) -> list[dict[str, Any]]:
    """``count`` datasets of a CKAN 2.11 Satu Data portal as its package_search returns them (sorted by id)."""
    rng = random.Random(seed)
    orgs = remote_organizations(rng)
    created0 = datetime(2021, 3, 1, 2, 0, 0)
    datasets = []
    names: Counter = Counter()
    for index in range(count):
        org = orgs[index % len(orgs)] if index % 8 else orgs[rng.randrange(len(orgs))]
        singkatan = org["singkatan"] or rng.choice(list(TOPICS))
        topic, unit = rng.choice(TOPICS[singkatan])
        year = rng.randint(2018, 2025)
        shape = rng.random()
        if shape < 0.45:  # one kecamatan
            kecamatan = [rng.choice(KECAMATAN)]
            title = f"{topic} Kecamatan {kecamatan[0][1]} Tahun {year}"
            start = end = year
        elif shape < 0.8:  # every kecamatan
            kecamatan = list(KECAMATAN)
            start = year - rng.randint(1, 4)
            end = year
            title = f"{topic} Menurut Kecamatan di Kabupaten Paser {start}-{end}"
        else:  # the regency as a whole
            kecamatan = []
            start = end = year
            title = f"{topic} Kabupaten Paser {year}"
        names[_slug(title)] += 1
        name = _slug(title) + (f"-{names[_slug(title)]}" if names[_slug(title)] > 1 else "")
        desa = [d for code, _, _ in kecamatan[:2] for d in DESA[code][:3]]
        notes = (f"Data {topic.lower()} ({unit}) yang dihimpun oleh {org['title']} dari laporan "
                 + (f"kecamatan {', '.join(k[1] for k in kecamatan)}" if kecamatan else "tingkat kabupaten")
                 + (f", termasuk desa {', '.join(desa)}" if desa else "")
                 + f", periode {start}" + (f" sampai {end}" if end != start else "")
                 + ". Data diverifikasi oleh walidata Diskominfostaper sebelum dipublikasikan.")
        frequency, frekuensi = rng.choice(FREQUENCIES)
        created = created0 + timedelta(minutes=rng.randint(0, 2_000_000))
        modified = created + timedelta(minutes=rng.randint(0, 200_000))
        dataset_id = _uuid(rng)
        tags = sorted({_slug(word) for word in rng.sample(["statistik", "kecamatan", "paser", "tahunan",
                                                            topic.split()[-1], topic.split()[1], unit,
                                                            "satu-data", "opd", "kaltim"], rng.randint(2, 5))})
        resources = []
        for position in range(rng.randint(1, 3)):
            fmt, ext, mimetype = FORMATS[0] if position == 0 else rng.choice(FORMATS)
            resource_id = _uuid(rng)
            label = kecamatan[0][1] if len(kecamatan) == 1 else "per kecamatan" if kecamatan else "Kabupaten Paser"
            resources.append({
                "id": resource_id, "package_id": dataset_id, "position": position,
                "name": f"{topic} {label} {end}" + (f" ({fmt})" if position else ""),
                "description": f"Tabel {topic.lower()} dalam format {fmt}.", "format": fmt, "mimetype": mimetype,
                "url": f"{base_url}/dataset/{dataset_id}/resource/{resource_id}/download/{name}-{position}.{ext}",
                "url_type": "upload", "size": rng.randint(2_000, 400_000), "hash": "", "state": "active",
                "created": created.isoformat(), "last_modified": modified.isoformat(),
                "metadata_modified": modified.isoformat(), "datastore_active": fmt == "CSV",
                "cache_url": None, "cache_last_updated": None, "kolom_periode": "Tahun", "kolom_nilai": unit,
                "satuan": unit,
            })
        datasets.append({
            "id": dataset_id, "name": name[:100], "title": title, "notes": notes, "type": "dataset",
            "state": "active", "private": False, "version": "", "url": "",
            "author": org["title"], "author_email": "", "maintainer": "Admin Satu Data Paser",
            "maintainer_email": "satudata@paserkab.go.id",
            "license_id": "cc-by", "license_title": "Creative Commons Attribution",
            "license_url": "http://www.opendefinition.org/licenses/cc-by", "isopen": True,
            "metadata_created": created.isoformat(), "metadata_modified": modified.isoformat(),
            "creator_user_id": "e7a1c3d5-9b2f-4e6a-8c0d-1f3b5d7e9a20",
            "owner_org": org["id"],
            "organization": {"id": org["id"], "name": org["name"], "title": org["title"], "type": "organization",
                             "description": "", "image_url": "", "created": "2021-06-14T02:11:09.512334",
                             "is_organization": True, "approval_status": "approved", "state": "active"},
            # The Satu Data fields of a CKAN 2.11 scheming portal, at top level as package_show returns them.
            "walidata": "Diskominfostaper",
            "jenis_data": "statistik",
            "klasifikasi": "terbuka",
            "tingkat_penyajian": "kecamatan" if kecamatan else "kabupaten",
            "cakupan_kecamatan": [code for code, _, _ in kecamatan],
            "temporal_coverage": [{"start": str(start), "end": str(end)}],
            "frequency": frequency,
            "urusan": URUSAN.get(singkatan, [])[:1],
            "konsep": f"{topic} menurut wilayah administrasi.",
            "definisi": f"Banyaknya {topic.lower()} yang tercatat pada akhir periode.",
            "satuan": unit,
            "ukuran": "Jumlah" if unit != "persen" else "Persentase",
            "sumber_data": org["title"],
            "metode_pengumpulan": "administrasi",
            "contact": [{"name": "Admin Satu Data", "email": "satudata@paserkab.go.id"}],
            "num_tags": len(tags), "num_resources": len(resources),
            "tags": [{"id": _uuid(rng), "name": tag, "display_name": tag, "state": "active",
                      "vocabulary_id": None} for tag in tags],
            "groups": [],
            "extras": [{"key": "Frekuensi", "value": frekuensi}, {"key": "Tahun", "value": str(end)},
                       {"key": "Kode Wilayah", "value": kecamatan[0][0] if len(kecamatan) == 1 else "64.01"}],
            "relationships_as_object": [], "relationships_as_subject": [],
            "resources": resources,
        })
    datasets.sort(key=lambda dataset: dataset["id"])
    return datasets


# ---------------------------------------------------------------------------------------------
# BPS WebAPI: the paged variable list and a dynamic table per variable (shapes of tests/harvesters/fixtures/bps).

BPS_SUBJECTS = [(12, "Kependudukan"), (53, "Tanaman Pangan"), (30, "Kesehatan"), (28, "Pendidikan"),
                (23, "Kemiskinan"), (6, "Tenaga Kerja"), (17, "Perhubungan"), (13, "Pemerintahan")]
BPS_TOPICS = ["Jumlah Penduduk", "Luas Panen Padi Sawah", "Jumlah Puskesmas", "Jumlah Sekolah Dasar",
              "Jumlah Rumah Tangga Miskin", "Jumlah Angkatan Kerja", "Panjang Jalan", "Jumlah Desa",
              "Produksi Jagung", "Jumlah Posyandu", "Jumlah Murid SMP", "Jumlah Tenaga Kesehatan"]
BPS_UNITS = ["Jiwa", "Hektar", "Unit", "Unit", "Rumah Tangga", "Orang", "Km", "Desa", "Ton", "Unit", "Orang",
             "Orang"]


def bps_variables(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed + 5)
    variables = []
    for index in range(count):
        topic = index % len(BPS_TOPICS)
        sub_id, sub_name = BPS_SUBJECTS[topic % len(BPS_SUBJECTS)]
        variables.append({
            "var_id": 1000 + index, "title": f"{BPS_TOPICS[topic]} Menurut Kecamatan (seri {index // 12 + 1})",
            "sub_id": sub_id, "sub_name": sub_name, "subcsa_id": 1, "subcsa_name": "Statistik Demografi dan Sosial",
            "def": f"{BPS_TOPICS[topic]} yang tercatat di setiap kecamatan pada akhir tahun.",
            "notes": "<p>Sumber: BPS Kabupaten Paser.</p>" if rng.random() < 0.5 else "",
            "vertical": 8, "unit": BPS_UNITS[topic], "graph_id": 0, "graph_name": "Tidak Ada",
            "_turvar": index % 4 == 0, "_years": rng.randint(3, 6), "_seed": rng.getrandbits(32)})
    return variables


def bps_list_page(variables: list[dict[str, Any]], page: int) -> dict[str, Any]:
    pages = max(1, -(-len(variables) // BPS_PER_PAGE))
    items = variables[(page - 1) * BPS_PER_PAGE:page * BPS_PER_PAGE]
    return {"status": "OK", "data-availability": "available",
            "data": [{"page": page, "pages": pages, "per_page": BPS_PER_PAGE, "count": len(items),
                      "total": len(variables)},
                     [{key: value for key, value in item.items() if not key.startswith("_")} for item in items]]}


def bps_table(variable: dict[str, Any]) -> dict[str, Any]:
    rng = random.Random(variable["_seed"])
    var_id = variable["var_id"]
    vervar = [{"val": int(bps), "label": name} for _, name, bps in KECAMATAN] + [{"val": 6401, "label": "Paser"}]
    turvar = ([{"val": 1, "label": "Laki-laki"}, {"val": 2, "label": "Perempuan"}] if variable["_turvar"]
              else [{"val": 0, "label": "Tidak ada"}])
    years = list(range(2025 - variable["_years"], 2025))
    tahun = [{"val": year - 1900, "label": str(year)} for year in years]
    content: dict[str, Any] = {}
    for tv in turvar:
        for th in tahun:
            total = 0
            for vv in vervar[:-1]:
                value = rng.randint(10, 50_000)
                total += value
                content[f"{vv['val']}{var_id}{tv['val']}{th['val']}0"] = value
            content[f"6401{var_id}{tv['val']}{th['val']}0"] = total
    return {"status": "OK", "data-availability": "available", "last_update": "2025-02-27 10:15:02",
            "subject": [{"val": variable["sub_id"], "label": variable["sub_name"]}],
            "var": [{"val": var_id, "label": variable["title"], "unit": variable["unit"], "subj": variable["sub_name"],
                     "def": variable["def"], "decimal": "0", "note": ""}],
            "turvar": turvar, "labelvervar": "Kecamatan", "vervar": vervar, "tahun": tahun,
            "turtahun": [{"val": 0, "label": "Tahun"}], "datacontent": content, "related": []}


# ---------------------------------------------------------------------------------------------
# The remote server (threaded, in the parent process)


class Remote:
    def __init__(self, datasets: int, variables: int, seed: int) -> None:
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.datasets = ckan_datasets(datasets, self.base_url, seed)
        self.variables = bps_variables(variables, seed)
        self.by_var = {str(v["var_id"]): v for v in self.variables}
        self.requests: Counter = Counter()
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def search_page(self, query: str) -> bytes:
        start = int(m.group(1)) if (m := re.search(r"(?:^|&)start=(\d+)", query)) else 0
        rows = min(1000, int(m.group(1)) if (m := re.search(r"(?:^|&)rows=(\d+)", query)) else 10)
        return json.dumps({"help": f"{self.base_url}/api/3/action/help_show?name=package_search", "success": True,
                           "result": {"count": len(self.datasets), "facets": {},
                                      "results": self.datasets[start:start + rows], "sort": "id asc",
                                      "search_facets": {}}}).encode()

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        remote = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                path, _, query = self.path.partition("?")
                if path == "/api/3/action/package_search":
                    remote.requests["package_search"] += 1
                    return self._send(200, remote.search_page(query), "application/json;charset=utf-8")
                if (m := re.search(r"/v1/api/list/model/var/lang/\w+/domain/6401/page/(\d+)/key/([^/]+)/", path)):
                    remote.requests["bps_list"] += 1
                    return self._send(200, json.dumps(bps_list_page(remote.variables, int(m.group(1)))).encode(),
                                      "application/json")
                if (m := re.search(r"/v1/api/list/model/data/lang/\w+/domain/6401/var/(\d+)/key/([^/]+)/", path)):
                    remote.requests["bps_table"] += 1
                    variable = remote.by_var.get(m.group(1))
                    if variable is None or m.group(2) != BPS_KEY:
                        return self._send(200, b'{"status":"Error","message":"Not found"}', "application/json")
                    return self._send(200, json.dumps(bps_table(variable)).encode(), "application/json")
                if "/download/" in path:
                    remote.requests["download"] += 1
                    return self._send(200, b"Kecamatan,Tahun,Nilai\nKuaro,2024,1\n", "text/csv")
                self._send(404, b'{"success": false, "error": {"message": "Not found"}}', "application/json")

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


# ---------------------------------------------------------------------------------------------
# Database, configuration

def bench_ini(folder: Path, database: str) -> Path:
    return benchlib.write_ini(
        folder / f"{database}.ini", folder / f"storage-{database}", script="bench_harvest", chained="plugins, schemas",
        role=DB_ROLE, database=database, redis_db=REDIS_DB, ckanext_level="ERROR",
        settings="# Figures checks run in background workers, not in the harvest: left out of the measured figures.\n"
                 + benchlib.plugins_without("paser_checks"))


def make_template(ini: Path) -> None:
    log(f"creating the template database {TEMPLATE_DB} (owner {DB_ROLE})")
    benchlib.psql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    benchlib.recreate_database(TEMPLATE_DB, DB_ROLE)
    benchlib.ckan_db_init(ini)


def fresh_database() -> None:
    benchlib.recreate_database(DATABASE, DB_ROLE, template=TEMPLATE_DB)
    benchlib.flush_redis(REDIS_DB)


NO_WAIT = False


def wait_for_other_benchmarks() -> float:
    """Wait while bench_checks.py or bench_search.py runs (unless --no-wait); returns the seconds waited."""
    return 0.0 if NO_WAIT else benchlib.wait_for_benchmarks(OTHER_BENCHMARKS, 30)


# ---------------------------------------------------------------------------------------------
# The child: one harvest (or the BPS pair) in its own CKAN process


class Child:
    def __init__(self, ini: str) -> None:
        self.app, self.request = benchlib.load_ckan(ini)
        import ckan.plugins.toolkit as tk
        from ckan import model

        self.tk, self.model = tk, model
        from ckan import plugins

        if plugins.plugin_loaded("paser_checks"):
            sys.exit("the consistency checks (paser_checks) must be left out for this benchmark")
        self.site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        from ckanext.paser.harvesters.base import ensure_reference_organization

        self.owner = ensure_reference_organization("diskominfostaper")
        self.model.Session.remove()

    def source(self, url: str, source_type: str, config: dict[str, Any] | None) -> Any:
        from ckanext.harvest.model import HarvestSource

        created = self.tk.get_action("harvest_source_create")(
            {"user": self.site_user, "ignore_auth": True},
            {"name": f"bench-{source_type}", "title": f"Bench {source_type}", "url": url, "source_type": source_type,
             "owner_org": self.owner, "config": json.dumps(config) if config else ""})
        return HarvestSource.get(created["id"])

    def harvest(self, source: Any, mapping_timer: dict[str, float] | None = None) -> dict[str, Any]:
        from ckanext.harvest import queue
        from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject, HarvestObjectError

        harvester = queue.get_harvester(source.type)
        job = HarvestJob()
        job.source = source
        job.status = "Running"
        job.save()
        job_id = job.id
        started = time.perf_counter()
        object_ids = queue.gather_stage(harvester, job)
        gathered = time.perf_counter()
        object_ids = object_ids if isinstance(object_ids, list) else []
        for object_id in object_ids:
            queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
        imported = time.perf_counter()
        self.tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {})
        finished = time.perf_counter()
        self.model.Session.remove()
        objects = self.model.Session.query(HarvestObject).filter_by(harvest_job_id=job_id).all()
        statuses = Counter(obj.report_status or obj.state for obj in objects)
        object_errors = (self.model.Session.query(HarvestObjectError).join(HarvestObject)
                         .filter(HarvestObject.harvest_job_id == job_id).all())
        gather_errors = self.model.Session.query(HarvestGatherError).filter_by(harvest_job_id=job_id).all()
        return {"objects": len(object_ids), "statuses": dict(statuses),
                "object_errors": len(object_errors), "gather_errors": len(gather_errors),
                "first_errors": [e.message[:300] for e in (gather_errors + object_errors)[:3]],
                "gather_s": gathered - started, "fetch_import_s": imported - gathered,
                "finish_s": finished - imported, "total_s": finished - started,
                "job_status": self.model.Session.get(HarvestJob, job_id).status}

    def catalogue(self) -> dict[str, Any]:
        import sqlalchemy as sa

        with self.model.meta.engine.connect() as connection:
            def one(statement: str) -> Any:
                return connection.execute(sa.text(statement)).scalar()

            return {
                "datasets": one("SELECT count(*) FROM package WHERE type = 'dataset' AND state = 'active'"),
                "resources": one("SELECT count(*) FROM resource WHERE state = 'active'"),
                "organizations_used": one("SELECT count(DISTINCT owner_org) FROM package WHERE type = 'dataset' "
                                          "AND state = 'active'"),
                "with_cakupan": one("SELECT count(*) FROM package p JOIN package_extra e ON e.package_id = p.id "
                                    "WHERE p.type = 'dataset' AND e.key = 'cakupan_kecamatan' AND e.state = 'active' "
                                    "AND e.value NOT IN ('', '[]')"),
                "indexed": one("SELECT count(*) FROM paser_search_document"),
            }

    def run_ckan(self, kind: str, url: str, profile: str | None) -> dict[str, Any]:
        from ckanext.harvest import queue

        timer = {"modify_package_dict_s": 0.0, "calls": 0}

        def record(seconds: float, *_: Any) -> None:
            timer["modify_package_dict_s"] += seconds
            timer["calls"] += 1

        # The stock modify_package_dict returns the dict as it is.
        benchlib.time_calls(type(queue.get_harvester(kind)), "modify_package_dict", record)
        source = self.source(url, kind, {"default_organization": "diskominfostaper"} if kind == "paser_ckan" else None)
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        result = self.harvest(source)
        if profile:
            profiler.disable()
            profiler.dump_stats(profile)
        result.update(timer)
        result["catalogue"] = self.catalogue()
        return result

    def run_bps(self, url: str) -> dict[str, Any]:
        source = self.source(f"{url}/v1/api/", "bps", {"domain": "6401", "api_key": BPS_KEY, "lang": "ind"})
        first = self.harvest(source)
        first["catalogue"] = self.catalogue()
        second = self.harvest(source)
        second["catalogue"] = self.catalogue()
        return {"full": first, "rerun": second}


def child_main(args: argparse.Namespace) -> int:
    child = Child(args.ini)
    result = child.run_bps(args.url) if args.child == "bps" else child.run_ckan(args.child, args.url, args.profile_to)
    print("RESULT " + json.dumps(result, default=str), flush=True)
    return 0


# ---------------------------------------------------------------------------------------------
# The parent: sources, databases, runs, report


def run_child(kind: str, ini: Path, url: str, profile: str | None = None) -> dict[str, Any]:
    fresh_database()
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--ini", str(ini), "--url", url]
    if profile:
        command += ["--profile-to", profile]
    load_before = os.getloadavg()[0]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    line = next((line for line in done.stdout.splitlines() if line.startswith("RESULT ")), None)
    if done.returncode != 0 or line is None:
        sys.stderr.write(done.stdout[-5000:] + done.stderr[-10000:])
        sys.exit(f"the {kind} harvest failed (exit {done.returncode})")
    result = json.loads(line[len("RESULT "):])
    result["load"] = [load_before, os.getloadavg()[0]]
    LOADS.append(os.getloadavg()[0])
    return result


def describe(kind: str, result: dict[str, Any]) -> str:
    catalogue = result["catalogue"]
    rate = catalogue["datasets"] / result["total_s"] if result["total_s"] else float("nan")
    return (f"{kind}: gather {result['gather_s']:.1f}s, fetch+import {result['fetch_import_s']:.1f}s, total "
            f"{result['total_s']:.1f}s ({rate:.1f} datasets/s); objects {result['objects']} {result['statuses']}, "
            f"errors {result['gather_errors']} gather / {result['object_errors']} object; datasets "
            f"{catalogue['datasets']}, with cakupan {catalogue['with_cakupan']}, organisations "
            f"{catalogue['organizations_used']}; mapping {result.get('modify_package_dict_s', 0):.2f}s"
            + (f"; first errors {result['first_errors']}" if result["first_errors"] else ""))


def parent_main(args: argparse.Namespace) -> int:
    _lock = benchlib.hold_lock("bench_harvest", "bench_harvest")  # kept referenced: closing it frees the lock
    folder = Path(tempfile.mkdtemp(prefix="paser-bench-harvest-"))
    summary: dict[str, Any] = {"datasets": args.datasets, "variables": args.variables, "reps": args.reps}
    try:
        waited = wait_for_other_benchmarks()
        summary["waited_s"] = waited
        summary["load_start"] = os.getloadavg()
        log(f"run: CKAN source of {args.datasets} datasets, {args.reps} harvest(s) each by ckan and paser_ckan "
            f"(alternating), BPS source of {args.variables} variables; folder {folder}; load averages "
            f"{' '.join(f'{x:.2f}' for x in summary['load_start'])}")
        make_template(bench_ini(folder, TEMPLATE_DB))
        ini = bench_ini(folder, DATABASE)
        remote = Remote(args.datasets, args.variables, args.seed)
        log(f"remote server on {remote.base_url}: {len(remote.datasets)} datasets "
            f"({sum(len(d['resources']) for d in remote.datasets)} resources), {len(remote.variables)} variables")
        runs: dict[str, list[dict[str, Any]]] = {"ckan": [], "paser_ckan": []}
        for rep in range(args.reps):
            for kind in ("ckan", "paser_ckan"):
                wait_for_other_benchmarks()
                profile = str(folder / f"{kind}-{rep}.prof") if args.profile and rep == 0 else None
                result = run_child(kind, ini, remote.base_url, profile)
                runs[kind].append(result)
                log(f"rep {rep + 1} {describe(kind, result)}")
                if profile:
                    import pstats

                    print(f"--- profile of {kind} (cumulative, top 25) ---")
                    pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        wait_for_other_benchmarks()
        bps = run_child("bps", ini, remote.base_url)
        log(f"bps full: {describe('bps', bps['full'])}")
        log(f"bps re-run: {describe('bps', bps['rerun'])}")
        summary.update(runs=runs, bps=bps, requests=dict(remote.requests))
        remote.close()
        summary["load_end"] = os.getloadavg()
        summary["loads"] = benchlib.load_stats()
        summary["runtime_s"] = time.perf_counter() - START
        report(summary)
        benchlib.finish(summary, args.json)
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
            benchlib.psql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            benchlib.psql(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}" WITH (FORCE)')


def report(s: dict[str, Any]) -> None:
    runs = s["runs"]

    def med(kind: str, key: str) -> float:
        return median([r[key] for r in runs[kind]])

    print()
    print("=" * 100)
    print(f"Machine: {machine()}")
    print(f"Load averages (1/5/15 min): start {' '.join(f'{x:.2f}' for x in s['load_start'])}, end "
          f"{' '.join(f'{x:.2f}' for x in s['load_end'])}; 1-minute {benchlib.load_range(s['loads'])}; waited "
          f"{s['waited_s']:.0f}s for other benchmarks; run {s['runtime_s'] / 60:.1f} min")
    print(f"Code: harvesters at commit {git('log', '-1', '--format=%h')}"
          f" (work tree {'modified' if git('status', '--porcelain', '--', 'ckanext-paser/ckanext/paser/harvesters') else 'clean'})")
    print()
    print(f"CKAN source, {s['datasets']} datasets; medians of {s['reps']} run(s) each (each run a fresh database; "
          "order ckan, paser_ckan, ckan, paser_ckan, ...)")
    print("| harvester | gather | fetch + import | total | datasets/s | imported | errors | mapping (in import) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for kind in ("ckan", "paser_ckan"):
        datasets = [r["catalogue"]["datasets"] for r in runs[kind]]
        errors = [r["gather_errors"] + r["object_errors"] for r in runs[kind]]
        total = med(kind, "total_s")
        each = ", ".join(f"{r['total_s']:.1f}" for r in runs[kind])
        print(f"| `{kind}` | {med(kind, 'gather_s'):.1f} s | {med(kind, 'fetch_import_s'):.1f} s | {total:.1f} s "
              f"({each}) | {s['datasets'] / total:.1f} | "
              f"{', '.join(map(str, datasets))} | {', '.join(map(str, errors))} | "
              f"{med(kind, 'modify_package_dict_s'):.2f} s |")
    slower = (med("paser_ckan", "total_s") / med("ckan", "total_s") - 1) * 100
    print()
    for kind in ("ckan", "paser_ckan"):
        cat = runs[kind][-1]["catalogue"]
        print(f"{kind}: statuses {runs[kind][-1]['statuses']}; {cat['datasets']} datasets, {cat['resources']} "
              f"resources, {cat['organizations_used']} organisations, {cat['with_cakupan']} with cakupan_kecamatan, "
              f"{cat['indexed']} indexed")
    bps = s["bps"]
    print()
    print(f"BPS source, {s['variables']} variables")
    print("| run | gather | fetch + import | total | variables/s | statuses | errors |")
    print("|---|---:|---:|---:|---:|---|---:|")
    for label, r in (("full", bps["full"]), ("re-run, unchanged", bps["rerun"])):
        print(f"| {label} | {r['gather_s']:.1f} s | {r['fetch_import_s']:.1f} s | {r['total_s']:.1f} s | "
              f"{r['objects'] / r['total_s']:.1f} | {r['statuses']} | {r['gather_errors'] + r['object_errors']} |")
    print(f"datasets after the full run {bps['full']['catalogue']['datasets']}, after the re-run "
          f"{bps['rerun']['catalogue']['datasets']}")
    print(f"Remote requests: {s['requests']}")
    print()
    ok = all(r["catalogue"]["datasets"] == s["datasets"] and not (r["gather_errors"] + r["object_errors"])
             for kind in runs for r in runs[kind])
    met = slower <= TARGET_SLOWER_PCT
    print(f"Both harvesters imported every dataset without errors: {'yes' if ok else 'NO'}")
    print(f"Target: paser_ckan at most {TARGET_SLOWER_PCT:.0f} % slower than the stock ckan harvester: "
          f"{'MET' if met else 'MISSED'} ({slower:+.1f} % on median totals)")


def main(argv: list[str] | None = None) -> int:
    parser = benchlib.arg_parser(__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 100 datasets, 1 run each, 20 variables")
    parser.add_argument("--datasets", type=int, help="datasets of the CKAN source (default 2,000)")
    parser.add_argument("--variables", type=int, help="variables of the BPS source (default 200)")
    parser.add_argument("--reps", type=int, help="harvests by each CKAN harvester, alternating (default 2)")
    parser.add_argument("--seed", type=int, default=6401, help="data generator seed (default 6401)")
    parser.add_argument("--profile", action="store_true", help="cProfile the first harvest of each kind")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and databases")
    parser.add_argument("--json", help="also write the figures as JSON to this file")
    parser.add_argument("--no-wait", action="store_true",
                        help="do not wait for bench_checks.py / bench_search.py (smoke runs only: figures spoilt)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--ini", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    if args.child:
        return child_main(args)
    global NO_WAIT
    NO_WAIT = args.no_wait
    defaults = {"datasets": 100, "variables": 20, "reps": 1} if args.quick else \
        {"datasets": 2000, "variables": 200, "reps": 2}
    benchlib.fill_defaults(args, defaults)
    return parent_main(args)


if __name__ == "__main__":
    sys.exit(main())
