"""Wait until the services that the CKAN configuration points at accept connections.

Run by docker/entrypoint.sh before any CKAN command. The targets are read from the configuration CKAN itself
will use: the ini file named by CKAN_INI, loaded with CKAN's own loader (so the ``use = config:...`` chain and
the %(CKAN_*)s environment interpolation apply), then CKAN's CONFIG_FROM_ENV_VARS overrides. Waits for:

* PostgreSQL at ``sqlalchemy.url`` (a real login, so it also waits for docker/postgres-init/ to create the role),
* Solr at ``solr_url`` (its ping handler), unless ``paser_search`` serves search from PostgreSQL,
* Redis at ``ckan.redis.url`` and, when it is set, the harvest queue Redis ``ckan.harvest.mq.hostname``.

PASER_WAIT_TIMEOUT (seconds, default 180) bounds the wait; the script exits 1 naming what is still down.
Before waiting it refuses to go on while a CKAN_* variable still holds a placeholder from .env.example.
"""
from __future__ import annotations

import base64
import json
import os
import sys
import time
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

DEFAULT_INI = "/srv/app/production.ini"
# What docker/.env.example puts where a secret or password has to go.
PLACEHOLDER = "change-me"


def unchanged_placeholders(environ: dict[str, str]) -> list[str]:
    """Names of the CKAN_* variables that still carry a .env.example placeholder (also inside URLs)."""
    return sorted(name for name, value in environ.items() if name.startswith("CKAN_") and PLACEHOLDER in value)


def effective_config(ini_path: str) -> dict[str, Any]:
    """The options CKAN will run with: the ini chain, then CKAN's environment overrides."""
    from ckan.cli import CKANConfigLoader
    from ckan.config.environment import CONFIG_FROM_ENV_VARS

    config = CKANConfigLoader(ini_path).get_config()
    for option, variable in CONFIG_FROM_ENV_VARS.items():
        if os.environ.get(variable):
            config[option] = os.environ[variable]
    return config


def targets(config: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(label, kind, url) for every service CKAN needs before it can start."""
    plugins = str(config.get("ckan.plugins", "")).split()
    found = [("PostgreSQL", "postgres", config["sqlalchemy.url"])]
    if "paser_search" not in plugins:
        found.append(("Solr", "solr", config["solr_url"]))
    found.append(("Redis", "redis", config["ckan.redis.url"]))
    host = config.get("ckan.harvest.mq.hostname")
    if host and config.get("ckan.harvest.mq.type", "redis") == "redis":
        port = config.get("ckan.harvest.mq.port") or 6379
        db = config.get("ckan.harvest.mq.redis_db") or 0
        found.append(("Redis (harvest queues)", "redis", f"redis://{host}:{port}/{db}"))
    return found


def describe(url: str) -> str:
    """host:port of a URL, without credentials, for messages."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


def check_postgres(url: str) -> None:
    import psycopg2

    # libpq understands postgresql:// URIs but not SQLAlchemy's driver suffix
    scheme, rest = url.split("://", 1)
    psycopg2.connect(f"{scheme.split('+', 1)[0]}://{rest}", connect_timeout=5).close()


def check_solr(url: str, user: str | None = None, password: str | None = None) -> None:
    request = urllib.request.Request(url.rstrip("/") + "/admin/ping?wt=json")
    if user:
        token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    with urllib.request.urlopen(request, timeout=5) as response:
        status = json.load(response).get("status")
    if status != "OK":
        raise RuntimeError(f"Solr ping status {status!r}")


def check_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5).ping()


def wait(config: dict[str, Any], timeout: float, interval: float = 2.0) -> list[str]:
    """Poll every target until all answer or the time is up; return the labels still failing."""
    checks: dict[str, Callable[[str], None]] = {
        "postgres": check_postgres,
        "solr": lambda url: check_solr(url, config.get("solr_user"), config.get("solr_password")),
        "redis": check_redis,
    }
    pending = targets(config)
    deadline = time.monotonic() + timeout
    errors: dict[str, str] = {}
    while pending:
        still = []
        for label, kind, url in pending:
            try:
                checks[kind](url)
            # whatever the client raises (refused, DNS, auth, not ready), the service is not up yet
            except Exception as error:  # noqa: BLE001
                errors[label] = f"{type(error).__name__}: {error}".splitlines()[0]
                still.append((label, kind, url))
            else:
                print(f"wait_for_services: {label} at {describe(url)} is up", flush=True)
        pending = still
        if not pending or time.monotonic() >= deadline:
            break
        time.sleep(interval)
    for label, _kind, url in pending:
        print(f"wait_for_services: {label} at {describe(url)} is not reachable: {errors[label]}",
              file=sys.stderr, flush=True)
    return [label for label, _kind, _url in pending]


def main() -> int:
    placeholders = unchanged_placeholders(dict(os.environ))
    if placeholders:
        print("wait_for_services: set real values in docker/.env, still placeholders: " + ", ".join(placeholders),
              file=sys.stderr, flush=True)
        return 1
    ini_path = os.environ.get("CKAN_INI", DEFAULT_INI)
    timeout = float(os.environ.get("PASER_WAIT_TIMEOUT", "180"))
    return 1 if wait(effective_config(ini_path), timeout) else 0


if __name__ == "__main__":
    sys.exit(main())
