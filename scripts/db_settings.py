"""Database settings of a CKAN ini file, for the shell set-up scripts.

    python scripts/db_settings.py config/development.ini          shell assignments (MAIN_DB=..., ...)
    python scripts/db_settings.py --permissions-sql config/x.ini  CKAN's DataStore permissions SQL for it

The ini file is the one source of the database names, roles and passwords; the scripts never repeat them.
Like CKAN, the CKAN_SQLALCHEMY_URL / CKAN_DATASTORE_*_URL environment variables override the file.
"""
from __future__ import annotations

import argparse
import configparser
import os
import shlex
from urllib.parse import unquote, urlsplit

URL_OPTIONS = {
    "MAIN": ("sqlalchemy.url", "CKAN_SQLALCHEMY_URL"),
    "DS_WRITE": ("ckan.datastore.write_url", "CKAN_DATASTORE_WRITE_URL"),
    "DS_READ": ("ckan.datastore.read_url", "CKAN_DATASTORE_READ_URL"),
}


def read_app_options(ini_path: str) -> dict[str, str]:
    """[app:main] of the file and of the files it chains to with `use = config:...`, nearest wins."""
    options: dict[str, str] = {}
    path = os.path.abspath(ini_path)
    while path:
        parser = configparser.RawConfigParser(strict=False)
        if not parser.read(path, encoding="utf-8"):
            raise SystemExit(f"cannot read {path}")
        section = dict(parser.items("app:main")) if parser.has_section("app:main") else {}
        for key, value in section.items():
            options.setdefault(key, value)
        use = section.get("use", "")
        path = os.path.join(os.path.dirname(path), use[len("config:"):]) if use.startswith("config:") else ""
    return options


def database_urls(ini_path: str) -> dict[str, dict[str, str]]:
    options = read_app_options(ini_path)
    urls = {}
    for prefix, (option, env_var) in URL_OPTIONS.items():
        url = os.environ.get(env_var) or options.get(option)
        if not url:
            raise SystemExit(f"{ini_path}: {option} is not set")
        parts = urlsplit(url)
        urls[prefix] = {
            "DB": parts.path.lstrip("/"),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
        }
    return urls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ini")
    parser.add_argument("--permissions-sql", action="store_true")
    args = parser.parse_args()
    urls = database_urls(args.ini)
    if args.permissions_sql:
        from ckanext.datastore.cli import permissions_sql

        print(permissions_sql(maindb=urls["MAIN"]["DB"], datastoredb=urls["DS_WRITE"]["DB"],
                              mainuser=urls["MAIN"]["USER"], writeuser=urls["DS_WRITE"]["USER"],
                              readuser=urls["DS_READ"]["USER"]))
        return
    for prefix, parts in urls.items():
        for key, value in parts.items():
            print(f"{prefix}_{key}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
