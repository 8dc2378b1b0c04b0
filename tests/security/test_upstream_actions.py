"""Upstream actions that answered a server error, or ran with nobody's permission (issue 14: "Every bad input is a
4xx"), through the real API: CKAN's autocompletes without ``q``, ckanext-activity's ``activity_show`` for a
non-sysadmin, an anonymous ``package_collaborator_list``, and ckanext-harvest's actions that had no auth function of
their own (checking access to them recursed; ``harvest_abort_failed_jobs`` checked nothing at all)."""
from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories, helpers
from satudata.conftest import satu_data


@pytest.fixture(scope="module")
def world(reset_db_once: None) -> dict[str, Any]:
    sysadmin = factories.Sysadmin()
    editor = factories.User()
    plain = factories.User()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    dataset = helpers.call_action("package_create", {"user": editor["name"]}, name="penduduk-upstream",
                                  owner_org=org["id"], **satu_data())
    helpers.call_action("package_patch", {"user": editor["name"]}, id=dataset["id"], notes="Diperbarui")
    source = helpers.call_action("harvest_source_create", {"user": sysadmin["name"]}, name="sumber-upstream",
                                 url="http://127.0.0.1:9/ckan", source_type="ckan", owner_org=org["id"])
    activities = helpers.call_action("package_activity_list", {"ignore_auth": True}, id=dataset["id"])
    return {"sysadmin": sysadmin, "editor": editor, "plain": plain, "org": org, "dataset": dataset,
            "source": source, "activity": activities[0]}


def _token(user: dict[str, Any]) -> dict[str, str]:
    token = helpers.call_action("api_token_create", {"user": user["name"]}, user=user["name"], name="uji")
    return {"Authorization": token["token"]}


def _get(app: Any, action: str, who: dict[str, Any] | None = None, **params: Any) -> Any:
    return app.get(f"/api/3/action/{action}", query_string=params, headers=_token(who) if who else {})


@pytest.mark.parametrize("action", ["group_autocomplete", "organization_autocomplete"])
def test_an_autocomplete_without_a_query_says_what_is_missing(app: Any, world: dict[str, Any],
                                                               action: str) -> None:
    response = _get(app, action)
    assert response.status_code == 409
    assert "q" in response.json["error"]
    limit = _get(app, action, q="a", limit="banyak")
    assert limit.status_code == 409 and "limit" in limit.json["error"]
    found = _get(app, "organization_autocomplete", q=world["org"]["name"][:5])
    assert found.status_code == 200
    assert world["org"]["name"] in [org["name"] for org in found.json["result"]]


def test_a_public_activity_is_shown_to_a_plain_user_and_a_bad_flag_is_refused(app: Any,
                                                                              world: dict[str, Any]) -> None:
    shown = _get(app, "activity_show", world["plain"], id=world["activity"]["id"])
    assert shown.status_code == 200
    assert shown.json["result"]["object_id"] == world["dataset"]["id"]
    refused = _get(app, "activity_show", world["plain"], id=world["activity"]["id"], include_data="maybe")
    assert refused.status_code == 409 and "include_data" in refused.json["error"]
    assert _get(app, "activity_show", world["plain"]).status_code == 409


def test_collaborators_of_a_dataset_are_not_listed_to_anonymous(app: Any, world: dict[str, Any]) -> None:
    response = _get(app, "package_collaborator_list", id=world["dataset"]["id"])
    assert response.status_code == 403


def test_harvest_log_is_for_sysadmins(app: Any, world: dict[str, Any]) -> None:
    assert _get(app, "harvest_log_list", world["plain"]).status_code == 403
    assert _get(app, "harvest_log_list", world["sysadmin"]).status_code == 200


def _allowed(action: str, who: dict[str, Any], data: dict[str, Any]) -> bool:
    import ckan.plugins.toolkit as tk

    try:
        tk.check_access(action, {"user": who["name"], "model": model}, dict(data))
    except tk.NotAuthorized:
        return False
    return True


@pytest.mark.parametrize("action,like", [
    ("harvest_job_report", "harvest_job_show"), ("harvest_source_index_clear", "harvest_source_clear"),
    ("harvest_source_job_history_clear", "harvest_source_clear"), ("harvest_source_patch", "harvest_source_update"),
    ("harvest_log_list", None), ("harvest_abort_failed_jobs", None), ("harvest_sources_job_history_clear", None),
])
def test_checking_access_to_a_harvest_action_decides_as_the_action_it_acts_like(world: dict[str, Any], action: str,
                                                                                 like: str | None) -> None:
    from ckanext.harvest.model import HarvestJob

    job = HarvestJob(source_id=world["source"]["id"], status="Finished")
    job.save()
    data = {"id": job.id if action == "harvest_job_report" else world["source"]["id"]}
    for who in (world["plain"], world["editor"]):
        expected = _allowed(like, who, data) if like else False
        assert _allowed(action, who, data) is expected
    assert _allowed(action, world["sysadmin"], data)
    if like == "harvest_source_clear":
        assert not _allowed(action, world["plain"], data)  # the decision is a real one, not always yes


def test_failed_harvest_jobs_are_aborted_only_by_a_sysadmin(app: Any, world: dict[str, Any]) -> None:
    from ckanext.harvest.model import HarvestJob

    job = HarvestJob(source_id=world["source"]["id"], status="Running")
    job.save()
    # Running for longer than any life span: the action aborts it when it is allowed to run.
    model.Session.execute(sa.text("UPDATE harvest_job SET created = now() - interval '30 days' "
                                             "WHERE id = :id"), {"id": job.id})
    model.Session.commit()
    for who in (None, world["plain"], world["editor"]):
        response = app.post("/api/3/action/harvest_abort_failed_jobs", json={"life_span": 1},
                            headers=_token(who) if who else {})
        assert response.status_code == 403
    model.Session.expire_all()
    assert model.Session.get(HarvestJob, job.id).status == "Running"
    assert app.post("/api/3/action/harvest_abort_failed_jobs", json={"life_span": 1},
                    headers=_token(world["sysadmin"])).status_code == 200


@pytest.mark.parametrize("action", ["harvest_objects_import", "harvest_jobs_run",
                                    "harvest_job_abort", "harvest_sources_reindex", "harvest_job_create_all"])
def test_sysadmin_only_harvest_actions_refuse_a_visitor_and_a_plain_user(app: Any, world: dict[str, Any],
                                                                         action: str) -> None:
    # upstream's sysadmin check raised an AttributeError for a visitor who is not logged in: a 500
    for who in (None, world["plain"]):
        response = app.post(f"/api/3/action/{action}", json={"source_id": world["source"]["id"]},
                            headers=_token(who) if who else {})
        assert response.status_code == 403, (action, who and who["name"], response.get_data(as_text=True))
        assert response.json["error"]["__type"] == "Authorization Error"


@pytest.mark.parametrize("name", ["harvest_sources_clear", "auth_allow_anonymous_access"])
def test_harvest_auth_functions_are_not_callable_as_actions(app: Any, world: dict[str, Any], name: str) -> None:
    # ckanext-harvest registered its auth functions as actions too: calling one ran it, a 500
    for who in (None, world["sysadmin"]):
        response = app.post(f"/api/3/action/{name}", json={}, headers=_token(who) if who else {})
        assert response.status_code == 400, (name, response.get_data(as_text=True))
        assert f"Action name not known: {name}" in response.get_data(as_text=True)


def test_a_sysadmin_reindexes_every_harvest_source(app: Any, world: dict[str, Any]) -> None:
    response = app.post("/api/3/action/harvest_sources_reindex", json={}, headers=_token(world["sysadmin"]))
    assert response.status_code == 200 and response.json["result"] is True


def test_harvest_source_status_without_an_id_says_what_is_missing(app: Any, world: dict[str, Any]) -> None:
    response = _get(app, "harvest_source_show_status")
    assert response.status_code == 409 and "id" in response.json["error"]
    shown = _get(app, "harvest_source_show_status", world["sysadmin"], id=world["source"]["id"])
    assert shown.status_code == 200

