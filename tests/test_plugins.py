"""The bundle's optional plugins: a site may leave out paser_checks, paser_loader, paser_exports and paser_dcat, and
its pages still work without what those plugins add; a plugin without the plugin it needs stops the start-up."""
from __future__ import annotations

import subprocess

import pytest
from ckan.lib import jobs
from ckan.tests import helpers
from conftest import plugins_left_out
from live_portal import CKAN, ROOT, derived_ini
from satudata.conftest import satu_data

OPTIONAL = ("paser_checks", "paser_loader", "paser_exports", "paser_dcat")
CSV = "Kecamatan,Tahun,Jumlah Penduduk\nTanah Grogot,2024,78018\nKuaro,2024,29942\n"


@pytest.fixture
def core_only(clean_db, clean_index, clean_redis):
    with plugins_left_out(*OPTIONAL):
        yield helpers._get_test_app()


def test_a_site_with_only_the_core_plugin_serves_its_pages(core_only, create_with_upload):
    from ckan.tests import factories

    sysadmin = factories.Sysadmin()
    org = factories.Organization(name="disdukcapil", title="Disdukcapil")
    dataset = helpers.call_action("package_create", {"user": sysadmin["name"]}, name="penduduk-2024",
                                  title="Penduduk 2024", owner_org=org["id"], **satu_data())
    resource = create_with_upload(CSV.encode(), "penduduk.csv", context={"user": sysadmin["name"]},
                                  package_id=dataset["id"], url="upload", format="CSV")
    # nothing is queued for the checker or the loader
    assert jobs.get_queue().jobs == []
    app = core_only
    environ = {"Authorization": helpers.call_action("api_token_create", {"user": sysadmin["name"]},
                                                    user=sysadmin["name"], name="t")["token"]}
    for url in ("/", "/dataset/", "/dataset/penduduk-2024", f"/dataset/penduduk-2024/resource/{resource['id']}",
                "/dinas/", "/dinas/disdukcapil"):
        page = app.get(url, headers=environ)
        assert page.status_code == 200, url
        assert "paser-flag" not in page.body and "/ekspor/" not in page.body and "paser-walidata-link" not in page.body
    # what the left-out plugins serve is not there
    assert app.get("/walidata", headers=environ).status_code == 404
    assert app.get("/ekspor/daftar-data.csv").status_code == 404
    assert app.get("/api/3/action/paser_flag_list", headers=environ).status_code == 400  # "Action name not known"


def test_the_full_set_shows_what_the_optional_plugins_add(clean_db, clean_index, app):
    from ckan.tests import factories

    factories.Organization(name="disdukcapil", title="Disdukcapil")
    assert "/ekspor/daftar-data.csv" in app.get("/dataset/").body
    assert app.get("/ekspor/daftar-data.csv").status_code == 200


@pytest.mark.parametrize(("plugins", "message"), [
    ("paser paser_loader", "The plugin paser_loader needs datastore in ckan.plugins"),
    ("paser paser_dcat", "The plugin paser_dcat needs dcat in ckan.plugins"),
])
def test_a_plugin_without_what_it_needs_stops_the_start_up(tmp_path, pytestconfig, plugins, message):
    ini = derived_ini(str(tmp_path / "subset.ini"), pytestconfig.getoption("ckan_ini"),
                      f"ckan.plugins = paser_search scheming_datasets scheming_organizations {plugins}")
    started = subprocess.run([CKAN, "-c", ini, "paser", "--help"], cwd=ROOT, capture_output=True, text=True,
                             timeout=120, check=False)
    assert started.returncode != 0
    assert message in started.stdout + started.stderr
