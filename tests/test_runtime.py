"""The portal's web process freezes its start-up heap out of garbage collection at the first request
(ckanext/paser/runtime/gc_freeze.py)."""
from __future__ import annotations

import gc
from typing import Any

import flask
import pytest
from ckanext.paser.runtime import gc_freeze


def test_first_request_freezes_the_started_process(app: Any) -> None:
    assert app.get("/api/3/action/status_show").status_code == 200
    assert gc_freeze._frozen
    # CKAN's modules, templates and metadata: far more than a request's own objects.
    assert gc.get_freeze_count() > 50_000
    assert gc_freeze.freeze() == 0  # once per process


def test_switched_on_by_default() -> None:
    app = flask.Flask("portal")
    assert gc_freeze.install(app) is app
    assert app.before_request_funcs[None] == [gc_freeze._freeze_at_first_request]


@pytest.mark.ckan_config("ckanext.paser.runtime.gc_freeze", "false")
def test_switched_off() -> None:
    app = flask.Flask("portal")
    gc_freeze.install(app)
    assert not app.before_request_funcs
