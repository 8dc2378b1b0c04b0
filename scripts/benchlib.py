"""What the benchmarks in scripts/ share: progress log and load averages, statistics, locks, databases, ini, CKAN.

Imported by bench_search.py, bench_checks.py and bench_harvest.py (run as ``.venv/bin/python scripts/bench_x.py``,
so this folder is on sys.path). Not a benchmark itself.
"""
from __future__ import annotations

import argparse
import configparser
import fcntl
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
COMMON_INI = ROOT / "config" / "common.ini"
START = time.perf_counter()
LOADS: list[float] = []  # the 1-minute load average at every log line (and wherever a script appends one)

# The migrations a benchmark database gets after `ckan db init`, in order.
PLUGIN_MIGRATIONS = ("activity", "harvest", "paser_search", "paser")
# The DataStore database of every benchmark's portal (the datastore plugin is enabled in common.ini); benchmarks
# wait for one another, so they can share it.
BENCH_DATASTORE = "ckan_paser_bench_datastore"

# ---------------------------------------------------------------------------------------------
# Progress, load averages, statistics


def log(message: str) -> None:
    """Progress with elapsed time and the 1-minute load average (other work on the machine skews figures)."""
    load = os.getloadavg()[0]
    LOADS.append(load)
    print(f"[{time.perf_counter() - START:8.1f}s load {load:4.1f}] {message}", flush=True)


def load_stats() -> dict[str, float]:
    """Minimum, median and maximum of the load averages sampled so far."""
    return {"min": min(LOADS), "median": statistics.median(LOADS), "max": max(LOADS)}


def load_range(stats: dict[str, float]) -> str:
    return f"min {stats['min']:.1f}, median {stats['median']:.1f}, max {stats['max']:.1f}"


def percentile(values: list[float], pct: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * pct / 100.0
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def time_calls(target: Any, attribute: str, record: Callable[..., None]) -> None:
    """Replace ``target.attribute`` by a wrapper that calls ``record(seconds, *args, **kwargs)`` after each call."""
    original = getattr(target, attribute)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            record(time.perf_counter() - started, *args, **kwargs)

    setattr(target, attribute, wrapper)


# ---------------------------------------------------------------------------------------------
# One run at a time


def hold_lock(name: str, who: str, record_pid: bool = False) -> IO[str]:
    """Take .data/<name>.lock for the whole run (keep the returned file open), or exit if another run holds it."""
    lock_path = ROOT / ".data" / f"{name}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = open(lock_path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole run
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        holder = f" (pid {lock.read().strip() or '?'})" if record_pid else ""
        sys.exit(f"another {who} run holds {lock_path}{holder}; wait for it to finish")
    if record_pid:
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
    return lock


def wait_for_benchmarks(names: Iterable[str], poll_s: int) -> float:
    """Two benchmarks on a two-core machine spoil each other's figures: wait while another one runs. Returns the
    seconds waited."""
    waited = 0.0
    while True:
        running = []
        for name in names:
            done = subprocess.run(["pgrep", "-f", name], capture_output=True, text=True, check=False)
            running += [f"{name} ({pid})" for pid in done.stdout.split() if int(pid) != os.getpid()]
        if not running:
            if waited:
                log(f"other benchmarks finished; waited {waited:.0f}s")
            return waited
        if not waited:
            log(f"{', '.join(running)} running; waiting (polling every {poll_s} s)")
        time.sleep(poll_s)
        waited += poll_s


# ---------------------------------------------------------------------------------------------
# Databases, redis, ini, CKAN


def psql(statement: str, database: str = "postgres", host: str = "127.0.0.1", port: int | None = None) -> None:
    """One statement as the postgres superuser, outside a transaction; exits on failure."""
    where = ["-h", host] + (["-p", str(port)] if port else [])
    done = subprocess.run(["psql", *where, "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-q",
                           "-c", statement], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"psql failed: {statement}\n{done.stderr}")


def recreate_database(database: str, owner: str, template: str | None = None, host: str = "127.0.0.1",
                      port: int | None = None) -> None:
    """Drop ``database`` (ending its sessions) and create it empty, or as a copy of ``template``."""
    psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)', host=host, port=port)
    copy = f' TEMPLATE "{template}"' if template else ""
    psql(f'CREATE DATABASE "{database}"{copy} OWNER "{owner}"', host=host, port=port)


def flush_redis(db: int) -> None:
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=db).flushdb()


def ensure_datastore(ini: Path) -> None:
    """The ini's DataStore database (a *bench* one) with CKAN's read-only permissions, created when missing."""
    import db_settings

    if "ckan.datastore.write_url" not in db_settings.read_app_options(str(ini)):
        return  # a portal without the datastore plugin (config/bench.ini)
    urls = db_settings.database_urls(str(ini))
    name, owner = urls["DS_WRITE"]["DB"], urls["DS_WRITE"]["USER"]
    if "bench" not in name:
        sys.exit(f"refusing to touch DataStore database {name!r}: benchmarks use *bench* databases")
    exists = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAc",
                             f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
                            capture_output=True, text=True, check=False).stdout.strip()
    if exists:
        return
    psql(f'CREATE DATABASE "{name}" OWNER "{owner}"')
    sql = subprocess.run([sys.executable, str(ROOT / "scripts" / "db_settings.py"), "--permissions-sql", str(ini)],
                         capture_output=True, text=True, check=True).stdout
    done = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", name, "-v", "ON_ERROR_STOP=1", "-q"],
                          input=sql, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"DataStore permissions on {name} failed:\n{done.stderr}")


def ckan_db_init(ini: Path, plugins: Iterable[str] = PLUGIN_MIGRATIONS) -> None:
    """`ckan db init`, then each plugin's migrations, with the ckan CLI of this venv; exits on failure."""
    ensure_datastore(ini)
    ckan = Path(sys.executable).with_name("ckan")
    for args in (["db", "init"], *(["db", "upgrade", "-p", plugin] for plugin in plugins)):
        started = time.perf_counter()
        done = subprocess.run([str(ckan), "-c", str(ini), *args], cwd=ROOT, capture_output=True, text=True,
                              check=False)
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr)
            sys.exit(f"ckan {' '.join(args)} failed")
        log(f"  ckan {' '.join(args)}: {time.perf_counter() - started:.1f}s")


INI_TEMPLATE = """\
# Written by scripts/{script}.py for one run; chains the portal's common settings ({chained}).
[DEFAULT]
debug = false

[app:main]
use = config:{common}
SECRET_KEY = {secret}
api_token.jwt.encode.secret = string:{secret}
api_token.jwt.decode.secret = string:{secret}
WTF_CSRF_SECRET_KEY = {secret}
sqlalchemy.url = postgresql://{role}:{role}@127.0.0.1:5432/{database}
ckan.datastore.write_url = postgresql://{role}:{role}@127.0.0.1:5432/{datastore}
ckan.datastore.read_url = postgresql://ckan_paser_ro:ckan_paser_ro@127.0.0.1:5432/{datastore}
ckan.redis.url = redis://127.0.0.1:6379/{redis_db}
ckan.harvest.mq.redis_db = {redis_db}
ckan.site_url = http://127.0.0.1:5000
ckan.storage_path = {storage}
ckan.cache_expires = 0
ckan.tracking_enabled = false
{settings}
[loggers]
keys = root, ckan, ckanext

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console

[logger_ckan]
level = WARNING
handlers = console
qualname = ckan
propagate = 0

[logger_ckanext]
level = {ckanext_level}
handlers = console
qualname = ckanext
propagate = 0

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(asctime)s %(levelname)-5.5s [%(name)s] %(message)s
"""


def write_ini(ini: Path, storage: Path, *, script: str, chained: str, role: str, database: str, redis_db: int,
              settings: str, ckanext_level: str = "WARNING", datastore: str = BENCH_DATASTORE) -> Path:
    """An ini for one run that chains config/common.ini; ``settings`` (lines ending in a newline) go last in
    [app:main]. Creates the storage folder."""
    storage.mkdir(parents=True, exist_ok=True)
    secret = f"paser-{script.replace('_', '-')}-only-secret"
    ini.write_text(INI_TEMPLATE.format(script=script, chained=chained, common=COMMON_INI, secret=secret, role=role,
                                       database=database, redis_db=redis_db, storage=storage, settings=settings, datastore=datastore,
                                       ckanext_level=ckanext_level), encoding="utf-8")
    return ini


def plugins_without(*names: str) -> str:
    """A ``ckan.plugins`` line for ``write_ini``'s settings: config/common.ini's plugins without ``names`` (an
    optional capability such as paser_checks left out, as a site may)."""
    parser = configparser.RawConfigParser(strict=False)
    parser.read(COMMON_INI, encoding="utf-8")
    plugins = parser.get("app:main", "ckan.plugins").split()
    return "ckan.plugins = " + " ".join(name for name in plugins if name not in names) + "\n"


def load_ckan(ini: Path | str) -> tuple[Any, Any]:
    """The CKAN app of ``ini`` and a pushed test request context (actions need one); keep both referenced."""
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(str(ini)))
    request = app._wsgi_app.test_request_context()  # type: ignore[attr-defined]
    request.push()
    return app, request


# ---------------------------------------------------------------------------------------------
# Arguments, report


def arg_parser(doc: str) -> argparse.ArgumentParser:
    """A parser described by the first paragraph of the script's docstring (the rest shows in --help)."""
    return argparse.ArgumentParser(description=doc.split("\n\n")[0],
                                   formatter_class=argparse.RawDescriptionHelpFormatter)


def fill_defaults(args: argparse.Namespace, defaults: dict[str, int]) -> None:
    """Set the options left unset (None) to ``defaults``."""
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else "?"


def machine(memory: bool = False) -> str:
    """Cores, CPU model (and RAM) and Python version, for the report."""
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ram = ""
    if memory:
        try:
            with open("/proc/meminfo", encoding="utf-8") as handle:
                kb = int(handle.readline().split()[1])
                ram = f", {kb / 1024 / 1024:.0f} GB RAM"
        except (OSError, ValueError, IndexError):
            pass
    return f"{os.cpu_count()} cores {cpu}{ram}, Python {platform.python_version()}"


def finish(summary: dict[str, Any], json_path: str | None) -> None:
    """Write the summary as JSON if asked, and log the end of the run."""
    if json_path:
        Path(json_path).write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
        log(f"summary written to {json_path}")
    log("done")
