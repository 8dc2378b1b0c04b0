"""CSRF on everything that changes state, the bundle's and upstream's, with CSRF protection on as in production
(config/test.ini switches it off for the rest of the suite): a logged-in steward's browser, tricked by another site
into posting a form without the token, changes nothing; the same form fetched from the portal and posted with its
token works. ckanext-harvest's source actions refuse GET (405). Session and remember-me cookies are SameSite=Lax,
and Secure when the site is https. Users log in through the real login form; their cookies carry the session."""
from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from io import BytesIO
from typing import Any

import pytest
from ckan import model
from ckan.common import config
from ckan.tests import factories, helpers
from ckan.tests.pytest_ckan.fixtures import FakeFileStorage
from ckanext.harvest.model import HarvestJob
from conftest import plugins_left_out
from in_process_jobs import run_jobs

PASSWORD = "correct123"  # ckan.tests.factories.User's
FOREIGN = {"Origin": "https://penipu.example", "Referer": "https://penipu.example/hadiah.html"}
CSRF_FIELD = "_csrf_token"
CSRF_REFUSED = 400  # Flask-WTF's CSRFError: "The CSRF token is missing." / "The CSRF tokens do not match."

DUKCAPIL_CSV = "kode_wilayah,nama_wilayah,tahun,jumlah_penduduk\n64.01,Kabupaten Paser,2024,309667\n"
BPS_CSV = "kode_wilayah,nama_wilayah,tahun,jumlah_penduduk\n64.01,Kabupaten Paser,2024,292948\n"
TABLE = {"format": "CSV", "kolom_wilayah": "kode_wilayah", "jenis_kode_wilayah": "kode_kemendagri",
         "kolom_periode": "tahun", "kolom_nilai": "jumlah_penduduk", "satuan": "jiwa"}


# --- a portal with CSRF protection on ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def csrf_portal() -> Iterator[Any]:
    """CKAN's test app built with WTF_CSRF_ENABLED as production runs it (the ckan_config mark is per test). The
    DataStore loader is left out: the dictionary's table is made by datastore_create, and the flag needs only the checks."""
    saved = config.copy()
    config["WTF_CSRF_ENABLED"] = True
    try:
        with plugins_left_out("paser_loader"):
            yield helpers._get_test_app()
    finally:
        config.clear()
        config.update(saved)


class _Forms(HTMLParser):
    """The forms of a page (action -> their fields' default values, as a browser would submit them) and the meta
    tags (where CKAN's confirm-action JS module reads the CSRF token)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []
        self._form: dict[str, str] | None = None
        self._select: str | None = None
        self._multiple = False
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "meta" and "name" in a:
            self.meta[a["name"]] = a.get("content", "")
        elif tag == "a":
            self.links.append(a)
        elif tag == "form" and a.get("method", "get").lower() == "post":
            self._form = self.forms.setdefault(a.get("action", ""), {})
        elif self._form is None or "name" not in a and tag != "option":
            return
        elif tag == "input" and (a.get("type") not in ("checkbox", "radio") or "checked" in a):
            self._form.setdefault(a["name"], a.get("value", ""))
        elif tag == "select":
            self._select = a["name"]
            self._multiple = "multiple" in a
        elif tag == "option" and self._select and (
                "selected" in a or not self._multiple and self._select not in self._form):
            self._form[self._select] = a.get("value", "")  # a single select sends its first option by default
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form[a["name"]] = ""

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _page(client: Any, url: str) -> _Forms:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    forms = _Forms()
    forms.feed(response.get_data(as_text=True))
    return forms


def _form(client: Any, url: str, action: str) -> dict[str, str]:
    """The form posting to ``action`` on the page at ``url``, with the token the portal put in it."""
    forms = _page(client, url).forms
    assert action in forms, (action, list(forms))
    assert forms[action].get(CSRF_FIELD), f"the form to {action} has no CSRF token"
    return dict(forms[action])


def _confirm_action_token(client: Any, page_url: str, href: str) -> str:
    """What the confirm-action module posts for the button linking to ``href``: the page's meta token."""
    page = _page(client, page_url)
    button = next((link for link in page.links if link.get("href") == href), None)
    assert button is not None, f"no button to {href} on {page_url}"
    assert button.get("data-module") == "confirm-action", f"the button to {href} is a plain GET link"
    assert page.meta["csrf_field_name"] == CSRF_FIELD
    return page.meta[CSRF_FIELD]


def _login(app: Any, user: str) -> tuple[Any, Any]:
    """A browser that logged in through the login form ("remember me" ticked, as by default): the client keeps the
    session and remember-me cookies; also the login response."""
    client = app.test_client()
    form = _form(client, "/user/login", "")  # the login form posts to its own page
    assert form.get("remember")
    response = client.post("/user/login", data={**form, "login": user, "password": PASSWORD},
                           follow_redirects=False)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client, response


# --- the data the forms change -----------------------------------------------------------------------------------

def _dataset(user: str, org: str, name: str, csv: str) -> dict[str, Any]:
    context = {"user": user, "ignore_auth": False}
    dataset = helpers.call_action("package_create", dict(context), name=name, title=name, owner_org=org,
                                  jenis_data="statistik", klasifikasi="terbuka", tingkat_penyajian="kabupaten",
                                  satuan="jiwa")
    resource = helpers.call_action("resource_create", dict(context), package_id=dataset["id"], url="upload",
                                   upload=FakeFileStorage(BytesIO(csv.encode()), f"{name}.csv"), name=f"{name}.csv",
                                   **TABLE)
    return {**dataset, "resource": resource}


@pytest.fixture(scope="module")
def world(reset_bundle_db, reset_index, reset_redis, csrf_portal) -> dict[str, Any]:
    """A sysadmin and an editor; a cross-producer flag (two OPDs' populations differ, as read by a real worker);
    a DataStore table; a harvest source with a job."""
    reset_bundle_db()
    reset_index()
    reset_redis()
    admin = factories.Sysadmin(name="admin-csrf", password=PASSWORD)
    factories.User(name="editor-csrf")
    factories.Organization(name="diskominfostaper", title="Diskominfostaper")
    factories.Organization(name="disdukcapil", title="Disdukcapil",
                           users=[{"name": "editor-csrf", "capacity": "editor"}])
    factories.Organization(name="bps-paser", title="BPS Kabupaten Paser")
    dukcapil = _dataset(admin["name"], "disdukcapil", "penduduk-dukcapil", DUKCAPIL_CSV)
    _dataset(admin["name"], "bps-paser", "penduduk-bps", BPS_CSV)
    run_jobs()
    site = {"user": admin["name"], "ignore_auth": True}
    flags = helpers.call_action("paser_flag_list", dict(site), dataset_id=dukcapil["id"], rule="cross_producer")
    assert flags["count"] == 1
    table = helpers.call_action("resource_create", dict(site), package_id=dukcapil["id"], url="http://127.0.0.1/t",
                                name="tabel", format="")
    helpers.call_action("datastore_create", dict(site), resource_id=table["id"], force=True,
                        fields=[{"id": "kecamatan", "type": "text"}, {"id": "jumlah", "type": "int"}])
    source = helpers.call_action("harvest_source_create", dict(site), name="sumber-uji", title="Sumber uji",
                                 url="http://127.0.0.1:9/api/3/action/package_search", source_type="ckan",
                                 owner_org="disdukcapil")
    return {"admin": admin["name"], "flag": flags["results"][0], "dataset": dukcapil, "table": table,
            "source": source}


@pytest.fixture(scope="module")
def admin_browser(csrf_portal, world) -> Any:
    return _login(csrf_portal, world["admin"])[0]


def _site() -> dict[str, Any]:
    return {"ignore_auth": True, "user": helpers.call_action("get_site_user", {"ignore_auth": True})["name"]}


def _flag_status(flag_id: str) -> str:
    return helpers.call_action("paser_flag_show", _site(), id=flag_id)["status"]


def _jobs(source_id: str) -> list[HarvestJob]:
    model.Session.remove()
    return model.Session.query(HarvestJob).filter_by(source_id=source_id).all()


def _new_job(source_id: str, status: str) -> str:
    job = HarvestJob(source_id=source_id, status=status)
    job.save()
    return job.id


# --- the bundle's form -------------------------------------------------------------------------------------------

def test_flag_status_form_needs_its_token(admin_browser, world):
    flag = world["flag"]
    action = f"/flag/{flag['id']}"
    form = _form(admin_browser, action, action)
    change = {"status": "acknowledged", "note": "Dicek dengan Disdukcapil"}

    forged = admin_browser.post(action, data=change, headers=FOREIGN)
    assert forged.status_code == CSRF_REFUSED
    assert _flag_status(flag["id"]) == "open"

    done = admin_browser.post(action, data={**form, **change}, follow_redirects=False)
    assert done.status_code == 302
    assert _flag_status(flag["id"]) == "acknowledged"


def test_a_token_of_another_session_is_refused(csrf_portal, admin_browser, world):
    """An attacker's own token (from their own visit to the portal) does not pass with the victim's cookies."""
    flag = world["flag"]
    attacker = csrf_portal.test_client()
    stolen = _page(attacker, "/user/login").meta[CSRF_FIELD]
    forged = admin_browser.post(f"/flag/{flag['id']}", headers=FOREIGN,
                                data={CSRF_FIELD: stolen, "status": "resolved", "note": "palsu"})
    assert forged.status_code == CSRF_REFUSED
    assert _flag_status(flag["id"]) != "resolved"


# --- upstream forms: /dataset/new (ckanext-dcat's blueprint) and the DataStore dictionary ---------------------------

def test_new_dataset_form_needs_its_token(csrf_portal, admin_browser, world):
    assert csrf_portal.flask_app.url_map.bind("").match("/dataset/new", method="POST")[0] == "dcat.new"
    form = _form(admin_browser, "/dataset/new", "")  # the form posts to its own page
    fields = {"title": "Data Uji CSRF", "name": "data-uji-csrf", "owner_org": world["dataset"]["owner_org"],
              "jenis_data": "statistik", "klasifikasi": "terbuka", "tingkat_penyajian": "kabupaten",
              "satuan": "jiwa"}

    forged = admin_browser.post("/dataset/new", data={**fields, "save": "continue"}, headers=FOREIGN)
    assert forged.status_code == CSRF_REFUSED
    assert model.Package.get("data-uji-csrf") is None

    done = admin_browser.post("/dataset/new", data={**form, **fields, "save": "continue"}, follow_redirects=False)
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    model.Session.remove()
    assert model.Package.get("data-uji-csrf") is not None


def _labels(resource_id: str) -> dict[str, str]:
    fields = helpers.call_action("datastore_info", _site(), id=resource_id)["fields"]
    return {field["id"]: field.get("info", {}).get("label", "") for field in fields}


def test_datastore_dictionary_form_needs_its_token(admin_browser, world):
    action = f"/dataset/{world['dataset']['name']}/dictionary/{world['table']['id']}"
    form = _form(admin_browser, f"/dataset/{world['dataset']['id']}/dictionary/{world['table']['id']}", action)
    label_field = next(name for name in form if name.startswith("info__") and name.endswith("__label"))
    change = {**{name: value for name, value in form.items() if name != CSRF_FIELD}, label_field: "Jumlah Penduduk"}

    forged = admin_browser.post(action, data=change, headers=FOREIGN)
    assert forged.status_code == CSRF_REFUSED
    assert "Jumlah Penduduk" not in _labels(world["table"]["id"]).values()

    done = admin_browser.post(action, data={**form, label_field: "Jumlah Penduduk"}, follow_redirects=False)
    assert done.status_code == 302
    assert "Jumlah Penduduk" in _labels(world["table"]["id"]).values()


def test_api_calls_with_an_api_token_need_no_csrf_token(csrf_portal, world):
    """Scripts and harvesters authenticate with an API token (Authorization header): CKAN exempts them."""
    token = helpers.call_action("api_token_create", {"user": world["admin"]}, user=world["admin"],
                                name="skrip")["token"]
    response = csrf_portal.post("/api/3/action/package_patch", headers={"Authorization": token},
                                json={"id": world["dataset"]["id"], "notes": "Diperbarui lewat API"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert helpers.call_action("package_show", _site(), id=world["dataset"]["id"])["notes"] == "Diperbarui lewat API"


def test_the_api_with_only_the_login_cookie_needs_the_token(admin_browser, world):
    """The browser's own session: a page's script posts the token (X-CSRFToken); a foreign page cannot."""
    forged = admin_browser.post("/api/3/action/package_patch", headers=FOREIGN,
                                json={"id": world["dataset"]["id"], "notes": "dipalsukan"})
    assert forged.status_code == CSRF_REFUSED
    assert helpers.call_action("package_show", _site(), id=world["dataset"]["id"])["notes"] != "dipalsukan"


# --- ckanext-harvest's source actions: POST with the token, never GET ---------------------------------------------

def test_reharvest_refuses_get_and_a_forged_post(admin_browser, world):
    source = world["source"]
    action = f"/harvest/refresh/{source['id']}"
    before = len(_jobs(source["id"]))

    assert admin_browser.get(action).status_code == 405
    assert admin_browser.post(action, headers=FOREIGN).status_code == CSRF_REFUSED
    assert len(_jobs(source["id"])) == before

    token = _confirm_action_token(admin_browser, f"/harvest/admin/{source['name']}", action)
    assert admin_browser.post(action, data={CSRF_FIELD: token}, follow_redirects=False).status_code == 302
    assert len(_jobs(source["id"])) == before + 1


def test_stopping_a_job_refuses_get_and_a_forged_post(admin_browser, world):
    source = world["source"]
    for job in _jobs(source["id"]):
        job.status = "Finished"
    model.Session.commit()
    job_id = _new_job(source["id"], "Running")
    action = f"/harvest/{source['name']}/job/{job_id}/abort"

    assert admin_browser.get(action).status_code == 405
    assert admin_browser.post(action, headers=FOREIGN).status_code == CSRF_REFUSED
    assert HarvestJob.get(job_id).status == "Running"

    token = _confirm_action_token(admin_browser, f"/harvest/admin/{source['name']}", action)
    assert admin_browser.post(action, data={CSRF_FIELD: token}, follow_redirects=False).status_code == 302
    model.Session.remove()
    assert HarvestJob.get(job_id).status == "Finished"


def test_clearing_a_source_refuses_get_and_a_forged_post(admin_browser, world):
    source = world["source"]
    _new_job(source["id"], "Finished")
    action = f"/harvest/clear/{source['id']}"

    assert admin_browser.get(action).status_code == 405
    assert admin_browser.post(action, headers=FOREIGN).status_code == CSRF_REFUSED
    assert _jobs(source["id"])

    token = _confirm_action_token(admin_browser, f"/harvest/admin/{source['name']}", action)
    assert admin_browser.post(action, data={CSRF_FIELD: token}, follow_redirects=False).status_code == 302
    assert _jobs(source["id"]) == []


def test_deleting_a_source_refuses_get_and_a_forged_post(admin_browser, world):
    """Both buttons of the edit page ("Delete source", "Delete and clear source") post with the token; the second
    clears the source's jobs too (ckanext-harvest's own delete, not CKAN's generic dataset delete)."""
    source = world["source"]
    _new_job(source["id"], "Finished")
    action = f"/harvest/delete/{source['name']}?clear=True"

    assert admin_browser.get(action).status_code == 405
    assert admin_browser.get(f"/harvest/delete/{source['name']}").status_code == 405
    assert admin_browser.post(action, headers=FOREIGN).status_code == CSRF_REFUSED
    model.Session.remove()
    assert model.Package.get(source["id"]).state == "active"

    token = _confirm_action_token(admin_browser, f"/harvest/edit/{source['name']}", action)
    assert admin_browser.post(action, data={CSRF_FIELD: token}, follow_redirects=False).status_code == 302
    model.Session.remove()
    assert model.Package.get(source["id"]).state == "deleted"
    assert _jobs(source["id"]) == []


# --- cookies -----------------------------------------------------------------------------------------------------

def _cookies(response: Any) -> dict[str, str]:
    """Set-Cookie headers by cookie name, with their attributes."""
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def test_login_cookies_are_samesite_lax_and_not_secure_on_http(csrf_portal, world):
    assert config["ckan.site_url"].startswith("http://")
    cookies = _cookies(_login(csrf_portal, world["admin"])[1])
    assert set(cookies) >= {"ckan", "remember_token"}
    for name in ("ckan", "remember_token"):
        assert "SameSite=Lax" in cookies[name], cookies[name]
        assert "Secure" not in cookies[name], cookies[name]
        assert "HttpOnly" in cookies[name], cookies[name]


@pytest.mark.ckan_config("ckan.site_url", "https://data.paserkab.go.id")
@pytest.mark.ckan_config("WTF_CSRF_ENABLED", True)
def test_login_cookies_are_secure_when_the_site_is_https(app, world):
    cookies = _cookies(_login(app, world["admin"])[1])
    assert set(cookies) >= {"ckan", "remember_token"}
    for name in ("ckan", "remember_token"):
        assert "Secure" in cookies[name] and "SameSite=Lax" in cookies[name], cookies[name]
