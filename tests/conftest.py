"""Fixtures shared by the suite: CKAN's pytest plugin plus the migrations of this bundle's plugins."""
from __future__ import annotations

import hashlib
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

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
    # A pytest-xdist worker runs on databases, a Redis database and a storage of its own (tests/workers.py),
    # before CKAN's plugin loads the configuration (at session start).
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and config.option.ckan_ini:
        from workers import worker_ini

        config.option.ckan_ini = worker_ini(config.option.ckan_ini, worker)


# Files that take minutes start first with pytest-xdist, so the other workers share out the short ones meanwhile;
# xdist's loadfile scheduler would start them last (it orders files by their number of tests).
LONG_FIRST = ("tests/journeys/", "tests/ui/", "tests/dcat/test_harvest_round_trip.py")


def _rank(scope: str) -> int:
    return next((index for index, prefix in enumerate(LONG_FIRST) if scope.startswith(prefix)), len(LONG_FIRST))


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class LongFilesFirst(LoadFileScheduling):
        def _assign_work_unit(self, node: Any) -> None:
            for scope in sorted((scope for scope in self.workqueue if _rank(scope) < len(LONG_FIRST)),
                                key=_rank, reverse=True):
                self.workqueue.move_to_end(scope, last=False)
            super()._assign_work_unit(node)

    return LongFilesFirst(config, log)


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


# Tables of this bundle that hold data (CKAN's reset empties only its own tables after the first time).
BUNDLE_DATA_TABLES = ("paser_flag_history", "paser_flag_dataset", "paser_flag", "paser_hold", "paser_figure",
                      "paser_resource_check", "paser_datastore_load")


def _public_tables() -> set[str]:
    from ckan.model import meta

    with meta.engine.connect() as connection:
        return set(connection.execute(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
                   .scalars())


@pytest.fixture(scope="session")
def reset_db():
    """CKAN's reset_db (the same tables emptied, and the bundle's data tables), in one TRUNCATE instead of a
    catalogue lookup and a DELETE per table (1.4 s a test, the suite's largest cost after the jobs). The first
    reset is CKAN's own: it drops every table and creates CKAN's again; the plugins' migrations then follow."""
    from ckan import model
    from ckan.model import meta
    from ckan.tests import factories
    from ckan.tests import helpers as test_helpers

    def reset() -> None:
        factories.fake.unique.clear()
        if not model.repo.tables_created_and_initialised:
            test_helpers.reset_db()
            apply_plugin_migrations()
            return
        model.Session.close_all()
        model.Session.remove()
        present = _public_tables()
        names = [table.name for table in model.repo.metadata.sorted_tables
                 if table.name != "alembic_version" and table.name in present]
        names += [table for table in BUNDLE_DATA_TABLES if table in present]
        with meta.engine.begin() as connection:
            # Only the tables a test filled: a TRUNCATE costs a few milliseconds a table even when it is empty, and
            # most tests fill a few of the thirty-odd (one probe of all of them, then one TRUNCATE).
            probe = " UNION ALL ".join(f'SELECT {index} FROM (SELECT 1 FROM "{name}" LIMIT 1) AS t{index}'
                                       for index, name in enumerate(names))
            filled = [names[index] for index in connection.execute(sa.text(probe)).scalars()]
            if filled:
                # A test's leftover transaction elsewhere would make TRUNCATE wait: fail instead of hanging.
                connection.execute(sa.text("SET LOCAL lock_timeout = '30s'"))
                # CASCADE: the legacy *_revision tables (empty, not in the model) still reference core tables
                connection.execute(sa.text("TRUNCATE " + ", ".join(f'"{name}"' for name in filled) + " CASCADE"))
        model.repo.init_db()
        model.Session.flush()
        if any(f"{plugin}_alembic_version" not in present for plugin in MIGRATED_PLUGINS):
            apply_plugin_migrations()  # a test dropped a plugin's tables

    return reset


@pytest.fixture(scope="session")
def reset_bundle_db(reset_db):
    """Callable: reset the database including this bundle's plugin tables (for wider-scoped fixtures)."""

    return reset_db


@pytest.fixture
def clean_db(reset_db):
    reset_db()


@pytest.fixture(scope="session")
def reset_db_once(reset_db):
    reset_db()


_APP: dict[str, object] = {}


def _app_key() -> str:
    """What a test app is made from: the config (after CKAN's own additions) and the plugins loaded."""
    from ckan.common import config
    from ckan.plugins import core

    settings = sorted((str(key), repr(value)) for key, value in config.items())
    return hashlib.sha1(repr((settings, list(core._PLUGINS))).encode()).hexdigest()


@pytest.fixture
def app(make_app):
    """CKAN's test app, made again only when the config or the plugins changed since the last one (a ckan_config
    mark, a plugin left out): making one loads CKAN's whole environment (0.9 s a test). Each request has its own
    client, so nothing (cookies, a login) carries from one test to the next."""
    key = _app_key()
    if _APP.get("key") != key:
        _APP["app"] = make_app()
        _APP["key"] = _app_key()
    return _APP["app"]


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

