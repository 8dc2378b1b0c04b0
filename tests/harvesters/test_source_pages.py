"""The harvest pages of the demo sources (built by ckanext/paser/demo/harvest.py, as `make run` does) for every
identity, the source dicts behind them, and harvest_job_list with and without a source.

The configurations' `organization` key (docs/harvesters.md) was copied by ckanext-harvest over the source's
organisation dict, and every harvest page answered 500 (harvesters/source_schema.py)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from ckan.tests import factories, helpers
from ckanext.paser.demo import harvest as demo
from ckanext.paser.harvesters import access
from portal_text import as_the_portal_says

DEMO_URL = "http://127.0.0.1:8765"
SOURCES = [source.name for source in demo.DEMO_SOURCES]


@dataclass
class World:
    users: dict[str, dict[str, Any]]
    tokens: dict[str, str]
    job_ids: list[str]

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": self.tokens[who]} if who != "anonymous" else {}


@pytest.fixture(scope="module")
def world(reset_bundle_db, reset_index, reset_redis) -> World:
    reset_bundle_db()
    reset_index()
    reset_redis()
    users = {"sysadmin": factories.Sysadmin(name="admin-panen"), "walidata": factories.User(name="operator-kominfo"),
             "outsider": factories.User(name="warga-panen")}
    assert {state for _, state in demo.ensure_sources(DEMO_URL, users["sysadmin"]["name"])} == {"created"}
    helpers.call_action("organization_member_create", {"user": users["sysadmin"]["name"]}, id=demo.DEMO_OWNER,
                        username=users["walidata"]["name"], role="editor")
    tokens = {who: helpers.call_action("api_token_create", {"user": user["name"]}, user=user["name"],
                                       name="uji")["token"] for who, user in users.items()}
    sysadmin = {"user": users["sysadmin"]["name"]}
    jobs = [helpers.call_action("harvest_job_create", dict(sysadmin), run=False, source_id=helpers.call_action(
        "harvest_source_show", dict(sysadmin), id=name)["id"])["id"] for name in SOURCES[2:]]
    return World(users, tokens, jobs)


def test_the_source_dicts_keep_their_own_keys(world: World) -> None:
    """The configuration stays in `config`: the organisation, title, harvest frequency and url are the source's."""
    context = {"user": world.users["sysadmin"]["name"]}
    for spec in demo.DEMO_SOURCES:
        source = helpers.call_action("harvest_source_show", dict(context), id=spec.name)
        assert isinstance(source["organization"], dict) and source["organization"]["name"] == demo.DEMO_OWNER
        assert (source["title"], source["frequency"], source["source_type"]) == (spec.title, "MANUAL",
                                                                                 spec.source_type)
        assert json.loads(source["config"]) == spec.config
        assert not set(spec.config) - {"organization", "title", "frequency"} & set(source)
        listed = helpers.call_action("package_search", dict(context), fq=f"dataset_type:harvest name:{spec.name}")
        [found] = listed["results"]
        assert isinstance(found["organization"], dict) and found["frequency"] == "MANUAL"


@pytest.mark.parametrize("who", ["anonymous", "outsider", "walidata", "sysadmin"])
def test_harvest_pages_render_for_everyone(world: World, app: Any, who: str) -> None:
    headers = world.headers(who)
    may_edit = who in ("walidata", "sysadmin")
    for url in ("/harvest/", "/harvest/?q=bps", "/harvest/?q=excel"):
        response = app.get(url, headers=headers)
        assert response.status_code == 200, (url, response.status_code)
    page = app.get("/harvest/", headers=headers).get_data(as_text=True)
    assert all(spec.title in page for spec in demo.DEMO_SOURCES)
    for name in SOURCES:
        for url, expected in ((f"/harvest/{name}", 200), (f"/harvest/about/{name}", 200),
                              (f"/harvest/admin/{name}", 200 if may_edit else 403),
                              (f"/harvest/edit/{name}", 200 if may_edit else 403)):
            response = app.get(url, headers=headers)
            assert response.status_code == expected, (who, url, response.status_code)
            assert "Traceback" not in response.get_data(as_text=True)


def test_the_edit_form_saves_the_documented_organization_key(world: World, app: Any) -> None:
    """The source's editor saves the edit form as shown: the configuration (with `organization`) is kept and the
    source keeps its organisation."""
    name = "demo-disdukcapil-excel"
    spec = next(spec for spec in demo.DEMO_SOURCES if spec.name == name)
    context = {"user": world.users["walidata"]["name"]}
    shown = helpers.call_action("package_show", dict(context), id=name)
    config = {**json.loads(shown["config"]), "klasifikasi": "terbuka"}
    updated = helpers.call_action("harvest_source_update", dict(context), id=shown["id"], name=name,
                                  title=shown["title"], url=shown["url"], source_type=shown["source_type"],
                                  owner_org=shown["owner_org"], frequency=shown["frequency"],
                                  config=json.dumps(config))
    assert json.loads(updated["config"]) == {**spec.config, "klasifikasi": "terbuka"}
    assert updated["organization"]["name"] == demo.DEMO_OWNER
    assert app.get(f"/harvest/edit/{name}", headers=world.headers("walidata")).status_code == 200


def test_harvest_job_list_without_a_source(world: World, app: Any) -> None:
    """Upstream lists the jobs of every source when no source_id is given: a sysadmin gets that list; for
    everyone else it is a 403 with a clear message (it was a KeyError, 500)."""
    response = app.get("/api/3/action/harvest_job_list", headers=world.headers("sysadmin"))
    assert response.status_code == 200
    assert {job["id"] for job in response.json["result"]} == set(world.job_ids)
    for who in ("anonymous", "outsider", "walidata"):
        response = app.get("/api/3/action/harvest_job_list", headers=world.headers(who))
        assert response.status_code == 403, (who, response.status_code)
        assert as_the_portal_says(app, access.JOBS_OF_EVERY_SOURCE) in response.json["error"]["message"]


def test_harvest_job_list_of_one_source(world: World, app: Any) -> None:
    source = helpers.call_action("harvest_source_show", {"ignore_auth": True}, id=SOURCES[2])
    for who in ("sysadmin", "walidata"):
        response = app.get("/api/3/action/harvest_job_list", query_string={"source_id": source["id"]},
                           headers=world.headers(who))
        assert response.status_code == 200, who
        assert [job["source_id"] for job in response.json["result"]] == [source["id"]]
    for who in ("anonymous", "outsider"):
        response = app.get("/api/3/action/harvest_job_list", query_string={"source_id": source["id"]},
                           headers=world.headers(who))
        assert response.status_code == 403, who
    response = app.get("/api/3/action/harvest_job_list", query_string={"source_id": "tidak-ada"},
                       headers=world.headers("outsider"))
    assert response.status_code == 404
