#!/usr/bin/env python3
"""Benchmark of the consistency checks (issue 4). Not a test: it prints figures.

On a catalogue of 500 datasets (one CSV upload each, 100,000 figures in all) it measures, in one run:

* the full re-check, as `ckan paser checks recheck` does it: the check job (`checks.jobs.check_resource`,
  ``evaluate=False``) for every resource, then `checks.evaluation.evaluate_all()` once; both phases, the total and
  figures per second;
* the incremental check after one resource's file is replaced (resource_update with a new upload): the resource's
  check job (read, store, evaluate its indicators) and the dataset job it also queues, medians of several runs;
* resource_create with the checker enabled and disabled (the paser_checks plugin loaded or not, in this process),
  alternating A/B, each upload a table of 200 figures: medians, p95 and the overhead of the synchronous part.

The figures are produced by the real job: the catalogue is built with CKAN's actions (package_create,
resource_create with an upload), then an RQ worker runs every job the portal queued (rq's SimpleWorker in this
process; CKAN's `ckan jobs worker` forks a work horse per job, which the incremental step also times). The script works on its own database (ckan_paser_bench_checks, dropped and recreated), redis
db 7 and a temporary storage folder, with an ini in a temporary folder that chains config/common.ini, so the real
plugin list (paser, paser_search, scheming, ...) runs. Run it from the repository root:

    .venv/bin/python scripts/bench_checks.py               # 500 datasets, 100,000 figures
    .venv/bin/python scripts/bench_checks.py --quick       # 20 datasets, a smoke run

See docs/performance.md ("Consistency checks (issue 4)").
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import benchlib
from benchlib import COMMON_INI, ROOT, START, git, log, machine, median, percentile

RULES_FILE = ROOT / "config" / "checks.yaml"
WILAYAH = ROOT / "ckanext-paser" / "ckanext" / "paser" / "reference" / "data" / "wilayah.csv"
DATABASE = "ckan_paser_bench_checks"
DB_ROLE = "ckan_paser"
REDIS_DB = 7

TARGET_OVERHEAD_PCT = 10.0
OTHER_BENCHMARKS = ("bench_search.py",)  # waited for: their load would spoil these figures

# ---------------------------------------------------------------------------------------------
# Reference regions (wilayah.csv): the kabupaten, its 10 kecamatan and their desa/kelurahan.


@dataclass
class Region:
    code: str
    name: str
    level: str
    parent: str


def read_regions() -> tuple[Region, list[Region], dict[str, list[Region]]]:
    kabupaten = None
    kecamatan: list[Region] = []
    desa: dict[str, list[Region]] = {}
    with open(WILAYAH, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            region = Region(row["kode_kemendagri"], row["nama"], row["tingkat"], row["kode_induk"])
            if region.level == "kabupaten":
                kabupaten = region
            elif region.level == "kecamatan":
                kecamatan.append(region)
            else:
                desa.setdefault(region.parent, []).append(region)
    assert kabupaten is not None and len(kecamatan) == 10
    return kabupaten, kecamatan, desa


KABUPATEN, KECAMATAN, DESA = read_regions()
BY_CODE = {region.code: region for region in [KABUPATEN, *KECAMATAN, *(d for ds in DESA.values() for d in ds)]}

# ---------------------------------------------------------------------------------------------
# Producers and topics. A topic is a table of two indicators in one unit (the dataset's satuan applies to both
# value columns); every topic is published by two to four producers, so the rules between producers have work.


@dataclass(frozen=True)
class Indicator:
    header: str  # the value column's header, unit in brackets; the indicator is its name (jumlah_sd)
    low: float  # value range of a desa in the first year
    high: float
    growth: tuple[float, float]  # yearly growth range
    decimals: int
    additive: bool  # the generated truth adds up (desa -> kecamatan -> kabupaten)


@dataclass(frozen=True)
class Topic:
    key: str
    title: str
    unit: str
    code: str  # kode_indikator
    indicators: tuple[Indicator, Indicator]


TOPICS = [
    Topic("penduduk", "Jumlah Penduduk menurut Jenis Kelamin", "jiwa", "2.12.01", (
        Indicator("Penduduk Laki-laki (jiwa)", 400, 3200, (0.012, 0.025), 0, True),
        Indicator("Penduduk Perempuan (jiwa)", 380, 3100, (0.012, 0.025), 0, True))),
    Topic("sekolah", "Jumlah Sekolah Dasar dan Menengah Pertama", "unit", "1.01.02", (
        Indicator("Jumlah SD (unit)", 1, 6, (0.0, 0.03), 0, True),
        Indicator("Jumlah SMP (unit)", 0, 3, (0.0, 0.04), 0, True))),
    Topic("panen", "Luas Panen Padi dan Jagung", "ha", "3.27.01", (
        Indicator("Luas Panen Padi (ha)", 20, 600, (-0.03, 0.05), 2, True),
        Indicator("Luas Panen Jagung (ha)", 5, 150, (-0.05, 0.06), 2, True))),
    Topic("nakes", "Jumlah Dokter dan Bidan", "orang", "1.02.05", (
        Indicator("Jumlah Dokter (orang)", 0, 4, (0.0, 0.05), 0, True),
        Indicator("Jumlah Bidan (orang)", 1, 8, (0.0, 0.05), 0, True))),
    Topic("rumah-tangga", "Jumlah Rumah Tangga dan Rumah Tangga Miskin", "rumah tangga", "2.12.04", (
        Indicator("Jumlah Rumah Tangga (rumah tangga)", 200, 1800, (0.01, 0.03), 0, True),
        Indicator("Jumlah Rumah Tangga Miskin (rumah tangga)", 10, 200, (-0.04, 0.01), 0, True))),
    Topic("luas", "Luas Wilayah dan Kawasan Hutan", "km2", "1.03.01", (
        Indicator("Luas Wilayah (km2)", 8, 420, (0.0, 0.0), 2, True),
        Indicator("Luas Kawasan Hutan (km2)", 1, 250, (-0.01, 0.0), 2, True))),
    Topic("kemiskinan", "Persentase Penduduk Miskin dan Rumah Tangga Berlistrik", "persen", "2.06.02", (
        Indicator("Persentase Penduduk Miskin (persen)", 4, 18, (-0.04, 0.01), 2, False),
        Indicator("Persentase Rumah Tangga Berlistrik (persen)", 70, 92, (0.0, 0.01), 2, False))),
    Topic("posyandu", "Jumlah Posyandu dan Puskesmas Pembantu", "unit", "1.02.09", (
        Indicator("Jumlah Posyandu (unit)", 1, 5, (0.0, 0.03), 0, True),
        Indicator("Jumlah Puskesmas Pembantu (unit)", 0, 2, (0.0, 0.02), 0, True))),
]
TOPIC = {topic.key: topic for topic in TOPICS}

ORGS: list[tuple[str, str, list[str]]] = [
    ("diskominfostaper", "Dinas Komunikasi, Informatika, Statistik dan Persandian", ["penduduk", "sekolah", "luas"]),
    ("disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil", ["penduduk", "rumah-tangga"]),
    ("bps-kabupaten-paser", "BPS Kabupaten Paser", ["penduduk", "panen", "rumah-tangga", "luas", "kemiskinan"]),
    ("dinkes", "Dinas Kesehatan", ["nakes", "posyandu", "penduduk"]),
    ("disdik", "Dinas Pendidikan", ["sekolah"]),
    ("distan", "Dinas Pertanian", ["panen"]),
    ("dpmd", "Dinas Pemberdayaan Masyarakat dan Desa", ["luas", "posyandu", "rumah-tangga", "kemiskinan"]),
    ("bappedalitbang", "Badan Perencanaan Pembangunan Daerah, Penelitian dan Pengembangan",
     ["sekolah", "nakes", "kemiskinan"]),
]
PAIRS = [(org, topic) for org, _, topics in ORGS for topic in topics]

FIRST_YEAR, LAST_YEAR = 2010, 2024
KEC_YEARS = 10  # kecamatan tables: 10 kecamatan + the kabupaten total, 10 years, 2 indicators = 220 figures
DESA_YEARS = 5  # desa tables: two kecamatan with their 16 desa, 5 years, 2 indicators = 180 figures
DESA_PAIRS = [("64.01.01", "64.01.02"), ("64.01.02", "64.01.10")]  # 9 + 7 and 7 + 9 desa

# Share of datasets with a planted error (the rest agree with every other producer and add up).
P_SMALL_SLIP = 0.05  # one cell 2-4 % off: producers disagree (warning), the sum fails
P_BIG_SLIP = 0.015  # one cell 1.8x: producers disagree (error), period jumps, the sum fails
P_TOTAL_OFF = 0.04  # the kabupaten total off by one (kecamatan tables)
P_UNKNOWN_REGION = 0.01  # an extra row with an unknown desa code (desa tables; no figure lost)
P_NO_METADATA = 0.02  # definisi left empty: Satu Data metadata missing

# ---------------------------------------------------------------------------------------------
# Generated figures: one truth per indicator, region and year; tables copy it, a few with planted errors.


def _round(value: float, decimals: int) -> Decimal:
    return Decimal(f"{value:.{decimals}f}")


class Truth:
    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.values: dict[str, dict[str, dict[int, Decimal]]] = {}
        for topic in TOPICS:
            for indicator in topic.indicators:
                table: dict[str, dict[int, Decimal]] = {}
                if indicator.additive:
                    for kecamatan in KECAMATAN:
                        for desa in DESA[kecamatan.code]:
                            base = rng.uniform(indicator.low, indicator.high)
                            growth = rng.uniform(*indicator.growth)
                            table[desa.code] = {
                                year: _round(base * (1 + growth) ** (year - FIRST_YEAR), indicator.decimals)
                                for year in range(FIRST_YEAR, LAST_YEAR + 1)}
                        table[kecamatan.code] = {
                            year: sum((table[d.code][year] for d in DESA[kecamatan.code]), Decimal(0))
                            for year in range(FIRST_YEAR, LAST_YEAR + 1)}
                    table[KABUPATEN.code] = {
                        year: sum((table[k.code][year] for k in KECAMATAN), Decimal(0))
                        for year in range(FIRST_YEAR, LAST_YEAR + 1)}
                else:
                    for code in BY_CODE:  # shares: each region on its own, below 100 %
                        base = rng.uniform(indicator.low, indicator.high)
                        growth = rng.uniform(*indicator.growth)
                        table[code] = {year: _round(min(99.5, base * (1 + growth) ** (year - FIRST_YEAR)),
                                                    indicator.decimals)
                                       for year in range(FIRST_YEAR, LAST_YEAR + 1)}
                self.values[indicator.header] = table


@dataclass
class Spec:
    index: int
    org: str
    topic: Topic
    level: str  # kecamatan or desa
    years: list[int]
    kecamatan: list[str]  # cakupan_kecamatan
    desa: list[str]  # cakupan_desa
    planted: list[str] = field(default_factory=list)
    complete_metadata: bool = True
    figures: int = 0
    id: str = ""
    resource_id: str = ""

    @property
    def name(self) -> str:
        return f"bench-checks-{self.topic.key}-{self.index:04d}"


def plan(count: int, seed: int) -> list[Spec]:
    rng = random.Random(seed + 1)
    specs = []
    for index in range(count):
        org, topic_key = PAIRS[rng.randrange(len(PAIRS))]
        topic = TOPIC[topic_key]
        if index % 2 == 0:  # half kecamatan tables (220 figures), half desa tables (180): 200 on average
            first = rng.randint(FIRST_YEAR, LAST_YEAR - KEC_YEARS + 1)
            spec = Spec(index, org, topic, "kecamatan", list(range(first, first + KEC_YEARS)),
                        [k.code for k in KECAMATAN], [])
        else:
            pair = DESA_PAIRS[rng.randrange(len(DESA_PAIRS))]
            first = rng.randint(2016, LAST_YEAR - DESA_YEARS + 1)
            spec = Spec(index, org, topic, "desa", list(range(first, first + DESA_YEARS)), list(pair),
                        [d.code for code in pair for d in DESA[code]])
        roll = rng.random()
        if roll < P_SMALL_SLIP:
            spec.planted.append("small_slip")
        elif roll < P_SMALL_SLIP + P_BIG_SLIP:
            spec.planted.append("big_slip")
        elif roll < P_SMALL_SLIP + P_BIG_SLIP + P_TOTAL_OFF and spec.level == "kecamatan":
            spec.planted.append("total_off")
        if spec.level == "desa" and rng.random() < P_UNKNOWN_REGION * 2:
            spec.planted.append("unknown_region")
        if rng.random() < P_NO_METADATA:
            spec.complete_metadata = False
            spec.planted.append("no_metadata")
        specs.append(spec)
    return specs


def _text(value: Decimal, decimals: int) -> str:
    return f"{value:.{decimals}f}" if decimals else str(int(value))


def table_csv(spec: Spec, truth: Truth, seed: int, variant: str = "") -> tuple[str, int]:
    """The CSV of a dataset's table and its number of figures. ``variant`` plants an extra error (total_off)."""
    rng = random.Random(seed * 7919 + spec.index)
    first, second = spec.topic.indicators
    planted = set(spec.planted) | ({variant} if variant else set())
    if spec.level == "kecamatan":
        regions = [(k.code, k.name) for k in KECAMATAN] + [(KABUPATEN.code, "Jumlah")]
        header = ["Kecamatan", "Tahun", first.header, second.header]
    else:
        regions = []
        for code in spec.kecamatan:
            regions.append((code, BY_CODE[code].name))
            regions += [(d.code, d.name) for d in DESA[code]]
        header = ["Kode Wilayah", "Desa/Kelurahan", "Tahun", first.header, second.header]
    rows: list[list[str]] = []
    cells: list[tuple[int, int]] = []  # (row, column) of values, for the planted slips
    for year in spec.years:
        for code, name in regions:
            values = [truth.values[ind.header][code][year] for ind in spec.topic.indicators]
            texts = [_text(value, ind.decimals) for value, ind in zip(values, spec.topic.indicators, strict=True)]
            lead = [name, str(year)] if spec.level == "kecamatan" else [code, name, str(year)]
            if code != KABUPATEN.code:
                cells += [(len(rows), len(lead)), (len(rows), len(lead) + 1)]
            rows.append([*lead, *texts])
    figures = len(rows) * 2
    for kind in ("small_slip", "big_slip"):
        if kind in planted:
            row, column = cells[rng.randrange(len(cells))]
            indicator = spec.topic.indicators[column - (len(header) - 2)]
            value = Decimal(rows[row][column])
            factor = Decimal(str(1 + rng.uniform(0.02, 0.04))) if kind == "small_slip" else Decimal("1.8")
            changed = value * factor
            if changed == value:
                changed = value + 1
            rows[row][column] = _text(changed.quantize(Decimal(1) / 10 ** indicator.decimals), indicator.decimals)
    if "total_off" in planted and spec.level == "kecamatan":
        total_row = next(i for i in range(len(rows) - 1, -1, -1) if rows[i][0] == "Jumlah")
        rows[total_row][2] = str(int(Decimal(rows[total_row][2]) + 1)) if first.decimals == 0 else \
            _text(Decimal(rows[total_row][2]) * Decimal("1.02"), first.decimals)
    if "unknown_region" in planted and spec.level == "desa":
        rows.append([f"{spec.kecamatan[0]}.2999", "Desa Tidak Ada", str(spec.years[-1]), "1", "1"])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue(), figures


# ---------------------------------------------------------------------------------------------
# Database, configuration


def bench_ini(folder: Path) -> Path:
    return benchlib.write_ini(
        folder / "bench_checks.ini", folder / "storage", script="bench_checks", chained="plugins, checks, schemas",
        role=DB_ROLE, database=DATABASE, redis_db=REDIS_DB,
        settings=f"ckanext.paser.checks.rules_file = {RULES_FILE}\n")


def vacuum_analyze() -> float:
    """What autovacuum does after a bulk load or a rewrite of every figure (it is off on the CI machine, and without
    statistics PostgreSQL plans the figures query of an indicator as a nested loop over every dataset)."""
    started = time.perf_counter()
    benchlib.psql("VACUUM ANALYZE", database=DATABASE)
    return time.perf_counter() - started


def set_up_database(ini: Path) -> None:
    log(f"recreating database {DATABASE} (owner {DB_ROLE}) and flushing redis db {REDIS_DB}")
    benchlib.recreate_database(DATABASE, DB_ROLE)
    benchlib.flush_redis(REDIS_DB)
    benchlib.ckan_db_init(ini)


# ---------------------------------------------------------------------------------------------
# Instrumentation: time spent in the checks' functions, counted in this process.


@dataclass
class Meter:
    seconds: Counter = field(default_factory=Counter)
    calls: Counter = field(default_factory=Counter)

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()

    def ms(self, name: str) -> float:
        return self.seconds[name] * 1000


METER = Meter()


def _timed(target: Any, attribute: str, name: str) -> None:
    def record(seconds: float, *_: Any, **__: Any) -> None:
        METER.seconds[name] += seconds
        METER.calls[name] += 1

    benchlib.time_calls(target, attribute, record)


def instrument() -> None:
    from ckanext.paser.checks import evaluation, flags, jobs, rules, store

    # The synchronous part: what the plugin's hooks call inside resource_create / package_update.
    _timed(jobs, "enqueue_check", "enqueue_check")
    _timed(jobs, "enqueue_dataset", "enqueue_dataset")
    _timed(store, "mark", "mark")  # inside enqueue_check: the pending status, one transaction
    # The job's parts.
    _timed(jobs, "file_of", "read_file")
    _timed(jobs, "figures_from_file", "normalise")
    _timed(store, "replace_figures", "store_figures")
    _timed(evaluation, "after_check", "after_check")
    _timed(evaluation, "_active_figures", "load_figures")
    _timed(rules, "evaluate_indicator", "rules")
    _timed(flags, "sync", "flags_sync")
    _timed(evaluation, "refresh", "refresh")
    _timed(evaluation, "reindex", "reindex")


# ---------------------------------------------------------------------------------------------
# The benchmark


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.folder = Path(tempfile.mkdtemp(prefix="paser-bench-checks-"))
        self.ini = bench_ini(self.folder)
        self.summary: dict[str, Any] = {}

    def load(self) -> None:
        log(f"loading CKAN with {self.ini} (chains {COMMON_INI.relative_to(ROOT)})")
        self.app, self.request = benchlib.load_ckan(self.ini)
        import ckan.plugins.toolkit as tk
        from ckan import model
        from ckanext.paser.checks import evaluation, flags, jobs, store

        self.tk, self.model = tk, model
        self.jobs, self.evaluation, self.flags, self.store = jobs, evaluation, flags, store
        plugins = tk.config.get("ckan.plugins")
        plugins = plugins.split() if isinstance(plugins, str) else list(plugins)
        if "paser" not in plugins or "paser_search" not in plugins:
            sys.exit(f"the plugin list lacks paser or paser_search: {plugins}")
        self.plugins = plugins
        instrument()

    def sql(self, statement: str, **params: Any) -> list[Any]:
        import sqlalchemy as sa

        with self.model.meta.engine.connect() as connection:
            return list(connection.execute(sa.text(statement), params))

    def scalar(self, statement: str, **params: Any) -> Any:
        return self.sql(statement, **params)[0][0]

    def action(self, name: str, data: dict[str, Any], **context: Any) -> Any:
        return self.tk.get_action(name)({"user": self.admin, **context}, data)

    def upload(self, action_name: str, text: str, **data: Any) -> dict[str, Any]:
        from werkzeug.datastructures import FileStorage

        stream = io.BytesIO(text.encode("utf-8"))
        return self.action(action_name, {"upload": FileStorage(stream, "tabel.csv"), "url": "upload",
                                         "format": "CSV", "name": "tabel.csv", **data})

    def set_checker(self, enabled: bool) -> None:
        """The checker on or off as a site with or without the paser_checks plugin (loaded or unloaded here)."""
        from ckan import plugins

        if plugins.plugin_loaded("paser_checks") is not enabled:
            (plugins.load if enabled else plugins.unload)("paser_checks")
        assert self.jobs.enabled() is enabled

    def queue(self) -> Any:
        from ckan.lib import jobs as ckan_jobs

        return ckan_jobs.get_queue()

    def run_queue(self, fork: bool) -> None:
        """Run every queued job: with CKAN's worker as `ckan jobs worker` does (one forked work horse per job), or
        with rq's SimpleWorker in this process (the same jobs, without the fork)."""
        import rq
        from ckan.lib import jobs as ckan_jobs

        queue = self.queue()
        if fork:
            ckan_jobs.Worker().work(burst=True, logging_level="WARNING")
        else:
            rq.SimpleWorker([queue], connection=queue.connection).work(burst=True, logging_level="WARNING")
        self.model.Session.remove()

    def check_tables(self) -> None:
        tables = {row[0] for row in self.sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        needed = {"paser_figure", "paser_resource_check", "paser_flag", "paser_flag_dataset", "paser_flag_history",
                  "paser_search_document"}
        if needed - tables:
            sys.exit(f"tables missing after ckan db init/upgrade: {sorted(needed - tables)}")
        log(f"tables present: {', '.join(sorted(needed))}")

    # -- building

    def build(self) -> None:
        site_user = self.tk.get_action("get_site_user")({"ignore_auth": True}, {})
        self.admin = site_user["name"]
        self.org_ids = {}
        for name, title, _ in ORGS:
            self.org_ids[name] = self.action("organization_create", {"name": name, "title": title})["id"]
        self.truth = Truth(self.args.seed)
        self.specs = plan(self.args.datasets, self.args.seed)
        log(f"creating {len(self.specs)} datasets in {len(ORGS)} organisations with one CSV upload each "
            f"(package_create + resource_create, checker enabled: the portal queues the jobs)")
        started = time.perf_counter()
        for number, spec in enumerate(self.specs, 1):
            data: dict[str, Any] = {
                "name": spec.name, "title": f"{spec.topic.title} ({spec.level}) #{spec.index}",
                "notes": f"Tabel {spec.topic.title.lower()} per {spec.level}, {spec.years[0]}-{spec.years[-1]}.",
                "owner_org": self.org_ids[spec.org], "license_id": "cc-by",
                "jenis_data": "statistik", "klasifikasi": "terbuka", "tingkat_penyajian": spec.level,
                "cakupan_kecamatan": spec.kecamatan,
                "kode_indikator": spec.topic.code, "definisi": f"{spec.topic.title} menurut wilayah",
                "konsep": f"{spec.topic.title} hasil pendataan produsen data",
                "satuan": spec.topic.unit, "frequency": "tahunan",
                "temporal_coverage": [{"start": str(spec.years[0]), "end": str(spec.years[-1])}],
            }
            if spec.desa:
                data["cakupan_desa"] = spec.desa
            if not spec.complete_metadata:
                data["definisi"] = ""
            spec.id = self.action("package_create", data)["id"]
            text, spec.figures = table_csv(spec, self.truth, self.args.seed)
            spec.resource_id = self.upload("resource_create", text, package_id=spec.id)["id"]
            self.model.Session.remove()
            if number % 100 == 0 or number == len(self.specs):
                log(f"  {number}/{len(self.specs)} datasets ({number / (time.perf_counter() - started):.1f}/s)")
        self.summary["build_s"] = time.perf_counter() - started
        self.expected_figures = sum(spec.figures for spec in self.specs)
        planted = Counter(kind for spec in self.specs for kind in spec.planted)
        log(f"planted errors: {dict(sorted(planted.items()))}; expected figures {self.expected_figures:,}")
        self.summary["planted"] = dict(planted)

        queued = len(self.queue())
        log(f"running the {queued} queued jobs with an RQ worker in this process (rq.SimpleWorker, burst)")
        started = time.perf_counter()
        self.run_queue(fork=False)
        self.summary["initial_worker_s"] = time.perf_counter() - started
        self.summary["initial_jobs"] = queued
        self.model.Session.remove()
        figures = self.scalar("SELECT count(*) FROM paser_figure")
        statuses = dict(self.sql("SELECT status, count(*) FROM paser_resource_check GROUP BY status"))
        log(f"  worker done in {self.summary['initial_worker_s']:.1f}s: {figures:,} figures stored, checks {statuses}")
        if figures != self.expected_figures or statuses.get("done") != len(self.specs):
            errors = self.sql("SELECT resource_id, error FROM paser_resource_check WHERE status <> 'done' LIMIT 5")
            sys.exit(f"the worker stored {figures} figures, expected {self.expected_figures}; {errors}")
        self.summary["figures"] = figures
        self.summary["flags_initial"] = self.flag_counts()
        log(f"  flags after the first check: {self.summary['flags_initial']['total']}; VACUUM ANALYZE "
            f"(autovacuum={self.scalar('SHOW autovacuum')}) took {vacuum_analyze():.1f}s")

    def flag_counts(self) -> dict[str, Any]:
        rows = self.sql("SELECT rule, severity, status, count(*) FROM paser_flag GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")
        total = sum(row[3] for row in rows)
        active = sum(row[3] for row in rows if row[2] in ("open", "acknowledged"))
        datasets = self.scalar(
            "SELECT count(DISTINCT d.package_id) FROM paser_flag_dataset d JOIN paser_flag f ON f.id = d.flag_id "
            "WHERE f.status = 'open'")
        return {"total": total, "open": active, "datasets_with_open_flags": datasets,
                "by_rule": {f"{rule} ({severity}, {status})": count for rule, severity, status, count in rows}}

    # -- measurements

    def full_recheck(self) -> None:
        ids = [spec.resource_id for spec in self.specs]
        log(f"full re-check, phase 1: the check job for each of the {len(ids)} resources (re-read and store; "
            "evaluated once in phase 2, as `ckan paser checks recheck` does)")
        METER.reset()
        started = time.perf_counter()
        for number, resource_id in enumerate(ids, 1):
            self.jobs.check_resource(resource_id, evaluate=False)
            self.model.Session.remove()
            if number % 100 == 0 or number == len(ids):
                log(f"  {number}/{len(ids)} ({number / (time.perf_counter() - started):.1f} resources/s)")
        phase1 = time.perf_counter() - started
        parts1 = self.parts()
        log("full re-check, phase 2: evaluation.evaluate_all()")
        METER.reset()
        started = time.perf_counter()
        touched = self.evaluation.evaluate_all()
        phase2 = time.perf_counter() - started
        self.model.Session.remove()
        parts2 = self.parts()
        figures = int(self.scalar("SELECT count(*) FROM paser_figure"))
        log(f"  VACUUM ANALYZE after rewriting every figure: {vacuum_analyze():.1f}s")
        self.summary["full_recheck"] = {
            "resources": len(ids), "figures": figures, "phase1_s": phase1, "phase2_s": phase2,
            "total_s": phase1 + phase2, "figures_per_s": figures / (phase1 + phase2),
            "phase1_figures_per_s": figures / phase1, "phase1_ms_per_resource": phase1 * 1000 / len(ids),
            "phase1_parts_s": parts1, "phase2_parts_s": parts2, "phase2_datasets_touched": len(touched),
        }
        log(f"  phase 1 {phase1:.1f}s, phase 2 {phase2:.1f}s, total {phase1 + phase2:.1f}s "
            f"({figures / (phase1 + phase2):,.0f} figures/s)")

    def parts(self) -> dict[str, Any]:
        return {name: round(seconds, 3) for name, seconds in sorted(METER.seconds.items())} | {
            f"{name}_calls": count for name, count in sorted(METER.calls.items())}

    def incremental(self) -> None:
        # The most shared topic's kecamatan table: its indicators have the most figures of any.
        spec = next(s for s in self.specs if s.topic.key == "penduduk" and s.level == "kecamatan"
                    and not s.planted)
        log(f"incremental: {self.args.reps} updates of {spec.name} ({spec.figures} figures), alternately with a "
            "kabupaten total off by one and the original file; then its check job and dataset job")
        original, _ = table_csv(spec, self.truth, self.args.seed)
        broken, _ = table_csv(spec, self.truth, self.args.seed, variant="total_off")
        rows: list[dict[str, Any]] = []
        queue = self.queue()
        indicator_figures = self.scalar(
            "SELECT count(*) FROM paser_figure WHERE indicator IN (SELECT DISTINCT indicator FROM paser_figure "
            "WHERE resource_id = :id)", id=spec.resource_id)
        for rep in range(self.args.reps):
            text = broken if rep % 2 == 0 else original
            started = time.perf_counter()
            self.upload("resource_update", text, id=spec.resource_id, package_id=spec.id)
            update_s = time.perf_counter() - started
            self.model.Session.remove()
            queued = len(queue)
            queue.empty()  # the jobs the update queued run here, in this process, one by one
            METER.reset()
            started = time.perf_counter()
            self.jobs.check_resource(spec.resource_id)
            check_s = time.perf_counter() - started
            parts = self.parts()
            self.model.Session.remove()
            started = time.perf_counter()
            self.jobs.check_dataset(spec.id)
            dataset_s = time.perf_counter() - started
            self.model.Session.remove()
            open_sum = self.scalar(
                "SELECT count(*) FROM paser_flag f JOIN paser_flag_dataset d ON d.flag_id = f.id "
                "WHERE d.package_id = :id AND f.rule = 'sum_kecamatan' AND f.status = 'open'", id=spec.id)
            rows.append({"file": "total off by one" if rep % 2 == 0 else "original", "resource_update_ms":
                         update_s * 1000, "queued_jobs": queued, "check_resource_ms": check_s * 1000,
                         "check_dataset_ms": dataset_s * 1000, "open_sum_flags_after": open_sum, "parts_s": parts})
            log(f"  rep {rep + 1}: resource_update {update_s * 1000:.0f} ms, check_resource {check_s * 1000:.0f} ms "
                f"(after_check {parts.get('after_check', 0) * 1000:.0f} ms), check_dataset {dataset_s * 1000:.0f} "
                f"ms; open sum flags on the dataset: {open_sum}")
        self.summary["incremental"] = {
            "dataset": spec.name, "figures_in_file": spec.figures, "figures_of_its_indicators": indicator_figures,
            "reps": rows,
            "check_resource_ms_median": median([r["check_resource_ms"] for r in rows]),
            "after_check_ms_median": median([r["parts_s"].get("after_check", 0) * 1000 for r in rows]),
            "check_dataset_ms_median": median([r["check_dataset_ms"] for r in rows]),
            "resource_update_ms_median": median([r["resource_update_ms"] for r in rows]),
            "job_ms_median": median([r["check_resource_ms"] + r["check_dataset_ms"] for r in rows]),
        }
        # The same, with the jobs run by CKAN's forking worker, as `ckan jobs worker` runs them in production.
        forked = []
        for rep in range(self.args.fork_reps):
            self.upload("resource_update", broken if rep % 2 == 0 else original, id=spec.resource_id,
                        package_id=spec.id)
            self.model.Session.remove()
            queued = len(queue)
            started = time.perf_counter()
            self.run_queue(fork=True)
            forked.append({"jobs": queued, "ms": (time.perf_counter() - started) * 1000})
            log(f"  forking worker, rep {rep + 1}: {queued} jobs in {forked[-1]['ms']:.0f} ms")
        self.summary["incremental"]["forking_worker"] = forked
        self.summary["incremental"]["forking_worker_ms_median"] = median([f["ms"] for f in forked])
        # Leave the dataset as it was built.
        self.upload("resource_update", original, id=spec.resource_id, package_id=spec.id)
        queue.empty()
        self.jobs.check_resource(spec.resource_id)
        self.jobs.check_dataset(spec.id)
        self.model.Session.remove()

    def creates(self) -> None:
        n = self.args.creates
        rng = random.Random(self.args.seed + 2)
        targets = [rng.choice(self.specs) for _ in range(2 * n + 2 * self.args.warmup)]
        queue = self.queue()
        times: dict[bool, list[float]] = {True: [], False: []}
        sync_ms: dict[bool, list[float]] = {True: [], False: []}
        parts_ms: dict[str, list[float]] = {"enqueue_check": [], "enqueue_dataset": [], "mark": []}
        jobs_queued: dict[bool, int] = {True: 0, False: 0}
        log(f"resource_create: {self.args.warmup} warm-up pairs, then {n} with the checker enabled and {n} disabled, "
            "alternating (enabled, disabled, enabled, ...), each a CSV upload into a random dataset")
        for number, spec in enumerate(targets):
            enabled = number % 2 == 0
            self.set_checker(enabled)
            text, _ = table_csv(spec, self.truth, self.args.seed)
            before = len(queue)
            METER.reset()
            started = time.perf_counter()
            self.upload("resource_create", text, package_id=spec.id, name=f"tambahan-{number}.csv")
            elapsed = (time.perf_counter() - started) * 1000
            synchronous = METER.ms("enqueue_check") + METER.ms("enqueue_dataset")
            self.model.Session.remove()
            if number >= 2 * self.args.warmup:
                times[enabled].append(elapsed)
                sync_ms[enabled].append(synchronous)
                if enabled:
                    for name, values in parts_ms.items():
                        values.append(METER.ms(name))
                jobs_queued[enabled] += len(queue) - before
            if (number + 1) % 50 == 0:
                log(f"  {number + 1}/{len(targets)}")
        self.set_checker(True)
        queue.empty()  # the added resources stay unchecked: the figures measured above are the catalogue's
        on, off = times[True], times[False]
        self.summary["resource_create"] = {
            "n_enabled": len(on), "n_disabled": len(off),
            "enabled_ms": {"median": median(on), "mean": statistics.fmean(on), "p95": percentile(on, 95)},
            "disabled_ms": {"median": median(off), "mean": statistics.fmean(off), "p95": percentile(off, 95)},
            "overhead_median_pct": (median(on) / median(off) - 1) * 100,
            "overhead_mean_pct": (statistics.fmean(on) / statistics.fmean(off) - 1) * 100,
            "synchronous_ms_inside_create": {"mean": statistics.fmean(sync_ms[True]),
                                             "median": median(sync_ms[True]),
                                             "p95": percentile(sync_ms[True], 95)},
            "synchronous_ms_when_disabled": statistics.fmean(sync_ms[False]),
            "synchronous_parts_ms_median": {name: median(values) for name, values in parts_ms.items()},
            "jobs_queued_per_create": {"enabled": jobs_queued[True] / max(1, len(on)),
                                       "disabled": jobs_queued[False] / max(1, len(off))},
        }
        self.summary["resource_create"]["synchronous_pct_of_disabled_median"] = (
            self.summary["resource_create"]["synchronous_ms_inside_create"]["median"] / median(off) * 100)

    # -- report

    def report(self) -> None:
        s = self.summary
        full, inc, create = s["full_recheck"], s["incremental"], s["resource_create"]
        print()
        print("=" * 100)
        print(f"Machine: {machine()}; PostgreSQL {self.scalar('SHOW server_version')}, autovacuum "
              f"{self.scalar('SHOW autovacuum')} (the script runs VACUUM ANALYZE after the first check and after the "
              "full re-check)")
        print(f"1-minute load average: start {s['load']['start']:.2f}, end {s['load']['end']:.2f}, "
              f"{benchlib.load_range(benchlib.load_stats())} (2 cores: above ~2 the figures are inflated)")
        print(f"Code: checks at commit {git('log', '-1', '--format=%h', '--', 'ckanext-paser/ckanext/paser/checks')} "
              f"(work tree {'modified' if git('status', '--porcelain', '--', 'ckanext-paser/ckanext/paser/checks') else 'clean'}); "
              f"plugins: {' '.join(self.plugins)}")
        print(f"Catalogue: {len(self.specs)} datasets, {len(ORGS)} organisations, {s['figures']:,} figures "
              f"({len(TOPICS) * 2} indicators); built in {s['build_s']:.0f}s; the first check of everything by an "
              f"RQ worker in this process ({s['initial_jobs']} jobs): {s['initial_worker_s']:.0f}s")
        print()
        print("| measurement | result |")
        print("|---|---:|")
        print(f"| full re-check, phase 1: check job of {full['resources']} resources | {full['phase1_s']:.1f} s "
              f"({full['phase1_ms_per_resource']:.0f} ms per resource, {full['phase1_figures_per_s']:,.0f} figures/s) |")
        print(f"| full re-check, phase 2: evaluate_all() | {full['phase2_s']:.1f} s |")
        print(f"| full re-check, total | {full['total_s']:.1f} s ({full['figures_per_s']:,.0f} figures/s) |")
        print(f"| incremental: check job after one resource_update (median of {len(inc['reps'])}) | "
              f"{inc['check_resource_ms_median']:.0f} ms (of which evaluation {inc['after_check_ms_median']:.0f} ms) |")
        print(f"| incremental: dataset job after it (median) | {inc['check_dataset_ms_median']:.0f} ms |")
        print(f"| incremental: both jobs by CKAN's forking worker (`ckan jobs worker`), median of "
              f"{len(inc['forking_worker'])} | {inc['forking_worker_ms_median']:.0f} ms |")
        print(f"| incremental: resource_update itself (median) | {inc['resource_update_ms_median']:.0f} ms |")
        print(f"| resource_create, checker disabled: median / mean / p95 (n={create['n_disabled']}) | "
              f"{create['disabled_ms']['median']:.1f} / {create['disabled_ms']['mean']:.1f} / "
              f"{create['disabled_ms']['p95']:.1f} ms |")
        print(f"| resource_create, checker enabled: median / mean / p95 (n={create['n_enabled']}) | "
              f"{create['enabled_ms']['median']:.1f} / {create['enabled_ms']['mean']:.1f} / "
              f"{create['enabled_ms']['p95']:.1f} ms |")
        print(f"| overhead of the checker (medians / means) | {create['overhead_median_pct']:+.1f} % / "
              f"{create['overhead_mean_pct']:+.1f} % |")
        print(f"| synchronous part measured inside create (enqueue_check + enqueue_dataset), median | "
              f"{create['synchronous_ms_inside_create']['median']:.2f} ms = "
              f"{create['synchronous_pct_of_disabled_median']:.1f} % of a create |")
        parts = create["synchronous_parts_ms_median"]
        print(f"| of which enqueue_check (incl. the pending status write {parts['mark']:.2f} ms) / enqueue_dataset, "
              f"medians | {parts['enqueue_check']:.2f} / {parts['enqueue_dataset']:.2f} ms |")
        print(f"| jobs queued per create (enabled / disabled) | {create['jobs_queued_per_create']['enabled']:.1f} / "
              f"{create['jobs_queued_per_create']['disabled']:.1f} |")
        print()
        print("Where the full re-check's time goes (seconds, summed over the calls; nested: after_check holds "
              "load_figures, rules, flags_sync and refresh):")
        for label, parts in (("phase 1", full["phase1_parts_s"]), ("phase 2", full["phase2_parts_s"])):
            shown = ", ".join(f"{name} {value}" for name, value in parts.items() if not name.endswith("_calls"))
            calls = ", ".join(f"{name[:-6]} {value}" for name, value in parts.items() if name.endswith("_calls"))
            print(f"  {label}: {shown}")
            print(f"    calls: {calls}")
        print()
        flags_now = s["flags_final"]
        print(f"Flags: {flags_now['total']} ({flags_now['open']} open or acknowledged) on "
              f"{flags_now['datasets_with_open_flags']} datasets with open flags; by rule:")
        for rule, count in flags_now["by_rule"].items():
            print(f"  {rule}: {count}")
        print()
        met = create["overhead_median_pct"] <= TARGET_OVERHEAD_PCT
        print(f"Target: the synchronous part adds at most {TARGET_OVERHEAD_PCT:.0f} % to resource_create: "
              f"{'MET' if met else 'MISSED'} ({create['overhead_median_pct']:+.1f} % on medians, "
              f"{create['synchronous_pct_of_disabled_median']:.1f} % measured inside)")

    def run(self) -> int:
        self.lock = benchlib.hold_lock("bench_checks", "bench_checks")
        try:
            benchlib.wait_for_benchmarks(OTHER_BENCHMARKS, 15)
            self.summary["load"] = {"start": os.getloadavg()[0]}
            log(f"run with {self.args.datasets} datasets, {self.args.creates} + {self.args.creates} creates, "
                f"{self.args.reps} incremental repetitions; temporary folder {self.folder}")
            set_up_database(self.ini)
            self.load()
            self.check_tables()
            self.build()
            benchlib.wait_for_benchmarks(OTHER_BENCHMARKS, 15)
            self.full_recheck()
            self.incremental()
            self.creates()
            self.summary["flags_final"] = self.flag_counts()
            self.summary["load"]["end"] = os.getloadavg()[0]
            self.summary["load"].update(benchlib.load_stats())
            self.summary["machine"] = machine()
            self.summary["datasets"] = len(self.specs)
            self.summary["runtime_s"] = time.perf_counter() - START
            self.report()
            benchlib.finish(self.summary, self.args.json)
            return 0
        finally:
            if not self.args.keep:
                shutil.rmtree(self.folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = benchlib.arg_parser(__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 20 datasets, 20 + 20 creates, 3 incremental repetitions")
    parser.add_argument("--datasets", type=int, help="datasets, one CSV upload each (default 500; even)")
    parser.add_argument("--creates", type=int, help="resource_create calls timed per condition (default 100)")
    parser.add_argument("--warmup", type=int, help="untimed create pairs before (default 5)")
    parser.add_argument("--reps", type=int, help="incremental repetitions (default 7)")
    parser.add_argument("--fork-reps", type=int, default=3,
                        help="incremental updates whose jobs CKAN's forking worker runs (default 3)")
    parser.add_argument("--seed", type=int, default=6401, help="data generator seed (default 6401)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary ini and storage folder")
    parser.add_argument("--json", help="also write the figures as JSON to this file")
    args = parser.parse_args(argv)
    defaults: dict[str, int] = ({"datasets": 20, "creates": 20, "warmup": 2, "reps": 3} if args.quick
                                else {"datasets": 500, "creates": 100, "warmup": 5, "reps": 7})
    benchlib.fill_defaults(args, defaults)
    os.chdir(ROOT)
    return Bench(args).run()


if __name__ == "__main__":
    sys.exit(main())
