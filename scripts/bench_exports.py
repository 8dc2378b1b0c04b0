#!/usr/bin/env python3
"""Benchmark of the analysts' downloads (issue 7). Not a test: it prints figures.

On a DataStore table of 1,000,000 rows (kecamatan figures: codes, names, year, indicator, value, unit, note) it
measures, in one run, each download streamed to a byte counter, and PostgreSQL's own `COPY (SELECT ...) TO STDOUT
WITH CSV HEADER` of the same columns in the same order as the baseline:

* `/datastore/dump/<id>` as CSV (CKAN's writer), as CSV for Indonesian Excel (`?excel=1`: BOM, `;`, decimal
  comma) and as XLSX and JSON, through the portal's Flask app (the WSGI response iterated chunk by chunk, as a
  server sends it; the request is anonymous, the dataset public);
* the baseline COPY through psycopg2's `copy_expert` from the DataStore's read database.

Each is run `--reps` times, alternating with the baseline (A B B A ...); medians of time, MB/s and the peak
growth of the process's resident memory while the download runs (sampled every 5 ms from /proc/self/statm),
and the ratio to COPY (the issue's target: at least half COPY's speed, flat memory).

The script works on its own database (ckan_paser_bench_exports, dropped and recreated), the benchmarks' DataStore
database (ckan_paser_bench_datastore), redis db 14 and a temporary folder, with an ini that chains
config/common.ini. The table is made with `datastore_create` (the fields, as the loader makes them) and filled
by an INSERT ... SELECT from generate_series in the DataStore database (its full-text trigger off, its full-text
indexes dropped: no download reads them). Run it from the repository root:

    .venv/bin/python scripts/bench_exports.py --json out.json   # 1,000,000 rows, 3 repetitions
    .venv/bin/python scripts/bench_exports.py --quick           # 100,000 rows, 2 repetitions

See docs/performance.md ("Downloads (issue 7)").
"""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Self

import benchlib
from benchlib import COMMON_INI, ROOT, START, log, machine, median

DATABASE = "ckan_paser_bench_exports"
DB_ROLE = "ckan_paser"
REDIS_DB = 14
TARGET_SPEED_RATIO = 0.5
OTHER_BENCHMARKS = ("bench_search.py", "bench_checks.py", "bench_harvest.py", "bench_dcat.py")
FIELDS = [("kode_wilayah", "text"), ("wilayah", "text"), ("tahun", "int4"), ("indikator", "text"),
          ("nilai", "numeric"), ("satuan", "text"), ("keterangan", "text")]
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE_SIZE


class PeakRss:
    """The peak resident memory of this process above its level at the start, sampled in a thread."""

    def __enter__(self) -> Self:
        self.start = rss_bytes()
        self.peak = self.start
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_bytes())
            time.sleep(0.005)

    def __exit__(self, *exc: object) -> None:
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, rss_bytes())

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.start) / 1e6


class Counter:
    """A file-like sink for COPY: counts bytes, keeps nothing."""

    def __init__(self) -> None:
        self.bytes = 0

    def write(self, data: bytes | str) -> int:
        self.bytes += len(data)
        return len(data)


class Bench:
    def __init__(self, args: Any) -> None:
        self.args = args
        self.folder = Path(tempfile.mkdtemp(prefix="paser-bench-exports-"))
        self.ini = benchlib.write_ini(self.folder / "bench_exports.ini", self.folder / "storage",
                                      script="bench_exports", chained="plugins", role=DB_ROLE, database=DATABASE,
                                      redis_db=REDIS_DB, settings=benchlib.plugins_without("paser_checks"))
        self.summary: dict[str, Any] = {}

    def set_up(self) -> None:
        log(f"recreating database {DATABASE} (owner {DB_ROLE}) and flushing redis db {REDIS_DB}")
        benchlib.recreate_database(DATABASE, DB_ROLE)
        benchlib.flush_redis(REDIS_DB)
        benchlib.ckan_db_init(self.ini)
        log(f"loading CKAN with {self.ini} (chains {COMMON_INI.relative_to(ROOT)})")
        self.app, self.request = benchlib.load_ckan(self.ini)
        import ckan.plugins.toolkit as tk

        self.tk = tk
        self.admin = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]

    def action(self, name: str, data: dict[str, Any]) -> Any:
        return self.tk.get_action(name)({"user": self.admin, "ignore_auth": True}, data)

    def build(self) -> None:
        from ckanext.datastore.backend.postgres import get_write_engine

        rows = self.args.rows
        organization = self.action("organization_create", {"name": "bps-kabupaten-paser",
                                                           "title": "BPS Kabupaten Paser"})
        dataset = self.action("package_create", {
            "name": "indikator-kecamatan-besar", "title": "Indikator per Kecamatan (tabel besar)",
            "owner_org": organization["id"], "notes": "Tabel satu juta baris untuk benchmark unduhan.",
            "jenis_data": "statistik", "klasifikasi": "terbuka", "tingkat_penyajian": "kabupaten"})
        resource = self.action("resource_create", {"package_id": dataset["id"], "name": "tabel-besar.csv",
                                                   "url": "http://127.0.0.1/tabel-besar.csv", "format": "CSV"})
        self.resource_id = resource["id"]
        self.action("datastore_create", {"resource_id": self.resource_id, "force": True,
                                         "fields": [{"id": name, "type": kind} for name, kind in FIELDS]})
        started = time.perf_counter()
        columns = ", ".join(f'"{name}"' for name, _ in FIELDS)
        # `%%`: the statement goes through the driver's parameter formatting.
        # The full-text trigger is off while filling and the full-text indexes are dropped: per row they would
        # take many minutes (the loader fills `_full_text` in one statement and builds the indexes after its
        # COPY), and no download reads them; the primary key on `_id`, which downloads are ordered by, stays.
        with get_write_engine().begin() as connection:
            connection.exec_driver_sql(f'ALTER TABLE "{self.resource_id}" DISABLE TRIGGER zfulltext')
            indexes = connection.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE tablename = %(table)s AND indexname NOT LIKE '%%_pkey'",
                {"table": self.resource_id}).scalars().all()
            for index in indexes:
                connection.exec_driver_sql(f'DROP INDEX "{index}"')
            connection.exec_driver_sql(f"""
                INSERT INTO "{self.resource_id}" ({columns})
                SELECT '64.01.' || lpad(((n %% 10) + 1)::text, 2, '0'),
                       (ARRAY['Batu Sopang', 'Tanjung Harapan', 'Pasir Belengkong', 'Tanah Grogot', 'Kuaro',
                              'Long Ikis', 'Muara Komam', 'Long Kali', 'Batu Engau', 'Muara Samu'])[(n %% 10) + 1],
                       2000 + (n / 10) %% 25,
                       'Indikator ' || ((n / 250) %% 4000),
                       round((random() * 100000)::numeric, 2),
                       (ARRAY['jiwa', 'persen', 'ton', 'unit'])[(n %% 4) + 1],
                       CASE WHEN n %% 7 = 0 THEN 'angka sementara; sumber: "BPS"' ELSE '' END
                FROM generate_series(0, {rows - 1}) AS n""")
            connection.exec_driver_sql(f'ALTER TABLE "{self.resource_id}" ENABLE TRIGGER zfulltext')
            connection.exec_driver_sql(f'ANALYZE "{self.resource_id}"')
        size = self.scalar(f"SELECT pg_total_relation_size('\"{self.resource_id}\"')")
        self.summary["build"] = {"rows": rows, "insert_s": time.perf_counter() - started, "table_mb": size / 1e6}
        log(f"table {self.resource_id}: {rows:,} rows in {time.perf_counter() - started:.1f}s, "
            f"{size / 1e6:.0f} MB on disk")

    def scalar(self, statement: str) -> Any:
        from ckanext.datastore.backend.postgres import get_read_engine

        with get_read_engine().connect() as connection:
            return connection.exec_driver_sql(statement).scalar()

    # -- measurements

    def copy_baseline(self) -> tuple[int, int]:
        from ckanext.datastore.backend.postgres import get_read_engine

        columns = ", ".join(f'"{name}"' for name, _ in FIELDS)
        sink = Counter()
        raw = get_read_engine().raw_connection()
        try:
            with raw.cursor() as cursor:
                cursor.copy_expert(f'COPY (SELECT _id, {columns} FROM "{self.resource_id}" ORDER BY _id) '
                                   "TO STDOUT WITH CSV HEADER", sink)
        finally:
            raw.close()
        return sink.bytes, self.args.rows

    def download(self, query: str) -> tuple[int, int]:
        client = self.app._wsgi_app.test_client()  # type: ignore[attr-defined]
        response = client.get(f"/datastore/dump/{self.resource_id}?{query}", buffered=False)
        if response.status_code != 200:
            raise SystemExit(f"/datastore/dump?{query}: HTTP {response.status_code}")
        total = 0
        newlines = 0
        for chunk in response.response:
            data = chunk if isinstance(chunk, bytes) else chunk.encode()
            total += len(data)
            newlines += data.count(b"\n")
        response.close()
        return total, newlines

    def measure(self, label: str, run: Any) -> dict[str, float]:
        import gc

        gc.collect()
        with PeakRss() as memory:
            started = time.perf_counter()
            size, lines = run()
            elapsed = time.perf_counter() - started
        result = {"s": elapsed, "mb": size / 1e6, "mb_per_s": size / 1e6 / elapsed, "rss_growth_mb": memory.growth_mb,
                  "lines": lines}
        log(f"  {label}: {elapsed:.2f}s, {size / 1e6:.1f} MB, {size / 1e6 / elapsed:.1f} MB/s, "
            f"RSS +{memory.growth_mb:.1f} MB")
        return result

    def run_all(self) -> None:
        downloads = {"csv": "format=csv", "csv_excel": "format=csv&excel=1", "json": "format=json",
                     "xlsx": "format=xlsx"}
        if self.args.skip_xlsx:
            downloads.pop("xlsx")
        results: dict[str, list[dict[str, float]]] = {"copy": [], **{key: [] for key in downloads}}
        for rep in range(self.args.reps):
            log(f"round {rep + 1}/{self.args.reps}")
            for key, query in downloads.items():
                order = (("copy", None), (key, query)) if rep % 2 == 0 else ((key, query), ("copy", None))
                for label, q in order:
                    run = self.copy_baseline if q is None else (lambda q=q: self.download(q))
                    results[label].append(self.measure(label, run))
        summary: dict[str, Any] = {}
        for label, runs in results.items():
            summary[label] = {name: median([run[name] for run in runs]) for name in runs[0]}
            summary[label]["n"] = len(runs)
        for label in downloads:
            summary[label]["speed_vs_copy"] = summary[label]["mb_per_s"] / summary["copy"]["mb_per_s"]
            summary[label]["rows_per_s"] = self.args.rows / summary[label]["s"]
        summary["copy"]["rows_per_s"] = self.args.rows / summary["copy"]["s"]
        self.summary["downloads"] = summary

    def report(self) -> None:
        downloads, build = self.summary["downloads"], self.summary["build"]
        print()
        print("=" * 100)
        print(f"Machine: {machine(memory=True)}")
        print(f"1-minute load average: {benchlib.load_range(benchlib.load_stats())}")
        print(f"Table: {build['rows']:,} rows x {len(FIELDS)} columns, {build['table_mb']:.0f} MB on disk")
        print()
        print(f"| download (median of {downloads['copy']['n']}) | time | size | MB/s | rows/s | vs COPY | "
              "peak RSS growth |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for label, row in downloads.items():
            ratio = "baseline" if label == "copy" else f"{row['speed_vs_copy']:.2f} x"
            print(f"| {label} | {row['s']:.2f} s | {row['mb']:.1f} MB | {row['mb_per_s']:.1f} | "
                  f"{row['rows_per_s']:,.0f} | {ratio} | {row['rss_growth_mb']:.1f} MB |")
        met = all(row["speed_vs_copy"] >= TARGET_SPEED_RATIO for label, row in downloads.items()
                  if label in ("csv", "csv_excel"))
        print()
        print(f"Target: CSV downloads at least {TARGET_SPEED_RATIO:.0%} of COPY's speed: {'MET' if met else 'MISSED'}")

    def run(self) -> int:
        lock = benchlib.hold_lock("bench_exports", "bench_exports")
        try:
            if not self.args.no_wait:
                benchlib.wait_for_benchmarks(OTHER_BENCHMARKS, 15)
            self.set_up()
            self.build()
            self.run_all()
            self.summary["load"] = benchlib.load_stats()
            self.summary["machine"] = machine(memory=True)
            self.summary["runtime_s"] = time.perf_counter() - START
            self.report()
            benchlib.finish(self.summary, self.args.json)
            return 0
        finally:
            lock.close()
            if not self.args.keep:
                shutil.rmtree(self.folder, ignore_errors=True)


def main() -> int:
    parser = benchlib.arg_parser(__doc__)
    parser.add_argument("--quick", action="store_true", help="100,000 rows, 2 repetitions")
    parser.add_argument("--rows", type=int, help="rows in the table (default 1,000,000)")
    parser.add_argument("--reps", type=int, help="repetitions of each download (default 3)")
    parser.add_argument("--skip-xlsx", action="store_true", help="leave the XLSX download out")
    parser.add_argument("--no-wait", action="store_true", help="do not wait for other benchmarks (smoke runs)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary ini folder")
    parser.add_argument("--json", help="also write the figures as JSON to this file")
    args = parser.parse_args()
    benchlib.fill_defaults(args, {"rows": 100_000, "reps": 2} if args.quick else {"rows": 1_000_000, "reps": 3})
    return Bench(args).run()


if __name__ == "__main__":
    raise SystemExit(main())
