"""klasifikasi decides CKAN's private flag: terbuka is public, terbatas and tertutup are private, always."""
from __future__ import annotations

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import helpers

from .conftest import satu_data

CONTRADICTION = ("Visibility follows the classification: terbuka datasets are public, terbatas and tertutup "
                 "datasets are private. Change the classification instead.")


@pytest.mark.parametrize(("klasifikasi", "private"), [("terbuka", False), ("terbatas", True), ("tertutup", True)])
def test_classification_sets_visibility(world, klasifikasi, private):
    dataset = world.create("uji", **satu_data(klasifikasi=klasifikasi))
    assert dataset["private"] is private
    assert helpers.call_action("package_show", id="uji")["private"] is private


def test_changing_the_classification_changes_visibility(world):
    context = {"user": world.sysadmin["name"]}
    world.create("uji", **satu_data())
    assert helpers.call_action("package_patch", context, id="uji", klasifikasi="tertutup")["private"] is True
    assert helpers.call_action("package_patch", context, id="uji", klasifikasi="terbatas")["private"] is True
    assert helpers.call_action("package_patch", context, id="uji", klasifikasi="terbuka")["private"] is False
    # A full update with the dict package_show gave (its `private` included) follows the new classification.
    shown = helpers.call_action("package_show", id="uji")
    updated = helpers.call_action("package_update", context, **dict(shown, klasifikasi="tertutup"))
    assert updated["private"] is True


@pytest.mark.parametrize(("klasifikasi", "private"), [("terbuka", True), ("tertutup", False), ("terbatas", False)])
def test_contradicting_private_flag_on_create_is_refused(world, klasifikasi, private):
    with pytest.raises(tk.ValidationError) as raised:
        world.create("uji", **satu_data(klasifikasi=klasifikasi), private=private)
    assert raised.value.error_dict["private"] == [CONTRADICTION]


def test_agreeing_private_flag_is_accepted(world):
    assert world.create("uji", **satu_data(klasifikasi="tertutup"), private=True)["private"] is True


def test_changing_only_the_private_flag_is_refused(world):
    context = {"user": world.sysadmin["name"]}
    world.create("terbuka", **satu_data())
    world.create("tertutup", **satu_data(klasifikasi="tertutup"))
    for name, private in (("terbuka", True), ("tertutup", False)):
        with pytest.raises(tk.ValidationError) as raised:
            helpers.call_action("package_patch", context, id=name, private=private)
        assert raised.value.error_dict["private"] == [CONTRADICTION]
        assert helpers.call_action("package_show", id=name)["private"] is not private


def test_private_dataset_needs_an_organisation(world, monkeypatch):
    monkeypatch.setitem(tk.config, "ckan.auth.create_unowned_dataset", True)
    context = {"user": world.sysadmin["name"]}
    with pytest.raises(tk.ValidationError) as raised:
        helpers.call_action("package_create", context, name="tanpa-organisasi", **satu_data(klasifikasi="terbatas"))
    assert raised.value.error_dict["klasifikasi"] == [
        "A terbatas or tertutup dataset is private, so it needs an organization (its data producer)."
    ]
    # A public one may have none where the portal allows datasets without an organisation.
    assert helpers.call_action("package_create", context, name="tanpa-organisasi", **satu_data())["private"] is False


def test_bulk_visibility_actions_respect_the_classification(world):
    context = {"user": world.sysadmin["name"]}
    terbuka = world.create("terbuka", **satu_data())
    tertutup = world.create("tertutup", **satu_data(klasifikasi="tertutup"))
    org_id = world.orgs["disdukcapil"]["id"]
    with pytest.raises(tk.NotAuthorized, match="Change the classification of these datasets instead: tertutup"):
        helpers.call_action("bulk_update_public", context, org_id=org_id, datasets=[tertutup["id"], terbuka["id"]])
    assert helpers.call_action("package_show", id="tertutup")["private"] is True
    with pytest.raises(tk.NotAuthorized, match="instead: terbuka"):
        helpers.call_action("bulk_update_private", context, org_id=org_id, datasets=[terbuka["id"]])
    assert helpers.call_action("package_show", id="terbuka")["private"] is False
    # What agrees with the classification goes through.
    helpers.call_action("bulk_update_public", context, org_id=org_id, datasets=[terbuka["id"]])
    helpers.call_action("bulk_update_private", context, org_id=org_id, datasets=[tertutup["id"]])


def test_bulk_refusal_names_datasets_only_to_those_allowed(world):
    tertutup = world.create("tertutup-rahasia", **satu_data(klasifikasi="tertutup"))
    with pytest.raises(tk.NotAuthorized) as raised:
        helpers.call_action("bulk_update_public", {"user": world.outsider["name"], "ignore_auth": False},
                            org_id=world.orgs["disdukcapil"]["id"], datasets=[tertutup["id"]])
    assert "tertutup-rahasia" not in str(raised.value)


def test_bulk_page_shows_no_server_error(app, world):
    tertutup = world.create("tertutup", **satu_data(klasifikasi="tertutup"))
    response = app.post("/organization/bulk_process/disdukcapil", headers={"Authorization": world.token(world.sysadmin)},
                        data={"bulk_action.public": "public", f"dataset_{tertutup['id']}": "on"})
    assert response.status_code == 403
    assert helpers.call_action("package_show", id="tertutup")["private"] is True


def test_dataset_form_has_no_visibility_control_and_creates_private_data(app, world):
    headers = {"Authorization": world.token(world.editor)}
    form = app.get("/dataset/new", headers=headers).get_data(as_text=True)
    assert 'name="private"' not in form and 'name="klasifikasi"' in form
    response = app.post("/dataset/new", headers=headers, follow_redirects=False, data={
        "name": "draf-rahasia", "title": "Draf Rahasia", "owner_org": world.orgs["disdukcapil"]["id"],
        "save": "", "_ckan_phase": 1, **satu_data(klasifikasi="tertutup"),
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    assert helpers.call_action("package_show", id="draf-rahasia")["private"] is True
