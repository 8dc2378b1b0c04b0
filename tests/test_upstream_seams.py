"""Where the bundle patches CKAN or an upstream extension (docs/architecture.md, "Patches"), each patch names its
call sites and stops the portal's start-up, naming what changed, when one is gone: never a silent miss."""
from __future__ import annotations

import flask
import pytest
from ckan.lib.search import index as search_index
from ckanext.dcat import logic as dcat_logic
from ckanext.paser.dcat import actions as dcat_actions
from ckanext.paser.exports import datastore_dump
from ckanext.paser.search import install as search_install


def test_the_search_backend_replaces_every_known_call_site():
    from ckan.lib.search import common, query

    search_install.install()
    for module in (common, query, search_index):
        assert module.make_connection is search_install.make_connection


def test_a_call_site_that_changed_stops_the_start_up(monkeypatch):
    monkeypatch.setattr(search_index, "make_connection", lambda *args, **kwargs: None)
    with pytest.raises(RuntimeError, match="ckan.lib.search.index.make_connection is not CKAN's Solr connection"):
        search_install.install()


def test_ckanext_dcat_without_its_search_function_stops_the_start_up(monkeypatch):
    dcat_actions.check_upstream()
    monkeypatch.delattr(dcat_logic, "_search_ckan_datasets")
    with pytest.raises(RuntimeError, match="_search_ckan_datasets"):
        dcat_actions.check_upstream()


def test_a_datastore_without_its_dump_view_stops_the_start_up():
    bare = flask.Flask("without-dump")
    with pytest.raises(RuntimeError, match="registers no 'datastore.dump' view"):
        datastore_dump.install(bare)
