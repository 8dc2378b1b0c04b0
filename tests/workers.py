"""The suite on several processes (pytest-xdist, `make test` runs one per core): each worker has databases, a
Redis database and a storage folder of its own, in an ini derived from config/test.ini (.data/test-<worker>.ini).

    python tests/workers.py config/test.ini 2     writes the inis of workers gw0 and gw1, prints their paths
"""
from __future__ import annotations

import configparser
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIRST_REDIS_DB = 4  # 0-3: the development portal, the demo, the benchmarks, the serial suite
MAX_WORKERS = 8


def worker_ini(base: str, worker: str) -> str:
    """The ini of xdist worker ``worker`` (gw0, gw1, ...): ``base`` with its own databases, Redis database and
    storage. Written (again) on each call; returns its path."""
    number = int(worker.removeprefix("gw"))
    if number >= MAX_WORKERS:
        raise SystemExit(f"at most {MAX_WORKERS} test workers (Redis databases {FIRST_REDIS_DB}-15)")
    parser = configparser.RawConfigParser(strict=False)
    parser.read(base, encoding="utf-8")
    options = dict(parser.items("app:main"))

    def own_database(url: str) -> str:
        return re.sub(r"/([^/?]+)(\?|$)", rf"/\1_{worker}\2", url, count=1) if url else url

    redis_db = FIRST_REDIS_DB + number
    redis_url = re.sub(r"/\d+$", f"/{redis_db}", options["ckan.redis.url"])
    settings = "\n".join([
        f"sqlalchemy.url = {own_database(options['sqlalchemy.url'])}",
        f"ckan.datastore.write_url = {own_database(options['ckan.datastore.write_url'])}",
        f"ckan.datastore.read_url = {own_database(options['ckan.datastore.read_url'])}",
        f"ckan.redis.url = {redis_url}",
        f"ckan.harvest.mq.redis_db = {redis_db}",
        f"ckan.storage_path = {os.path.join(ROOT, '.data', f'test-storage-{worker}')}",
    ])
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from live_portal import derived_ini

    os.makedirs(os.path.join(ROOT, ".data"), exist_ok=True)
    return derived_ini(os.path.join(ROOT, ".data", f"test-{worker}.ini"), base, settings)


if __name__ == "__main__":
    base_ini, count = sys.argv[1], int(sys.argv[2])
    for index in range(count):
        print(worker_ini(base_ini, f"gw{index}"))
