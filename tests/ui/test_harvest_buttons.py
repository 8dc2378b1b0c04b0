"""In a real browser, with CSRF protection on: the harvest source's Reharvest and Stop buttons ask for confirmation and post the page's CSRF token (CKAN's confirm-action module), now that the portal runs
these actions by POST only (ckanext/paser/security/harvest_routes.py)."""
from __future__ import annotations

from typing import Any

import pytest
from ckan import model
from ckan.tests import factories, helpers
from ckanext.harvest.model import HarvestJob

PASSWORD = "Rahasia-Paser-2025"


@pytest.fixture
def source(clean_db, clean_index, clean_redis) -> dict[str, Any]:
    admin = factories.Sysadmin(name="admin-panen", password=PASSWORD)
    factories.Organization(name="bps-paser", title="BPS Kabupaten Paser")
    return helpers.call_action("harvest_source_create", {"user": admin["name"], "ignore_auth": True},
                               name="portal-provinsi", title="Portal Provinsi", source_type="ckan",
                               url="http://127.0.0.1:9/api/3/action/package_search", owner_org="bps-paser")


def _jobs(source_id: str) -> list[HarvestJob]:
    model.Session.remove()
    return model.Session.query(HarvestJob).filter_by(source_id=source_id).all()


def _confirm(page, button) -> None:
    button.click()
    page.locator(".modal.show .btn-primary").click()
    page.wait_for_load_state("load")


def test_harvest_buttons_post_with_the_token(page, portal_url, source):
    page.goto(f"{portal_url}/user/login")
    page.fill("#field-login", "admin-panen")
    page.fill("#field-password", PASSWORD)
    page.locator("form:has(#field-login) button[type=submit]").click()
    page.wait_for_url("**/dashboard/**")

    admin_page = f"{portal_url}/harvest/admin/{source['name']}"
    page.goto(admin_page)
    _confirm(page, page.locator(f'a[href="/harvest/refresh/{source["id"]}"]'))
    assert page.url.endswith(f"/harvest/admin/{source['id']}")
    (job,) = _jobs(source["id"])  # queued for gathering: ckanext-harvest marks it Running
    assert job.status == "Running"
    page.goto(admin_page)
    _confirm(page, page.locator(f'a[href="/harvest/{source["name"]}/job/{job.id}/abort"]'))
    assert [job.status for job in _jobs(source["id"])] == ["Finished"]
