#!/usr/bin/env python3
"""Benchmark of the DCAT catalogue (issue 6). Not a test: it prints figures.

On a catalogue of 10,000 datasets with the full Paser metadata it measures, in one run:

* one catalogue page of 100 datasets rendered as Turtle with the portal's profiles ([paser_dcat_ap], which is
  euro_dcat_ap_3 plus the Satu Data fields) and with [euro_dcat_ap_3] alone, on the same page, interleaved
  A B B A ... after warm-up:
  - serialisation alone: `CatalogueSerializer(profiles=...).serialize_catalog(...)` (the portal's serializer,
    which `dcat_catalog_show` uses) over the same dataset dicts (page 1 of the catalogue search, deep-copied before
    each repetition, outside the timing); and the same with ckanext-dcat's own `RDFSerializer`, for comparison;
  - the whole `dcat_catalog_show` action (search, the portal's visibility filter, serialisation) with `profiles`;
  medians, p95 and the overhead of the Paser profile;
* streaming the whole catalogue page by page with the portal's profiles (`dcat_catalog_show`, page=1..N, page size
  `ckanext.dcat.datasets_per_page`, default 100): total time, pages/s, datasets/s, peak RSS of the process.

Datasets: `--templates` (default 100) go through package_create with the full Paser metadata (indexing deferred:
CKAN's synchronous_search notify is switched off in this process); the others are copies of those validated rows
made in SQL (package, package_extra, resource, member, package_tag, with new ids, names and titles), then every
dataset is indexed with CKAN's `search.rebuild` (as `ckan search-index rebuild`). The script works on its own
database (ckan_paser_bench_dcat, dropped and recreated), redis db 13 and a temporary folder, with an ini that chains
config/common.ini (the real plugin list and `ckanext.dcat.rdf.profiles`). Run it from the repository root:

    .venv/bin/python scripts/bench_dcat.py --json out.json   # 10,000 datasets, 20 repetitions
    .venv/bin/python scripts/bench_dcat.py --quick           # 500 datasets, 5 repetitions
    .venv/bin/python scripts/bench_dcat.py --reuse --no-gc-freeze   # the same catalogue again, GC not frozen

Before measuring, the process's objects are frozen out of the cyclic garbage collector, as the portal's web
processes do at their first request (ckanext.paser.runtime.gc_freeze); --no-gc-freeze measures without.

See docs/performance.md ("DCAT catalogue (issue 6)").
"""
from __future__ import annotations

import copy
import gc
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import benchlib
from benchlib import COMMON_INI, ROOT, START, git, log, machine, median, percentile

DATABASE = "ckan_paser_bench_dcat"
DB_ROLE = "ckan_paser"
REDIS_DB = 13
TARGET_OVERHEAD_PCT = 30.0
OTHER_BENCHMARKS = ("bench_search.py", "bench_checks.py", "bench_harvest.py")
PASER = ["paser_dcat_ap"]
EURO = ["euro_dcat_ap_3"]
OPD = [("disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil", "2.12"),
       ("dinkes", "Dinas Kesehatan", "1.02"),
       ("disdikbud", "Dinas Pendidikan dan Kebudayaan", "1.01"),
       ("dpupr", "Dinas Pekerjaan Umum dan Penataan Ruang", "1.03"),
       ("distan", "Dinas Pertanian", "3.27"),
       ("diskominfostaper", "Dinas Komunikasi, Informatika, Statistik dan Persandian", "2.16")]
GROUPS = [("kependudukan", "Kependudukan"), ("kesehatan", "Kesehatan"), ("pendidikan", "Pendidikan"),
          ("infrastruktur", "Infrastruktur"), ("pertanian", "Pertanian")]
FREQUENCIES = ["tahunan", "semesteran", "triwulanan", "bulanan"]


def bench_ini(folder: Path) -> Path:
    return benchlib.write_ini(folder / "bench_dcat.ini", folder / "storage", script="bench_dcat",
                              chained="plugins, schemas, dcat profiles", role=DB_ROLE, database=DATABASE,
                              redis_db=REDIS_DB, settings=benchlib.plugins_without("paser_checks"))


def set_up_database(ini: Path) -> None:
    log(f"recreating database {DATABASE} (owner {DB_ROLE}) and flushing redis db {REDIS_DB}")
    benchlib.recreate_database(DATABASE, DB_ROLE)
    benchlib.flush_redis(REDIS_DB)
    benchlib.ckan_db_init(ini)


def stats(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "median": median(values), "p95": percentile(values, 95),
            "mean": statistics.fmean(values) if values else float("nan"), "min": min(values), "max": max(values)}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


class Bench:
    def __init__(self, args: Any) -> None:
        self.args = args
        self.folder = Path(tempfile.mkdtemp(prefix="paser-bench-dcat-"))
        self.ini = bench_ini(self.folder)
        self.summary: dict[str, Any] = {}

    def load(self) -> None:
        log(f"loading CKAN with {self.ini} (chains {COMMON_INI.relative_to(ROOT)})")
        self.app, self.request = benchlib.load_ckan(self.ini)
        import ckan.plugins.toolkit as tk
        from ckan import model
        from ckan.lib import search

        self.tk, self.model, self.search = tk, model, search
        self.profiles = tk.config.get("ckanext.dcat.rdf.profiles")
        self.profiles = self.profiles.split() if isinstance(self.profiles, str) else list(self.profiles)
        if self.profiles != PASER:
            sys.exit(f"ckanext.dcat.rdf.profiles is {self.profiles}, expected {PASER}")
        self.page_size = int(tk.config.get("ckanext.dcat.datasets_per_page") or 100)
        self.indexing = True
        original = search.SynchronousSearchPlugin.notify
        bench = self

        def notify(plugin: Any, entity: Any, operation: Any) -> None:
            if bench.indexing:
                original(plugin, entity, operation)

        search.SynchronousSearchPlugin.notify = notify  # type: ignore[method-assign]

    def action(self, name: str, data: dict[str, Any], **context: Any) -> Any:
        return self.tk.get_action(name)({"user": self.admin, **context}, data)

    def raw(self) -> Any:
        return self.model.meta.engine.raw_connection()

    def scalar(self, statement: str) -> Any:
        connection = self.raw()
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement)
                return cursor.fetchone()[0]
        finally:
            connection.close()

    # -- building

    def fixtures(self) -> None:
        from ckanext.paser import reference

        self.admin = self.tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        self.org_ids = {name: self.action("organization_create", {"name": name, "title": title})["id"]
                        for name, title, _ in OPD}
        # The kecamatan organisations with a boundary, so the profile writes dcat:bbox as in production.
        for number, kecamatan in enumerate(reference.kecamatan_list()):
            x, y = 115.6 + 0.15 * number, -2.2 + 0.05 * number
            bounds = {"type": "Polygon", "coordinates": [[[x, y], [x + 0.2, y], [x + 0.2, y + 0.15],
                                                          [x, y + 0.15], [x, y]]]}
            self.action("organization_create", {
                "name": f"kecamatan-{reference.agencies.slugify(kecamatan.nama)}", "type": "kecamatan",
                "title": f"Kecamatan {kecamatan.nama}", "kode_kemendagri": kecamatan.kode_kemendagri,
                "kode_bps": kecamatan.kode_bps, "spatial": json.dumps(bounds)})
        for name, title in GROUPS:
            self.action("group_create", {"name": name, "title": title})
        self.kecamatan = [k.kode_kemendagri for k in reference.kecamatan_list()]
        log(f"fixtures: {len(OPD)} OPD, {len(self.kecamatan)} kecamatan organisations with boundaries, "
            f"{len(GROUPS)} groups")

    def template(self, number: int) -> dict[str, Any]:
        org, _, urusan = OPD[number % len(OPD)]
        group = GROUPS[number % len(GROUPS)][0]
        first = 2015 + number % 5
        data = {
            "name": f"tabel-{number:05d}", "title": f"Tabel statistik sektoral {number:05d}",
            "notes": f"Tabel {number} menurut kecamatan, {first}-2024, hasil pendataan produsen data.",
            "owner_org": self.org_ids[org], "license_id": "cc-by", "url": f"https://{org}.paserkab.go.id/data",
            "jenis_data": "statistik", "klasifikasi": "terbuka", "tingkat_penyajian": "kecamatan",
            "walidata": "Diskominfostaper", "cakupan_kecamatan": self.kecamatan,
            "temporal_coverage": [{"start": str(first), "end": "2024"}],
            "frequency": FREQUENCIES[number % len(FREQUENCIES)], "urusan": [urusan] + (["2.16"] if number % 3 == 0
                                                                                      and urusan != "2.16" else []),
            "kode_indikator": f"{urusan}.{number % 90 + 1:02d}", "konsep": f"Konsep indikator {number}",
            "definisi": f"Definisi operasional indikator {number} menurut kecamatan",
            "klasifikasi_penyajian": "menurut kecamatan", "ukuran": "jumlah", "satuan": "jiwa",
            "sumber_data": f"Data administrasi {org}", "metode_pengumpulan": "administrasi",
            "contact": [{"name": "Seksi Data", "email": f"data@{org}.paserkab.go.id"}],
            "tags": [{"name": "statistik"}, {"name": group}], "groups": [{"name": group}],
            "resources": [{"url": f"https://{org}.paserkab.go.id/tabel-{number:05d}.csv", "name": "Tabel (CSV)",
                           "format": "CSV", "mimetype": "text/csv", "size": 4096 + number,
                           "kolom_wilayah": "kode_wilayah",
                           "jenis_kode_wilayah": "kode_kemendagri", "kolom_periode": "tahun",
                           "kolom_nilai": "nilai", "satuan": "jiwa"}],
        }
        if number % 2:
            data["resources"].append({"url": f"https://{org}.paserkab.go.id/tabel-{number:05d}.xlsx",
                                      "name": "Tabel (XLSX)", "format": "XLSX", "mimetype":
                                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
        return data

    def build(self) -> None:
        total, templates = self.args.datasets, min(self.args.templates, self.args.datasets)
        if total % templates:
            sys.exit(f"--datasets ({total}) must be a multiple of --templates ({templates})")
        log(f"creating {templates} datasets with package_create (full Paser metadata, indexing deferred)")
        self.indexing = False
        started = time.perf_counter()
        for number in range(templates):
            self.action("package_create", self.template(number))
            self.model.Session.remove()
        self.indexing = True
        create_s = time.perf_counter() - started
        log(f"  {templates} package_create in {create_s:.1f}s ({templates / create_s:.1f}/s)")
        copies = total // templates - 1
        started = time.perf_counter()
        if copies:
            log(f"copying them {copies} times in SQL (package, package_extra, resource, member, package_tag)")
            self.copy_rows(copies)
        copy_s = time.perf_counter() - started
        ids = self.all_ids()
        log(f"indexing {len(ids)} datasets with CKAN's search.rebuild")
        started = time.perf_counter()
        for offset in range(0, len(ids), 1000):
            self.search.rebuild(package_ids=ids[offset:offset + 1000], defer_commit=True, quiet=True)
            self.model.Session.remove()
            log(f"  {min(len(ids), offset + 1000)}/{len(ids)} "
                f"({min(len(ids), offset + 1000) / (time.perf_counter() - started):.0f}/s)")
        self.search.commit()
        index_s = time.perf_counter() - started
        count = self.action("package_search", {"q": "*:*", "rows": 0})["count"]
        if count != total:
            sys.exit(f"package_search counts {count} datasets, expected {total}")
        self.summary["build"] = {"datasets": total, "package_create": templates, "package_create_s": create_s,
                                 "sql_copies": total - templates, "sql_copy_s": copy_s, "rebuild_s": index_s}

    def copy_rows(self, copies: int) -> None:
        connection = self.raw()

        def columns(cursor: Any, table: str) -> list[str]:
            cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
                           "AND table_name = %s ORDER BY ordinal_position", (table,))
            return [row[0] for row in cursor.fetchall()]

        def insert(cursor: Any, table: str, source: str, replace: dict[str, str]) -> None:
            names = columns(cursor, table)
            select = ", ".join(replace.get(name, f"t.{name}") for name in names)
            quoted = ", ".join(f'"{name}"' for name in names)
            cursor.execute(f'INSERT INTO "{table}" ({quoted}) SELECT {select} {source}')

        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE bench_copy AS SELECT p.id AS src, gen_random_uuid()::text AS id, "
                           "g.n FROM package p CROSS JOIN generate_series(1, %s) AS g(n) WHERE p.type = 'dataset'",
                           (copies,))
            insert(cursor, "package", "FROM package t JOIN bench_copy c ON c.src = t.id",
                   {"id": "c.id", "name": "t.name || '-' || lpad(c.n::text, 3, '0')",
                    "title": "t.title || ' (' || c.n || ')'",
                    "metadata_modified": "t.metadata_modified - make_interval(secs => c.n)"})
            insert(cursor, "package_extra", "FROM package_extra t JOIN bench_copy c ON c.src = t.package_id",
                   {"id": "gen_random_uuid()::text", "package_id": "c.id"})
            insert(cursor, "resource", "FROM resource t JOIN bench_copy c ON c.src = t.package_id",
                   {"id": "gen_random_uuid()::text", "package_id": "c.id",
                    "url": "replace(t.url, '.paserkab.go.id/', '.paserkab.go.id/' || c.n || '/')"})
            insert(cursor, "member", "FROM member t JOIN bench_copy c ON c.src = t.table_id "
                   "WHERE t.table_name = 'package'", {"id": "gen_random_uuid()::text", "table_id": "c.id"})
            insert(cursor, "package_tag", "FROM package_tag t JOIN bench_copy c ON c.src = t.package_id",
                   {"id": "gen_random_uuid()::text", "package_id": "c.id"})
            connection.commit()
            cursor.execute("ANALYZE")
            connection.commit()
        connection.close()

    def reuse(self) -> None:
        """The catalogue a previous run left in the database (--reuse), checked for its size."""
        self.admin = self.tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        count = self.action("package_search", {"q": "*:*", "rows": 0})["count"]
        if count != self.args.datasets:
            sys.exit(f"--reuse: the database holds {count} datasets, expected {self.args.datasets}; run without it")
        log(f"reusing the catalogue of {count} datasets in {DATABASE}")
        self.summary["build"] = {"datasets": count, "package_create": 0, "package_create_s": 0.0,
                                 "sql_copies": 0, "sql_copy_s": 0.0, "rebuild_s": 0.0, "reused": True}

    def freeze(self) -> None:
        """As a portal web process does at its first request (ckanext.paser.runtime.gc_freeze), unless
        --no-gc-freeze: what the process holds now is frozen out of the cyclic garbage collector."""
        from ckanext.paser.runtime import gc_freeze

        tracked = len(gc.get_objects())
        frozen = 0 if self.args.no_gc_freeze else gc_freeze.freeze()
        log(f"{tracked:,} objects tracked by the garbage collector; {frozen:,} frozen"
            f"{' (--no-gc-freeze)' if self.args.no_gc_freeze else ''}")
        self.summary["gc"] = {"tracked": tracked, "frozen": frozen}

    def all_ids(self) -> list[str]:
        connection = self.raw()
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM package WHERE state = 'active' AND type = 'dataset' ORDER BY name")
            ids = [row[0] for row in cursor.fetchall()]
        connection.close()
        return ids

    # -- measurements

    def page_dicts(self) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Page 1 of the catalogue as dcat_catalog_show gets it (its search, with the portal's visibility fq)."""
        from ckanext.dcat import logic as dcat_logic

        data = {"page": 1, "fq": "+dataset_type:dataset +klasifikasi:terbuka +capacity:public +state:active"}
        query = dcat_logic._search_ckan_datasets({"user": self.admin}, data)
        return query["results"], dcat_logic._pagination_info(query, {"page": 1})

    def verify(self, text: str, label: str) -> int:
        """Checks the page has its datasets; the number of triples."""
        from rdflib import Graph
        from rdflib.namespace import DCAT, RDF

        graph = Graph().parse(data=text, format="turtle")
        count = len(set(graph.subjects(RDF.type, DCAT.Dataset)))
        if count != self.page_size:
            sys.exit(f"{label}: {count} dcat:Dataset in the page, expected {self.page_size}")
        return len(graph)

    def ab(self) -> None:
        from ckanext.dcat.processors import RDFSerializer
        from ckanext.paser.dcat.serializer import CatalogueSerializer

        dicts, pagination = self.page_dicts()
        reps, warmup = self.args.reps, self.args.warmup
        log(f"A/B on page 1 ({len(dicts)} datasets): {warmup} warm-up rounds, then {reps} x each, order A B B A ...")
        serialisers = {"serialise": CatalogueSerializer, "stock": RDFSerializer}
        timings: dict[str, dict[str, list[float]]] = {label: {"paser": [], "euro": []}
                                                      for label in (*serialisers, "action")}
        serialise, action = timings["serialise"], timings["action"]
        sizes: dict[str, int] = {}
        profiles = {"paser": PASER, "euro": EURO}
        for round_number in range(warmup + reps):
            order = ("paser", "euro") if round_number % 2 == 0 else ("euro", "paser")
            for label, serializer in serialisers.items():
                for key in order:
                    page = copy.deepcopy(dicts)
                    started = time.perf_counter()
                    text = serializer(profiles=profiles[key]).serialize_catalog(
                        {}, page, _format="turtle", pagination_info=pagination)
                    elapsed = (time.perf_counter() - started) * 1000
                    if round_number == 0:
                        sizes[f"{label}_{key}_triples"] = self.verify(text, f"{serializer.__name__} {key}")
                        sizes[f"{label}_{key}_bytes"] = len(text.encode())
                    if round_number >= warmup:
                        timings[label][key].append(elapsed)
            for key in order:
                started = time.perf_counter()
                text = self.action("dcat_catalog_show", {"page": 1, "format": "ttl", "profiles": profiles[key]})
                elapsed = (time.perf_counter() - started) * 1000
                if round_number == 0:
                    self.verify(text, f"dcat_catalog_show {key}")
                    sizes[f"action_{key}_bytes"] = len(text.encode())
                if round_number >= warmup:
                    action[key].append(elapsed)
            self.model.Session.remove()
            if round_number >= warmup:
                log(f"  round {round_number - warmup + 1}/{reps}: serialise paser {serialise['paser'][-1]:.0f} / "
                    f"euro {serialise['euro'][-1]:.0f} ms; stock serializer paser {timings['stock']['paser'][-1]:.0f}"
                    f" / euro {timings['stock']['euro'][-1]:.0f} ms; action paser {action['paser'][-1]:.0f} / euro "
                    f"{action['euro'][-1]:.0f} ms")
        result: dict[str, Any] = {"page_datasets": len(dicts), "sizes": sizes}
        for label, values in timings.items():
            paser, euro = stats(values["paser"]), stats(values["euro"])
            result[label] = {"paser_ms": paser, "euro_ms": euro,
                             "overhead_median_pct": (paser["median"] / euro["median"] - 1) * 100,
                             "overhead_p95_pct": (paser["p95"] / euro["p95"] - 1) * 100,
                             "paired_overhead_median_pct": median(
                                 [(p / e - 1) * 100 for p, e in zip(values["paser"], values["euro"])])}
        self.summary["ab"] = result

    def stream(self) -> None:
        pages = -(-self.args.datasets // self.page_size)
        log(f"streaming the catalogue: dcat_catalog_show page 1..{pages}, Turtle, profiles {' '.join(PASER)} "
            "(the portal's default)")
        rss_before = peak_rss_mb()
        times: list[float] = []
        total_bytes = 0
        seen = 0
        started = time.perf_counter()
        page = 1
        while True:
            t0 = time.perf_counter()
            text = self.action("dcat_catalog_show", {"page": page, "format": "ttl"})
            times.append((time.perf_counter() - t0) * 1000)
            total_bytes += len(text.encode())
            self.model.Session.remove()
            seen += text.count("a dcat:Dataset")
            if "hydra:nextPage" not in text:
                break
            page += 1
            if page % 20 == 0:
                log(f"  page {page}/{pages} ({page / (time.perf_counter() - started):.1f} pages/s, peak RSS "
                    f"{peak_rss_mb():.0f} MB)")
        total = time.perf_counter() - started
        if page != pages:
            sys.exit(f"streamed {page} pages, expected {pages}")
        self.summary["stream"] = {
            "pages": page, "datasets": self.args.datasets, "datasets_marked": seen, "total_s": total,
            "pages_per_s": page / total, "datasets_per_s": self.args.datasets / total, "page_ms": stats(times),
            "mb": total_bytes / 1e6, "peak_rss_mb_before": rss_before, "peak_rss_mb_after": peak_rss_mb()}

    # -- report

    def report(self) -> None:
        s = self.summary
        ab, stream, build = s["ab"], s["stream"], s["build"]
        print()
        print("=" * 100)
        print(f"Machine: {machine(memory=True)}")
        print(f"1-minute load average: {benchlib.load_range(benchlib.load_stats())}; pytest running during the "
              f"run: {', '.join(s['pytest']) or 'no'}")
        dcat_dir = "ckanext-paser/ckanext/paser/dcat"
        print(f"Code: profile at commit {git('log', '-1', '--format=%h', '--', dcat_dir)} (work tree "
              f"{'modified' if git('status', '--porcelain', '--', dcat_dir) else 'clean'})")
        if build.get("reused"):
            print(f"Catalogue: {build['datasets']:,} datasets left by a previous run (--reuse)")
        else:
            print(f"Catalogue: {build['datasets']:,} datasets ({build['package_create']} by package_create in "
                  f"{build['package_create_s']:.0f}s, {build['sql_copies']:,} SQL copies in "
                  f"{build['sql_copy_s']:.0f}s, search.rebuild {build['rebuild_s']:.0f}s)")
        print(f"Garbage collector: {s['gc']['tracked']:,} objects tracked before the measurements, "
              f"{s['gc']['frozen']:,} frozen (as the portal's web processes do at their first request)"
              if s["gc"]["frozen"] else f"Garbage collector: {s['gc']['tracked']:,} objects tracked, not frozen "
              "(--no-gc-freeze)")
        print()
        print(f"| page of {ab['page_datasets']} datasets, Turtle (n={ab['serialise']['paser_ms']['n']} each) | "
              "euro_dcat_ap_3 median / p95 | paser_dcat_ap median / p95 | overhead (medians / paired) |")
        print("|---|---:|---:|---:|")
        titles = {"serialise": "serialize_catalog alone, the portal's serializer (CatalogueSerializer)",
                  "action": "dcat_catalog_show (search + serialisation)",
                  "stock": "for comparison: serialize_catalog with ckanext-dcat's own RDFSerializer"}
        for label, title in titles.items():
            row = ab[label]
            print(f"| {title} | {row['euro_ms']['median']:.0f} / {row['euro_ms']['p95']:.0f} ms | "
                  f"{row['paser_ms']['median']:.0f} / {row['paser_ms']['p95']:.0f} ms | "
                  f"{row['overhead_median_pct']:+.1f} % / {row['paired_overhead_median_pct']:+.1f} % |")
        print(f"Turtle sizes of the page: {ab['sizes']}")
        print()
        print("| streaming the catalogue (portal profiles) | result |")
        print("|---|---:|")
        print(f"| pages x {self.page_size} | {stream['pages']} |")
        print(f"| total | {stream['total_s']:.1f} s ({stream['mb']:.1f} MB of Turtle) |")
        print(f"| pages/s, datasets/s | {stream['pages_per_s']:.2f}, {stream['datasets_per_s']:.0f} |")
        print(f"| page median / p95 / max | {stream['page_ms']['median']:.0f} / {stream['page_ms']['p95']:.0f} / "
              f"{stream['page_ms']['max']:.0f} ms |")
        print(f"| peak RSS before / after | {stream['peak_rss_mb_before']:.0f} / {stream['peak_rss_mb_after']:.0f} "
              "MB |")
        print()
        overhead = ab["serialise"]["overhead_median_pct"]
        action_overhead = ab["action"]["overhead_median_pct"]
        met = overhead <= TARGET_OVERHEAD_PCT and action_overhead <= TARGET_OVERHEAD_PCT
        print(f"Target: the Paser profile at most {TARGET_OVERHEAD_PCT:.0f} % slower: {'MET' if met else 'MISSED'} "
              f"(serialisation {overhead:+.1f} %, action {action_overhead:+.1f} % on medians)")

    def run(self) -> int:
        self.lock = benchlib.hold_lock("bench_dcat", "bench_dcat")
        try:
            if not self.args.no_wait:
                benchlib.wait_for_benchmarks(OTHER_BENCHMARKS, 15)
            pytest = benchlib.subprocess.run(["pgrep", "-f", "pytest"], capture_output=True, text=True,
                                             check=False).stdout.split()
            log(f"run with {self.args.datasets} datasets, {self.args.reps} repetitions; pytest processes: "
                f"{pytest or 'none'}; temporary folder {self.folder}")
            if self.args.reuse:
                self.load()
                self.reuse()
            else:
                set_up_database(self.ini)
                self.load()
                self.fixtures()
                self.build()
            if not self.args.no_wait:
                benchlib.wait_for_benchmarks(OTHER_BENCHMARKS, 15)
            self.freeze()
            self.ab()
            self.stream()
            self.summary["pytest"] = benchlib.subprocess.run(["pgrep", "-f", "pytest"], capture_output=True,
                                                             text=True, check=False).stdout.split() + pytest
            self.summary["pytest"] = sorted(set(self.summary["pytest"]))
            self.summary["load"] = benchlib.load_stats()
            self.summary["machine"] = machine(memory=True)
            self.summary["runtime_s"] = time.perf_counter() - START
            self.report()
            benchlib.finish(self.summary, self.args.json)
            return 0
        finally:
            if not self.args.keep:
                shutil.rmtree(self.folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = benchlib.arg_parser(__doc__)
    parser.add_argument("--quick", action="store_true", help="500 datasets, 5 repetitions, 2 warm-up rounds")
    parser.add_argument("--datasets", type=int, help="datasets in the catalogue (default 10,000)")
    parser.add_argument("--templates", type=int, help="of which made by package_create (default 100; the rest "
                        "are SQL copies; --datasets must be a multiple)")
    parser.add_argument("--reps", type=int, help="timed repetitions of each profile list (default 20)")
    parser.add_argument("--warmup", type=int, help="untimed rounds before (default 3)")
    parser.add_argument("--no-wait", action="store_true", help="do not wait for other benchmarks (smoke runs)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary ini folder")
    parser.add_argument("--reuse", action="store_true", help="measure the catalogue a previous run left in the "
                        "database (same --datasets) instead of building it again")
    parser.add_argument("--no-gc-freeze", action="store_true", help="measure without freezing the process's "
                        "objects out of garbage collection (the portal does it at its first request)")
    parser.add_argument("--json", help="also write the figures as JSON to this file")
    args = parser.parse_args(argv)
    defaults = ({"datasets": 500, "templates": 100, "reps": 5, "warmup": 2} if args.quick
                else {"datasets": 10000, "templates": 100, "reps": 20, "warmup": 3})
    benchlib.fill_defaults(args, defaults)
    os.chdir(ROOT)
    return Bench(args).run()


if __name__ == "__main__":
    sys.exit(main())
