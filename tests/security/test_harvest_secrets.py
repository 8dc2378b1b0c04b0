"""Secrets of harvest source configurations (harvesters/secrets.py): only those who may edit the source (a sysadmin,
an editor or admin of the source's organisation) read them; everyone else gets `***` in every channel that shows a
source (the actions, the search index, the activity stream, the pages), and the harvest still uses the secret.

The demo sources are built by ckanext/paser/demo/harvest.py as `make run` does; the BPS source then gets a real
key (as an operator sets it), and a CKAN portal source gets an API token."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from ckan import model
from ckan.plugins import toolkit as tk
from ckan.tests import factories, helpers
from ckanext.activity.model import Activity
from ckanext.paser.demo import harvest as demo
from ckanext.paser.harvesters import secrets
from ckanext.paser.harvesters.bps import client as bps_client
from harvesters.conftest import API_KEY, BpsServer, _handler, serving
from harvesters.harvesting import harvest

CKAN_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.token-portal-kaltim-7f3a"
BPS = "demo-bps-webapi"
CKAN = "demo-kaltim-ckan"
READERS = ("anonymous", "outsider", "other_opd")  # may read a source, may not edit it
EDITORS = ("sysadmin", "source_editor", "source_admin")
SECRETS = (API_KEY, CKAN_TOKEN, *getattr(demo, "DEMO_SECRETS", ()))  # the demo's own keys too


@dataclass
class World:
    users: dict[str, dict[str, Any]]
    tokens: dict[str, str]
    sources: dict[str, dict[str, Any]]
    bps: BpsServer

    def name(self, who: str) -> str:
        return self.users[who]["name"] if who != "anonymous" else ""

    def call(self, action: str, who: str, **params: Any) -> Any:
        return helpers.call_action(action, {"user": self.name(who), "ignore_auth": False}, **params)

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": self.tokens[who]} if who != "anonymous" else {}


def _leaks(value: Any) -> list[str]:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return [secret for secret in SECRETS if secret in text]


@pytest.fixture(scope="module")
def world(reset_bundle_db, reset_index, reset_redis) -> Any:
    reset_bundle_db()
    reset_index()
    reset_redis()
    users = {"sysadmin": factories.Sysadmin(name="admin-rahasia"), "source_editor": factories.User(name="editor-kominfo"),
             "source_admin": factories.User(name="admin-kominfo"), "other_opd": factories.User(name="editor-dinkes"),
             "outsider": factories.User(name="warga-rahasia")}
    sysadmin = {"user": users["sysadmin"]["name"]}
    with serving(_handler(server := BpsServer())) as port:
        server.port = port
        demo.ensure_sources("http://127.0.0.1:1", users["sysadmin"]["name"])
        for who, role in (("source_editor", "editor"), ("source_admin", "admin")):
            helpers.call_action("organization_member_create", dict(sysadmin), id=demo.DEMO_OWNER,
                                username=users[who]["name"], role=role)
        factories.Organization(name="dinkes", users=[{"name": users["other_opd"]["name"], "capacity": "editor"}])
        # The operator sets the real key (an update: an activity with the configuration) and the local server.
        bps_config = {**next(s.config for s in demo.DEMO_SOURCES if s.name == BPS), "api_key": API_KEY}
        helpers.call_action("harvest_source_patch", dict(sysadmin), id=BPS, url=server.base_url,
                            config=json.dumps(bps_config))
        ckan_config = {**next(s.config for s in demo.DEMO_SOURCES if s.name == CKAN), "api_key": CKAN_TOKEN}
        helpers.call_action("harvest_source_patch", dict(sysadmin), id=CKAN, config=json.dumps(ckan_config))
        sources = {name: helpers.call_action("harvest_source_show", dict(sysadmin), id=name) for name in (BPS, CKAN)}
        tokens = {who: helpers.call_action("api_token_create", {"user": user["name"]}, user=user["name"],
                                           name="uji")["token"] for who, user in users.items()}
        yield World(users, tokens, sources, server)


def test_every_secret_key_of_the_bundle_is_listed() -> None:
    """The keys the bundle's harvesters read credentials from are in the one list (secrets.SECRET_KEYS)."""
    assert "api_key" in bps_client.CONFIG_KEYS and secrets.is_secret_key("api_key")
    assert all(secrets.is_secret_key(name) for name in ("API_KEY", "access_token", "client_secret", "db_password"))
    assert not any(secrets.is_secret_key(name) for name in ("domain", "organization", "kode_indikator", "sheets"))
    assert json.loads(secrets.mask_config(json.dumps({"api_key": "x", "domain": "6401"}))) == {
        "api_key": "***", "domain": "6401"}


def test_editors_read_the_secret(world: World, app: Any) -> None:
    for who in EDITORS:
        for action in ("harvest_source_show", "package_show"):
            source = world.call(action, who, id=BPS)
            assert json.loads(source["config"])["api_key"] == API_KEY, (who, action)
        # Upstream lists every source to a sysadmin (and to anonymous visitors), none to other users.
        listed = {source["id"]: source for source in world.call("harvest_source_list", who)}
        if who == "sysadmin":
            assert json.loads(listed[world.sources[CKAN]["id"]]["config"])["api_key"] == CKAN_TOKEN
        response = app.get("/api/3/action/harvest_source_show", query_string={"id": BPS}, headers=world.headers(who))
        assert json.loads(response.json["result"]["config"])["api_key"] == API_KEY
        assert API_KEY in app.get(f"/harvest/edit/{BPS}", headers=world.headers(who)).get_data(as_text=True)


def test_other_readers_get_the_configuration_masked(world: World, app: Any) -> None:
    for who in READERS:
        for action in ("harvest_source_show", "package_show"):
            source = world.call(action, who, id=BPS)
            config = json.loads(source["config"])
            assert config == {**next(s.config for s in demo.DEMO_SOURCES if s.name == BPS), "api_key": "***"}
            assert "api_key" not in source and not _leaks(source), (who, action)
        listed = world.call("harvest_source_list", who)
        assert len(listed) == (len(demo.DEMO_SOURCES) if who == "anonymous" else 0) and not _leaks(listed), who
        for action, params in (("harvest_source_list", {}), ("harvest_source_show", {"id": BPS}),
                               ("package_show", {"id": CKAN}),
                               ("package_search", {"fq": "dataset_type:harvest", "rows": 100})):
            response = app.get(f"/api/3/action/{action}", query_string=params, headers=world.headers(who))
            assert response.status_code == 200 and not _leaks(response.get_data(as_text=True)), (who, action)
        for url in ("/harvest/", f"/harvest/{BPS}", f"/harvest/about/{BPS}", f"/harvest/{CKAN}",
                    f"/organization/activity/{demo.DEMO_OWNER}", f"/dataset/activity/{BPS}"):
            response = app.get(url, headers=world.headers(who))
            assert response.status_code in (200, 404) and not _leaks(response.get_data(as_text=True)), (who, url)


def test_the_search_index_holds_no_secret(world: World) -> None:
    """package_search gives everyone the masked configuration, and a secret finds nothing, even for a sysadmin."""
    for who in ("anonymous", "sysadmin"):
        found = world.call("package_search", who, fq="dataset_type:harvest", rows=100)
        assert found["count"] == len(demo.DEMO_SOURCES) and not _leaks(found["results"]), who
        for secret in SECRETS:
            assert world.call("package_search", who, q=secret, fq="dataset_type:harvest")["count"] == 0
            assert world.call("package_search", who, q=f'"{secret}"', include_private=True)["count"] == 0
    # The index still finds a source by its configuration's other values.
    assert world.call("package_search", "anonymous", q="6401", fq="dataset_type:harvest")["count"] >= 1


def test_the_activity_stream_holds_no_secret(world: World) -> None:
    """The activity of a source update is stored masked; an activity stored earlier with the secret (before
    this fix) is masked when read, in every activity action."""
    rows = model.Session.query(Activity).filter(Activity.object_id.in_([s["id"] for s in world.sources.values()]))
    assert rows.count() >= 4 and not _leaks([row.data for row in rows])
    source = model.Package.get(world.sources[BPS]["id"])
    legacy = Activity(world.users["sysadmin"]["id"], source.id, "changed package",
                      data={"package": {**world.sources[BPS], "api_key": API_KEY}, "actor": "admin-rahasia"},
                      permission_labels=["public"])
    model.Session.add(legacy)
    model.Session.commit()
    assert _leaks(model.Session.query(Activity).get(legacy.id).data)
    calls = [("organization_activity_list", {"id": demo.DEMO_OWNER}), ("recently_changed_packages_activity_list", {}),
             ("package_activity_list", {"id": BPS}), ("activity_show", {"id": legacy.id, "include_data": True}),
             ("activity_data_show", {"id": legacy.id}), ("activity_diff", {"id": legacy.id, "object_type": "package"}),
             ("user_activity_list", {"id": world.users["sysadmin"]["name"]})]
    for who in (*READERS, "sysadmin"):
        for action, params in calls:
            try:
                result = world.call(action, who, **params)
            except tk.NotAuthorized:
                continue
            assert not _leaks(result), (who, action)
    assert world.call("activity_data_show", "sysadmin", id=legacy.id)["package"]["config"]
    found = world.call("package_activity_list", "anonymous", id=BPS, include_hidden_activity=False)
    assert len(found) >= 2


def test_saving_a_masked_configuration_keeps_the_secret(world: World) -> None:
    """An editor who saves the configuration as a reader sees it (`***`) changes the other keys, not the key."""
    from ckanext.harvest.model import HarvestSource

    masked = json.loads(world.call("harvest_source_show", "outsider", id=BPS)["config"])
    assert masked["api_key"] == "***"
    world.call("harvest_source_patch", "source_editor", id=BPS, config=json.dumps({**masked, "lang": "eng"}))
    stored = json.loads(HarvestSource.get(world.sources[BPS]["id"]).config)
    assert (stored["api_key"], stored["lang"]) == (API_KEY, "eng")
    assert json.loads(world.call("package_show", "source_editor", id=BPS)["config"])["api_key"] == API_KEY
    world.call("harvest_source_patch", "source_editor", id=BPS, config=json.dumps({**stored, "lang": "ind"}))


def test_the_harvest_still_uses_the_secret(world: World) -> None:
    """Gather and fetch read the key from the source table: the local BPS WebAPI answers only with it."""
    world.bps.requests.clear()
    run = harvest(world.sources[BPS])
    assert run.gather_errors == [] and run.object_errors() == []
    assert run.statuses() and set(run.statuses()) == {"added"}
    assert any(f"/key/{API_KEY}/" in path for path in world.bps.requests)
    assert not _leaks(world.call("package_search", "anonymous", rows=100)["results"])
