"""Fixtures shared by the suite: CKAN's pytest plugin plus the migrations of this bundle's plugins."""
from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

# Plugins with their own migrations: CKAN's reset drops every table the first time, then only
# empties core ones, so these are (re)applied whenever their alembic version table is missing.
MIGRATED_PLUGINS = ("activity", "harvest", "paser_search", "paser")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def pytest_configure(config: pytest.Config) -> None:
    # SIGTERM (`timeout`, CI) stops the suite as Ctrl-C does: fixtures tear down, so the portals, servers and
    # browsers the tests started are stopped with it rather than left running.
    signal.signal(signal.SIGTERM, _interrupt)


def pytest_sessionstart(session: pytest.Session) -> None:
    """The .mo files are build products, not in git: compile any missing or stale one before CKAN reads it."""
    from ckanext.paser.localization.catalogues import compile_stale

    compile_stale()


def apply_plugin_migrations() -> None:
    from ckan.cli.db import _run_migrations
    from ckan.model import meta

    inspector = sa.inspect(meta.engine)
    for plugin in MIGRATED_PLUGINS:
        if not inspector.has_table(f"{plugin}_alembic_version"):
            _run_migrations(plugin)


@pytest.fixture(scope="session")
def reset_bundle_db(reset_db):
    """Callable: reset the database including this bundle's plugin tables (for wider-scoped fixtures)."""

    def reset() -> None:
        reset_db()
        apply_plugin_migrations()
        empty_bundle_tables()

    return reset


# Tables of this bundle that hold data (CKAN's reset empties only its own tables after the first time).
BUNDLE_DATA_TABLES = ("paser_flag_history", "paser_flag_dataset", "paser_flag", "paser_hold", "paser_figure",
                      "paser_resource_check", "paser_datastore_load")


def empty_bundle_tables() -> None:
    from ckan.model import meta

    inspector = sa.inspect(meta.engine)
    present = [table for table in BUNDLE_DATA_TABLES if inspector.has_table(table)]
    if present:
        with meta.engine.begin() as connection:
            connection.execute(sa.text(f"TRUNCATE {', '.join(present)}"))


@pytest.fixture
def clean_db(reset_db):
    reset_db()
    apply_plugin_migrations()
    empty_bundle_tables()


@pytest.fixture(scope="session")
def reset_db_once(reset_db):
    reset_db()
    apply_plugin_migrations()
    empty_bundle_tables()


@pytest.fixture(scope="session", autouse=True)
def _bundle_plugins():
    """The whole suite runs with the plugin set of config/test.ini loaded, as the portal runs.

    Loaded once per session (CKAN's with_plugins does it per test), so module-scoped fixtures
    can build data through the plugins.
    """
    from ckan import plugins

    plugins.load_all()
    yield
    plugins.unload_all()


@contextmanager
def plugins_left_out(*names: str) -> Iterator[None]:
    """The suite's plugin set without ``names`` for the block, as a site that leaves those optional plugins out
    of ckan.plugins runs (an app made in the block is made so too); the whole set again afterwards."""
    from ckan import plugins
    from ckan.common import aslist, config

    saved = config["ckan.plugins"]
    config["ckan.plugins"] = [name for name in aslist(saved) if name not in names]
    plugins.load_all()
    try:
        yield
    finally:
        config["ckan.plugins"] = saved
        plugins.load_all()


@pytest.fixture
def without_checks() -> Iterator[None]:
    """No paser_checks: the consistency checker left out."""
    with plugins_left_out("paser_checks"):
        yield


@pytest.fixture
def without_loader() -> Iterator[None]:
    """No paser_loader: tables are not loaded into the DataStore."""
    with plugins_left_out("paser_loader"):
        yield

